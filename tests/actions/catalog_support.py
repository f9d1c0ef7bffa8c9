"""Helpers for the catalog, shipping, sizing, discount and payment action tests.

Actions run against the session's sample store (``store_db_url`` from ``tests/conftest.py``) through
the real ``query_store``; ``catalog_store`` points ``DATABASE_URL`` at it for one test.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from store import db

DOMAIN: Dict[str, Any] = yaml.safe_load((Path(__file__).resolve().parents[2] / "domain.yml").read_text())
_EMPTY = (None, [], {}, "")


@pytest.fixture
def catalog_store(store_db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Point the actions' store access at the sample store for one test."""
    monkeypatch.setenv("DATABASE_URL", store_db_url)
    db._default_engine.clear()
    yield store_db_url
    for engine in db._default_engine:
        engine.dispose()
    db._default_engine.clear()


def make_tracker(
    *,
    slots: Optional[Dict[str, Any]] = None,
    intent: str = "inform",
    text: str = "",
    entities: Optional[List[Dict[str, Any]]] = None,
    metadata: Optional[Dict[str, Any]] = None,
    set_this_turn: Optional[Dict[str, Any]] = None,
    active_loop: Optional[str] = None,
) -> Tracker:
    """A tracker right after a user message; ``set_this_turn`` are slots filled since that message."""
    filled = {**(slots or {}), **(set_this_turn or {})}
    all_slots = {name: None for name in DOMAIN["slots"]}
    all_slots.update(filled)
    message = {
        "intent": {"name": intent, "confidence": 1.0},
        "entities": entities or [],
        "text": text,
        "metadata": metadata or {},
    }
    events: List[Dict[str, Any]] = [
        {"event": "user", "text": text, "parse_data": message, "metadata": metadata or {}}
    ]
    events += [{"event": "slot", "name": k, "value": v} for k, v in (set_this_turn or {}).items()]
    return Tracker(
        "shopper-1",
        all_slots,
        message,
        events,
        False,
        None,
        {"name": active_loop} if active_loop else {},
        "action_listen",
    )


def entity(name: str, value: Any, start: int = 0, end: int = 0) -> Dict[str, Any]:
    """An entity as the NLU pipeline reports it."""
    return {"entity": name, "value": value, "start": start, "end": end}


def said(dispatcher: CollectingDispatcher) -> List[Dict[str, Any]]:
    """What the action uttered: response name and keyword arguments, without the empty defaults."""
    return [
        {k: v for k, v in message.items() if k != "template" and v not in _EMPTY}
        for message in dispatcher.messages
    ]
