"""actions.identity: reading the channel-verified shopper from message or session metadata."""

from __future__ import annotations

from actions import identity
from tests.actions.order_support import make_tracker, whatsapp


def test_whatsapp_phone_is_read_from_the_latest_message() -> None:
    tracker = make_tracker(metadata=whatsapp("+1 415 555 0101"))
    assert identity.verified_phone(tracker) == "+1 415 555 0101"
    assert identity.verified_email(tracker) is None
    assert identity.verified_contacts(tracker) == ["+1 415 555 0101"]
    assert identity.shopper_name(tracker) == "Ava"


def test_signed_in_email_comes_before_the_phone() -> None:
    metadata = {
        "shopper": {"channel": "web", "verified_email": " ava@example.com ", "verified_phone": "+15550100"}
    }
    assert identity.verified_contacts(make_tracker(metadata=metadata)) == ["ava@example.com", "+15550100"]


def test_session_metadata_is_the_fallback() -> None:
    tracker = make_tracker(
        slots={"session_started_metadata": {"shopper": {"verified_email": "ben@example.com"}}}
    )
    assert identity.verified_email(tracker) == "ben@example.com"


def test_no_or_malformed_shopper_proves_nothing() -> None:
    assert identity.verified_contacts(make_tracker()) == []
    assert identity.verified_contacts(make_tracker(metadata={"shopper": "ava@example.com"})) == []
    assert identity.verified_contacts(make_tracker(metadata={"shopper": {"verified_phone": 15550100}})) == []
    assert identity.verified_contacts(make_tracker(metadata={"shopper": {"verified_email": "  "}})) == []


def test_page_context_without_a_shopper_is_not_identity() -> None:
    tracker = make_tracker(metadata={"page": {"product": "harbor-rain-shell"}, "cart": []})
    assert identity.message_metadata(tracker) == {"page": {"product": "harbor-rain-shell"}, "cart": []}
    assert identity.shopper(tracker) == {}
