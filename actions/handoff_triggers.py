"""Hand off when the same form question fails again and again, or a high-value order has a problem.

A form validator calls :func:`record_form_failure` instead of returning ``{slot: None}`` when the
shopper's answer is unusable, and :func:`clear_form_failures` when an answer is accepted::

    class ValidateReturnForm(HandoffOnRepeatedFailure):
        def name(self) -> Text:
            return "validate_return_form"

        async def validate_order_number(self, value, dispatcher, tracker, domain):
            if not looks_like_an_order_number(value):
                dispatcher.utter_message(response="utter_order_number_invalid")
                return record_form_failure(tracker, "order_number", form="return_form")
            return {"order_number": value, **clear_form_failures(tracker, "order_number", form="return_form")}

Counts live in one slot, ``handoff_form_failures`` (``{"return_form:order_number": 2}``), so
a form needs no extra domain entries. On the third failure (:data:`FAILURE_LIMIT`) the result
also sets ``handoff_reason=form_failed`` and ends the form; deriving the validator from
:class:`HandoffOnRepeatedFailure` (or passing its events through :func:`with_handoff_followup`)
then adds ``FollowupAction("action_handoff")``, so a person takes over right away.

A problem with a verified order that a flow has just explained (it is late, it has shipped and
cannot be cancelled or redirected, nothing on it can go back) is passed to :func:`order_problem`:
an order whose total reaches ``high_value_order_threshold`` in ``store.yaml``
(``OrderView.is_high_value``) goes to a person at once with ``handoff_reason=high_value_order``;
any other order only records the flow's reason, for a handoff the shopper may ask for.
"""

from __future__ import annotations

import re
from abc import abstractmethod
from typing import Any, Dict, List, Optional

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.forms import stop_form
from actions.questions import accepts_offer_of_a_person
from actions.store_access import answers_store_failure
from store.codes import HandoffReason
from store.orders import OrderView

FAILURE_LIMIT = 3
COUNTER_SLOT = "handoff_form_failures"
FORM_FAILED = HandoffReason.FORM_FAILED
HIGH_VALUE_ORDER = HandoffReason.HIGH_VALUE_ORDER


_PERSON = (
    r"(?:a |an |the |some |one of your |your )?(?:real |actual |live |proper |human )?"
    r"(?:human(?: being)?|person|people|someone|somebody|some ?one|agent|representative|rep|operator|manager|"
    r"supervisor|staff|employee|team member|customer (?:service|support|care)(?: rep| agent| team)?)\b"
)
PERSON_REQUESTS = re.compile(
    r"\b(?:talk|speak|chat) (?:to|with) " + _PERSON
    + r"|\b(?:get|give|put|connect|transfer|pass|hand|send) me (?:through |over |on )?(?:to |with )?"
    + _PERSON
    + r"|\b(?:connect|transfer|escalate|put) (?:this |it )?(?:through )?(?:to|with) " + _PERSON
    + r"|\b(?:want|need|demand) (?:a |an |to have a |some )?(?:real |actual |live |proper )?"
    r"(?:human|person|agent|representative|manager|supervisor)\b"
    + r"|\b(?:want|need) (?:someone|somebody|a person|people) (?:from|at|in|on) (?:the |your )?"
    r"(?:shop|store|team|company|support|office|customer service)\b"
)  # fmt: skip
"""A request for a person in the shopper's own words, wherever the form's question stands.

Infinitives only ("talk to someone", "get me a human"): "am I talking to a real person?" asks
whether this is a bot, and is answered as such."""


def asks_for_a_person(text: str) -> bool:
    """Whether ``text`` asks for a person ("just let me talk to someone", "get me a human")."""
    lowered = " ".join(text.lower().replace("\u2019", "'").split())
    return bool(PERSON_REQUESTS.search(lowered))


def demands_a_person_at_a_question(tracker: Tracker) -> bool:
    """A form waits for an answer and the shopper asks for a person in its stead.

    The classifier reads "I'm not giving you my email, get me a human" in the form's terms (an
    answer to the contact question, a bad one); the words say who the shopper wants to talk to.
    A message that gives what was asked (an email, an order number) is the answer, not a demand.
    """
    if not tracker.active_loop or not tracker.get_slot("requested_slot"):
        return False
    message = tracker.latest_message or {}
    if any(e.get("entity") in ("email", "phone", "order_number") for e in message.get("entities") or []):
        return False
    return asks_for_a_person(str(message.get("text") or ""))


def _key(tracker: Tracker, slot: str, form: Optional[str]) -> str:
    form_name = form or (tracker.active_loop or {}).get("name") or "form"
    return f"{form_name}:{slot}"


def failure_count(tracker: Tracker, slot: str, *, form: Optional[str] = None) -> int:
    """How often the answer to ``slot`` has failed so far in this conversation."""
    counts = tracker.get_slot(COUNTER_SLOT) or {}
    return int(counts.get(_key(tracker, slot, form), 0))


