"""Every action answers a store outage with the one failure policy, never with an exception.

Each action of the action server runs with the store down and a conversation in which every slot
an action might need is filled (so each one reaches the store). An action whose ``run`` lets
:class:`StoreUnavailable` escape would leave the shopper with silence; the policy
(``answers_store_failure``) answers with ``utter_store_unavailable`` instead.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from typing import List, Type

import pytest
from rasa_sdk import Action, FormValidationAction
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

import actions
from actions.handoff import ActionHandoff
from tests.support.trackers import DOMAIN, make_tracker, said

ANSWERS_ITSELF = {ActionHandoff}
"""The handoff says "the handoff failed" with the support email: offering a person would loop."""

SLOTS = {
    "order_number": "1003", "verified_order": "1003", "order_contact": "ben.buyer@example.com",
    "cancel_confirmed": True, "address_confirmed": True, "new_address1": "1 Main St", "new_city": "Boston",
    "new_postal_code": "02110", "return_confirmed": True, "return_items": [1], "return_reason": "too_small",
    "return_resolution": "refund", "product": "zip-hoodie", "size": "M", "color": "Navy", "height": "178 cm",
    "country": "Canada", "discount_code": "WELCOME10",
}  # fmt: skip


def plain_actions() -> List[Type[Action]]:
    """Every concrete action of the action server other than the form validators."""
    for module in pkgutil.iter_modules(actions.__path__):
        importlib.import_module(f"actions.{module.name}")
    found = {
        cls
        for module in list(vars(actions).values())
        if inspect.ismodule(module)
        for _, cls in inspect.getmembers(module, inspect.isclass)
        if issubclass(cls, Action) and cls.__module__.startswith("actions.") and not inspect.isabstract(cls)
    }
    return sorted(
        (cls for cls in found if not issubclass(cls, FormValidationAction) and cls not in ANSWERS_ITSELF),
        key=lambda cls: cls.__name__,
    )


@pytest.mark.parametrize("action", plain_actions(), ids=lambda cls: cls.__name__)
async def test_a_store_outage_gets_the_apology_not_an_exception(
    action: Type[Action], store_down: None
) -> None:
    dispatcher = CollectingDispatcher()
    events = await action().run(dispatcher, make_tracker(slots=SLOTS, intent="inform"), DOMAIN)
    failed = SlotSet("handoff_reason", "action_failed") in events
    assert failed == ({"response": "utter_store_unavailable"} in said(dispatcher))


def test_the_check_covers_the_actions_that_read_the_store() -> None:
    names = {cls.__name__ for cls in plain_actions()}
    assert {"ActionCancelOrder", "ActionSubmitReturn", "ActionOrderStatus", "ActionProductSearch"} <= names
