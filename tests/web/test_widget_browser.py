"""The demo storefront and its chat widget in headless Chromium, against the real servers.

Expected texts and buttons are read from the conversation's tracker (what the assistant really
said), never written into the test, so the test holds whatever the dialogue data says.
"""

from __future__ import annotations

import asyncio
import re
import time
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, List, Tuple

import pytest
import requests
from sqlalchemy import select

from store.db import make_engine, session_scope
from store.handoffs import create_handoff
from store.models import Order, ShopperCart
from tests.handoff.console_client import Console
from tests.support.chat import tracker
from tests.web.conftest import keep_screenshot
from tools.launcher import Stack

pytestmark = [pytest.mark.browser, pytest.mark.integration]

Page = Any  # playwright.async_api.Page (imported lazily, like the browser)
LIST_MARKER = re.compile(r"^[ \t]*(?:[-*•]|\d{1,2}[.)])[ \t]+", re.MULTILINE)


def without_rasa_keys(metadata: Dict[str, Any]) -> Dict[str, Any]:
    """Message metadata without the ``assistant_id``/``model_id`` that Rasa adds to every message."""
    return {key: value for key, value in metadata.items() if key not in ("assistant_id", "model_id")}


def store_url(stack: Stack, query: str = "") -> str:
    return f"{stack.rasa_url}/webhooks/storefront/{query}"