def record_form_failure(
    tracker: Tracker, slot: str, *, form: Optional[str] = None, limit: int = FAILURE_LIMIT
) -> Dict[str, Any]:
    """The slot values a validator returns for a failed answer to ``slot``.

    Below ``limit`` failures: the slot is cleared (the form asks again) and the count goes up.
    At ``limit``: the count is reset, ``handoff_reason`` becomes ``form_failed`` and the form ends
    (``requested_slot`` cleared), ready for :func:`with_handoff_followup`.
    """
    counts = dict(tracker.get_slot(COUNTER_SLOT) or {})
    key = _key(tracker, slot, form)
    counts[key] = int(counts.get(key, 0)) + 1
    if counts[key] < limit:
        return {slot: None, COUNTER_SLOT: counts}
    counts.pop(key)
    return {slot: None, COUNTER_SLOT: counts, "handoff_reason": FORM_FAILED, "requested_slot": None}


def clear_form_failures(tracker: Tracker, slot: str, *, form: Optional[str] = None) -> Dict[str, Any]:
    """Slot values that forget the failures of ``slot`` (empty when there were none)."""
    counts = dict(tracker.get_slot(COUNTER_SLOT) or {})
    if counts.pop(_key(tracker, slot, form), None) is None:
        return {}
    return {COUNTER_SLOT: counts}


def with_handoff_followup(events: List[EventType]) -> List[EventType]:
    """Append the end of the form and ``action_handoff`` when the events gave up on a question."""
    gave_up = any(
        e.get("event") == "slot" and e.get("name") == "handoff_reason" and e.get("value") == FORM_FAILED
        for e in events
    )
    if not gave_up:
        return events
    return [*events, *stop_form(), FollowupAction("action_handoff")]


def order_problem(order: OrderView, reason: Optional[str] = None) -> List[EventType]:
    """Events after the shopper was told about a problem with their verified ``order``.

    Args:
        order: the verified order (its ``is_high_value`` comes from the store's threshold).
        reason: the handoff reason to record for an ordinary order (none: nothing is recorded).

    Returns:
        ``handoff_reason=high_value_order`` and ``action_handoff`` next for a high-value order
        (a form must end first: validators put :func:`actions.forms.stop_form` before these);
        otherwise ``handoff_reason=reason`` when given.
    """
    if order.is_high_value:
        return [SlotSet("handoff_reason", HIGH_VALUE_ORDER), FollowupAction("action_handoff")]
    return [SlotSet("handoff_reason", reason)] if reason else []


def count_rejected_answer(tracker: Tracker, events: List[EventType]) -> List[EventType]:
    """Count a rejected answer to the question the form just asked, from the validator's events.

    The shopper answered the requested slot this turn (it is among ``slots_to_validate``) and the
    validator set it back to ``None``: that is one more failure of that question, and the third
    ends the form and hands off. An accepted answer forgets the question's failures. A form that
    ends itself (``requested_slot`` set to ``None``, e.g. "this order cannot be cancelled") forgets
    all of its counts. Validators that call :func:`record_form_failure` themselves are left alone.
    """
    decided = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    if COUNTER_SLOT in decided:
        return with_handoff_followup(events)
    form = (tracker.active_loop or {}).get("name")
    asked = tracker.get_slot("requested_slot")
    if not form or not asked or asked not in tracker.slots_to_validate() or asked not in decided:
        return events
    if "requested_slot" in decided and decided["requested_slot"] is None:
        counts = dict(tracker.get_slot(COUNTER_SLOT) or {})
        kept = {key: n for key, n in counts.items() if not key.startswith(f"{form}:")}
        return events if kept == counts else [*events, SlotSet(COUNTER_SLOT, kept)]
    if decided[asked] is None:
        updates = record_form_failure(tracker, asked, form=form)
    else:
        updates = clear_form_failures(tracker, asked, form=form)
    extra = [SlotSet(name, value) for name, value in updates.items() if name != asked]
    return with_handoff_followup([*events, *extra])


class HandoffOnRepeatedFailure(FormValidationAction):
    """A form validator whose question, answered unusably three times running, hands off.

    It also answers a store failure in any of its validators with the store failure policy
    (:func:`actions.store_access.answers_store_failure`): the apology, and the form ends. And a
    yes to the person the form has just offered ("or I can get a person to help") ends the form
    and hands off instead of being read as the answer to its question, and so does a request for a
    person in the shopper's own words (:func:`demands_a_person_at_a_question`).
    """

    @abstractmethod
    def name(self) -> str:
        """``validate_<form>``."""

    @answers_store_failure()
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        if accepts_offer_of_a_person(tracker) or demands_a_person_at_a_question(tracker):
            # the "yes" or the demand is no answer: forget what it filled
            taken = [SlotSet(slot, None) for slot in tracker.slots_to_validate()]
            return [*taken, *stop_form(), FollowupAction("action_handoff")]
        return count_rejected_answer(tracker, await super().run(dispatcher, tracker, domain))
