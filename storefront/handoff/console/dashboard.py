"""The insights dashboard in the agent console: its page, its numbers, its lists and its charts.

Same sign-in as the rest of the console (:func:`.auth.requires_agent`); read-only.

* ``GET /dashboard``: the page (the sign-in form, 401, for anyone not signed in);
* ``GET /dashboard/static/<file>``: its script and style;
* ``GET /api/insights?from=YYYY-MM-DD&to=YYYY-MM-DD``: every metric for the period (default: the
  last 7 days up to today, UTC), the previous period of equal length, per day and per channel;
* ``GET /api/insights/conversations?metric=handed_off&reason=requested&channel=&day=&from=&to=``:
  the conversations behind one number;
* ``GET /api/insights/charts/<name>.png?from=&to=``: one chart (:mod:`store.insights.charts`).

Bad dates, a period over :data:`MAX_DAYS`, an unknown metric or chart are JSON 400/404 answers.
"""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from typing import Any, Dict, Tuple

from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from core import clock
from store.insights.metrics import FILTERS, Period
from store.insights.source import read_behind, read_insights
from store.runner import run_in_session
from storefront.handoff.console.auth import AgentIdentity, authenticate, requires_agent
from storefront.handoff.console.config import config_of
from storefront.handoff.console.responses import NO_STORE, ConsoleError, Handler, error, json_errors, page

DEFAULT_DAYS = 7
MAX_DAYS = 366
INSIGHTS_TIMEOUT_SECONDS = 60.0
"""Reading a period's conversations takes longer than a shopper's store call may; the page waits."""
STATIC_FILES = {"dashboard.js": "text/javascript", "dashboard.css": "text/css"}
MAX_FILTER_CHARS = 80


def _day(request: Request, name: str, default: date) -> date:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ConsoleError(400, f"{name} must be a date like 2026-12-01") from None


def period_of(request: Request) -> Period:
    """The ``from``/``to`` period of the request (400 when unreadable, reversed or too long)."""
    today = clock.now().date()
    last = _day(request, "to", today)
    first = _day(request, "from", last - timedelta(days=DEFAULT_DAYS - 1))
    if last < first:
        raise ConsoleError(400, "from must not be after to")
    if (last - first).days + 1 > MAX_DAYS:
        raise ConsoleError(400, f"choose at most {MAX_DAYS} days")
    return Period(first, last)


def _filter(request: Request, name: str) -> Any:
    value = request.args.get(name)
    if value is not None and (len(value) > MAX_FILTER_CHARS or not value.isprintable()):
        raise ConsoleError(400, f"{name} is not a valid filter")
    return value or None


async def _insights(period: Period) -> Dict[str, Any]:
    return await run_in_session(read_insights, timeout=INSIGHTS_TIMEOUT_SECONDS, period=period)


async def dashboard_page(request: Request) -> HTTPResponse:
    """The dashboard for a signed-in agent, else the sign-in form."""
    try:
        identity = await authenticate(request)
    except ConsoleError:
        identity = None
    if identity is None:
        return page(request, "login.html", status=401)
    return page(request, "dashboard.html")


async def static_file(request: Request, name: str) -> HTTPResponse:
    """The dashboard's script and style."""
    if name not in STATIC_FILES:
        return error(404, "not found")
    body = (config_of(request).console_dir / name).read_text(encoding="utf-8")
    return response.text(body, content_type=STATIC_FILES[name], headers=NO_STORE)


@json_errors
@requires_agent()
async def numbers(request: Request, agent: AgentIdentity) -> HTTPResponse:
    """Every metric of the period, with the previous period's and per day and channel."""
    return response.json(await _insights(period_of(request)), headers=NO_STORE)


@json_errors
@requires_agent()
async def conversations(request: Request, agent: AgentIdentity) -> HTTPResponse:
    """The conversations behind one number (``metric`` is one of the dashboard's lists)."""
    metric = request.args.get("metric", "conversations")
    if metric not in FILTERS:
        raise ConsoleError(400, f"metric must be one of {', '.join(FILTERS)}")
    found = await run_in_session(
        read_behind, timeout=INSIGHTS_TIMEOUT_SECONDS, period=period_of(request), metric=metric,
        reason=_filter(request, "reason"), channel=_filter(request, "channel"), day=_filter(request, "day"),
    )  # fmt: skip
    return response.json({"metric": metric, "conversations": found}, headers=NO_STORE)


@json_errors
@requires_agent()
async def chart(request: Request, agent: AgentIdentity, file: str) -> HTTPResponse:
    """One chart of the period as a PNG image (``<name>.png``)."""
    from store.insights import charts  # matplotlib loads on the first chart, not at server start

    name = file[: -len(".png")] if file.endswith(".png") else ""
    if name not in charts.CHARTS:
        raise ConsoleError(404, f"no chart {name!r}; charts: {', '.join(charts.CHARTS)}")
    data = await _insights(period_of(request))
    image = await asyncio.get_running_loop().run_in_executor(None, charts.png, name, data)
    return response.raw(image, content_type="image/png", headers=NO_STORE)


ROUTES: Tuple[Tuple[str, str, Handler], ...] = (
    ("GET", "/dashboard", dashboard_page),
    ("GET", "/dashboard/static/<name>", static_file),
    ("GET", "/api/insights", numbers),
    ("GET", "/api/insights/conversations", conversations),
    ("GET", "/api/insights/charts/<file>", chart),
)
"""The dashboard's routes, mounted by :mod:`storefront.handoff.channel` beside the console's."""
