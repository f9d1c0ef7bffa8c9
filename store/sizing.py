"""Size recommendations from body measurements or from the size a shopper wears elsewhere."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from store.codes import SizeReason
from store.models import Product, SizeChart
from store.products import resolve_product
from store.sizes import sizes_equal

BODY = ("chest_cm", "waist_cm", "hips_cm", "foot_length_cm")
FRAME = ("height_cm", "weight_kg")
_SHIFT = {"runs_small": 1, "true_to_size": 0, "runs_large": -1}


@dataclass(frozen=True)
class SizeRow:
    """One size of a chart: ranges in cm (and kg), and the same in inches (and lb)."""

    size: str
    aliases: tuple[str, ...]
    metric: dict
    imperial: dict


@dataclass(frozen=True)
class SizeChartView:
    """A size chart as shown to shoppers."""

    name: str
    url: Optional[str]
    fit: str
    fit_note: Optional[str]
    rows: tuple[SizeRow, ...]


@dataclass(frozen=True)
class SizeRecommendation:
    """The size to order, or None with the ``reason`` why not."""

    product: Optional[str]
    product_title: Optional[str]
    size: Optional[str]
    reason: Optional[SizeReason]
    fit: Optional[str]
    fit_note: Optional[str]
    in_stock: Optional[bool]
    size_chart_url: Optional[str]
    basis: tuple[str, ...]
    needed: tuple[str, ...] = ()
    chart: Optional[SizeChartView] = None


def chart_for(session: Session, product: Product) -> Optional[SizeChart]:
    """The most specific chart: by product, then brand and category, then category, then brand.

    The charts are read without their rows: only the chosen chart's rows are loaded, when read.
    """
    category = product.category.name if product.category else None
    best, best_rank = None, 0
    for chart in session.execute(select(SizeChart).order_by(SizeChart.id)).scalars():
        in_category = category is not None and category in (chart.categories or [])
        in_vendor = bool(product.vendor) and product.vendor in (chart.vendors or [])
        if product.handle in (chart.products or []):
            rank = 4
        elif chart.vendors and chart.categories:
            rank = 3 if in_vendor and in_category else 0
        elif chart.categories:
            rank = 2 if in_category else 0
        else:
            rank = 1 if in_vendor else 0
        if rank > best_rank:
            best, best_rank = chart, rank
    return best


def chart_view(chart: SizeChart) -> SizeChartView:
    """A chart with inch (and pound) conversions."""

    def imperial(key: str, low: float, high: float) -> tuple[str, tuple[float, float]]:
        if key.endswith("_kg"):
            return key[:-3] + "_lb", (round(low * 2.20462, 0), round(high * 2.20462, 0))
        return key[:-3] + "_in", (round(low / 2.54, 1), round(high / 2.54, 1))

    return SizeChartView(
        name=chart.name,
        url=chart.url,
        fit=chart.fit,
        fit_note=chart.fit_note,
        rows=tuple(
            SizeRow(
                size=r.size,
                aliases=tuple(r.aliases or ()),
                metric={k: tuple(v) for k, v in r.measurements.items()},
                imperial=dict(imperial(k, *v) for k, v in r.measurements.items()),
            )
            for r in chart.rows
        ),
    )


def size_charts(session: Session) -> list[SizeChartView]:
    """Every size chart of the store, in the order the store lists them."""
    charts = session.execute(select(SizeChart).options(selectinload(SizeChart.rows)).order_by(SizeChart.id))
    return [chart_view(chart) for chart in charts.scalars()]


def _fit(product: Product, chart: SizeChart) -> str:
    return product.fit or chart.fit or "true_to_size"


def product_fit(session: Session, product: Product) -> str:
    """``runs_small``, ``true_to_size`` or ``runs_large``: the product's own, else its chart's."""
    chart = chart_for(session, product)
    return product.fit or (chart.fit if chart is not None else None) or "true_to_size"


def _row_for(chart: SizeChart, key: str, value: float) -> Optional[int]:
    """Index of the row whose [min, max) range holds ``value`` (the last row includes its max)."""
    rows = [r for r in chart.rows if key in r.measurements]
    for i, row in enumerate(rows):
        low, high = row.measurements[key]
        if low <= value < high or (i == len(rows) - 1 and value == high):
            return chart.rows.index(row)
    return None


def _index_of(chart: SizeChart, label: str) -> Optional[int]:
    return next((i for i, r in enumerate(chart.rows) if sizes_equal(r.size, label, r.aliases or [])), None)


def recommend_size(
    session: Session,
    *,
    product: str,
    height_cm: Optional[float] = None,
    weight_kg: Optional[float] = None,
    chest_cm: Optional[float] = None,
    waist_cm: Optional[float] = None,
    hips_cm: Optional[float] = None,
    foot_length_cm: Optional[float] = None,
    usual_size: Optional[str] = None,
    usual_product: Optional[str] = None,
) -> SizeRecommendation:
    """Recommend a size of ``product``.

    Body measurements pick the size whose range holds each of them and take the largest; height
    and weight are used only without body measurements. A usual size in another product is turned
    into that chart's body measurements first. The product's fit then moves the answer one size.
    """
    found = resolve_product(session, product)
    if found is None:
        return SizeRecommendation(None, None, None, SizeReason.UNKNOWN_PRODUCT, None, None, None, None, ())
    chart = chart_for(session, found)

    def answer(
        size: Optional[str], reason: Optional[SizeReason], basis: tuple = (), needed: tuple = ()
    ) -> SizeRecommendation:
        in_stock = None
        if size is not None:
            in_stock = any(sizes_equal(v.size, size) and v.inventory_quantity > 0 for v in found.variants)
        return SizeRecommendation(
            found.handle,
            found.title,
            size,
            reason,
            _fit(found, chart) if chart else found.fit,
            chart.fit_note if chart else None,
            in_stock,
            chart.url if chart else None,
            basis,
            needed,
            chart_view(chart) if chart else None,
        )

    if chart is None or not chart.rows:
        return answer(None, SizeReason.NO_SIZE_CHART)
    keys = tuple(k for k in BODY + FRAME if any(k in r.measurements for r in chart.rows))
    given = {
        "chest_cm": chest_cm,
        "waist_cm": waist_cm,
        "hips_cm": hips_cm,
        "foot_length_cm": foot_length_cm,
        "height_cm": height_cm,
        "weight_kg": weight_kg,
    }
    measures = {k: float(v) for k, v in given.items() if v is not None and k in keys}
    shift = _SHIFT.get(_fit(found, chart), 0)
    basis: tuple[str, ...] = tuple(measures)
    if not measures and usual_size:
        if usual_product:
            other = resolve_product(session, usual_product)
            other_chart = chart_for(session, other) if other is not None else None
            if other is None or other_chart is None:
                return answer(None, SizeReason.UNKNOWN_USUAL_PRODUCT, ("usual_size", "usual_product"))
            index = _index_of(other_chart, usual_size)
            if index is None:
                return answer(None, SizeReason.UNKNOWN_USUAL_SIZE, ("usual_size", "usual_product"))
            # the shopper's body is one size smaller than the label when that product runs small
            body = other_chart.rows[
                max(0, min(len(other_chart.rows) - 1, index - _SHIFT.get(_fit(other, other_chart), 0)))
            ]
            measures = {k: (lo + hi) / 2 for k, (lo, hi) in body.measurements.items() if k in keys}
            basis = ("usual_size", "usual_product")
            if not measures:
                return answer(None, SizeReason.INCOMPARABLE, basis)
        else:
            index = _index_of(chart, usual_size)
            if index is None:
                return answer(None, SizeReason.UNKNOWN_USUAL_SIZE, ("usual_size",))
            target = index + shift
            if not 0 <= target < len(chart.rows):
                return answer(None, SizeReason.OUT_OF_RANGE, ("usual_size",))
            return answer(chart.rows[target].size, None, ("usual_size",))
    if not measures:
        return answer(None, SizeReason.NEED_MEASUREMENTS, (), keys)
    primary = {k: v for k, v in measures.items() if k in BODY} or measures
    found_rows = [_row_for(chart, k, v) for k, v in primary.items()]
    indexes = [i for i in found_rows if i is not None]
    if len(indexes) < len(found_rows):
        return answer(None, SizeReason.OUT_OF_RANGE, basis)
    target = max(indexes) + shift
    if not 0 <= target < len(chart.rows):
        return answer(None, SizeReason.OUT_OF_RANGE, basis)
    return answer(chart.rows[target].size, None, basis)
