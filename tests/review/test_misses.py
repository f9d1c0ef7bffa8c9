"""storefront.review.misses: the misses of conversations saved by Rasa's own SQL tracker store."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Optional

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, Event, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from storefront.review.misses import Miss, find_misses, miss_by_id, predicted_intent


def said(
    text: str, intent: str, confidence: float, runner_up: Optional[str] = None, at: float = 1.0
) -> UserUttered:
    ranking: List[Dict[str, Any]] = [{"name": intent, "confidence": confidence}]
    if runner_up:
        ranking.append({"name": runner_up, "confidence": 0.31})
    parse = {"intent": ranking[0], "intent_ranking": ranking, "entities": [], "text": text}
    return UserUttered(text, intent=ranking[0], parse_data=parse, timestamp=at)


def acted(name: str, at: float = 1.0) -> ActionExecuted:
    return ActionExecuted(name, timestamp=at)


async def _saved(url: str, conversations: Dict[str, List[Event]]) -> None:
    store = SQLTrackerStore(Domain.empty(), db=url.split("///")[1], dialect="sqlite")
    for sender, events in conversations.items():
        await store.save(DialogueStateTracker.from_events(sender, events))


async def test_fallbacks_low_confidence_and_the_message_before_a_handoff(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    await _saved(url, {
        "ana": [
            said("where is my order", "order_status", 0.97, at=100),  # fine: not a miss
            said("do u do gift wrap", "nlu_fallback", 0.4, runner_up="product_search", at=101),
            acted("action_default_fallback", at=101),
            said("hmm maybe the blue one", "product_search", 0.52, at=102),
        ],
        "ben": [
            said("my parcel came soaked", "order_status", 0.88, at=200),  # led to the handoff
            said("/human_handoff", "human_handoff", 1.0, at=201),  # a button: skipped
            said("get me a human", "human_handoff", 0.99, at=202),  # the request itself: skipped
            acted("action_handoff", at=202),
        ],
        "cal": [
            said("it came soaked and torn", "order_status", 0.55, at=300),  # unsure, then handed off
            acted("action_handoff", at=301),
        ],
        "old": [said("ancient history", "nlu_fallback", 0.3, runner_up="greet", at=5)],
    })  # fmt: skip
    engine = sa.create_engine(url)

    misses = find_misses(engine, since=50)

    assert [(m.conversation_id, m.text, m.intent, m.reason) for m in misses] == [
        ("cal", "it came soaked and torn", "order_status", "handoff"),  # the stronger reason
        ("ben", "my parcel came soaked", "order_status", "handoff"),
        ("ana", "hmm maybe the blue one", "product_search", "low_confidence"),
        ("ana", "do u do gift wrap", "product_search", "fallback"),  # the intent behind the fallback
    ]
    assert misses[3].confidence == 0.31
    again = miss_by_id(engine, misses[1].message_id)
    assert again == Miss(
        misses[1].message_id, "ben", "my parcel came soaked", "order_status", 0.88, "labelled", 200
    )
    assert miss_by_id(engine, 10_000) is None


def test_no_tracker_table_means_no_misses(tmp_path: Path) -> None:
    assert find_misses(sa.create_engine(f"sqlite:///{tmp_path / 'empty.db'}"), since=0) == []


def test_predicted_intent_of_a_fallback_without_a_ranking() -> None:
    assert predicted_intent({"intent": {"name": "nlu_fallback", "confidence": 0.3}}) == (None, 0.0)
    assert predicted_intent({"intent": {"name": "greet", "confidence": 0.9}}) == ("greet", 0.9)
