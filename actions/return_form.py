"""The return form: verify the order, pick items, reason, condition, refund or exchange, confirm.

Items, reasons and resolutions arrive as text (``from_text`` slots: button payloads are the button
labels, so typing works as well as tapping); this module reads them back against the store.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Tuple

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.confirmations import YesNoQuestions, extract_confirmation, read_yes_no
from actions.forms import stop_form
from actions.handoff_triggers import COUNTER_SLOT, order_problem
from actions.order_forms import answer_item_change, changes_items
from actions.order_verification import OrderFormValidator, verified_order_view
from actions.return_choices import (
    ENDS_THE_FORM,
    NO_CONDITION_CHECK_REASONS,
    is_short_answer,
    items_named,
    match_items,
    parse_resolution,
    parse_return_reason,
    refuse_items,
    resolution_answer,
    stated_preference,
    stated_reason,
    store_fault,
)
from actions.store_access import query_store
from store.orders import LineItemView, OrderView
from store.returns import ItemEligibility, return_eligibility, return_policy
from store.stock import variant_stock

EARLIER_QUESTIONS = ("return_items", "return_reason", "return_condition")
"""The questions the form asks before refund-or-exchange."""

PREFERENCE_NOTED = {
    "refund": "utter_return_preference_refund",
    "store_credit": "utter_return_preference_store_credit",
    "exchange": "utter_return_preference_exchange",
}
"""What the shopper hears when they name a resolution before the form asks for it."""


async def eligibility_for(tracker: Tracker) -> Optional[List[ItemEligibility]]:
    """Per-item eligibility of the verified order (None when it is not verified)."""
    number, contact = tracker.get_slot("verified_order"), tracker.get_slot("order_contact")
    if not number or not contact:
        return None
    return await query_store(return_eligibility, order_number=number, contact=contact)


async def early_preference(tracker: Tracker) -> Optional[Tuple[str, bool]]:
    """A resolution named at an earlier question ("refund please" at "are they unworn?").

    Returns the resolution and whether the message also answers the question asked ("too small,
    refund please" does), or None. An exchange counts once a single item is chosen (exchanges go
    one item at a time, the resolution question says so).
    """
    asked = tracker.get_slot("requested_slot")
    chosen_before = tracker.get_slot("return_resolution") is not None and (
        "return_resolution" not in tracker.slots_to_validate()  # not just extracted from this message
    )
    if asked not in EARLIER_QUESTIONS or chosen_before:
        return None
    message = tracker.latest_message or {}
    text = str(message.get("text") or "")
    resolution = stated_preference(text, (message.get("intent") or {}).get("name"))
    if resolution is None:
        return None
    if resolution == "exchange" and len(tracker.get_slot("return_items") or []) != 1:
        return None
    if asked == "return_condition":
        answered = read_yes_no(text) is not None
    elif asked == "return_reason":
        policy = await query_store(return_policy)
        answered = parse_return_reason(text, policy.reasons) != "other"
    else:
        answered = bool(match_items(text, await eligibility_for(tracker) or []))
    return resolution, answered


async def only_a_preference(tracker: Tracker) -> bool:
    """The message names a resolution and does not answer the earlier question asked."""
    preference = await early_preference(tracker)
    return preference is not None and not preference[1]


def _not_an_answer(tracker: Tracker, slot: str) -> Dict[str, Any]:
    """``slot`` left empty for the question to be asked again, and no failure counted: the
    shopper said something else the form takes (their failure count is set as it stands)."""
    return {slot: None, COUNTER_SLOT: tracker.get_slot(COUNTER_SLOT)}


NAMES_A_RETURN = re.compile(
    r"\b(?:return\w*|send\w* (?:it |them )?back|exchang\w*|refund\w*)\b", re.IGNORECASE
)
"""Words of a return or an exchange, which the return form takes."""
IN_THE_ORDER = re.compile(r"\b(?:in|on|to|from|of) (?:my|the|this|our|an?) order\b", re.IGNORECASE)
"""The order as what holds the items ("an item in my order"), not "the jacket I ordered"."""


class ValidateReturnForm(YesNoQuestions, OrderFormValidator):
    """Validates the return form's slots (order verification comes from the base class)."""

    yes_no_slots = frozenset({"return_condition", "return_confirmed"})

    def name(self) -> str:
        return "validate_return_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        """ "I ordered the wrong colour, can I swap it?" reads as a return but asks to change the
        order's items, which may not have shipped: who can change them, and the exchange after
        delivery, are said instead of starting a return (:func:`actions.order_forms.changes_items`)."""
        latest = tracker.latest_message or {}
        text = str(latest.get("text") or "")
        first = (
            tracker.get_slot("requested_slot") is None
            and (latest.get("intent") or {}).get("name") == "start_return"
        )
        if first and IN_THE_ORDER.search(text) and changes_items(text) and not NAMES_A_RETURN.search(text):
            return await answer_item_change(dispatcher)
        return await super().run(dispatcher, tracker, domain)

    async def required_slots(
        self, domain_slots: List[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[str]:
        """Skip the condition question for the store's own faults, and the new variant for refunds."""
        slots = list(domain_slots)
        if tracker.slots.get("return_reason") in NO_CONDITION_CHECK_REASONS and "return_condition" in slots:
            slots.remove("return_condition")
        if tracker.slots.get("return_resolution") != "exchange" and "exchange_choice" in slots:
            slots.remove("exchange_choice")
        return slots

    async def after_verification(
        self, order: OrderView, contact: str, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> List[EventType]:
        """Nothing on the order can go back: say why for each item and end the form."""
        items = await query_store(return_eligibility, order_number=str(order.number), contact=contact)
        if items and any(item.eligible for item in items):
            return await self._already_said(tracker, items, dispatcher)
        refuse_items(dispatcher, items or [])
        return [*stop_form(), *order_problem(order)]

    @staticmethod
    async def _already_said(
        tracker: Tracker, items: List[ItemEligibility], dispatcher: CollectingDispatcher
    ) -> List[EventType]:
        """What the shopper said while asking to return answers the form's questions ahead.

        "These sneakers are a bit tight, can I swap them?" chooses the sneakers, gives the reason
        (too small) and the exchange, so the form goes on to what is still open. Items come only
        from catalog words, reasons and resolutions from the same readings as typed answers; the
        confirmation at the end lists the items and the resolution, so a wrong reading is caught
        there. A named item that cannot go back is explained at once.
        """
        said = _since_the_return_request(tracker)
        if not said:
            return []
        events: List[EventType] = []
        named = [] if tracker.get_slot("return_items") else items_named(said, items)
        refuse_items(dispatcher, [item for item in named if not item.eligible])
        accepted = [item.line_item_id for item in named if item.eligible]
        if accepted:
            events.append(SlotSet("return_items", accepted))
        # addresses and links say nothing about the return ("tall.and.small@..." is not "too small")
        text = _NOT_WORDS.sub(" ", " ".join(str(message.get("text") or "") for message in said))
        if not tracker.get_slot("return_reason"):
            policy = await query_store(return_policy)
            # the store's own faults skip the condition check: read them as the opening message's
            # fault is read (whole words: a "trip" is no "rip"), the other reasons only as stated
            # in whole phrases ("way too big", never "the shorts" or "I'm looking to return")
            others = [code for code in policy.reasons if code not in NO_CONDITION_CHECK_REASONS]
            reason = store_fault(text, policy.reasons)
            if reason is None and others:
                reason = stated_reason(text, others)
            if reason:
                events.append(SlotSet("return_reason", reason))
        chosen = accepted or tracker.get_slot("return_items") or []
        resolution = parse_resolution(text)
        if resolution == "exchange" and len(chosen) != 1:
            resolution = None  # an exchange swaps one known item: the form asks
        if resolution and not tracker.get_slot("return_resolution"):
            events.append(SlotSet("return_resolution", resolution))
        return events

    async def validate_return_items(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """Match the shopper's choice to line items; explain any that cannot go back."""
        items = await eligibility_for(tracker)
        if not items:
            return {"return_items": None}
        if await only_a_preference(tracker):
            return _not_an_answer(tracker, "return_items")
        text = " ".join(value) if isinstance(value, list) else str(value or "")
        if text and all(part.isdigit() for part in text.replace(",", " ").split()):
            # the slot was already validated into line item ids (a re-validation)
            wanted = {int(part) for part in text.replace(",", " ").split()}
            chosen = [item for item in items if item.line_item_id in wanted]
        else:
            chosen = match_items(text, items)
        if not chosen:
            dispatcher.utter_message(response="utter_return_items_unclear")
            return {"return_items": None}
        refused = [item for item in chosen if not item.eligible]
        refuse_items(dispatcher, refused)
        accepted = [item.line_item_id for item in chosen if item.eligible]
        return {"return_items": accepted or None}

    async def validate_return_reason(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """Map what the shopper said to one of the store's reason codes; a bare yes or no is
        no reason ("yes" where the reason was asked), and the question is asked again."""
        if await only_a_preference(tracker):
            return _not_an_answer(tracker, "return_reason")
        policy = await query_store(return_policy)
        reason = parse_return_reason(str(value or ""), policy.reasons)
        if reason == "other" and read_yes_no(str(value or "")) is not None:
            return _not_an_answer(tracker, "return_reason")
        return {"return_reason": reason}

    async def extract_return_condition(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """Reads "yep, tags still on" or "nah, worn once" as the answer to "is it unworn?"."""
        return extract_confirmation(tracker, "return_condition")

    async def extract_return_confirmed(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """Reads "sure, send it", "no, leave it", or asking to return again (a yes)."""
        return extract_confirmation(tracker, "return_confirmed", frozenset({"start_return"}))

    async def validate_return_condition(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """Worn or washed items cannot go back (unless the store sent them damaged or wrong)."""
        if await only_a_preference(tracker):  # "refund please" is no "yes, unworn"
            return _not_an_answer(tracker, "return_condition")
        if value is False:
            dispatcher.utter_message(response="utter_return_refused_condition")
        return {"return_condition": value}

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        """As the base class, and a refused condition ends the form."""
        events = await super().get_validation_events(dispatcher, tracker, domain)
        if tracker.slots.get("return_condition") is False and not any(
            e.get("event") == "active_loop" for e in events
        ):
            events += stop_form()
        return events

    # The domain's from_text mappings take the text unless the classifier saw a question the form
    # answers and resumes after (a size or return-policy one). The answers below are read whatever
    # the intent, so the form does not answer a question nobody asked and ask again.

    async def extract_return_items(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """A tapped item button (its label is the line item's title, sizes and colours included)."""
        text = _unanswered(tracker, "return_items")
        if not text:
            return {}
        items = await eligibility_for(tracker) or []
        if not any(item.title.lower() == text.strip().lower() for item in items):
            return {}
        return {"return_items": text}

    async def extract_return_reason(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """A short answer naming one of the store's reasons ("too small" is not a size question).

        The message that starts the return may already say the store got it wrong ("my boots
        arrived damaged", "you sent the wrong size"): the reason is kept from it, with an apology,
        and the form never asks for it (nor for the item's condition).
        """
        fault = await _fault_in_first_message(tracker)
        if fault is not None:
            dispatcher.utter_message(response="utter_return_store_fault_sorry")
            return {"return_reason": fault}
        text = _unanswered(tracker, "return_reason")
        if not text or not is_short_answer(text):
            return {}
        policy = await query_store(return_policy)
        if parse_return_reason(text, policy.reasons) == "other":
            return {}
        return {"return_reason": text}

    async def extract_return_resolution(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """A short answer naming refund, exchange or store credit (a bare "refund" reads as a
        refund-status or return-policy question to the classifier), or a preference named at an
        earlier question: kept, and that question is asked again unless the message answered it."""
        preference = await early_preference(tracker)
        if preference is not None:
            resolution, answered = preference
            if not answered:
                dispatcher.utter_message(response=PREFERENCE_NOTED[resolution])
            return {"return_resolution": str((tracker.latest_message or {}).get("text") or "")}
        text = _unanswered(tracker, "return_resolution")
        if not text or resolution_answer(text, None) is None:
            return {}
        return {"return_resolution": text}

    async def validate_return_resolution(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """Refund, exchange or store credit; an exchange swaps one item at a time."""
        resolution = parse_resolution(str(value or ""))
        if resolution is None:
            dispatcher.utter_message(response="utter_return_resolution_unclear")
        elif resolution == "exchange" and len(tracker.get_slot("return_items") or []) != 1:
            dispatcher.utter_message(response="utter_exchange_one_item")
            resolution = None
        return {"return_resolution": resolution}

    async def validate_exchange_choice(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """Find the wanted size/colour of the same product and check it is in stock."""
        if parse_resolution(str(value or "")) == "refund":
            return {"exchange_choice": None, "return_resolution": "refund"}
        item = await exchanged_item(tracker)
        if item is None:
            return {"exchange_choice": None}
        size, color = wanted_variant(tracker, str(value or ""), item)
        answer = await query_store(
            variant_stock, product=item.product_handle or item.title, size=size, color=color
        )
        # the store matches colours loosely ("Brown" ~ "Dark Brown"): an exact colour wins
        exact = [v for v in answer.variants if (v.color or "").lower() == (color or "").lower()]
        in_stock = [v for v in exact or answer.variants if v.quantity > 0]
        if not in_stock:
            dispatcher.utter_message(
                response="utter_exchange_out_of_stock",
                product=answer.product_title or item.title,
                choice=" / ".join(part for part in (size, color) if part),
            )
            return {"exchange_choice": None}
        variant = in_stock[0]
        return {"exchange_choice": f"{variant.size} / {variant.color}", "exchange_sku": variant.sku}


_NOT_WORDS = re.compile(r"\S+@\S+|https?://\S+", re.IGNORECASE)


def _since_the_return_request(tracker: Tracker) -> List[Dict[str, Any]]:
    """The shopper's messages from the latest one asking to return (none if there is none)."""
    messages: List[Dict[str, Any]] = []
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        messages.append(event)
        if ((event.get("parse_data") or {}).get("intent") or {}).get("name") == "start_return":
            return messages
    return []


async def _fault_in_first_message(tracker: Tracker) -> Optional[str]:
    """The store's fault (``damaged``, ``wrong_item``) the message starting the return names."""
    message = tracker.latest_message or {}
    if (message.get("intent") or {}).get("name") != "start_return":
        return None
    if tracker.get_slot("return_reason") is not None or tracker.get_slot("requested_slot") is not None:
        return None
    text = str(message.get("text") or "")
    if not text or text.startswith("/"):
        return None
    policy = await query_store(return_policy)
    return store_fault(text, policy.reasons)


def _unanswered(tracker: Tracker, slot: str) -> Optional[str]:
    """The latest message's text when the form waits for ``slot`` and nothing filled it this turn.

    ``None`` for a request for a person, frustration or "stop": their rules end the form.
    """
    message = tracker.latest_message or {}
    if tracker.get_slot("requested_slot") != slot or tracker.get_slot(slot) is not None:
        return None
    if (message.get("intent") or {}).get("name") in ENDS_THE_FORM:
        return None
    return str(message.get("text") or "") or None


async def exchanged_item(tracker: Tracker) -> Optional[LineItemView]:
    """The single line item being exchanged, from the verified order."""
    order = await verified_order_view(tracker)
    ids = tracker.get_slot("return_items") or []
    if order is None or len(ids) != 1:
        return None
    return next((item for item in order.items if item.id == int(ids[0])), None)


def wanted_variant(tracker: Tracker, text: str, item: LineItemView) -> Tuple[Optional[str], Optional[str]]:
    """Size and colour asked for: catalog entities first, else ``"L / Black"``; the rest as bought."""
    entities = (tracker.latest_message or {}).get("entities") or []
    size = next((e.get("value") for e in entities if e.get("entity") == "size"), None)
    color = next((e.get("value") for e in entities if e.get("entity") == "color"), None)
    if size is None and color is None and "/" in text:
        left, _, right = text.partition("/")
        size, color = left.strip() or None, right.strip() or None
    if size is None and color is None:
        size = re.sub(r"(?i)^(size|in)\s+", "", text.strip()) or None
    return size or item.size, color or item.color
