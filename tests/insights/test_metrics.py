"""Every metric on the seeded conversations, exactly, through the console's API (SQLite and PostgreSQL).

The expected numbers are worked out by hand from :mod:`tests.insights.scenario`; only the intents
of the buyer's typed messages come from Rasa's own tracker API (the NLU decides them), and the
agent's timings from the handoff record the console shows.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta, timezone
from typing import Any, Callable, Dict

import pytest

from store.insights.metrics import NO_OUTBOX_NOTE
from tests.handoff.console_client import ApiClient, Console
from tests.insights.scenario import ASSISTED_ORDER, COMMENT, Seeded

pytestmark = pytest.mark.integration

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def _period() -> Dict[str, str]:
    """Yesterday to tomorrow: the seeded conversations, whenever around midnight the test runs."""
    today = datetime.now(timezone.utc).date()
    return {"from": (today - timedelta(days=1)).isoformat(), "to": (today + timedelta(days=1)).isoformat()}


def _seconds(later: str, earlier: str) -> float:
    return (datetime.fromisoformat(later) - datetime.fromisoformat(earlier)).total_seconds()


def expected_totals(seeded: Seeded) -> Dict[str, Any]:
    """The scenario's numbers: 4 conversations (calm, helped, lost, buyer)."""
    unanswered = {"nlu_fallback", "out_of_scope"}
    assert not unanswered & set(seeded.buyer_intents), seeded.buyer_intents  # the buyer was understood
    intents = Counter(
        ["greet", "goodbye", "goodbye", "human_handoff", "greet", "nlu_fallback", *seeded.buyer_intents]
    )
    handoff = seeded.handoff
    first_reply = next(m["at"] for m in handoff["messages"] if m["sender"] == "agent:Ana")
    return {
        "conversations": 4,
        "contained": 2,  # calm and buyer; helped went to Ana, lost ended unanswered
        "containment_rate": 0.5,
        "handoffs": 1,
        "handoff_rate": 0.25,
        "handoffs_by_reason": {"requested": 1},
        "handoff_rate_by_reason": {"requested": 0.25},
        "shopper_messages": 6 + len(seeded.buyer_intents),  # ratings and comments are not questions
        "fallback_messages": 1,
        "fallback_rate": 1 / (6 + len(seeded.buyer_intents)),
        "unanswered": 1,
        "first_agent_reply_median_seconds": pytest.approx(
            _seconds(first_reply, handoff["created_at"]), abs=1e-3
        ),
        "resolution_median_seconds": pytest.approx(
            _seconds(handoff["resolved_at"], handoff["created_at"]), abs=1e-3
        ),
        "ratings": 2,
        "satisfied": 1,
        "csat": 0.5,
        "average_rating": 3.5,
        "top_intents": [
            {"intent": i, "count": n} for i, n in sorted(intents.items(), key=lambda kv: (-kv[1], kv[0]))
        ],
        "recommendations_shown": 2,
        "recommendations_followed": 1,
        "recommendation_follow_rate": 0.5,
        "assisted_conversions": 1,
        "conversion_rate": 0.25,
        "assisted_orders": 1,
        "assisted_revenue": 159.0,
        "proactive_sent": 0,
        "proactive_replied": 0,
        "proactive_reply_rate": None,
        "proactive_opted_out": 0,
        "cart_reminders": 0,
        "carts_recovered": 0,
        "cart_recovery_rate": None,
    }


