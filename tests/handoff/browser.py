"""Headless Chromium for the console's browser tests: Debian's ``/usr/bin/chromium`` driven by the
``playwright`` package (never a downloaded browser), and signing an agent in the way a person does.

Skips when the browser is missing, except under ``CI=true`` where it fails.
"""

from __future__ import annotations

import os
from typing import Any

import pytest

from tests.handoff.console_client import TOKEN
from tests.support.services import in_ci
from tools.launcher import Stack

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",
]  # fmt: skip
WAIT_MS = 30_000  # how long a pushed update may take on a loaded machine (a wait, not an assertion)

# Records what the page asks of the browser's alert APIs, then lets the real ones run: every
# Notification constructed (title, body) and every tone the page starts.
RECORD_ALERTS = """
window.recordedNotifications = [];
window.recordedTones = 0;
const RealNotification = window.Notification;
class RecordingNotification extends RealNotification {
  constructor(title, options) {
    super(title, options);
    window.recordedNotifications.push({title, body: (options || {}).body});
  }
}
Object.defineProperty(RecordingNotification, "permission", { get: () => RealNotification.permission });
RecordingNotification.requestPermission = (...a) => RealNotification.requestPermission(...a);
window.Notification = RecordingNotification;
const start = OscillatorNode.prototype.start;
OscillatorNode.prototype.start = function (...a) { window.recordedTones += 1; return start.apply(this, a); };
"""


def chromium_path() -> str:
    """The browser's path; skips the test when it is missing (fails under ``CI=true``)."""
    if not os.path.exists(CHROMIUM):
        if in_ci():
            pytest.fail(f"{CHROMIUM} is missing and CI=true requires the browser tests")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install -y chromium)")
    return CHROMIUM


async def signed_in_page(browser: Any, stack: Stack, name: str, **viewport: int) -> Any:
    """A fresh browser context (its own cookies) with ``name`` signed in to the console."""
    from playwright.async_api import expect

    context = await browser.new_context(
        viewport={"width": viewport.get("width", 1400), "height": viewport.get("height", 900)}
    )
    await context.grant_permissions(["notifications"], origin=stack.rasa_url)
    await context.add_init_script(RECORD_ALERTS)
    page = await context.new_page()
    await page.goto(f"{stack.rasa_url}/webhooks/agent_console/")
    await page.fill("#agent", name)
    await page.fill("#token", TOKEN)
    await page.click("button[type=submit]")
    await expect(page.locator("#me")).to_have_text(f"Signed in as {name}")
    await expect(page.locator("#live")).to_have_text("live", timeout=WAIT_MS)
    return page
