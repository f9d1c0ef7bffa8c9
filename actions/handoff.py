"""Hand the conversation to a person: queue it with full context, pause the bot, tell the shopper.

``action_handoff`` runs for every trigger (an explicit request, frustration, a second NLU
fallback via :mod:`actions.fallback`, a form question failing three times via
:mod:`actions.handoff_triggers`, an order problem or a failed action that offered
``/human_handoff``). It writes a :mod:`store.handoffs` record with the context of
:mod:`actions.handoff_context`, pauses the conversation (``ConversationPaused``: Rasa keeps
logging the shopper's messages but predicts nothing, so the bot is silent) and says how long the
wait is. The agent console (``storefront.handoff``) resumes the conversation when it hands back.
With a Chatwoot helpdesk configured the handoff is also queued for forwarding there, in the same
transaction; the Rasa server's worker sends it (``integrations.chatwoot_forwarding``), so the
shopper never waits on Chatwoot and an outage only delays it.

Outside business hours (store calendar, or ``HANDOFF_HOURS_OVERRIDE``) the shopper is told when a
person will answer; ``handoff_contact_form`` asks how to reach them and for consent, and the
action runs again when the form is done to queue the handoff as offline.
"""

from __future__ import annotations

import logging
from datetime import datetime, time
from typing import Any, Dict, List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, ConversationPaused, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff_context import build_context, shopper_identity
from actions.store_access import StoreUnavailable, query_store, query_store_or
from actions.store_contact import asks_for_contact_details, utter_contact_details
from core import clock
from core.settings import get_settings
from integrations.chatwoot import load_helpdesk_config
from store.codes import HandoffReason
from store.handoffs import HandoffView, create_handoff, list_handoffs, open_handoff_for
from store.helpdesk import create_forwarded_handoff
from store.info import SupportHours, store_info, store_timezone, support_hours

logger = logging.getLogger(__name__)

CONTACT_FORM = "handoff_contact_form"
NO_CONTACT = "none"

# what the latest intent says about why a person is needed, when no action set a reason
_INTENT_REASONS = {"frustration": HandoffReason.FRUSTRATION, "nlu_fallback": HandoffReason.NLU_FALLBACK}

HANDOFF_PREFACES: Dict[HandoffReason, Optional[str]] = {
    HandoffReason.REQUESTED: None,
    HandoffReason.NLU_FALLBACK: "utter_fallback_handing_off",
    HandoffReason.FORM_FAILED: None,
    HandoffReason.FRUSTRATION: "utter_frustration_sorry",
    HandoffReason.DELAYED_ORDER: None,
    HandoffReason.HIGH_VALUE_ORDER: None,
    HandoffReason.ACTION_FAILED: None,
    HandoffReason.LATE_REFUND: None,  # action_refund_status has apologised already
    HandoffReason.PRODUCT_QUESTION: None,  # the shopper said yes to the offer of a person
    HandoffReason.MISSING_ITEM: None,  # action_order_status has apologised already
}
"""What is said before the handoff message, per reason (None: the reason needs no words of its own)."""


