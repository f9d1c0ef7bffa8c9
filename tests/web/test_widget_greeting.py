"""The widget's greeting and suggested questions come from the project's domain, not from code."""

from __future__ import annotations

from typing import Any, Dict

import pytest
from rasa.shared.core.domain import Domain

from core.settings import PROJECT_ROOT
from storefront.channels.widget_greeting import PRODUCT_GREETING, SITE_GREETING, widget_greeting


@pytest.fixture(scope="module")
def responses() -> Dict[str, Any]:
    return Domain.load(str(PROJECT_ROOT / "domain.yml")).responses


def test_a_product_page_greets_about_its_product_with_size_delivery_and_returns(responses) -> None:
    [defined] = responses[PRODUCT_GREETING]
    message = widget_greeting(responses, "Harbor Rain Shell")
    assert message == {
        "text": defined["text"].replace("{product}", "Harbor Rain Shell"),
        "quick_replies": [
            {"content_type": "text", "title": b["title"], "payload": b["payload"]} for b in defined["buttons"]
        ],
    }
    assert [r["payload"] for r in message["quick_replies"]] == [
        "/size_help",
        "/shipping_info",
        "/return_policy",
    ]


def test_other_pages_get_the_site_greeting(responses) -> None:
    [defined] = responses[SITE_GREETING]
    message = widget_greeting(responses, None)
    assert message is not None and message["text"] == defined["text"] and "{" not in message["text"]
    assert len(message["quick_replies"]) == 3


def test_a_domain_without_the_greeting_gives_none() -> None:
    assert widget_greeting({"utter_greet": [{"text": "hi"}]}, "Anything") is None
    assert widget_greeting({SITE_GREETING: [{"image": "https://x.example/a.png"}]}, None) is None
