"""Form validators for order status, cancellation and address change, and their confirm prompts.

All three verify the order first (:class:`OrderFormValidator`); cancel and address change then stop
at once, with the reason, when the order has already left the warehouse.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.confirmations import YesNoQuestions, extract_confirmation, read_yes_no
from actions.forms import FLOW_SLOTS, stop_form
from actions.handoff_triggers import order_problem
from actions.order_facts import address_line, order_values
from actions.order_verification import OrderFormValidator, verified_order_view
from actions.store_access import answers_store_failure, query_store
from store.address_lines import POSTAL_CODE_PATTERNS, parse_address_line
from store.codes import OrderStatus
from store.order_views import Address
from store.orders import OrderView
from store.returns import return_policy

CHANGEABLE_STATUS = OrderStatus.UNFULFILLED
"""Only an order nothing has shipped from can be cancelled or sent elsewhere."""

_ANY_POSTAL_CODE = r"[A-Za-z0-9][A-Za-z0-9 \-]{1,9}"


def not_changeable(
    order: OrderView, dispatcher: CollectingDispatcher, response_prefix: str
) -> Optional[List[EventType]]:
    """When the order can no longer change, say why (``<prefix>_shipped|_cancelled``) and stop the form.

    A shipped order the shopper wanted to change is a problem: a high-value one goes to a person.
    """
    if order.status is CHANGEABLE_STATUS:
        return None
    if order.status is OrderStatus.CANCELLED:
        dispatcher.utter_message(response=f"{response_prefix}_cancelled", **order_values(order))
        return stop_form()
    dispatcher.utter_message(response=f"{response_prefix}_shipped", **order_values(order))
    return [*stop_form(), *order_problem(order)]


async def _order_country(tracker: Tracker) -> str:
    """The verified order's shipping country ("" when it is not known)."""
    order = await verified_order_view(tracker)
    return (order.shipping_address.country or order.shipping_country or "") if order else ""


def _messages_of_this_flow(tracker: Tracker, form: str) -> List[str]:
    """The shopper's messages since ``form`` started, newest first, with the one that started it."""
    texts: List[str] = []
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            texts.append(str(event.get("text") or ""))
        elif event.get("event") == "active_loop" and event.get("name") == form:
            # the message that started the form comes just before its activation
            for earlier in reversed(tracker.events[: tracker.events.index(event)]):
                if earlier.get("event") == "user":
                    texts.append(str(earlier.get("text") or ""))
                    break
            return texts
    return texts[:1]


async def _address_given_earlier(tracker: Tracker) -> List[EventType]:
    """The new address's slots when the shopper already typed a whole address in this flow.

    "Send it to 350 Fifth Ave, New York, NY 10118 instead" starts the address change with the
    address in it; once the order is verified the form goes straight to the confirmation instead
    of asking for the street, the city and the postal code again.
    """
    country = await _order_country(tracker)
    for text in _messages_of_this_flow(tracker, "change_address_form"):
        whole = parse_address_line(" ".join(text.split()), country)
        if whole is not None:
            values = {
                "new_address1": whole.address1,
                "new_city": whole.city_with_region,
                "new_postal_code": whole.postal_code,
            }
            return [SlotSet(name, value) for name, value in values.items()]
    return []


async def _whole_address_typed(tracker: Tracker) -> Optional[Dict[str, Any]]:
    """Street, city and postal code when the shopper's latest message is a whole address.

    Read from the message itself, not from the slot being asked for: at the postal-code question
    the domain's ``postal_code`` entity would otherwise keep only the code of a pasted address.
    Whichever of the three questions it answers, the form then goes straight to the confirmation,
    which shows the whole new address back.
    """
    text = " ".join(str((tracker.latest_message or {}).get("text") or "").split())
    whole = parse_address_line(text, await _order_country(tracker))
    if whole is None:
        return None
    return {
        "new_address1": whole.address1,
        "new_city": whole.city_with_region,
        "new_postal_code": whole.postal_code,
    }


ADDRESS_QUESTIONS = ("new_address1", "new_city", "new_postal_code")


def declines_the_change(tracker: Tracker) -> bool:
    """A plain no at an address question ("no, leave it", "nah keep the old one"): no address in it."""
    message = tracker.latest_message or {}
    text = str(message.get("text") or "")
    intent = (message.get("intent") or {}).get("name")
    return intent == "deny" and not re.search(r"\d", text) and read_yes_no(text) is False


