"""Product cards pushed to the widget as a custom payload, in headless Chromium against real servers.

The cards reach the widget the way an action's ``json_message`` does: a bot event with
``data.custom`` sent through the conversation's own output channel (Rasa's append-events API with
``output_channel=latest`` and side effects), then the widget draws them in the answer's bubble and
its add-to-cart button fills the page's cart, priced by the store.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Dict, List

import pytest
import requests

from store.money import format_money
from tests.web.test_widget_browser import open_store, send, session_of, settled, store_url, until
from tools.launcher import Stack

pytestmark = [pytest.mark.browser, pytest.mark.integration]


def cards_for(stack: Stack, count: int) -> List[Dict[str, Any]]:
    """Cards for the first in-stock products, each with one available variant's SKU and price."""
    catalog = requests.get(store_url(stack, "api/products"), timeout=30).json()
    cards = []
    for listed in [p for p in catalog["products"] if p["in_stock"]][:count]:
        detail = requests.get(store_url(stack, f"api/products/{listed['handle']}"), timeout=30).json()
        variant = next(v for v in detail["variants"] if v["available"])
        cards.append({
            "title": detail["title"], "subtitle": variant["color"], "price": variant["price_display"],
            "image": f"https://images.example/{detail['handle']}.jpg",
            "url": store_url(stack, f"?product={detail['handle']}"), "sku": variant["sku"],
            "amount": variant["price"], "currency": catalog["store"]["currency"],
        })  # fmt: skip
    return cards


def push(stack: Stack, conversation_id: str, event: Dict[str, Any]) -> None:
    reply = requests.post(
        f"{stack.rasa_url}/conversations/{conversation_id}/tracker/events",
        params={"token": stack.token, "output_channel": "latest", "execute_side_effects": "true"},
        json=[event],
        timeout=30,
    )
    assert reply.status_code == 200, reply.text


async def test_cards_show_image_price_and_add_to_the_cart(browser: Any, stack: Stack) -> None:
    page, errors = await open_store(browser, stack)
    await send(page, "hello")
    session_id = await session_of(page)
    await settled(stack, session_id, 1)

    cards = cards_for(stack, 2)
    sent = [{k: v for k, v in card.items() if k not in ("amount", "currency")} for card in cards]
    payload = {"cards": sent}
    intro = "Two picks for you:"
    push(stack, session_id, {"event": "bot", "text": intro, "data": {"custom": payload}})

    shown = page.locator(".sfchat-bot .sfchat-card")
    await shown.first.wait_for(timeout=30_000)
    # the shopper has not spoken since the greeting's answer, so it goes on in the same bubble
    bubble = page.locator(".sfchat-bot .sfchat-bubble").last
    parts = await bubble.evaluate("b => [...b.children].map(c => c.className)")
    assert parts[-2:] == ["sfchat-part", "sfchat-cards"]
    assert (await bubble.locator(".sfchat-part").all_text_contents())[-1] == intro
    assert await shown.evaluate_all(
        """els => els.map(e => [e.querySelector('.sfchat-card-title').textContent,
                              e.querySelector('.sfchat-card-price').textContent,
                              e.querySelector('img').getAttribute('src'), e.querySelector('img').alt,
                              e.querySelector('.sfchat-card-title a').href,
                              e.querySelector('.sfchat-card-add').dataset.sku])"""
    ) == [[c["title"], c["price"], c["image"], c["title"], c["url"], c["sku"]] for c in cards]

    await shown.nth(1).locator(".sfchat-card-add").click()
    await shown.nth(0).locator(".sfchat-card-add").click()
    await shown.nth(0).locator(".sfchat-card-add").click()
    total = Decimal(cards[0]["amount"]) * 2 + Decimal(cards[1]["amount"])
    subtotal = format_money(total, cards[0]["currency"])

    async def cart_priced() -> bool:
        return bool(await page.text_content("#cart-total") == subtotal)

    await until(cart_priced, "the cart priced by the store")
    assert await page.text_content("#cart-count") == "3"
    stored = await page.evaluate("JSON.parse(localStorage.getItem('storefront.cart'))")
    assert stored == [
        {"sku": cards[1]["sku"], "price": cards[1]["amount"], "quantity": 1},
        {"sku": cards[0]["sku"], "price": cards[0]["amount"], "quantity": 2},
    ]  # the prices the chat's page context carries come from the store too

    await page.reload()
    await page.locator(".sfchat-bot .sfchat-card").first.wait_for(timeout=30_000)
    titles = await page.locator(".sfchat-card-title").all_text_contents()
    assert titles == [c["title"] for c in cards]  # the transcript brings the cards back
    assert errors == []
