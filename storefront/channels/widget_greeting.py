"""The chat widget's greeting: the assistant's first words and three questions for the page.

The words are the domain's responses (``utter_widget_greeting`` anywhere on the site,
``utter_widget_greeting_product`` on a product page, about sizing, delivery and returns), read
from the model the server runs, so a designer changes them in ``domain.yml`` like any reply. The
greeting is served by the storefront page's API (``GET /api/greeting``) in the shape the socket.io
channel pushes bot messages, and it stays out of the tracker: the conversation starts when the
shopper writes or picks a question.
"""

from __future__ import annotations

import random
from typing import Any, Dict, List, Optional

from rasa.core.nlg.interpolator import interpolate_text

SITE_GREETING = "utter_widget_greeting"
PRODUCT_GREETING = "utter_widget_greeting_product"


def _quick_replies(buttons: Any) -> List[Dict[str, str]]:
    return [
        {"content_type": "text", "title": str(b["title"]), "payload": str(b["payload"])}
        for b in buttons or []
        if isinstance(b, dict) and b.get("title") and b.get("payload")
    ]


def widget_greeting(responses: Dict[str, Any], product_title: Optional[str]) -> Optional[Dict[str, Any]]:
    """The greeting as a socket.io bot message (``text``, ``quick_replies``), or None if undefined.

    Args:
        responses: the domain's responses (``Domain.responses``).
        product_title: the title of the product on the page, or None off product pages.
    """
    name = PRODUCT_GREETING if product_title else SITE_GREETING
    variations = [v for v in responses.get(name) or [] if isinstance(v, dict) and v.get("text")]
    if not variations:
        return None
    chosen = random.choice(variations)  # as Rasa picks among variations
    text = interpolate_text(chosen["text"], {"product": product_title or ""})
    return {"text": text, "quick_replies": _quick_replies(chosen.get("buttons"))}
