"""The agent console live, in real Chromium against the real servers (issue 18's evidence).

* a new handoff raises the alert (page line, chime, browser notification) without a reload;
* transfer moves a conversation to another signed-in agent, release returns it to the queue
  (each pushed to the other agent's page), and signing out releases what the agent held;
* a canned reply made in the console is inserted with its placeholders filled, and sent;
* a private note is shown to agents and never reaches the shopper's socket or the tracker;
* on a phone the console shows one panel at a time and nothing leaves the viewport.

Order actions, which change orders, have their own servers: ``test_console_orders.py``.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any, Dict, List

import pytest
from sqlalchemy import select

from store import db
from store.models import Customer
from tests.conftest import TEST_WIDGET_SECRET
from tests.handoff.browser import CHROMIUM_ARGS, WAIT_MS, signed_in_page
from tests.handoff.console_client import Console, verified_shopper_hands_off
from tests.handoff.support import customer_with_orders
from tests.support.chat import rest_id, say, tracker
from tools.launcher import Stack

pytestmark = [pytest.mark.browser, pytest.mark.integration]


def bot_texts(stack: Stack, conversation_id: str) -> List[str]:
    return [e["text"] for e in tracker(stack, conversation_id)["events"] if e["event"] == "bot"]


def queue_item(page: Any, handoff_id: int) -> Any:
    return page.locator(f'#queue li[data-id="{handoff_id}"]')


async def test_a_new_handoff_alerts_the_open_console_without_a_reload(stack: Stack, chromium: str) -> None:
    from playwright.async_api import async_playwright, expect

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = await signed_in_page(browser, stack, "Robin")
            await page.click("#alerts")
            await expect(page.locator("#alerts")).to_have_text("Alerts on")
            await page.evaluate("window.sameDocument = true")

            sender = f"alert-{uuid.uuid4().hex[:8]}"
            await asyncio.to_thread(say, stack, sender, "/human_handoff")
            handoff_id = Console(stack, "observer").handoff_for(rest_id(sender))["id"]

            await expect(queue_item(page, handoff_id)).to_contain_text("queued", timeout=WAIT_MS)
            await expect(page.locator("#waiting-alert")).to_contain_text(
                "New shopper waiting", timeout=WAIT_MS
            )
            assert await page.evaluate("window.sameDocument") is True  # pushed, not reloaded
            notifications = await page.evaluate("window.recordedNotifications")
            assert {"title": "Shopper waiting"}.items() <= notifications[-1].items()
            assert await page.evaluate("window.recordedTones") >= 1
            assert (await page.title()).startswith("(")
        finally:
            await browser.close()


async def test_transfer_moves_a_chat_to_another_agent_and_release_puts_it_back(
    stack: Stack, chromium: str
) -> None:
    from playwright.async_api import async_playwright, expect

    sender = f"transfer-{uuid.uuid4().hex[:8]}"
    conversation = rest_id(sender)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            robin = await signed_in_page(browser, stack, "Robin")
            kim = await signed_in_page(browser, stack, "Kim")
            await asyncio.to_thread(say, stack, sender, "/human_handoff")
            handoff_id = Console(stack, "observer").handoff_for(conversation)["id"]

            await queue_item(robin, handoff_id).click()
            await robin.click("#claim")
            await expect(robin.locator("#conv-status")).to_have_text("claimed by Robin", timeout=WAIT_MS)
            await expect(queue_item(kim, handoff_id)).to_contain_text("claimed by Robin", timeout=WAIT_MS)

            await robin.locator("#transfer-to").focus()
            await expect(robin.locator("#transfer-to option", has_text="Kim")).to_have_count(
                1, timeout=WAIT_MS
            )
            await robin.select_option("#transfer-to", "Kim")
            await robin.click("#transfer")
            await expect(robin.locator("#notice")).to_have_text("Transferred to Kim.", timeout=WAIT_MS)
            await expect(queue_item(kim, handoff_id)).to_contain_text("claimed by Kim", timeout=WAIT_MS)
            await queue_item(kim, handoff_id).click()
            await expect(kim.locator("#conv-status")).to_have_text("claimed by Kim")
            await expect(kim.locator("#reply")).to_be_enabled()
            await expect(robin.locator("#reply")).to_be_disabled(timeout=WAIT_MS)

            await kim.click("#release")
            await expect(kim.locator("#notice")).to_have_text("Back in the queue for the next agent.")
            await expect(queue_item(robin, handoff_id)).to_contain_text("queued", timeout=WAIT_MS)
            await expect(robin.locator("#waiting-alert")).to_contain_text(
                "New shopper waiting", timeout=WAIT_MS
            )

            # signing out hands back what the agent held, and the shopper is told
            await queue_item(kim, handoff_id).click()
            await kim.click("#claim")
            await expect(kim.locator("#conv-status")).to_have_text("claimed by Kim", timeout=WAIT_MS)
            await kim.click("header form button[type=submit]")
            await expect(kim.locator("#token")).to_be_visible()
            await expect(queue_item(robin, handoff_id)).to_contain_text("queued", timeout=WAIT_MS)
        finally:
            await browser.close()

    detail = Console(stack, "observer").detail(handoff_id)
    assert (detail["status"], detail["claimed_by"], detail["paused"]) == ("queued", None, True)
    said = bot_texts(stack, conversation)
    assert said[-5:] == [
        "Robin from our team has joined the chat.",
        "Robin has passed this chat to Kim from our team, who can see everything we've said and will "
        "carry on from here.",
        "Kim had to step away, sorry about that. You're back in line and the next person from our team "
        "will pick up right where we left off; just stay here.",
        "Kim from our team has joined the chat.",
        "Kim had to step away, sorry about that. You're back in line and the next person from our team "
        "will pick up right where we left off; just stay here.",
    ]


def _first_name(store_url: str, email: str) -> str:
    engine = db.make_engine(store_url)
    try:
        with db.session_scope(engine) as session:
            name = session.execute(select(Customer.first_name).where(Customer.email == email)).scalar_one()
            return str(name).split()[0]
    finally:
        engine.dispose()


async def _verified_shopper_hands_off(stack: Stack, store_db_url: str) -> Dict[str, Any]:
    """A signed-in website shopper (a customer with orders) asks for a person on the socket."""
    customer = customer_with_orders(store_db_url)
    shopper, handoff = await verified_shopper_hands_off(stack, customer["email"], TEST_WIDGET_SECRET)
    return {"shopper": shopper, "session": shopper.session_id, "handoff": handoff, "customer": customer}


async def test_a_canned_reply_goes_out_with_its_placeholders_filled(
    stack: Stack, chromium: str, store_db_url: str
) -> None:
    from playwright.async_api import async_playwright, expect

    chat = await _verified_shopper_hands_off(stack, store_db_url)
    shopper, handoff_id = chat["shopper"], chat["handoff"]["id"]
    title = f"Looking at the order {uuid.uuid4().hex[:6]}"
    try:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            try:
                page = await signed_in_page(browser, stack, "Robin")
                await page.click('#views button[data-view="canned"]')
                await page.fill("#canned-title-input", title)
                await page.fill(
                    "#canned-body", "Hi {first_name}, {agent_name} here: I'm checking order #{order_number}."
                )
                await page.click("#canned-save")
                await expect(page.locator("#canned-notice")).to_have_text("Saved.", timeout=WAIT_MS)
                await expect(page.locator("#canned-list li", has_text=title)).to_have_count(1)

                await page.click('#views button[data-view="queue"]')
                await queue_item(page, handoff_id).click()
                await page.click("#claim")
                await expect(page.locator("#conv-status")).to_have_text("claimed by Robin", timeout=WAIT_MS)
                (joined,) = await shopper.receive()
                assert joined["custom"] == {"handoff": "agent_joined", "agent": "Robin"}
                await page.select_option("#canned-pick", label=title)
                detail = Console(stack, "observer").detail(handoff_id)
                number = detail["context"]["orders"][0]["number"]
                first = _first_name(store_db_url, chat["customer"]["email"])
                expected = f"Hi {first}, Robin here: I'm checking order #{number}."
                await expect(page.locator("#reply")).to_have_value(expected, timeout=WAIT_MS)
                await page.click("#send")
                await expect(page.locator("#transcript li.agent").last).to_contain_text(
                    expected, timeout=WAIT_MS
                )
            finally:
                await browser.close()
        (sent,) = await shopper.receive()
        assert (sent["text"], sent["custom"]) == (expected, {"handoff": "agent_message", "agent": "Robin"})
        assert "{" not in sent["text"]
    finally:
        await shopper.close()


async def test_a_private_note_is_for_agents_and_never_reaches_the_shopper(
    stack: Stack, chromium: str, store_db_url: str
) -> None:
    from playwright.async_api import async_playwright, expect

    chat = await _verified_shopper_hands_off(stack, store_db_url)
    shopper, session, handoff_id = chat["shopper"], chat["session"], chat["handoff"]["id"]
    note = f"VIP, refunded twice already ({uuid.uuid4().hex[:6]})"
    try:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            try:
                robin = await signed_in_page(browser, stack, "Robin")
                kim = await signed_in_page(browser, stack, "Kim")
                await queue_item(robin, handoff_id).click()
                await robin.click("#claim")
                await expect(robin.locator("#conv-status")).to_have_text("claimed by Robin", timeout=WAIT_MS)
                await queue_item(kim, handoff_id).click()

                await robin.fill("#note", note)
                await robin.click("#add-note")
                await expect(robin.locator("#transcript li.note")).to_contain_text(note, timeout=WAIT_MS)
                # another agent's open console shows it too, pushed
                await expect(kim.locator("#transcript li.note")).to_contain_text(note, timeout=WAIT_MS)
                await robin.fill("#reply", "Thanks for waiting, let me look.")
                await robin.click("#send")
                await expect(robin.locator("#transcript li.agent").last).to_contain_text("Thanks for waiting")
            finally:
                await browser.close()
        received = await shopper.receive(2)  # the agent joined, then the reply: nothing else
        await asyncio.sleep(1.0)
        received += shopper.pending()
        assert [r["custom"]["handoff"] for r in received] == ["agent_joined", "agent_message"]
        assert all(note not in str(r) for r in received)
        events = tracker(stack, session)["events"]
        assert all(note not in str(e) for e in events)
        detail = Console(stack, "observer").detail(handoff_id)
        assert [n["text"] for n in detail["notes"]] == [note] and detail["notes"][0]["agent"] == "Robin"
        assert all(note not in str(line) for line in detail["transcript"] + detail["messages"])
    finally:
        await shopper.close()


async def test_the_console_fits_a_phone_one_panel_at_a_time(
    stack: Stack, chromium: str, tmp_path: Any
) -> None:
    from playwright.async_api import async_playwright, expect

    sender = f"phone-{uuid.uuid4().hex[:8]}"
    await asyncio.to_thread(say, stack, sender, "/human_handoff")
    handoff_id = Console(stack, "observer").handoff_for(rest_id(sender))["id"]
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = await signed_in_page(browser, stack, "Robin", width=390, height=844)
            await expect(queue_item(page, handoff_id)).to_be_visible(timeout=WAIT_MS)
            await expect(page.locator("#conversation")).to_be_hidden()
            await queue_item(page, handoff_id).click()  # opens the chat panel in place of the queue
            await expect(page.locator("#conversation")).to_be_visible()
            await expect(page.locator("#queue-panel")).to_be_hidden()
            await page.click("#claim")
            await expect(page.locator("#conv-status")).to_have_text("claimed by Robin", timeout=WAIT_MS)
            for view in ("conversation", "context", "history", "canned", "queue"):
                await page.click(f'#views button[data-view="{view}"]')
                if view == "history":  # searched by a word of the conversation id, then opened
                    await page.fill("#history-q", sender)
                    await page.click("#history-form button[type=submit]")
                    await expect(page.locator("#history-rows tr")).to_have_count(1, timeout=WAIT_MS)
                    await expect(page.locator(f'#history-rows tr[data-id="{handoff_id}"]')).to_contain_text(
                        "requested"
                    )
                overflow = await page.evaluate(
                    "[document.documentElement.scrollWidth, Math.max(...[...document.querySelectorAll("
                    "'body *')].filter(e => e.offsetParent).map(e => e.getBoundingClientRect().right))]"
                )
                assert overflow[0] <= 390 and overflow[1] <= 390.5, (view, overflow)
                await page.screenshot(path=str(tmp_path / f"console-phone-{view}.png"))
            await page.click('#views button[data-view="conversation"]')
            box = await page.locator("#send").bounding_box()
            assert box is not None and box["x"] + box["width"] <= 390 and box["y"] + box["height"] <= 844
            await page.click("#release")
            await expect(page.locator("#notice")).to_have_text("Back in the queue for the next agent.")
        finally:
            await browser.close()
