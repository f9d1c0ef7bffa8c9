"""The agent console in a real browser: sign in, claim with the keyboard, reply, hand back.

Drives Debian's headless ``chromium`` (see :mod:`tests.handoff.browser`).
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from tests.handoff.browser import CHROMIUM_ARGS
from tests.handoff.console_client import TOKEN, Console
from tests.support.chat import rest_id, say, tracker
from tools.launcher import Stack

pytestmark = [pytest.mark.browser, pytest.mark.integration]


async def test_agent_claims_replies_and_hands_back_in_the_browser(
    stack: Stack, chromium: str, tmp_path: Path
) -> None:
    from playwright.async_api import async_playwright, expect

    sender = f"browser-{uuid.uuid4().hex[:8]}"
    say(
        stack,
        sender,
        "/human_handoff",
        metadata={"page": {"url": "https://shop.example/products/trail-jacket"}},
    )
    handoff_id = Console(stack, "observer").handoff_for(rest_id(sender))["id"]

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=chromium, args=CHROMIUM_ARGS, headless=True
        )
        try:
            page = await browser.new_page(viewport={"width": 1400, "height": 900})
            answer = await page.goto(f"{stack.rasa_url}/webhooks/agent_console/")
            assert answer is not None and answer.status == 401
            await page.fill("#agent", "Robin")
            await page.fill("#token", TOKEN)
            await page.click("button[type=submit]")
            await expect(page.locator("#me")).to_have_text("Signed in as Robin")

            item = page.locator(f'#queue li[data-id="{handoff_id}"]')
            await expect(item).to_contain_text("requested")
            await item.click()
            await expect(page.locator("#conv-status")).to_have_text("queued")
            await expect(page.locator("#context-list")).to_contain_text("trail-jacket")

            await page.locator("#queue").focus()
            await page.keyboard.press("c")
            await expect(page.locator("#conv-status")).to_have_text("claimed by Robin")
            await expect(page.locator("#notice")).to_contain_text("this channel cannot push")

            await page.keyboard.press("r")
            await expect(page.locator("#reply")).to_be_focused()
            await page.keyboard.type("Hello from Robin, I'm on it.")
            await page.keyboard.press("Enter")
            last_agent_line = page.locator("#transcript li.agent").last
            await expect(last_agent_line).to_contain_text("Hello from Robin, I'm on it.")
            await expect(page.locator("#reply")).to_have_value("")
            await page.screenshot(path=str(tmp_path / "agent-console.png"), full_page=True)

            await page.keyboard.press("Escape")
            await page.keyboard.press("b")
            await expect(page.locator("#notice")).to_have_text("Handed back to the assistant.")
        finally:
            await browser.close()

    assert (tmp_path / "agent-console.png").stat().st_size > 10_000
    detail = Console(stack, "observer").detail(handoff_id)
    assert (detail["status"], detail["claimed_by"], detail["paused"]) == ("resolved", "Robin", False)
    bots = [e for e in tracker(stack, rest_id(sender))["events"] if e["event"] == "bot"]
    assert [b["text"] for b in bots[-2:]] == [
        "Hello from Robin, I'm on it.",
        "Robin handed you back to me, the store assistant. Is there anything else I can help with?",
    ]
