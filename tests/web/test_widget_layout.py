"""The demo store and its chat on a phone and on a desktop, in headless Chromium, against real servers.

At 320x640, 390x844 (a phone) and 1280x900 (a laptop): the chat opens (full screen on phones),
greets with three questions about the product on the page, a typed question is answered in one
bubble, and no element sticks out of the viewport, read from the elements' geometry. A
screenshot of each size is kept in ``tests/.artifacts/`` (git-ignored).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest
import requests
from rasa.shared.core.domain import Domain

from core.settings import PROJECT_ROOT
from storefront.channels.widget_greeting import PRODUCT_GREETING
from tests.web.conftest import keep_screenshot
from tests.web.test_widget_browser import (
    bot_events_after_last_user,
    send,
    session_of,
    settled,
    shown_words,
    store_url,
    until,
)
from tools.launcher import Stack

pytestmark = [pytest.mark.browser, pytest.mark.integration]

Page = Any

VIEWPORTS: Dict[str, Tuple[int, int]] = {"phone-320": (320, 640), "phone": (390, 844), "desktop": (1280, 900)}
PHONE_WIDTH = 600  # below this the open chat covers the screen (widget.css)
QUESTION = "how much is shipping to Canada?"

# Elements sticking out of the viewport, left or right. Content inside a scrolling box (the product
# list, the cards row) is that box's business: the box itself is checked.
OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth;
  const scrolls = (e) => ['auto', 'scroll', 'hidden', 'clip'].includes(getComputedStyle(e).overflowX);
  const inScroller = (e) => {
    for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) if (scrolls(p)) return true;
    return false;
  };
  return [...document.body.querySelectorAll('*')].filter((e) => {
    const r = e.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || getComputedStyle(e).visibility === 'hidden') return false;
    return (r.left < -0.5 || r.right > width + 0.5) && !inScroller(e);
  }).map((e) => `${e.tagName.toLowerCase()}.${e.className} ${Math.round(e.getBoundingClientRect().left)}..`
                + `${Math.round(e.getBoundingClientRect().right)}`);
}"""

# WCAG contrast of every piece of text in the chat against the background behind it.
LOW_CONTRAST = """() => {
  const rgb = (c) => c.match(/[\\d.]+/g).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92
    : Math.pow((v + 0.055) / 1.055, 2.4); }).reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0);
  const background = (e) => {
    for (; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length < 4 || c[3] > 0) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  return [...document.querySelectorAll('.sfchat *')].filter((e) =>
    [...e.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim()) && e.getClientRects().length
  ).map((e) => {
    const [a, b] = [lum(rgb(getComputedStyle(e).color).slice(0, 3)), lum(background(e))];
    return [e.className || e.tagName, (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)];
  }).filter(([, ratio]) => ratio < 4.5);
}"""


async def rect(page: Page, selector: str) -> Dict[str, float]:
    box: Dict[str, float] = await page.eval_on_selector(
        selector, "e => (r => ({x: r.x, y: r.y, w: r.width, h: r.height}))(e.getBoundingClientRect())"
    )
    return box


def inside(box: Dict[str, float], width: int, height: int) -> bool:
    return box["x"] >= 0 and box["y"] >= 0 and box["x"] + box["w"] <= width and box["y"] + box["h"] <= height


async def overflowing(page: Page) -> List[str]:
    found: List[str] = await page.evaluate(OVERFLOWING)
    return found


