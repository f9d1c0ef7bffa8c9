"""The insights as PNG charts (matplotlib, Agg backend): the console's dashboard and ``make report``.

Each chart is drawn from an :func:`store.insights.metrics.insights` answer alone, so the dashboard
and the report show the same pictures of the same numbers. Labels are the metric names a store
manager reads in the README.
"""

from __future__ import annotations

import io
from typing import Any, Callable, Dict, List, Optional

import matplotlib

matplotlib.use("Agg")  # no display: servers and CI

from matplotlib.figure import Figure

Insights = Dict[str, Any]
SIZE = (7.0, 3.2)
BLUE, GREEN, ORANGE, GREY = "#1f5fbf", "#2e8b57", "#d9822b", "#9aa5b1"


def _days(data: Insights) -> List[str]:
    return [row["day"][5:] for row in data["by_day"]]


def _figure() -> Figure:
    figure = Figure(figsize=SIZE, dpi=100)
    figure.set_tight_layout(True)  # matplotlib 3.5 (pinned)
    return figure


def _percent(value: Optional[float]) -> float:
    return 100.0 * value if value is not None else float("nan")


def conversations(data: Insights) -> Figure:
    """Conversations per day, split into contained and not contained."""
    figure = _figure()
    axes = figure.subplots()
    days = _days(data)
    contained = [row["contained"] for row in data["by_day"]]
    others = [row["conversations"] - row["contained"] for row in data["by_day"]]
    axes.bar(days, contained, color=GREEN, label="contained")
    axes.bar(days, others, bottom=contained, color=GREY, label="handed off or unanswered")
    axes.set_title("Conversations per day")
    axes.legend(loc="upper left", fontsize="small")
    axes.tick_params(axis="x", labelrotation=45, labelsize="small")
    return figure


def rates(data: Insights) -> Figure:
    """Containment, handoff and fallback rates per day, in percent."""
    figure = _figure()
    axes = figure.subplots()
    days = _days(data)
    for key, label, colour in (
        ("containment_rate", "containment", GREEN),
        ("handoff_rate", "handoff rate", ORANGE),
        ("fallback_rate", "fallback rate", GREY),
    ):
        axes.plot(days, [_percent(row[key]) for row in data["by_day"]], marker="o", color=colour, label=label)
    axes.set_ylim(0, 100)
    axes.set_ylabel("%")
    axes.set_title("Rates per day")
    axes.legend(loc="upper left", fontsize="small")
    axes.tick_params(axis="x", labelrotation=45, labelsize="small")
    return figure


def handoff_reasons(data: Insights) -> Figure:
    """Handoffs of the period by reason."""
    figure = _figure()
    axes = figure.subplots()
    reasons = data["totals"]["handoffs_by_reason"]
    names = [name.replace("_", " ") for name in reasons] or ["no handoffs"]
    axes.barh(names, list(reasons.values()) or [0], color=ORANGE)
    axes.invert_yaxis()
    axes.set_title("Handoffs by reason")
    return figure


def satisfaction(data: Insights) -> Figure:
    """CSAT (share of ratings of 4 or 5) per day, with the number of ratings."""
    figure = _figure()
    axes = figure.subplots()
    days = _days(data)
    axes.bar(days, [row["ratings"] for row in data["by_day"]], color=GREY, label="ratings")
    axes.set_ylabel("ratings")
    share = axes.twinx()
    share.plot(
        days, [_percent(row["csat"]) for row in data["by_day"]], marker="o", color=BLUE, label="CSAT %"
    )
    share.set_ylim(0, 100)
    share.set_ylabel("CSAT %")
    axes.set_title("Satisfaction per day")
    axes.tick_params(axis="x", labelrotation=45, labelsize="small")
    return figure


def top_intents(data: Insights) -> Figure:
    """What shoppers asked most in the period."""
    figure = _figure()
    axes = figure.subplots()
    top = data["totals"]["top_intents"]
    axes.barh(
        [t["intent"].replace("_", " ") for t in top] or ["no messages"],
        [t["count"] for t in top] or [0],
        color=BLUE,
    )
    axes.invert_yaxis()
    axes.set_title("Top intents")
    return figure


def revenue(data: Insights) -> Figure:
    """Assisted revenue per day of the conversations that led to an order."""
    figure = _figure()
    axes = figure.subplots()
    days = _days(data)
    axes.bar(days, [row["assisted_revenue"] for row in data["by_day"]], color=GREEN)
    axes.set_title(f"Assisted revenue per day (orders within {data['conversion_window_days']} days)")
    axes.tick_params(axis="x", labelrotation=45, labelsize="small")
    return figure


def channels(data: Insights) -> Figure:
    """Conversations and handoffs of the period per channel."""
    figure = _figure()
    axes = figure.subplots()
    names = list(data["by_channel"]) or ["none"]
    counts = [data["by_channel"][n]["conversations"] for n in data["by_channel"]] or [0]
    handoffs = [data["by_channel"][n]["handoffs"] for n in data["by_channel"]] or [0]
    positions = range(len(names))
    axes.bar([p - 0.2 for p in positions], counts, width=0.4, color=BLUE, label="conversations")
    axes.bar([p + 0.2 for p in positions], handoffs, width=0.4, color=ORANGE, label="handoffs")
    axes.set_xticks(list(positions))
    axes.set_xticklabels(names)
    axes.set_title("Per channel")
    axes.legend(loc="upper right", fontsize="small")
    return figure


CHARTS: Dict[str, Callable[[Insights], Figure]] = {
    "conversations": conversations,
    "rates": rates,
    "handoff_reasons": handoff_reasons,
    "satisfaction": satisfaction,
    "top_intents": top_intents,
    "revenue": revenue,
    "channels": channels,
}
"""Every chart by name (the dashboard's image names and the report's file names)."""


def png(name: str, data: Insights) -> bytes:
    """Chart ``name`` as PNG bytes.

    Raises:
        KeyError: no chart of that name.
    """
    figure = CHARTS[name](data)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
