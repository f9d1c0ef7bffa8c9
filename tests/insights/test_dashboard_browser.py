"""The dashboard in a real browser: sign in, open it, the numbers shown equal the API's, a click on
"handoffs: requested" lists that conversation, every chart loads; a screenshot is kept.

Drives Debian's headless ``chromium`` through ``playwright`` (never a downloaded browser); skips
without it, except under ``CI=true``.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, Optional

import pytest

from store.insights.charts import CHARTS
from tests.handoff.browser import CHROMIUM_ARGS, chromium_path
from tests.handoff.console_client import TOKEN, ApiClient
from tests.insights.scenario import Seeded
from tests.web.conftest import keep_screenshot

pytestmark = [pytest.mark.browser, pytest.mark.integration]

WAIT_MS = 60_000
"""Each number and chart reads the conversations again; on a loaded machine that takes a while."""

FORMATS = {
    "conversations": "count", "containment_rate": "percent", "handoff_rate": "percent",
    "fallback_rate": "percent", "unanswered": "count", "first_agent_reply_median_seconds": "duration",
    "resolution_median_seconds": "duration", "csat": "percent", "ratings": "count",
    "recommendations_shown": "count", "recommendations_followed": "count", "assisted_conversions": "count",
    "conversion_rate": "percent", "assisted_revenue": "money", "proactive_sent": "count",
    "proactive_replied": "count", "proactive_opted_out": "count", "cart_recovery_rate": "percent",
}  # fmt: skip


def shown(kind: str, value: Optional[Any]) -> str:
    """What the page must show for an API value (dashboard.js's format())."""
    if value is None:
        return "-"
    if kind == "percent":
        return f"{value * 100:.1f}%"
    if kind == "money":
        return f"{value:.2f}"
    if kind == "duration":
        return f"{round(value)} s" if value < 120 else f"{value / 60:.1f} min"
    return str(value)


@pytest.fixture
def chromium() -> str:
    return chromium_path()


async def test_the_dashboard_shows_the_apis_numbers(
    seeded_stack: Callable[[str], Seeded], chromium: str, tmp_path: Path
) -> None:
    from playwright.async_api import async_playwright, expect

    seeded = seeded_stack("sqlite")
    today = datetime.now(timezone.utc).date()
    period = {"from": (today - timedelta(days=1)).isoformat(), "to": (today + timedelta(days=1)).isoformat()}
    api = ApiClient(seeded.stack).get("api/insights", **period).json()
    base = f"{seeded.stack.rasa_url}/webhooks/agent_console"
    dashboard = f"{base}/dashboard?from={period['from']}&to={period['to']}"

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=chromium, args=CHROMIUM_ARGS, headless=True
        )
        try:
            page = await browser.new_page(viewport={"width": 1400, "height": 1000})
            answer = await page.goto(dashboard)
            assert answer is not None and answer.status == 401  # the console's own sign-in
            await page.fill("#agent", "Morgan")
            await page.fill("#token", TOKEN)
            await page.click("button[type=submit]")
            await expect(page.locator("#me")).to_have_text("Signed in as Morgan")
            await page.goto(dashboard)
            await expect(page.locator("body")).to_have_attribute(
                "data-loaded", f"{period['from']}/{period['to']}", timeout=WAIT_MS
            )

            for key, kind in FORMATS.items():
                await expect(page.locator(f'[data-testid="value-{key}"]')).to_have_text(
                    shown(kind, api["totals"][key])
                )
            await page.click('#reasons button[data-reason="requested"]')
            await expect(page.locator("#list-title")).to_have_text(
                "Handoffs: requested: 1 conversation", timeout=WAIT_MS
            )
            await expect(page.locator("#list tbody tr")).to_have_count(1)
            await expect(page.locator("#list tbody tr").first).to_have_attribute(
                "data-conversation", seeded.ids["helped"]
            )
            for name in CHARTS:
                chart = page.locator(f'img[data-chart="{name}"]')
                await expect(chart).to_have_js_property("complete", True, timeout=WAIT_MS)
                assert await chart.evaluate("img => img.naturalWidth") > 100, name
            shot = tmp_path / "insights-dashboard.png"
            await page.screenshot(path=str(shot), full_page=True)
        finally:
            await browser.close()
    assert shot.stat().st_size > 10_000
    keep_screenshot(shot)
