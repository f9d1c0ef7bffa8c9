"""The chat widget's own words (its button, title, placeholder, "Send"...), set by the store.

``widget_labels`` in ``store.yaml`` replaces any of them (``send: "Senden"``); the widget keeps its
English words for the rest (web/storefront/widget.js). Served by the storefront page's API
(``GET /api/widget-labels``) under the widget's own names; keys it does not know, and values that
are not short text, are left out.
"""

from __future__ import annotations

from typing import Dict

from sqlalchemy.orm import Session

from store.info import setting

SETTING = "widget_labels"
LABELS = {
    "launcher": "launcher",
    "title": "title",
    "assistant": "assistant",
    "with_person": "withPerson",  # "{agent}" is replaced by the agent's name
    "with_person_unnamed": "withPersonUnnamed",
    "placeholder": "placeholder",
    "send": "send",
    "close": "close",
    "reconnecting": "reconnecting",
    "typing": "typing",
    "add_to_cart": "addToCart",
    "added": "added",
}
"""``store.yaml`` key -> the widget's name for the label."""
MAX_LENGTH = 120


def widget_labels(session: Session) -> Dict[str, str]:
    """The labels the store sets, by the widget's names (empty: the widget's English defaults)."""
    given = setting(session, SETTING, {})
    if not isinstance(given, dict):
        return {}
    return {
        name: value.strip()
        for key, name in LABELS.items()
        if isinstance(value := given.get(key), str) and value.strip() and len(value) <= MAX_LENGTH
    }