def keep_the_address(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
    """Say the address stays as it is and end the form, forgetting this run's answers."""
    dispatcher.utter_message(response="utter_address_kept")
    slots = {slot for slot in FLOW_SLOTS if tracker.get_slot(slot) is not None} | set(ADDRESS_QUESTIONS)
    return [*(SlotSet(slot, None) for slot in sorted(slots)), *stop_form()]


def new_address(tracker: Tracker, order: OrderView) -> Address:
    """The address the shopper gave, in the order's country (moving abroad is not offered)."""
    city_text = str(tracker.get_slot("new_city") or "")
    city, _, region = city_text.partition(",")
    return Address(
        address1=str(tracker.get_slot("new_address1") or ""),
        city=city.strip(),
        region=region.strip() or order.shipping_address.region,
        postal_code=str(tracker.get_slot("new_postal_code") or ""),
        country=order.shipping_address.country or order.shipping_country or "",
        name=order.shipping_address.name,
        phone=order.shipping_address.phone,
    )


CHANGES_ITEMS = re.compile(
    r"\b(?:sizes?|colou?rs?|items?|products?|add|adding|remov\w*|take \w+ (?:off|out)|swap\w*|switch\w*"
    r"|quantit\w*|one more|another one|extra one)\b",
    re.IGNORECASE,
)
"""Words of a change to what an order holds rather than to where it goes."""
NAMES_THE_ADDRESS = re.compile(
    r"\b(?:ad+res+\w*|addy|addr|post ?codes?|postal|zip|street|apartment|apt|flat|building|city|town|house"
    r"|home|office|work|place|where|redirect\w*|mov(?:e|ed|ing)|relocat\w*|sent|send"
    r"|(?:deliver|ship)\w* (?:it |them )?to|(?:delivery|shipping) (?:address|details|info\w*)"
    r"|courier|parcel|package|pickup point)\b",
    re.IGNORECASE,
)
"""Words of a change to where an order goes."""
CANCELS = re.compile(r"\bcancel\w*", re.IGNORECASE)
BARE_CHANGE_WORDS = frozenset({
    "hi", "hey", "hello", "please", "pls", "can", "could", "may", "i", "i'd", "id", "want", "need", "would",
    "like", "to", "change", "edit", "modify", "amend", "update", "alter", "my", "an", "the", "a", "order",
    "it", "is", "possible", "how", "do", "make", "changes", "something",
})  # fmt: skip
"""Every word of a change request that says not what should change ("can I change my order?")."""


def changes_items(text: str) -> bool:
    """Whether a request to change an order is about its items (a size, a colour, adding or removing
    one) and not about where it goes nor a cancellation of the whole order."""
    return (
        bool(CHANGES_ITEMS.search(text)) and not NAMES_THE_ADDRESS.search(text) and not CANCELS.search(text)
    )


def says_not_what_to_change(text: str) -> bool:
    """Whether a change request names nothing to change: "can I change my order?", "edit order"."""
    words = re.findall(r"[a-z']+\??", text.lower())
    return bool(words) and {w.rstrip("?") for w in words} <= BARE_CHANGE_WORDS and "order" in text.lower()


def _first_request(tracker: Tracker, intent: str) -> Optional[str]:
    """The typed message that started the form (its own intent, no question asked yet), else None."""
    latest = tracker.latest_message or {}
    text = str(latest.get("text") or "")
    if tracker.get_slot("requested_slot") is not None or not text.strip() or text.startswith("/"):
        return None
    return text if (latest.get("intent") or {}).get("name") == intent else None


def _entities_of_an_address(tracker: Tracker) -> bool:
    """Whether the message holds an order number or a part of an address the classifier found."""
    wanted = {"order_number", "postal_code", "city", "country", "address"}
    return any(e.get("entity") in wanted for e in (tracker.latest_message or {}).get("entities") or [])


ORDER = re.compile(r"\border\w*|\bbought\b|\bpurchase\w*", re.IGNORECASE)


def asks_to_change_items(text: str) -> bool:
    """Whether a message asks to change the items of an order ("can I add something to my order?")."""
    return bool(ORDER.search(text)) and changes_items(text)


async def utter_item_change(dispatcher: CollectingDispatcher) -> None:
    """The assistant cannot change an order's items: who can before it ships, and the exchange after."""
    policy = await query_store(return_policy)
    dispatcher.utter_message(response="utter_order_items_change", window_days=str(policy.window_days))


async def answer_item_change(dispatcher: CollectingDispatcher) -> List[EventType]:
    """:func:`utter_item_change`, and the form that read the request as its own ends."""
    await utter_item_change(dispatcher)
    return stop_form()


class ValidateOrderStatusForm(OrderFormValidator):
    """Order number and contact for "where is my order"."""

    def name(self) -> str:
        return "validate_order_status_form"


class ValidateCancelOrderForm(YesNoQuestions, OrderFormValidator):
    """Verify, check the order has not shipped, then ask for confirmation."""

    yes_no_slots = frozenset({"cancel_confirmed"})

    def name(self) -> str:
        return "validate_cancel_order_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        """ "Can I remove an item from my order?" or "can I change the size on my order?" read as a
        cancellation, but ask to change the order's items: that is answered, nothing is cancelled."""
        request = _first_request(tracker, "cancel_order")
        if request is not None and changes_items(request):
            return await answer_item_change(dispatcher)
        return await super().run(dispatcher, tracker, domain)

    async def after_verification(
        self, order: OrderView, contact: str, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> List[EventType]:
        return not_changeable(order, dispatcher, "utter_cannot_cancel") or []

    async def extract_cancel_confirmed(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """Reads "sure, go ahead", "nah keep it", or asking to cancel again (a yes)."""
        return extract_confirmation(tracker, "cancel_confirmed", frozenset({"cancel_order"}))


class ValidateChangeAddressForm(YesNoQuestions, OrderFormValidator):
    """Verify, check the order has not shipped, then take the new street, city and postal code."""

    yes_no_slots = frozenset({"address_confirmed"})

    def name(self) -> str:
        return "validate_change_address_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        """A plain no where the new address is asked for ends the change: nothing is changed.

        A first request that names no address asks to change something else: the items ("can I
        change the size on my order?") are answered at once, and a bare "can I change my order?"
        is asked what should change.
        """
        if tracker.get_slot("requested_slot") in ADDRESS_QUESTIONS and declines_the_change(tracker):
            return keep_the_address(dispatcher, tracker)
        request = _first_request(tracker, "change_address")
        if request is not None and not _entities_of_an_address(tracker):
            if changes_items(request):
                return await answer_item_change(dispatcher)
            if says_not_what_to_change(request):
                dispatcher.utter_message(response="utter_order_change_which")
                return stop_form()
        return await super().run(dispatcher, tracker, domain)

    async def after_verification(
        self, order: OrderView, contact: str, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> List[EventType]:
        refused = not_changeable(order, dispatcher, "utter_cannot_change_address")
        if refused is not None:
            return refused
        if tracker.get_slot("new_address1"):
            return []
        return await _address_given_earlier(tracker)

    async def extract_address_confirmed(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """Reads "yes that's right", "no, leave it as it is", or asking for the change again (a yes)."""
        return extract_confirmation(tracker, "address_confirmed", frozenset({"change_address"}))

    async def validate_new_address1(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """A whole address on one line fills street, city and postal code at once; else a street line.

        A street line alone needs a house number and a name.
        """
        whole = await _whole_address_typed(tracker)
        if whole is not None:
            return whole
        text = " ".join(str(value or "").split())
        if len(text) < 5 or not re.search(r"\d", text) or not re.search(r"[A-Za-z]{2}", text):
            dispatcher.utter_message(response="utter_new_address1_invalid")
            return {"new_address1": None}
        return {"new_address1": text}

    async def validate_new_city(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """A town name, optionally followed by a state (``Portland, OR``); or a whole address again."""
        whole = await _whole_address_typed(tracker)
        if whole is not None:
            return whole
        text = " ".join(str(value or "").split())
        if not re.fullmatch(r"[^\d,]{2,60}(, ?[^\d,]{2,30})?", text):
            dispatcher.utter_message(response="utter_new_city_invalid")
            return {"new_city": None}
        return {"new_city": text}

    async def validate_new_postal_code(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """A postal code in the shape the order's country uses; or a whole address again."""
        whole = await _whole_address_typed(tracker)
        if whole is not None:
            return whole
        text = " ".join(str(value or "").split()).upper()
        order = await verified_order_view(tracker)
        country = (order.shipping_address.country if order else "") or ""
        if not re.fullmatch(POSTAL_CODE_PATTERNS.get(country, _ANY_POSTAL_CODE), text):
            dispatcher.utter_message(response="utter_new_postal_code_invalid")
            return {"new_postal_code": None}
        return {"new_postal_code": text}


class ActionAskCancelConfirmed(Action):
    """Show what will be cancelled and refunded, and ask."""

    def name(self) -> str:
        return "action_ask_cancel_confirmed"

    @answers_store_failure()
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        order = await verified_order_view(tracker)
        if order is not None:
            dispatcher.utter_message(response="utter_ask_cancel_confirmed", **order_values(order))
        return []


class ActionAskAddressConfirmed(Action):
    """Show the old and new address, and ask."""

    def name(self) -> str:
        return "action_ask_address_confirmed"

    @answers_store_failure()
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        order = await verified_order_view(tracker)
        if order is not None:
            values = {**order_values(order), "new_address": address_line(new_address(tracker, order))}
            dispatcher.utter_message(response="utter_ask_address_confirmed", **values)
        return []
