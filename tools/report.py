"""``make report``: the insights as PNG charts and a Markdown summary in ``results/report/``.

For teams that want the dashboard's numbers in an email: the same metrics
(:mod:`store.insights.metrics`) and the same charts (:mod:`store.insights.charts`) as the agent
console's dashboard, for the last ``--days`` days up to ``--to`` (default: 7 days up to today, UTC)
or from ``--from``. Reads ``DATABASE_URL`` and ``TRACKER_STORE_URL`` like the servers do.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

from core import clock
from core.settings import PROJECT_ROOT
from store.db import session_scope
from store.insights.charts import CHARTS, png
from store.insights.metrics import Period
from store.insights.source import read_insights

DEFAULT_OUT = PROJECT_ROOT / "results" / "report"
HEADLINES = (
    ("conversations", "Conversations", "count"),
    ("containment_rate", "Containment", "percent"),
    ("handoff_rate", "Handoff rate", "percent"),
    ("fallback_rate", "Fallback rate", "percent"),
    ("first_agent_reply_median_seconds", "First agent reply (median)", "duration"),
    ("resolution_median_seconds", "Time to resolution (median)", "duration"),
    ("csat", "CSAT (ratings of 4-5)", "percent"),
    ("ratings", "Ratings", "count"),
    ("recommendations_shown", "Recommendations shown", "count"),
    ("recommendations_followed", "Recommendations followed", "count"),
    ("assisted_conversions", "Assisted conversions", "count"),
    ("conversion_rate", "Assisted conversion rate", "percent"),
    ("assisted_revenue", "Assisted revenue", "money"),
    ("proactive_sent", "Proactive messages sent", "count"),
    ("proactive_replied", "Proactive messages replied to", "count"),
    ("proactive_opted_out", "Opted out", "count"),
    ("cart_recovery_rate", "Cart recovery rate", "percent"),
)


def shown(kind: str, value: Optional[float]) -> str:
    """A metric as the summary prints it (the dashboard's formats)."""
    if value is None:
        return "-"
    if kind == "percent":
        return f"{value * 100:.1f}%"
    if kind == "money":
        return f"{value:.2f}"
    if kind == "duration":
        return f"{round(value)} s" if value < 120 else f"{value / 60:.1f} min"
    return str(value)


def summary(data: Dict[str, Any], charts: Sequence[str]) -> str:
    """The Markdown summary of an insights answer."""
    period, before = data["period"], data["previous_period"]
    lines: List[str] = [
        f"# Assistant insights, {period['from']} to {period['to']}",
        "",
        f"Compared with {before['from']} to {before['to']}. Orders placed within "
        f"{data['conversion_window_days']} days of a conversation count as assisted.",
        "",
        "| Metric | This period | Previous period |",
        "|---|---:|---:|",
    ]
    for key, label, kind in HEADLINES:
        lines.append(
            f"| {label} | {shown(kind, data['totals'][key])} | {shown(kind, data['previous'][key])} |"
        )
    lines += ["", "## Handoffs by reason", ""]
    reasons = data["totals"]["handoffs_by_reason"]
    lines += [f"- {reason.replace('_', ' ')}: {count}" for reason, count in reasons.items()] or ["- none"]
    lines += ["", "## Top intents", ""]
    lines += [
        f"{n}. {t['intent'].replace('_', ' ')}: {t['count']}"
        for n, t in enumerate(data["totals"]["top_intents"], 1)
    ]
    if data["notes"]:
        lines += ["", "## Notes", "", *[f"- {note}" for note in data["notes"]]]
    lines += ["", "## Charts", "", *[f"![{name.replace('_', ' ')}]({name}.png)" for name in charts], ""]
    return "\n".join(lines)


def write_report(period: Period, out: Path, *, tracker_url: Optional[str] = None) -> List[Path]:
    """Write every chart and ``summary.md`` into ``out``; the files written."""
    with session_scope() as session:
        data = read_insights(session, period=period, tracker_url=tracker_url)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name in CHARTS:
        path = out / f"{name}.png"
        path.write_bytes(png(name, data))
        written.append(path)
    path = out / "summary.md"
    path.write_text(summary(data, list(CHARTS)), encoding="utf-8")
    return [*written, path]


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--from", dest="first", type=date.fromisoformat, help="first day (YYYY-MM-DD)")
    parser.add_argument("--to", dest="last", type=date.fromisoformat, help="last day (default: today, UTC)")
    parser.add_argument("--days", type=int, default=7, help="days up to --to when --from is not given")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    last = args.last or clock.now().date()
    first = args.first or last - timedelta(days=max(1, args.days) - 1)
    if first > last:
        parser.error("--from is after --to")
    files = write_report(Period(first, last), args.out)
    print(f"wrote {len(files)} files to {args.out}: {', '.join(f.name for f in files)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
