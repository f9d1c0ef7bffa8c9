"""The handoff queue: create, claim exactly once (also concurrently), messages, resolve."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

from sqlalchemy import delete

from store.db import session_scope
from store.handoffs import (
    add_handoff_message,
    claim_handoff,
    create_handoff,
    get_handoff,
    list_handoffs,
    open_handoff_for,
    resolve_handoff,
)
from store.models import Handoff

T0 = datetime(2025, 6, 11, 16, 0, tzinfo=timezone.utc)


def test_lifecycle(session):
    created = create_handoff(
        session,
        conversation_id="conv-1",
        channel="socketio",
        reason="explicit_request",
        summary="Wants to change size",
        context={"slots": {"order_number": "1001"}},
        now=T0,
    )
    assert (created.status, created.offline, created.context) == (
        "queued",
        False,
        {"slots": {"order_number": "1001"}},
    )
    assert (
        create_handoff(
            session, conversation_id="conv-1", channel="socketio", reason="again", summary="", context={}
        ).id
        == created.id
    )
    assert [h.id for h in list_handoffs(session, status="queued") if h.conversation_id == "conv-1"] == [
        created.id
    ]
    add_handoff_message(
        session, handoff_id=created.id, sender="shopper", text="hello?", at=T0 + timedelta(minutes=1)
    )
    assert claim_handoff(session, handoff_id=created.id, agent="sam", now=T0 + timedelta(minutes=2))
    assert not claim_handoff(session, handoff_id=created.id, agent="alex")
    add_handoff_message(
        session, handoff_id=created.id, sender="agent:sam", text="Hi, Sam here", at=T0 + timedelta(minutes=3)
    )
    claimed = get_handoff(session, handoff_id=created.id)
    assert (claimed.status, claimed.claimed_by) == ("claimed", "sam")
    assert [(m.sender, m.text) for m in claimed.messages] == [
        ("shopper", "hello?"),
        ("agent:sam", "Hi, Sam here"),
    ]
    assert open_handoff_for(session, conversation_id="conv-1").id == created.id
    assert resolve_handoff(session, handoff_id=created.id, agent="sam")
    assert not resolve_handoff(session, handoff_id=created.id, agent="sam")
    assert open_handoff_for(session, conversation_id="conv-1") is None
    assert get_handoff(session, handoff_id=created.id).resolved_by == "sam"
    assert get_handoff(session, handoff_id=987654) is None


def test_message_to_unknown_handoff_raises(session):
    try:
        add_handoff_message(session, handoff_id=987654, sender="shopper", text="hi")
    except LookupError:
        return
    raise AssertionError("expected LookupError")


def test_two_concurrent_claims_one_wins(store_engine):
    with session_scope(store_engine) as db:
        handoff_id = create_handoff(
            db, conversation_id="race", channel="rest", reason="test", summary="", context={}, now=T0
        ).id
    barrier, wins = threading.Barrier(2), []

    def claim(agent: str) -> None:
        barrier.wait(timeout=10)
        with session_scope(store_engine) as db:
            wins.append((agent, claim_handoff(db, handoff_id=handoff_id, agent=agent)))

    threads = [threading.Thread(target=claim, args=(name,)) for name in ("sam", "alex")]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert sorted(won for _, won in wins) == [False, True]
        winner = next(agent for agent, won in wins if won)
        with session_scope(store_engine) as db:
            assert get_handoff(db, handoff_id=handoff_id).claimed_by == winner
    finally:
        with session_scope(store_engine) as db:
            db.execute(
                delete(Handoff).where(Handoff.id == handoff_id).execution_options(synchronize_session=False)
            )
