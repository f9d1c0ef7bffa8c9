"""Two-stage fallback: first ask to rephrase with the likeliest topics, then hand off.

The FallbackClassifier turns a low-confidence message into ``nlu_fallback``. The first time,
the shopper is asked to rephrase and offered the intents the classifier ranked highest as
buttons (titles from the ``utter_topic_<intent>`` responses). When the very next message is
also unclear, the conversation goes to a person with ``handoff_reason=nlu_fallback``.

Gibberish is trained as ``out_of_scope`` (so it is not mistaken for a request), which kept it
out of this ladder: "asdfjkl" twice got "outside what I can help with" twice. ``out_of_scope``
therefore comes here too (data/rules/chitchat.yml) and counts as unclear when the classifier is
unsure of it or when none of its words occurs in the in-scope training data: the model records
that vocabulary when it is trained and marks every parse result with its verdict
(``storefront/nlu/in_scope_vocabulary.py``, read here from the message's parse data under
:data:`VOCABULARY_KEY`). A confident out-of-scope request in real words still gets
``utter_out_of_scope``.

It is also the rule policy's core fallback (``config.yml``): a clear message the dialogue has no
next step for gets ``utter_default``, unless it follows up on the answer just given ("and in
the Chelsea Boot?", :mod:`actions.topics`) or asks for products. A question about the product
just talked about ("how much is it?", "how do I wash it?") is answered from the store's data
whatever the classifier made of it (:mod:`actions.product_questions`). A bare "black boots" or
"jackets under 200" reads to the classifier as ``inform`` (the words that answer a form's "which
product?"), and with no form asking it is a search; so is a message that only narrows the need
just answered ("ok but under 150", "too expensive": :func:`actions.finder.refined_need`), however it
was classified.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher

from actions.discounts import asks_about_prices, utter_offers
from actions.finder import CHEAPER, answer_typed, refined_need
from actions.handoff import perform_handoff
from actions.order_forms import asks_to_change_items, utter_item_change
from actions.product_questions import answer_price_question, answer_product_question
from actions.questions import (
    answer_question,
    bot_messages_before_latest,
    pending_answer,
    responses_since_shopper_spoke,
)
from actions.return_policy import utter_return_policy
from actions.store_contact import asks_store_hours, utter_store_hours
from actions.topics import return_policy_again, same_question_again
from store.codes import HandoffReason

FALLBACK_INTENT = "nlu_fallback"
OUT_OF_SCOPE_INTENT = "out_of_scope"
CLEAR_OUT_OF_SCOPE_CONFIDENCE = 0.6
"""Below this, an ``out_of_scope`` prediction is a guess, not a recognised off-topic request."""
VOCABULARY_KEY = "in_scope_vocabulary"
"""Where the NLU pipeline puts its gibberish verdict in a parse result (``{"gibberish": bool, ...}``)."""
MAX_TOPICS = 3
DESTINATION_ENTITIES = frozenset({"country", "region"})
SHIPPING_ANSWERS = frozenset(
    {"utter_shipping_header", "utter_shipping_overview", "utter_shipping_destination_unknown"}
)
"""Responses after which a bare destination ("and what about Texas?") asks the same again."""
TOPIC_RESPONSE_PREFIX = "utter_topic_"
PRODUCT_ENTITIES = frozenset({"category", "product"})
"""Entities that name what a shopper is looking for ("boots", "the rain shell")."""
SEARCH_MAX_WORDS = 6
"""A bare search is short ("red dress size M"); a longer message naming a product is about it."""


def is_unclear(parse_data: Dict[str, Any]) -> bool:
    """Whether a parsed message belongs on the fallback ladder (see the module docstring)."""
    intent = parse_data.get("intent") or {}
    if intent.get("name") == FALLBACK_INTENT:
        return True
    if intent.get("name") != OUT_OF_SCOPE_INTENT:
        return False
    confidence = float(intent.get("confidence") or 0.0)
    return confidence < CLEAR_OUT_OF_SCOPE_CONFIDENCE or is_gibberish(parse_data)


def is_gibberish(parse_data: Dict[str, Any]) -> bool:
    """The model's verdict that no word of the message is in its in-scope vocabulary.

    A message parsed without the NLU pipeline (a button's ``/intent`` payload) has no verdict
    and is not gibberish.
    """
    return bool((parse_data.get(VOCABULARY_KEY) or {}).get("gibberish"))


def another_destination(tracker: Tracker) -> bool:
    """Whether the message names a place right after a shipping answer: the same question for it.

    "And what about Texas?" means little on its own, so the classifier may call it off-topic;
    after "Delivery to Ontario, Canada: ..." it asks for Texas's delivery options.
    """
    entities = (tracker.latest_message or {}).get("entities") or []
    if not any(e.get("entity") in DESTINATION_ENTITIES for e in entities):
        return False
    return bool(responses_since_shopper_spoke(tracker) & SHIPPING_ANSWERS)


def asks_for_products(tracker: Tracker) -> bool:
    """Whether a message no flow is waiting for asks for products: a few words naming a kind of
    product or a product ("black boots", "jackets under 200"), or only narrowing the need just
    answered ("ok but under 150")."""
    if (tracker.active_loop or {}).get("name"):
        return False
    latest = tracker.latest_message or {}
    text = str(latest.get("text") or "")
    if not text or text.startswith("/") or (latest.get("intent") or {}).get("name") == OUT_OF_SCOPE_INTENT:
        return False
    names = any(e.get("entity") in PRODUCT_ENTITIES for e in latest.get("entities") or [])
    if names and len(text.split()) <= SEARCH_MAX_WORDS:
        return True
    if CHEAPER.search(text):  # "too expensive" right after the products
        return refined_need(tracker, text, words_too=True) is not None
    return refined_need(tracker, text) is not None


def question_waiting(tracker: Tracker) -> Optional[Dict[str, Any]]:
    """The question an active form asked just before the latest message (its text and buttons).

    A message the form cannot take ("I'd like it in a bigger size" where it asked about the item's
    condition) gets the question again, word for word, rather than an offer of a person.
    """
    if not (tracker.active_loop or {}).get("name") or not tracker.get_slot("requested_slot"):
        return None
    for event in bot_messages_before_latest(tracker):
        if event.get("text"):
            return {"text": event["text"], "buttons": (event.get("data") or {}).get("buttons") or []}
    return None


def previous_user_message(tracker: Tracker) -> Optional[Dict[str, Any]]:
    """The parse data of the shopper's message before the latest one (None if there is none)."""
    seen_latest = False
    for event in reversed(tracker.events):
        if event.get("event") in ("resume", "restart", "session_started") and seen_latest:
            return None  # a person or a new session came in between: start counting again
        if event.get("event") != "user":
            continue
        if not seen_latest:
            seen_latest = True
            continue
        return {**(event.get("parse_data") or {}), "text": event.get("text") or ""}
    return None


def previous_user_intent(tracker: Tracker) -> Optional[str]:
    """The intent of the shopper's message before the latest one (None if there is none)."""
    previous = previous_user_message(tracker)
    return ((previous or {}).get("intent") or {}).get("name")


def topic_buttons(tracker: Tracker, domain: Dict[str, Any], limit: int = MAX_TOPICS) -> List[Dict[str, str]]:
    """Buttons for the intents the classifier ranked highest that have a topic title."""
    responses = domain.get("responses") or {}
    buttons: List[Dict[str, str]] = []
    for ranked in (tracker.latest_message or {}).get("intent_ranking") or []:
        name = ranked.get("name")
        variants = responses.get(f"{TOPIC_RESPONSE_PREFIX}{name}") or []
        if not name or name in (FALLBACK_INTENT, OUT_OF_SCOPE_INTENT) or not variants:
            continue
        buttons.append({"title": variants[0]["text"], "payload": f"/{name}"})
        if len(buttons) == limit:
            break
    return buttons


class ActionStorefrontFallback(Action):
    """Out of scope when clearly so; else rephrase with topic buttons, then a person on a second miss."""

    def name(self) -> str:
        return "action_storefront_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        latest = tracker.latest_message or {}
        answered = await answer_typed(dispatcher, tracker)
        if answered is not None:  # "for the office" right after the finder's "what will it be for?"
            return answered
        priced = await answer_price_question(dispatcher, tracker)
        if priced is not None:  # "how much is it?" about the product just talked about
            return priced
        detail = await answer_product_question(dispatcher, tracker)
        if detail is not None:  # "how do I wash it?" about the product just talked about
            return detail
        if another_destination(tracker):
            return [FollowupAction("action_shipping_info")]
        again = same_question_again(tracker)
        if again is not None:  # "and in the Chelsea Boot?" right after a size recommendation
            return [FollowupAction(again)]
        if return_policy_again(tracker):  # "and for sale items?" right after the return policy
            await utter_return_policy(dispatcher, tracker.latest_message or {})
            return []
        text, in_flow = str(latest.get("text") or ""), bool((tracker.active_loop or {}).get("name"))
        if not in_flow and asks_about_prices(text):  # "it's cheaper now, can I get the difference?"
            await utter_offers(dispatcher, text)
            return []
        if not in_flow and asks_to_change_items(text):  # "can I add something to my order?"
            await utter_item_change(dispatcher)
            return []
        if not in_flow and asks_store_hours(text):  # "are you open on Sunday?" (out of scope to the model)
            await utter_store_hours(dispatcher)
            return []
        if asks_for_products(tracker):  # "black boots", or "ok but under 150" after recommendations
            return [FollowupAction("action_product_search")]
        if (latest.get("intent") or {}).get("name") not in (FALLBACK_INTENT, OUT_OF_SCOPE_INTENT):
            # the rule policy's core fallback: a clear message the dialogue has no next step for
            # (config.yml names this action); as Rasa's default, the message is then forgotten
            waiting = question_waiting(tracker)
            if waiting is not None:  # a form's question the message did not answer: ask it again
                dispatcher.utter_message(response="utter_default_in_form")
                dispatcher.utter_message(text=waiting["text"], buttons=waiting["buttons"])
            else:
                dispatcher.utter_message(response="utter_default")
            return [UserUtteranceReverted()]
        if not is_unclear(latest):
            dispatcher.utter_message(response="utter_out_of_scope")
            return []
        answer = pending_answer(tracker)
        if answer is not None:  # "nah I'm fine" right after "shall I get a person?"
            return await answer_question(dispatcher, tracker, yes=answer)
        previous = previous_user_message(tracker)
        if previous is not None and is_unclear(previous):
            return await perform_handoff(dispatcher, tracker, reason=HandoffReason.NLU_FALLBACK)
        dispatcher.utter_message(response="utter_fallback_rephrase", buttons=topic_buttons(tracker, domain))
        return []
