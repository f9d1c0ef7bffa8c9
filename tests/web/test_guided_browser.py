"""Guided selling in the widget on a product page, in headless Chromium against the real servers.

On the Harbor Rain Shell's page the shopper asks "does this come in blue?" and "what goes with
it?" without naming the product: both answers are about the page's product (the widget's page
context). Then the shopper follows an add-to-cart link from the chat: the assistant records the
click for this conversation and the demo store's cart takes the variant (Shopify's
``/cart/<variant id>:<quantity>`` permalink). Screenshots are kept in tests/.artifacts/.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from store.db import make_engine, session_scope
from store.models import CartLinkClick
from tests.web.conftest import keep_screenshot
from tests.web.test_widget_browser import (
    _eq,
    bot_events_after_last_user,
    open_store,
    screenshot_path,
    send,
    session_of,
    settled,
    until,
)
from tools.launcher import Stack

pytestmark = [pytest.mark.browser, pytest.mark.integration]
HANDLE = "harbor-rain-shell"


def _responses(bots: list) -> list:
    return [(bot.get("metadata") or {}).get("utter_action") for bot in bots]


def _slot(events: list, name: str) -> Any:
    return [e["value"] for e in events if e["event"] == "slot" and e["name"] == name][-1]


async def test_questions_on_a_product_page_use_the_viewed_product_and_the_cart_takes_a_chat_link(
    browser: Any, stack: Stack, store_db_url: str, tmp_path: Path
) -> None:
    page, errors = await open_store(browser, stack, f"?product={HANDLE}")
    await page.wait_for_selector(f"#product[data-handle='{HANDLE}']")

    await send(page, "does this come in blue?")
    session_id = await session_of(page)
    events = await settled(stack, session_id, 1)
    colour = bot_events_after_last_user(events)
    assert _slot(events, "product") == HANDLE
    assert "Harbor Rain Shell" in colour[0]["text"]
    assert _responses(colour)[0] in {
        "utter_stock_in_stock",
        "utter_stock_not_offered",
        "utter_stock_sold_out",
    }

    await send(page, "what goes with it?")
    events = await settled(stack, session_id, 2)
    look = bot_events_after_last_user(events)
    assert _responses(look)[0] == "utter_look_intro" and "Harbor Rain Shell" in look[0]["text"]
    items = [bot for bot in look if _responses([bot]) == ["utter_look_item"]]
    assert items
    await page.wait_for_selector(".sfchat-bot >> text=often got these with it", timeout=30_000)
    shot = screenshot_path(tmp_path, "guided-what-goes-with-it")
    await page.screenshot(path=str(shot))
    keep_screenshot(shot)

    # the first companion's add-to-cart link, as the widget shows it (a link opening a new tab)
    link = page.locator(".sfchat-bot a", has_text="Add to cart").first
    assert "/webhooks/storefront/cart-link?" in await link.get_attribute("href")
    async with page.context.expect_page() as opened:
        await link.click()
    store_tab = await opened.value
    await store_tab.wait_for_load_state()
    await until(
        lambda: _eq(store_tab.locator("#cart-count").text_content(), "1"), "the cart to take the variant"
    )
    assert "add=" not in store_tab.url  # the permalink is consumed, a reload adds nothing again
    await store_tab.wait_for_selector("#product[data-handle]")  # the added product's page
    cart_shot = screenshot_path(tmp_path, "guided-cart-from-chat-link")
    await store_tab.screenshot(path=str(cart_shot))
    keep_screenshot(cart_shot)

    engine = make_engine(store_db_url)
    try:
        with session_scope(engine) as session:
            clicks = (
                session.execute(select(CartLinkClick).where(CartLinkClick.conversation_id == session_id))
                .scalars()
                .all()
            )
            cart = await store_tab.evaluate("JSON.parse(localStorage.getItem('storefront.cart'))")
            assert [(c.sku, c.quantity) for c in clicks] == [(line["sku"], line["quantity"]) for line in cart]
    finally:
        engine.dispose()
    assert errors == []
