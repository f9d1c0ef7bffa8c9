"""Size recommendations from measurements, from a usual size, and the fit notes of charts."""

from __future__ import annotations

import pytest
from sqlalchemy import event, select

from store.models import SizeChart, SizeChartRow
from store.sizing import recommend_size, size_charts


@pytest.mark.parametrize("chest,size", [(93.9, "S"), (94, "M"), (101.9, "M"), (102, "L"), (126, "XXL")])
def test_chest_boundaries(session, chest, size):
    rec = recommend_size(session, product="Harbor Rain Shell", chest_cm=chest)
    assert (rec.size, rec.reason, rec.basis) == (size, None, ("chest_cm",))


def test_largest_measurement_wins_and_height_only_without_body(session):
    assert recommend_size(session, product="Essential Crew Tee", chest_cm=90, waist_cm=88).size == "L"
    assert recommend_size(session, product="Essential Crew Tee", chest_cm=90, height_cm=190).size == "S"
    assert recommend_size(session, product="Essential Crew Tee", height_cm=175, weight_kg=70).size == "M"


def test_runs_small_brand_chart_sizes_up(session):
    rec = recommend_size(session, product="Ridgeline Storm Hardshell", chest_cm=100)
    assert (rec.size, rec.fit) == ("L", "runs_small")
    assert "size up" in rec.fit_note
    assert rec.size_chart_url.endswith("#ridgeline")


def test_shoe_size_from_foot_length_and_aliases(session):
    assert recommend_size(session, product="Court Classic Sneaker", foot_length_cm=27.0).size == "US 9.5"
    assert recommend_size(session, product="Court Classic Sneaker", usual_size="EU 43").size == "US 9.5"
    assert recommend_size(session, product="Court Classic Sneaker", usual_size="9.5").size == "US 9.5"
    assert recommend_size(session, product="Trailmark Summit Hiker", usual_size="US 9.5").size == "US 10"


def test_usual_size_in_another_product(session):
    rec = recommend_size(
        session, product="Trailmark Summit Hiker", usual_size="9.5", usual_product="Court Classic Sneaker"
    )
    assert (rec.size, rec.basis) == ("US 10", ("usual_size", "usual_product"))
    # M in a runs-small Ridgeline jacket means an S body: S in a true-to-size tee
    assert (
        recommend_size(
            session, product="Essential Crew Tee", usual_size="M", usual_product="Ridgeline Storm Hardshell"
        ).size
        == "S"
    )
    assert (
        recommend_size(
            session, product="Essential Crew Tee", usual_size="US 9", usual_product="Court Classic Sneaker"
        ).reason
        == "incomparable"
    )


@pytest.mark.parametrize(
    "kwargs,reason",
    [
        ({"product": "Court Classic Sneaker"}, "need_measurements"),
        ({"product": "Court Classic Sneaker", "chest_cm": 100}, "need_measurements"),
        ({"product": "Harbor Rain Shell", "chest_cm": 140}, "out_of_range"),
        ({"product": "Ridgeline Storm Hardshell", "chest_cm": 120}, "out_of_range"),
        ({"product": "Harbor Rain Shell", "usual_size": "size 99 galaxy"}, "unknown_usual_size"),
        ({"product": "Canvas Tote Bag", "chest_cm": 90}, "no_size_chart"),
        ({"product": "a flying carpet", "chest_cm": 90}, "unknown_product"),
    ],
)
def test_no_size_with_a_reason(session, kwargs, reason):
    rec = recommend_size(session, **kwargs)
    assert (rec.size, rec.reason) == (None, reason)


def test_need_measurements_names_what_the_chart_uses(session):
    assert recommend_size(session, product="Court Classic Sneaker").needed == ("foot_length_cm",)


def test_chart_has_inches(session):
    chart = recommend_size(session, product="Harbor Rain Shell", chest_cm=100).chart
    medium = next(r for r in chart.rows if r.size == "M")
    assert medium.metric["chest_cm"] == (94.0, 102.0)
    assert medium.imperial["chest_in"] == (37.0, 40.2)


def test_size_charts_lists_every_chart_in_the_stores_order(session):
    charts = size_charts(session)
    assert [c.name for c in charts][:2] == ["Tops, shirts, knitwear and jackets", "Ridgeline outerwear"]
    assert all(c.url and c.rows for c in charts)
    assert len(charts) == 7


def test_only_the_chosen_charts_rows_are_read(session):
    session.expunge_all()  # a new unit of work: nothing loaded yet
    charts_with_rows_read: set[int] = set()

    def loaded(row: SizeChartRow, _context: object) -> None:
        charts_with_rows_read.add(row.chart_id)

    event.listen(SizeChartRow, "load", loaded)
    try:
        rec = recommend_size(session, product="Harbor Rain Shell", chest_cm=100)
    finally:
        event.remove(SizeChartRow, "load", loaded)
    chosen = session.execute(select(SizeChart.id).where(SizeChart.url == rec.size_chart_url)).scalar_one()
    assert rec.size == "M"
    assert charts_with_rows_read == {chosen}
    assert len(session.execute(select(SizeChart.id)).all()) > 1  # the others were there, unread
