"""The widget's own words from the store's settings (``widget_labels`` in store.yaml): served by
the page's API and shown by the widget in headless Chromium; English where the store sets none."""

from __future__ import annotations

from typing import Any, Dict, Iterator

import pytest
import requests
from sqlalchemy import delete

from store.db import make_engine, session_scope
from store.models import StoreSetting
from storefront.channels.widget_labels import SETTING, widget_labels
from tests.web.test_widget_browser import open_store, store_url, until
from tools.launcher import Stack

GERMAN = {
    "send": "Senden",
    "placeholder": "Ihre Nachricht…",
    "title": "Shop-Assistent",
    "close": "Chat schließen",
}


def _set_labels(url: str, value: Any) -> None:
    engine = make_engine(url)
    with session_scope(engine) as session:
        session.execute(delete(StoreSetting).where(StoreSetting.key == SETTING))
        if value is not None:
            session.add(StoreSetting(key=SETTING, value=value))
    engine.dispose()


@pytest.fixture
def german(store_db_url: str) -> Iterator[Dict[str, str]]:
    """German labels in the session's store for one test (removed afterwards)."""
    _set_labels(store_db_url, {**GERMAN, "unknown_key": "x", "added": 42, "typing": "x" * 500})
    yield GERMAN
    _set_labels(store_db_url, None)


def test_only_known_short_text_labels_are_served_under_the_widgets_names(store_db_url: str, german) -> None:
    engine = make_engine(store_db_url)
    with session_scope(engine) as session:
        assert widget_labels(session) == german  # not the unknown key, the number or the long text
    engine.dispose()


@pytest.mark.integration
@pytest.mark.browser
async def test_the_widget_shows_the_stores_labels(browser: Any, stack: Stack, german) -> None:
    served = requests.get(store_url(stack, "api/widget-labels"), timeout=30).json()
    assert served == german
    page, errors = await open_store(browser, stack)

    async def shown() -> bool:
        return await page.inner_text(".sfchat-send") == german["send"]

    await until(shown, "the store's label on the send button")
    assert await page.get_attribute(".sfchat-input", "placeholder") == german["placeholder"]
    assert await page.get_attribute(".sfchat-input", "aria-label") == german["placeholder"]
    assert await page.inner_text(".sfchat-title") == german["title"]
    assert await page.get_attribute(".sfchat-close", "aria-label") == german["close"]
    assert await page.inner_text(".sfchat-status") == "Assistant"  # not set by the store: English
    assert errors == []
    await page.context.close()


@pytest.mark.integration
@pytest.mark.browser
async def test_without_store_labels_the_widget_speaks_english(
    browser: Any, stack: Stack, store_db_url: str
) -> None:
    _set_labels(store_db_url, None)
    assert requests.get(store_url(stack, "api/widget-labels"), timeout=30).json() == {}
    page, errors = await open_store(browser, stack)
    await page.wait_for_load_state("networkidle")
    assert await page.inner_text(".sfchat-send") == "Send"
    assert await page.get_attribute(".sfchat-input", "placeholder") == "Type your message…"
    assert errors == []
    await page.context.close()
