"""The console's store side: transfer, release and abandoned claims; canned replies and their
placeholders; private notes; history search; what a verified order still allows."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from store.agent_sessions import SessionPolicy, open_session, revoke_session, signed_in_agents
from store.canned_replies import (
    CannedReplyError,
    delete_canned_reply,
    fill,
    list_canned_replies,
    placeholder_values,
    placeholders_in,
    save_canned_reply,
)
from store.handoff_claims import claims_of, release_handoff, stale_claims, touch_claim, transfer_handoff
from store.handoff_history import search_handoffs
from store.handoff_notes import add_note, latest_note_ids, notes_for
from store.handoffs import add_handoff_message, claim_handoff, create_handoff, get_handoff
from store.order_options import order_options
from tests.store.conftest import NOW

T0 = datetime(2025, 6, 11, 16, 0, tzinfo=timezone.utc)
IDLE = timedelta(minutes=15)
POLICY = SessionPolicy()


def _handoff(session, conversation: str, **context):
    return create_handoff(
        session, conversation_id=conversation, channel="socketio", reason="explicit_request",
        summary=f"summary of {conversation}", context=context, now=T0,
    )  # fmt: skip


def _stale(session, now):
    return [(s.handoff.id, s.why) for s in stale_claims(session, idle=IDLE, policy=POLICY, now=now)]


def test_transfer_and_release_need_the_claim(session):
    handoff = _handoff(session, "desk-transfer")
    assert claim_handoff(session, handoff_id=handoff.id, agent="Sam", now=T0)
    assert not transfer_handoff(session, handoff_id=handoff.id, agent="Kim", to_agent="Lee", now=T0)
    assert transfer_handoff(session, handoff_id=handoff.id, agent="sam", to_agent="Kim", now=T0)
    assert (
        get_handoff(session, handoff_id=handoff.id).claimed_by,
        [h.id for h in claims_of(session, agent="kim")],
    ) == (
        "Kim",
        [handoff.id],
    )
    assert not release_handoff(session, handoff_id=handoff.id, agent="Sam")
    assert release_handoff(session, handoff_id=handoff.id, agent="Kim")
    released = get_handoff(session, handoff_id=handoff.id)
    assert (released.status, released.claimed_by, released.claimed_at) == ("queued", None, None)
    assert claim_handoff(session, handoff_id=handoff.id, agent="Lee", now=T0)


def test_a_claim_is_stale_when_its_agent_signed_out_or_left_the_shopper_waiting(session):
    sam = open_session(session, "Sam", bootstrap=True, now=T0)
    open_session(session, "Kim", bootstrap=True, now=T0)
    quiet, waiting = _handoff(session, "desk-quiet"), _handoff(session, "desk-waiting")
    claim_handoff(session, handoff_id=quiet.id, agent="Kim", now=T0)
    claim_handoff(session, handoff_id=waiting.id, agent="Sam", now=T0)
    later = T0 + timedelta(minutes=10)
    mine = {quiet.id, waiting.id}
    assert [s for s in _stale(session, later) if s[0] in mine] == []

    # Kim answered, then nobody wrote: nobody waits, however long
    touch_claim(session, handoff_id=quiet.id, agent="Kim", now=T0 + timedelta(minutes=1))
    # Sam answered, then the shopper wrote and has waited since
    touch_claim(session, handoff_id=waiting.id, agent="Sam", now=T0 + timedelta(minutes=1))
    add_handoff_message(
        session, handoff_id=waiting.id, sender="shopper", text="hello?", at=T0 + timedelta(minutes=2)
    )
    assert [s for s in _stale(session, T0 + timedelta(minutes=16)) if s[0] in mine] == []
    assert [s for s in _stale(session, T0 + timedelta(minutes=17)) if s[0] in mine] == [(waiting.id, "idle")]

    revoke_session(session, sam, now=T0 + timedelta(minutes=3))
    assert [s for s in _stale(session, T0 + timedelta(minutes=4)) if s[0] in mine] == [
        (waiting.id, "signed_out")
    ]
    assert "Sam" not in signed_in_agents(session, now=T0 + timedelta(minutes=4), policy=POLICY)
    assert "Kim" in signed_in_agents(session, now=T0 + timedelta(minutes=4), policy=POLICY)


def test_a_claim_never_acted_on_is_stale_after_the_idle_time(session):
    open_session(session, "Sam", bootstrap=True, now=T0)
    handoff = _handoff(session, "desk-silent")
    claim_handoff(session, handoff_id=handoff.id, agent="Sam", now=T0)
    assert (handoff.id, "idle") not in _stale(session, T0 + IDLE - timedelta(seconds=1))
    assert (handoff.id, "idle") in _stale(session, T0 + IDLE)


def test_claims_of_api_clients_and_helpdesk_agents_are_left_to_them(session):
    handoffs = [_handoff(session, f"desk-elsewhere-{i}") for i in range(2)]
    for handoff, agent in zip(handoffs, ("integration", "chatwoot:Alex"), strict=True):
        claim_handoff(session, handoff_id=handoff.id, agent=agent, now=T0)
    ids = {h.id for h in handoffs}
    assert [s for s in _stale(session, T0 + timedelta(days=1)) if s[0] in ids] == []


@pytest.mark.parametrize(
    "body,error",
    [
        ("Hi {name}", "unknown placeholder {name}"),
        ("Hi {first_name!r}", "unknown placeholder {first_name}"),
        ("Hi {first_name:>10}", "unknown placeholder {first_name}"),
        ("Hi {first_name", "the braces do not match"),
        ("Hi }", "the braces do not match"),
    ],
)
def test_a_canned_reply_with_an_unknown_or_broken_placeholder_is_refused(body, error):
    with pytest.raises(CannedReplyError, match=error.replace("{", r"\{").replace("}", r"\}")):
        placeholders_in(body)


def test_placeholders_are_filled_or_the_missing_one_is_named():
    context = {
        "shopper": {"name": None, "verified": True},
        "customer": {"name": "Ava Shopper"},
        "orders": [{"number": "1002", "verified": False}, {"number": 1001, "verified": True}],
    }
    values = placeholder_values(context, "Sam")
    assert values == {"first_name": "Ava", "order_number": "1001", "agent_name": "Sam"}
    assert (
        fill("Hi {first_name}, {agent_name} on #{order_number} {{ok}}", values) == "Hi Ava, Sam on #1001 {ok}"
    )
    with pytest.raises(CannedReplyError, match="no first name or order number"):
        fill("Hi {first_name} #{order_number}", placeholder_values({}, "Sam"))


def test_canned_replies_are_saved_listed_changed_and_deleted(session):
    saved = save_canned_reply(session, title="  Where is  it ", body="Hi {first_name}!", agent="Sam", now=T0)
    assert (saved.title, saved.placeholders, saved.created_by) == ("Where is it", ("first_name",), "Sam")
    with pytest.raises(CannedReplyError, match="already called"):
        save_canned_reply(session, title="where is it", body="x", agent="Kim")
    with pytest.raises(CannedReplyError, match="a title is 1 to 80"):
        save_canned_reply(session, title=" ", body="x", agent="Kim")
    changed = save_canned_reply(
        session, title="Where is it", body="Order #{order_number}", agent="Kim", reply_id=saved.id
    )
    assert (changed.id, changed.body, changed.placeholders) == (
        saved.id,
        "Order #{order_number}",
        ("order_number",),
    )
    assert save_canned_reply(session, title="Gone", body="x", agent="Kim", reply_id=999_999) is None
    assert [r.title for r in list_canned_replies(session)].count("Where is it") == 1
    assert delete_canned_reply(session, reply_id=saved.id) and not delete_canned_reply(
        session, reply_id=saved.id
    )


def test_notes_are_kept_apart_from_the_message_log(session):
    handoff = _handoff(session, "desk-notes")
    note = add_note(session, handoff_id=handoff.id, agent="Sam", text=" VIP customer ", now=T0)
    assert [(n.agent, n.text) for n in notes_for(session, handoff_id=handoff.id)] == [("Sam", "VIP customer")]
    assert get_handoff(session, handoff_id=handoff.id).messages == ()
    assert latest_note_ids(session, handoff_ids=[handoff.id]) == {handoff.id: note.id}
    with pytest.raises(LookupError):
        add_note(session, handoff_id=999_999, agent="Sam", text="x")
    with pytest.raises(ValueError):
        add_note(session, handoff_id=handoff.id, agent="Sam", text="   ")


def test_history_search_matches_every_word_anywhere_newest_first(session):
    older = _handoff(session, "desk-history-1", shopper={"email": "zed.history@example.com"})
    newer = create_handoff(
        session, conversation_id="desk-history-2", channel="whatsapp", reason="frustration",
        summary="angry about a parcel", context={}, now=T0 + timedelta(hours=1),
    )  # fmt: skip
    add_handoff_message(session, handoff_id=newer.id, sender="shopper", text="Where is my ZEDPARCEL?", at=T0)
    add_note(session, handoff_id=older.id, agent="Sam", text="zedparcel mix-up", now=T0)

    def found(query, **kwargs):
        return [h.id for h in search_handoffs(session, query=query, **kwargs) if h.id in (older.id, newer.id)]

    assert found("zedparcel") == [newer.id, older.id]
    assert found("zed.history@example") == [older.id]
    assert found("frustration zedparcel") == [newer.id]
    assert found("zedparcel", status="resolved") == []
    assert found("100%_") == []


def test_order_options_are_the_stores_own_rules(session):
    unshipped = order_options(session, order_number="1003", contact="ben.buyer@example.com", now=NOW)
    assert unshipped.change_refusal is None and unshipped.order.number == 1003
    assert all(not item.eligible for item in unshipped.returnable)  # nothing delivered yet
    delivered = order_options(session, order_number="1002", contact="ava.shopper@example.com", now=NOW)
    assert delivered.change_refusal == "already_fulfilled"
    assert delivered.return_reasons and "refund" in delivered.resolutions
    assert order_options(session, order_number="1002", contact="ben.buyer@example.com", now=NOW) is None