async def open_store(browser: Any, stack: Stack, query: str = "") -> Tuple[Page, List[str]]:
    """A new shopper (fresh profile) on the store page with the chat open and its session ready."""
    context = await browser.new_context(viewport={"width": 1280, "height": 800})
    page = await context.new_page()
    errors: List[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    await page.goto(store_url(stack, query))
    await page.click(".sfchat-launcher")
    await page.wait_for_selector(".sfchat[data-session=ready]", timeout=30_000)
    return page, errors


async def session_of(page: Page) -> str:
    return await page.evaluate("window.localStorage.getItem('storefront.chat.session')")


async def send(page: Page, text: str) -> None:
    await page.fill(".sfchat-input", text)
    await page.press(".sfchat-input", "Enter")


def events_of(stack: Stack, conversation_id: str) -> List[Dict[str, Any]]:
    return tracker(stack, conversation_id)["events"]


async def settled(stack: Stack, conversation_id: str, user_messages: int) -> List[Dict[str, Any]]:
    """The tracker's events once the assistant has handled ``user_messages`` messages."""
    deadline = time.monotonic() + 60
    while True:
        events = events_of(stack, conversation_id)
        users = [e for e in events if e["event"] == "user"]
        last = events[-1] if events else {}
        if (
            len(users) >= user_messages
            and last.get("event") == "action"
            and last.get("name") == "action_listen"
        ):
            return events
        if time.monotonic() > deadline:
            raise AssertionError(f"the assistant did not finish: {events[-3:]}")
        await asyncio.sleep(0.25)


def bot_events_after_last_user(events: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    last_user = max(i for i, e in enumerate(events) if e["event"] == "user")
    return [e for e in events[last_user:] if e["event"] == "bot"]


def buttons_of(bots: List[Dict[str, Any]]) -> List[Dict[str, str]]:
    return [b for bot in bots for b in ((bot.get("data") or {}).get("buttons") or [])]


async def log_entries(page: Page) -> List[Tuple[str, str]]:
    """What the chat log shows, in order: (kind, text) with kind user, bot, agent, notice or button.

    The greeting shown before the conversation starts is left out (it is not in the tracker);
    a bubble's paragraphs and list items are separated by blank lines.
    """
    return await page.eval_on_selector_all(
        ".sfchat-log > :not([data-greeting])",
        """els => els.flatMap(e => e.classList.contains('sfchat-buttons')
              ? [...e.querySelectorAll('button')].map(b => ['button', b.textContent])
              : [[e.className.replace('sfchat-msg ', '').replace('sfchat-', ''),
                  e.querySelector('.sfchat-bubble')
                    ? [...e.querySelector('.sfchat-bubble').children].map(part => part.tagName === 'UL'
                        || part.tagName === 'OL' ? [...part.children].map(li => li.textContent).join('\\n\\n')
                        : part.textContent).join('\\n\\n') || e.querySelector('.sfchat-bubble').textContent
                    : e.textContent]])""",
    )


def shown_words(text: str) -> str:
    """Text as a reader sees it: list markers at the start of lines dropped, white space collapsed."""
    return " ".join(LIST_MARKER.sub("", text).split())


async def until(check: Callable[[], Awaitable[bool]], what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.2)


async def _eq(value: Awaitable[Any], expected: Any) -> bool:
    return (await value) == expected


async def bot_text(page: Page) -> str:
    """Every bot answer shown, as words (see :func:`shown_words`)."""
    return shown_words("\n\n".join(text for kind, text in await log_entries(page) if kind == "bot"))


def screenshot_path(tmp_path: Path, name: str) -> Path:
    return tmp_path / f"{name}.png"


async def test_shopper_asks_sees_buttons_and_keeps_the_chat_after_a_reload(
    browser: Any, stack: Stack, tmp_path: Path
) -> None:
    handle = requests.get(store_url(stack, "api/products"), timeout=30).json()["products"][0]["handle"]
    page, errors = await open_store(browser, stack, f"?product={handle}")
    await page.wait_for_selector(f"#product[data-handle='{handle}']")
    await send(page, "where is my order")
    session_id = await session_of(page)
    events = await settled(stack, session_id, 1)
    bots = bot_events_after_last_user(events)
    said = "\n\n".join(bot["text"] for bot in bots if bot.get("text"))
    offered = [button["title"] for button in buttons_of(bots)]
    assert said and offered, "every reply offers next steps as buttons"

    await until(lambda: _eq(bot_text(page), shown_words(said)), "the reply")
    shown = await log_entries(page)
    assert [text for kind, text in shown if kind == "user"] == ["where is my order"]
    assert [text for kind, text in shown if kind == "button"] == offered
    [user_event] = [e for e in events if e["event"] == "user"]
    page_context = {"url": store_url(stack, f"?product={handle}"), "product": handle}
    assert without_rasa_keys(user_event["metadata"]) == {
        "page": page_context, "cart": [], "client": {"channel": "socketio", "address": "127.0.0.1"},
    }  # fmt: skip
    first = screenshot_path(tmp_path, "widget-reply")
    await page.screenshot(path=str(first))
    keep_screenshot(first)

    await page.reload()
    await page.wait_for_selector(".sfchat-bot", timeout=30_000)
    await until(lambda: _eq(log_entries(page), shown), "the restored conversation")
    assert await session_of(page) == session_id
    assert await page.is_visible(".sfchat-panel")  # the chat stays open across the reload
    await page.wait_for_selector(f"#product[data-handle='{handle}']")
    reloaded = screenshot_path(tmp_path, "widget-after-reload")
    await page.screenshot(path=str(reloaded))
    keep_screenshot(reloaded)
    assert errors == []


async def test_clicking_a_button_sends_its_payload_and_shows_its_title(browser: Any, stack: Stack) -> None:
    page, errors = await open_store(browser, stack)
    await send(page, "hello")
    session_id = await session_of(page)
    offered = buttons_of(bot_events_after_last_user(await settled(stack, session_id, 1)))
    assert offered, "the greeting offers buttons"
    choice = offered[0]
    button = page.locator(".sfchat-button", has_text=choice["title"]).first
    await button.wait_for(timeout=30_000)
    assert await button.get_attribute("data-payload") == choice["payload"]
    await button.click()

    events = await settled(stack, session_id, 2)
    assert [e["text"] for e in events if e["event"] == "user"] == ["hello", choice["payload"]]
    await until(lambda: _eq(bot_text(page), shown_words(_said_so_far(events))), "the reply to the click")
    shown = await log_entries(page)
    assert [text for kind, text in shown if kind == "user"] == ["hello", choice["title"]]
    # the clicked group is gone; only the newest reply's buttons remain
    new_buttons = [b["title"] for b in buttons_of(bot_events_after_last_user(events))]
    assert [text for kind, text in shown if kind == "button"] == new_buttons
    assert errors == []


def _said_so_far(events: List[Dict[str, Any]]) -> str:
    return "\n\n".join(e["text"] for e in events if e["event"] == "bot" and e.get("text"))


async def test_page_context_cart_and_signed_in_shopper_reach_the_assistant(
    browser: Any, stack: Stack
) -> None:
    catalog = requests.get(store_url(stack, "api/products"), timeout=30).json()["products"]
    handle = next(p["handle"] for p in catalog if p["in_stock"])
    customer = requests.get(store_url(stack, "api/demo-customers"), timeout=30).json()["customers"][0]
    page, errors = await open_store(browser, stack, f"?product={handle}")
    await page.wait_for_selector(f"#product[data-handle='{handle}']")
    sku = await page.input_value("#variant")
    await page.click(".buy button[type=submit]")
    await page.select_option("#sign-in", customer["email"])
    await until(
        lambda: _eq(page.evaluate("!!window.localStorage.getItem('storefront.customer')"), True),
        "the sign-in",
    )
    await send(page, "hello")
    [user] = [e for e in await settled(stack, await session_of(page), 1) if e["event"] == "user"]
    variant = next(
        v
        for v in requests.get(store_url(stack, f"api/products/{handle}"), timeout=30).json()["variants"]
        if v["sku"] == sku
    )
    assert without_rasa_keys(user["metadata"]) == {
        "page": {"url": store_url(stack, f"?product={handle}"), "product": handle},
        "cart": [{"sku": sku, "quantity": 1, "price": variant["price"]}],
        "shopper": {"channel": "web", "proved_by": "socketio", "verified_email": customer["email"]},
        "client": {"channel": "socketio", "address": "127.0.0.1"},
    }
    assert errors == []


async def test_the_page_keeps_its_cart_with_the_assistant_until_checkout(
    browser: Any, stack: Stack, store_db_url: str
) -> None:
    catalog = requests.get(store_url(stack, "api/products"), timeout=30).json()["products"]
    handle = next(p["handle"] for p in catalog if p["in_stock"])
    customer = requests.get(store_url(stack, "api/demo-customers"), timeout=30).json()["customers"][0]
    page, errors = await open_store(browser, stack, f"?product={handle}")
    await page.wait_for_selector(f"#product[data-handle='{handle}']")
    await page.select_option("#sign-in", customer["email"])
    await until(
        lambda: _eq(page.evaluate("!!window.localStorage.getItem('storefront.customer')"), True),
        "the sign-in",
    )
    sku = await page.input_value("#variant")
    await page.click(".buy button[type=submit]")
    session_id = await session_of(page)
    engine = make_engine(store_db_url)

    async def kept() -> List[Tuple[Any, ...]]:
        with session_scope(engine) as session:
            return [
                (cart.email, cart.lines, cart.checked_out_at is not None)
                for cart in session.execute(
                    select(ShopperCart).where(ShopperCart.conversation_id == session_id)
                ).scalars()
            ]

    stored = (customer["email"], [{"sku": sku, "quantity": 1}], False)
    await until(lambda: _eq(kept(), [stored]), "the cart kept by the assistant")
    await page.click("#cart-checkout")
    await until(lambda: _eq(kept(), [(*stored[:2], True)]), "the checkout")
    await until(lambda: _eq(page.text_content("#cart-count"), "0"), "the emptied cart")
    assert errors == []


def console(agent: Console, path: str, body: Dict[str, Any]) -> Dict[str, Any]:
    reply = agent.post(f"api/{path}", body)
    assert reply.status_code == 200, reply.text
    return reply.json()


async def test_the_widget_shows_when_a_person_joins_speaks_and_leaves(
    browser: Any, stack: Stack, store_db_url: str, tmp_path: Path
) -> None:
    page, errors = await open_store(browser, stack)
    await send(page, "hello")
    session_id = await session_of(page)
    await settled(stack, session_id, 1)
    with session_scope(make_engine(store_db_url)) as session:
        handoff = create_handoff(
            session, conversation_id=session_id, channel="socketio", reason="requested",
            summary="browser test", context={},
        )  # fmt: skip

    sam = Console(stack, "Sam")
    assert console(sam, f"handoffs/{handoff.id}/claim", {})["delivered"] is True
    joined = await page.wait_for_selector(".sfchat-notice[data-handoff=agent_joined]", timeout=30_000)
    notice = [e for e in events_of(stack, session_id) if e["event"] == "bot"][-1]["text"]
    assert await joined.text_content() == notice
    assert await page.get_attribute(".sfchat", "data-mode") == "agent"
    assert "Sam" in await page.text_content(".sfchat-status")

    text = "See [our returns page](https://help.example/returns) or https://help.example/faq. <b>plain</b>"
    assert console(sam, f"handoffs/{handoff.id}/messages", {"text": text})["delivered"] is True
    bubble = await page.wait_for_selector(".sfchat-agent .sfchat-bubble", timeout=30_000)
    assert await page.text_content(".sfchat-agent .sfchat-author") == "Sam"
    links = await bubble.eval_on_selector_all(
        "a", "els => els.map(a => [a.textContent, a.href, a.target, a.rel])"
    )
    assert links == [
        ["our returns page", "https://help.example/returns", "_blank", "noopener"],
        ["https://help.example/faq", "https://help.example/faq", "_blank", "noopener"],
    ]
    assert await bubble.eval_on_selector_all("b", "els => els.length") == 0  # text, never HTML
    assert (await bubble.text_content()).endswith("faq. <b>plain</b>")
    shot = screenshot_path(tmp_path, "widget-agent-joined")
    await page.screenshot(path=str(shot))
    keep_screenshot(shot)

    await page.reload()
    await page.wait_for_selector(".sfchat-agent .sfchat-bubble", timeout=30_000)
    assert await page.text_content(".sfchat-notice[data-handoff=agent_joined]") == notice
    assert await page.get_attribute(".sfchat", "data-mode") == "agent"

    assert console(sam, f"handoffs/{handoff.id}/handback", {})["delivered"] is True
    await page.wait_for_selector(".sfchat-notice[data-handoff=bot_resumed]", timeout=30_000)
    assert await page.get_attribute(".sfchat", "data-mode") == "bot"
    assert errors == []


async def test_signing_out_ends_the_verification_and_starts_an_empty_chat(
    browser: Any, stack: Stack, store_db_url: str
) -> None:
    customer = requests.get(store_url(stack, "api/demo-customers"), timeout=30).json()["customers"][0]
    with session_scope(make_engine(store_db_url)) as session:
        number = (
            session.execute(
                select(Order.number).where(Order.email == customer["email"]).order_by(Order.number)
            )
            .scalars()
            .first()
        )
    page, errors = await open_store(browser, stack)
    await page.select_option("#sign-in", customer["email"])
    await until(
        lambda: _eq(page.evaluate("!!window.localStorage.getItem('storefront.customer')"), True),
        "the sign-in",
    )
    await send(page, f'/order_status{{"order_number": "{number}"}}')
    signed_in = await session_of(page)
    await settled(stack, signed_in, 1)
    assert tracker(stack, signed_in)["slots"]["verified_order"] == str(number)  # by the signed-in email

    await page.select_option("#sign-in", "")
    fresh = await session_of(page)
    assert fresh != signed_in and await log_entries(page) == []

    async def verification_ended() -> bool:
        return tracker(stack, signed_in)["slots"]["verified_order"] is None

    await until(verification_ended, "the old conversation's new session")
    assert [e["text"] for e in events_of(stack, signed_in) if e["event"] == "user"][-1] == "/session_start"
    assert errors == []
