"""The agent console in a real browser: sign in, claim with the keyboard, reply, hand back.

Drives Debian's headless ``chromium`` (see :mod:`tests.handoff.browser`).
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
import requests

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


async def test_the_console_says_which_proactive_message_started_the_conversation(
    stack: Stack, chromium: str
) -> None:
    from playwright.async_api import async_playwright, expect

    sender = f"nudged-{uuid.uuid4().hex[:8]}"
    # the shopper's first message answered a cart nudge: the channel marked it so (metadata
    # "proactive", which only server-side channels set; written here through Rasa's API)
    nudge = {"outbox_id": 41, "trigger": "cart_recovery", "channel": "whatsapp",
             "sent_at": "2026-12-02T14:02:00+00:00", "product": "harbor-rain-shell"}  # fmt: skip
    parsed = {"intent": {"name": "product_stock", "confidence": 1.0}, "entities": []}
    first = {"event": "user", "text": "is the M in stock?", "input_channel": "rest",
             "metadata": {"proactive": nudge}, "parse_data": parsed}  # fmt: skip
    appended = requests.post(
        f"{stack.rasa_url}/conversations/{rest_id(sender)}/tracker/events",
        params={"token": stack.token}, json=first, timeout=30,
    )  # fmt: skip
    assert appended.status_code == 200, appended.text
    say(stack, sender, "/human_handoff")
    handoff_id = Console(stack, "observer").handoff_for(rest_id(sender))["id"]
    assert Console(stack, "observer").detail(handoff_id)["context"]["started_by"] == {
        "trigger": "cart_recovery", "channel": "whatsapp", "sent_at": nudge["sent_at"], "outbox_id": 41,
    }  # fmt: skip

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=chromium, args=CHROMIUM_ARGS, headless=True
        )
        try:
            context = await browser.new_context(locale="en-GB", timezone_id="UTC")
            page = await context.new_page()
            await page.goto(f"{stack.rasa_url}/webhooks/agent_console/")
            await page.fill("#agent", "Robin")
            await page.fill("#token", TOKEN)
            await page.click("button[type=submit]")
            await page.locator(f'#queue li[data-id="{handoff_id}"]').click()
            await expect(page.locator("#context-list")).to_contain_text(
                "Started by" + "cart recovery nudge sent 2 Dec, 14:02 on WhatsApp"
            )
        finally:
            await browser.close()