def _reason_set_this_turn(tracker: Tracker) -> bool:
    """Whether an action set ``handoff_reason`` since the shopper's latest message."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return False
        if event.get("event") == "slot" and event.get("name") == "handoff_reason" and event.get("value"):
            return True
    return False


def handoff_reason(tracker: Tracker, explicit: Optional[HandoffReason] = None) -> HandoffReason:
    """Why a person is needed: the caller's reason, else one an action gave this turn (a form that
    found a late high-value order), else the latest intent's, else the slot's.

    The order form takes a bare email whatever the classifier read in it: a late order found with
    it goes to a person for the order, not as "I'm still not getting it".
    """
    if explicit:
        return explicit
    intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
    if intent in _INTENT_REASONS and not _reason_set_this_turn(tracker):
        return _INTENT_REASONS[intent]
    slot = tracker.get_slot("handoff_reason")
    try:
        return HandoffReason(slot) if slot else HandoffReason.REQUESTED
    except ValueError:
        logger.error("Unknown handoff_reason %r: handing off as requested", slot)
        return HandoffReason.REQUESTED


async def agents_on_duty(now: datetime) -> SupportHours:
    """Whether people answer now (store calendar unless ``HANDOFF_HOURS_OVERRIDE`` says otherwise)."""
    override = get_settings().handoff_hours_override
    if override == "open":
        return SupportHours(open_now=True, next_open=now)
    hours = await query_store(support_hours, now=now)
    if override == "closed" and hours.open_now:
        # a forced closure still names a real opening: the first one after today
        return await query_store(_opening_after_today, now=now)
    return hours


def _opening_after_today(session: Any, *, now: datetime) -> SupportHours:
    local = now.astimezone(store_timezone(session))
    end_of_day = datetime.combine(local.date(), time(23, 59), tzinfo=local.tzinfo)
    return SupportHours(open_now=False, next_open=support_hours(session, now=end_of_day).next_open)


def _contact_collected(tracker: Tracker) -> bool:
    intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
    return (
        tracker.get_slot("handoff_consent") is not None
        or tracker.get_slot("handoff_contact") == NO_CONTACT
        or intent == "stop"
    )


def _leave_other_form(tracker: Tracker) -> List[EventType]:
    """A handoff inside another form ends that form (the person takes over the question)."""
    active = (tracker.active_loop or {}).get("name")
    if active and active != CONTACT_FORM:
        return [ActiveLoop(None), SlotSet("requested_slot", None)]
    return []


async def _wait_minutes(handoff_id: int) -> int:
    minutes = get_settings().handoff_minutes_per_shopper
    # the handoff is already queued: a failing store must not turn it into "the handoff failed"
    queued: List[HandoffView] = await query_store_or([], list_handoffs, status="queued")
    position = next((i for i, h in enumerate(queued, start=1) if h.id == handoff_id), len(queued) or 1)
    return position * minutes


async def perform_handoff(
    dispatcher: CollectingDispatcher, tracker: Tracker, *, reason: Optional[HandoffReason] = None
) -> List[EventType]:
    """Queue the conversation for a person and pause the bot (shared by every trigger).

    Returns:
        The events to return from the calling action.
    """
    why = handoff_reason(tracker, reason)
    events: List[EventType] = _leave_other_form(tracker)
    try:
        existing = await query_store(open_handoff_for, conversation_id=tracker.sender_id)
        if existing is not None:
            dispatcher.utter_message(response="utter_handoff_already_queued")
            return [*events, ConversationPaused()]
        hours = await agents_on_duty(clock.now())
        if not hours.open_now and not _contact_collected(tracker):
            return [*events, *_ask_for_contact(dispatcher, tracker, why, hours)]
        return [*events, *await _queue(dispatcher, tracker, why, hours)]
    except StoreUnavailable as error:
        logger.error("Handoff for %s failed: %s", tracker.sender_id, error)
        dispatcher.utter_message(response="utter_handoff_failed", support_email=await _support_email())
        return [*events, SlotSet("handoff_reason", why)]


async def _support_email() -> str:
    info = await query_store_or(None, store_info)
    return (info.support_email or "") if info is not None else ""


def _opening(hours: SupportHours) -> Dict[str, str]:
    local = hours.next_open
    return {
        "next_open_day": local.strftime("%A %B %-d"), "next_open_time": local.strftime("%-I:%M %p"),
        "timezone": local.tzname() or "",
    }  # fmt: skip


def _ask_for_contact(
    dispatcher: CollectingDispatcher, tracker: Tracker, reason: HandoffReason, hours: SupportHours
) -> List[EventType]:
    """Off hours: say when people are back, then ask how to reach the shopper (the form)."""
    preface = HANDOFF_PREFACES[reason]
    if preface:
        dispatcher.utter_message(response=preface)
    dispatcher.utter_message(response="utter_handoff_offline", **_opening(hours))
    events: List[EventType] = [SlotSet("handoff_reason", reason)]
    identity = shopper_identity(tracker)
    known = identity["email"] or identity["phone"] if identity["verified"] else None
    if known:
        events.append(SlotSet("handoff_contact", known))
    events.append(FollowupAction(CONTACT_FORM))
    return events


async def _queue(
    dispatcher: CollectingDispatcher, tracker: Tracker, reason: HandoffReason, hours: SupportHours
) -> List[EventType]:
    channel = tracker.get_latest_input_channel() or "unknown"
    context = await build_context(tracker, reason=reason, channel=channel)
    offline = not hours.open_now
    contact = tracker.get_slot("handoff_contact")
    consent = bool(tracker.get_slot("handoff_consent"))
    if offline:
        context["offline"] = {
            "contact": contact if contact and contact != NO_CONTACT and consent else None,
            "consent": consent, "next_open": hours.next_open.isoformat(),
        }  # fmt: skip
    # with a helpdesk, the handoff's forward is queued with it and sent in the background
    create = create_forwarded_handoff if load_helpdesk_config() is not None else create_handoff
    handoff = await query_store(
        create, conversation_id=tracker.sender_id, channel=channel, reason=reason,
        summary=context["summary"], context=context, offline=offline,
    )  # fmt: skip
    preface = HANDOFF_PREFACES[reason]
    if preface and not offline:
        dispatcher.utter_message(response=preface)
    if not offline:
        dispatcher.utter_message(
            response="utter_handoff_queued", wait_minutes=await _wait_minutes(handoff.id)
        )
    elif context["offline"]["contact"]:
        dispatcher.utter_message(
            response="utter_handoff_offline_queued_contact", handoff_contact=contact, **_opening(hours)
        )
    else:
        dispatcher.utter_message(response="utter_handoff_offline_queued_here", **_opening(hours))
    return [
        SlotSet("handoff_reason", None), SlotSet("handoff_contact", None), SlotSet("handoff_consent", None),
        ConversationPaused(),
    ]  # fmt: skip


class ActionHandoff(Action):
    """Queue the conversation for a person with full context and pause the assistant."""

    def name(self) -> str:
        return "action_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        """ "What's your phone number?" gets the store's email and phone first, then a person."""
        if asks_for_contact_details(str((tracker.latest_message or {}).get("text") or "")):
            await utter_contact_details(dispatcher)
        return await perform_handoff(dispatcher, tracker)