@pytest.mark.parametrize("kind", BACKENDS)
def test_every_metric_of_the_seeded_conversations(kind: str, seeded_stack: Callable[[str], Seeded]) -> None:
    seeded = seeded_stack(kind)
    period = _period()
    reply = ApiClient(seeded.stack).get("api/insights", **period)
    assert reply.status_code == 200, reply.text
    body = reply.json()
    expected = expected_totals(seeded)

    assert body["totals"] == expected
    assert body["by_channel"] == {"rest": expected}
    assert body["previous"]["conversations"] == 0 and body["previous"]["ratings"] == 0
    assert body["period"] == period and body["conversion_window_days"] == 7
    assert body["notes"] == []  # the store's migrations create the (empty) outbox
    assert NO_OUTBOX_NOTE not in body["notes"]
    # per day: all four on one day, the other two days empty (and the day-by-channel rows agree)
    busy = [row for row in body["by_day"] if row["conversations"]]
    assert len(body["by_day"]) == 3 and len(busy) == 1
    assert {k: v for k, v in busy[0].items() if k != "day"} == expected
    assert [r for r in body["rows"] if r["conversations"]] == [{"channel": "rest", **busy[0]}]


@pytest.mark.parametrize("kind", BACKENDS)
def test_the_lists_behind_the_numbers(kind: str, seeded_stack: Callable[[str], Seeded]) -> None:
    seeded = seeded_stack(kind)
    console = Console(seeded.stack, "Lee")
    ids = seeded.ids

    def listed(metric: str, **filters: str) -> Dict[str, Dict[str, Any]]:
        reply = console.get("api/insights/conversations", metric=metric, **_period(), **filters)
        assert reply.status_code == 200, reply.text
        return {c["conversation_id"]: c for c in reply.json()["conversations"]}

    assert set(listed("conversations")) == set(ids.values())
    assert set(listed("contained")) == {ids["calm"], ids["buyer"]}
    handed = listed("handed_off", reason="requested")
    assert list(handed) == [ids["helped"]] and handed[ids["helped"]]["handoff_ids"] == [seeded.handoff["id"]]
    assert listed("handed_off", reason="payment_problem") == {}
    assert set(listed("unanswered")) == set(listed("fallback")) == {ids["lost"]}
    rated = listed("rated")
    assert {cid: (c["rating"], c["comment"]) for cid, c in rated.items()} == {
        ids["calm"]: (5, COMMENT), ids["helped"]: (2, None),
    }  # fmt: skip
    assert set(listed("unsatisfied")) == {ids["helped"]}
    assert {cid: c["orders"] for cid, c in listed("converted").items()} == {ids["buyer"]: [ASSISTED_ORDER]}
    assert set(listed("recommended")) == set(listed("followed")) == {ids["buyer"]}
    assert listed("conversations", channel="whatsapp") == {}


@pytest.mark.parametrize("kind", BACKENDS)
def test_the_console_history_shows_the_rating_given_after_the_handoff(
    kind: str, seeded_stack: Callable[[str], Seeded]
) -> None:
    seeded = seeded_stack(kind)
    found = Console(seeded.stack, "Lee").get("api/history", q="")
    assert found.status_code == 200, found.text
    rows = {row["id"]: row for row in found.json()["handoffs"]}
    row = rows[seeded.handoff["id"]]
    assert (row["conversation_id"], row["rating"], row["rating_comment"]) == (seeded.ids["helped"], 2, None)


def test_the_api_refuses_bad_input_and_strangers(seeded_stack: Callable[[str], Seeded]) -> None:
    stack = seeded_stack("sqlite").stack
    api = ApiClient(stack)
    today = date.today()
    assert api.get("api/insights", **{"from": "yesterday"}).status_code == 400
    assert (
        api.get(
            "api/insights", **{"from": today.isoformat(), "to": (today - timedelta(days=1)).isoformat()}
        ).status_code
        == 400
    )
    assert api.get("api/insights", **{"from": "2020-01-01", "to": "2022-01-01"}).status_code == 400
    assert api.get("api/insights/conversations", metric="everything").status_code == 400
    assert api.get("api/insights/charts/pie.png").status_code == 404
    assert ApiClient(stack, token="wrong").get("api/insights").status_code == 401
    page = ApiClient(stack, token="wrong").get("dashboard")
    assert page.status_code == 401 and "Sign in" in page.text
