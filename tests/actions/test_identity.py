"""actions.identity: a channel-verified shopper counts only on the channel that proved it."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from actions import identity
from tests.actions.order_support import make_tracker, whatsapp
from tests.support.trackers import tracker_from_events

WEB_BEN = {"shopper": {"channel": "web", "proved_by": "socketio", "verified_email": "ben@example.com"}}


def test_whatsapp_phone_is_read_from_the_latest_message() -> None:
    tracker = make_tracker(metadata=whatsapp("+1 415 555 0101"))
    assert identity.verified_phone(tracker) == "+1 415 555 0101"
    assert identity.verified_email(tracker) is None
    assert identity.verified_contacts(tracker) == ["+1 415 555 0101"]
    assert identity.shopper_name(tracker) == "Ava"


def test_signed_in_email_comes_before_the_phone() -> None:
    metadata = {
        "shopper": {
            "channel": "web", "proved_by": "socketio", "verified_email": " ava@example.com ",
            "verified_phone": "+15550100",
        }
    }  # fmt: skip
    assert identity.verified_contacts(make_tracker(metadata=metadata)) == ["ava@example.com", "+15550100"]


def test_a_proof_counts_only_on_the_channel_that_made_it() -> None:
    # the WhatsApp channel's record, on a message that arrived over REST (or any other channel)
    for channel in ("rest", "socketio", "twilio"):
        assert (
            identity.verified_contacts(make_tracker(metadata=whatsapp("+14155550101"), input_channel=channel))
            == []
        )
    # a record that names no channel proves nothing (a client cannot have made it count before)
    unnamed = {"shopper": {"channel": "whatsapp", "verified_phone": "+14155550101"}}
    assert identity.verified_contacts(make_tracker(metadata=unnamed, input_channel="whatsapp")) == []


def test_session_metadata_counts_only_on_its_own_channel() -> None:
    on_widget = make_tracker(slots={"session_started_metadata": WEB_BEN}, input_channel="socketio")
    assert identity.verified_email(on_widget) == "ben@example.com"
    on_rest = make_tracker(slots={"session_started_metadata": WEB_BEN}, input_channel="rest")
    assert identity.verified_email(on_rest) is None


def _user(input_channel: str, metadata: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
    parse = {"intent": {"name": "order_status", "confidence": 1.0}, "entities": [], "text": "where is it"}
    return {
        "event": "user", "text": "where is it", "parse_data": parse, "metadata": metadata or {},
        "input_channel": input_channel,
    }  # fmt: skip


def test_a_rest_message_in_a_whatsapp_conversation_is_not_the_phone_verified_shopper() -> None:
    # The conversation started on WhatsApp (its session metadata names the number Meta signed
    # for); a later message without metadata that arrived over REST must not inherit it.
    events: List[Dict[str, Any]] = [_user("whatsapp", whatsapp("+14155550101")), _user("rest")]
    tracker = tracker_from_events(events, slots={"session_started_metadata": whatsapp("+14155550101")})
    assert identity.verified_contacts(tracker) == []
    assert identity.shopper(tracker) == {}


def test_no_or_malformed_shopper_proves_nothing() -> None:
    assert identity.verified_contacts(make_tracker()) == []
    assert identity.verified_contacts(make_tracker(metadata={"shopper": "ava@example.com"})) == []
    for record in ({"verified_phone": 15550100}, {"verified_email": "  "}):
        metadata = {"shopper": {"proved_by": "socketio", **record}}
        assert identity.verified_contacts(make_tracker(metadata=metadata)) == []


def test_page_context_without_a_shopper_is_not_identity() -> None:
    tracker = make_tracker(metadata={"page": {"product": "harbor-rain-shell"}, "cart": []})
    assert identity.message_metadata(tracker) == {"page": {"product": "harbor-rain-shell"}, "cart": []}
    assert identity.shopper(tracker) == {}


def test_the_client_address_is_read_from_the_latest_message_only() -> None:
    client = {"client": {"channel": "rest", "address": "203.0.113.7"}}
    assert identity.client_address(make_tracker(metadata=client)) == "rest:203.0.113.7"
    assert identity.client_address(make_tracker(slots={"session_started_metadata": client})) is None
    assert identity.client_address(make_tracker(metadata={"client": "203.0.113.7"})) is None
