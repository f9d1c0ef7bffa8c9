"""The action server keeps the domains the Rasa server sends, named by digest (core/action_protocol.py).

A call that names a kept domain by digest is answered exactly as the call with the domain; one that
names a domain the server does not hold gets a 409 (the Rasa server then sends the domain); calls
without the header are rasa-sdk's protocol, unchanged. The kept dict is shared by the calls that
name it, so no action may change the domain it is given: the last test runs every action on it.
"""

from __future__ import annotations

import asyncio
import copy
import hashlib
import json
from typing import Any, Dict

import pytest

from core.action_protocol import DOMAIN_HEADER, DOMAIN_KEPT_HEADER
from tests.safety.action_calls import AUTH, post, validation_call
from tools.action_server import SHARED_DOMAIN, frozen
from tools.launcher import Stack


def _digest(domain: Dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(domain).encode()).hexdigest()


@pytest.mark.integration
def test_a_kept_domain_named_by_digest_answers_as_the_domain_itself(
    action_server: Stack, domain: Dict[str, Any]
) -> None:
    digest = _digest(domain)
    named = {**AUTH, DOMAIN_HEADER: digest}
    full = post(action_server, validation_call("ann", domain), named)
    assert full.status_code == 200, full.text
    assert full.headers[DOMAIN_KEPT_HEADER] == digest
    slim = post(action_server, validation_call("ann"), named)
    assert slim.status_code == 200, slim.text
    assert slim.headers[DOMAIN_KEPT_HEADER] == digest
    assert slim.json() == full.json()
    # rasa-sdk's protocol: no header, no domain -> an empty domain, a different answer; no header back
    plain = post(action_server, validation_call("ann"), AUTH)
    assert plain.status_code == 200 and DOMAIN_KEPT_HEADER not in plain.headers
    assert plain.json() != full.json()


@pytest.mark.integration
def test_a_domain_the_server_does_not_hold_gets_409_and_nothing_runs_without_the_secret(
    action_server: Stack, domain: Dict[str, Any]
) -> None:
    unknown = {DOMAIN_HEADER: hashlib.sha256(b"another model").hexdigest()}
    refused = post(action_server, validation_call("bob"), {**AUTH, **unknown})
    assert refused.status_code == 409
    assert refused.headers[DOMAIN_KEPT_HEADER] == "unknown"
    assert post(action_server, validation_call("bob"), unknown).status_code == 401  # the secret comes first
    # a malformed digest is no digest: the call is rasa-sdk's
    odd = post(action_server, validation_call("bob"), {**AUTH, DOMAIN_HEADER: "../../etc"})
    assert odd.status_code == 200 and DOMAIN_KEPT_HEADER not in odd.headers


def test_the_kept_domain_cannot_be_changed_and_its_copies_can() -> None:
    kept = frozen({"forms": {"f": {"required_slots": ["a", "b"]}}, "responses": {"utter_x": [{"text": "x"}]}})
    slots = kept["forms"]["f"]["required_slots"]
    changes = [
        lambda: kept.update({}), lambda: kept.pop("forms"), lambda: kept.setdefault("q", 1),
        lambda: kept["responses"].clear(), lambda: slots.append("c"), lambda: slots.remove("a"),
        lambda: slots.sort(), lambda: kept.__setitem__("x", 1), lambda: slots.__delitem__(0),
    ]  # fmt: skip
    for change in changes:
        with pytest.raises(TypeError, match="may read it, not change it"):
            change()
    assert slots == ["a", "b"] and isinstance(kept, dict) and json.loads(json.dumps(kept)) == kept
    mine = copy.deepcopy(kept)
    mine["forms"]["f"]["required_slots"].append("c")  # a copy is the caller's own
    assert kept["forms"]["f"]["required_slots"] == ["a", "b"]


def test_no_action_changes_the_domain_or_the_events_it_is_given(
    domain: Dict[str, Any], store_db_url: str, use_store: Any
) -> None:
    """Every registered action runs on the kept (frozen) domain and events (KeptEvents), with the slots
    and events of a typical conversation."""
    from rasa_sdk.executor import ActionExecutor

    use_store(store_db_url)
    executor = ActionExecutor()
    executor.register_package("actions")
    kept = frozen(domain)
    slots = {
        "order_number": "1001", "order_contact": "ava.shopper@example.com", "verified_order": "1001",
        "product": "zip-hoodie", "size": "M", "color": "Black", "country": "Canada",
    }  # fmt: skip
    events = [
        {"event": "bot", "text": "Which size?", "data": {"buttons": [{"title": "M", "payload": "M"}]}},
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": "is the black hoodie in stock", "parse_data": {
            "intent": {"name": "product_stock", "confidence": 0.9},
            "entities": [{"entity": "product", "value": "zip-hoodie"}, {"entity": "color", "value": "Black"}],
        }},
        {"event": "slot", "name": "product", "value": "zip-hoodie"},
    ]  # fmt: skip
    ran, tripped = 0, []
    for name in sorted(executor.actions):
        call = validation_call("carol", kept)
        call["next_action"] = name
        call["tracker"]["slots"] = dict(slots)
        call["tracker"]["events"] = [frozen(event) for event in [*call["tracker"]["events"], *events]]
        call["tracker"]["latest_message"] = {
            "text": "is the black hoodie in stock",
            "intent": {"name": "product_stock"},
            "intent_ranking": [
                {"name": "product_stock", "confidence": 0.5},
                {"name": "shipping_info", "confidence": 0.3},
            ],
        }
        try:
            asyncio.run(executor.run(call))
            ran += 1
        except Exception as error:  # an action refusing this made-up tracker is fine here
            if SHARED_DOMAIN in str(error):
                tripped.append(name)
    assert tripped == []
    assert domain == json.loads(json.dumps(kept))  # and the domain is still the model's
    assert ran > len(executor.actions) // 2