@pytest.mark.parametrize("device", list(VIEWPORTS))
async def test_the_chat_opens_answers_and_fits_the_screen(
    browser: Any, stack: Stack, tmp_path: Path, device: str
) -> None:
    width, height = VIEWPORTS[device]
    phone = width < PHONE_WIDTH
    context = await browser.new_context(
        viewport={"width": width, "height": height}, is_mobile=phone, has_touch=phone,
        device_scale_factor=2 if phone else 1,
    )  # fmt: skip
    page = await context.new_page()
    errors: List[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    catalog = requests.get(store_url(stack, "api/products"), timeout=30).json()["products"]
    product = next(p for p in catalog if p["in_stock"])
    await page.goto(store_url(stack, f"?product={product['handle']}"))
    await page.wait_for_selector(f"#product[data-handle='{product['handle']}']")

    # the page itself: nothing wider than the screen, the chat button on screen
    assert await overflowing(page) == []
    assert await page.evaluate("document.documentElement.scrollWidth") <= width
    assert inside(await rect(page, ".site-header"), width, 10_000)
    assert inside(await rect(page, ".sfchat-launcher"), width, height)
    assert await page.text_content(".product-price") == (
        await page.evaluate("fetch('api/products/' + document.querySelector('#product').dataset.handle)"
                            ".then(r => r.json()).then(p => p.price_display)")
    )  # fmt: skip

    page_shot = tmp_path / f"store-{device}-{width}x{height}.png"
    await page.screenshot(path=str(page_shot))
    keep_screenshot(page_shot)

    # open: the panel fills a phone's screen and floats inside a desktop's; focus is in the input
    await page.click(".sfchat-launcher")
    await page.wait_for_selector(".sfchat[data-session=ready]", timeout=30_000)
    panel = await rect(page, ".sfchat-panel")
    if phone:
        assert (panel["x"], panel["y"], panel["w"], panel["h"]) == (0, 0, width, height)
    else:
        assert inside(panel, width, height) and panel["w"] < width / 2
    for part in (".sfchat-close", ".sfchat-input", ".sfchat-send"):
        assert inside(await rect(page, part), width, height), part
    assert await page.evaluate("document.activeElement.classList.contains('sfchat-input')")

    # the greeting: the domain's words about this product, with its three questions
    [greeting] = Domain.load(str(PROJECT_ROOT / "domain.yml")).responses[PRODUCT_GREETING]
    greeted = await page.wait_for_selector(".sfchat-msg[data-greeting]", timeout=30_000)
    assert await greeted.text_content() == greeting["text"].replace("{product}", product["title"])
    titles = await page.eval_on_selector_all(".sfchat-buttons button", "els => els.map(e => e.textContent)")
    assert titles == [button["title"] for button in greeting["buttons"]]
    assert await overflowing(page) == []

    # a typed question: the typing indicator, then the whole answer in one bubble
    await send(page, QUESTION)
    await page.wait_for_selector(".sfchat-typing", state="visible", timeout=5_000)
    session_id = await session_of(page)
    bots = bot_events_after_last_user(await settled(stack, session_id, 1))
    said = "\n\n".join(bot["text"] for bot in bots if bot.get("text"))
    assert said, "the assistant answered"
    answers = page.locator(".sfchat-user ~ .sfchat-bot")
    await until(lambda: _count_is(answers, 1), "one bubble for the answer")
    assert shown_words(await answers.first.locator(".sfchat-bubble").inner_text()) == shown_words(said)
    # the delivery options, one message each, are one list
    options = [bot["text"] for bot in bots if (bot.get("text") or "").startswith("- ")]
    assert len(options) >= 2, "the answer lists the delivery options"
    assert await answers.first.locator("ul").count() == 1
    assert await answers.first.locator("ul > li").all_text_contents() == [o[2:] for o in options]
    await page.wait_for_selector(".sfchat-typing", state="hidden", timeout=30_000)
    assert await overflowing(page) == []
    assert await page.evaluate("document.documentElement.scrollWidth") <= width
    assert await page.evaluate(
        "(l => l.scrollTop + l.clientHeight >= l.scrollHeight - 2)(document.querySelector('.sfchat-log'))"
    ), "the log shows the newest message"
    assert await page.evaluate(LOW_CONTRAST) == []

    shot = tmp_path / f"widget-{device}-{width}x{height}.png"
    await page.screenshot(path=str(shot))
    keep_screenshot(shot)

    # on a phone the chat is the whole screen: Tab goes round inside it, never to the page behind
    if phone:
        assert await page.get_attribute(".sfchat-panel", "aria-modal") == "true"
        await page.focus(".sfchat-send")
        await page.keyboard.press("Tab")
        assert await page.evaluate("document.activeElement.className") == "sfchat-close"
        await page.keyboard.press("Shift+Tab")
        assert await page.evaluate("document.activeElement.className") == "sfchat-send"
    else:
        assert await page.get_attribute(".sfchat-panel", "aria-modal") == "false"

    # close: from the keyboard too, and focus goes back to the chat button
    await page.keyboard.press("Escape")
    assert await page.is_hidden(".sfchat-panel")
    assert await page.evaluate("document.activeElement.classList.contains('sfchat-launcher')")
    assert inside(await rect(page, ".sfchat-launcher"), width, height)
    assert errors == []
    await context.close()


async def _count_is(locator: Any, expected: int) -> bool:
    return bool(await locator.count() == expected)


async def test_the_chat_is_labelled_for_assistive_technology(browser: Any, stack: Stack) -> None:
    page = await browser.new_page(viewport={"width": 390, "height": 844})
    await page.goto(store_url(stack))
    assert await page.get_attribute(".sfchat-launcher", "aria-expanded") == "false"
    await page.click(".sfchat-launcher")
    assert await page.get_attribute(".sfchat-launcher", "aria-expanded") == "true"
    labels = await page.evaluate(
        """() => ({
          dialog: document.querySelector('.sfchat-panel').getAttribute('role'),
          name: document.getElementById(document.querySelector('.sfchat-panel')
                  .getAttribute('aria-labelledby')).textContent,
          log: [document.querySelector('.sfchat-log').getAttribute('role'),
                document.querySelector('.sfchat-log').getAttribute('aria-live')],
          close: document.querySelector('.sfchat-close').getAttribute('aria-label'),
          input: document.querySelector('.sfchat-input').getAttribute('aria-label'),
          typing: document.querySelector('.sfchat-typing').getAttribute('role'),
        })"""
    )
    assert labels["dialog"] == "dialog" and labels["name"]
    assert labels["log"] == ["log", "polite"] and labels["typing"] == "status"
    assert labels["close"] and labels["input"]
    # focus order inside the panel: close, the log, (suggestions), the input, send
    order = await page.evaluate(
        "[...document.querySelectorAll('.sfchat-panel :is(button, input, [tabindex])')].map(e => e.className)"
    )
    assert order[:2] == ["sfchat-close", "sfchat-log"]
    assert order[-2:] == ["sfchat-input", "sfchat-send"]
    await page.close()
