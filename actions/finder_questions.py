"""The finder's short questions: asked only when a need is too vague to rank well, at most two.

"A present for my dad" or "something in merino" names no kind of product and no use or activity
(:func:`store.interests.names_a_use`), and no product, category, colour or size entity narrows it:
the finder asks what it will be for (for a gift: what they are into), with quick replies drawn from
the interests that in-stock products really have. A gift asked about its interest is then asked its
budget, unless one was given. A recipient's size is never asked. The shopper's answer (a button,
whose payload carries it in the ``finder_answer`` entity, or typed: a short answer such as "for the
office" that the NLU cannot place reaches the fallback, which hands it here) is added to the need kept in
``finder_question``, and the finder answers; a question the answer leaves open is not asked again
(the shopper skipped it: a typed "skip", "doesn't matter" or "any", the ``no_preference`` intent,
adds nothing to the need and the finder goes on), and "Just show me ideas" (``/show_more``) ranks
the need as it is.
"""

from __future__ import annotations

from typing import Any, List, Mapping, Optional, Sequence

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.gifts import is_gift
from core.budget import budget_from_text
from store.interests import GIFT_ATTRIBUTE, names_a_use
from store.recommend import Recommendation

QUESTION_SLOT = "finder_question"
"""The vague need waiting for the shopper's answer and the questions asked for it:
``{"need": "a present for my dad", "asked": ["interest"]}``."""
NO_PREFERENCE_INTENT = "no_preference"
"""A typed "skip", "doesn't matter" or "any" at a question: skips it (data/rules/guided.yml)."""
ANSWER_ENTITY = "finder_answer"
"""Set by the questions' quick replies only (never learned): the answer a button carries."""
INTEREST, BUDGET = "interest", "budget"
ASKING = "utter_finder_ask_"
"""The questions' responses (``utter_finder_ask_use``, ``_interest``, ``_budget``)."""
CHOICES_SHOWN = 6
NARROWING_FILTERS = ("text", "category", "color", "size")
"""Entities that narrow a need enough to rank it (a budget alone does not, for a gift)."""
BUDGET_FILTERS = ("min_price", "max_price")


def next_question(
    need: str, filters: Mapping[str, Any], asked: Sequence[str], *, tagged: bool = False
) -> Optional[str]:
    """The one question to ask before recommending for ``need``, or ``None`` to recommend now.

    A need without a kind, a use or a narrowing entity, whose words are none of the fitting
    products' own tags but "gift-friendly" (``tagged``: "a heated vest" is), is asked what it is
    for (any filter, a budget too, narrows a need that is not a gift). A gift that was asked that
    is then asked its budget if it has none. A question already asked is never asked again: the
    shopper skipped it.
    """
    gift = is_gift(need)
    narrowed = any(key in filters for key in (NARROWING_FILTERS if gift else filters))
    if not names_a_use(need) and not tagged and not narrowed:
        return None if INTEREST in asked else INTEREST
    budgeted = budget_from_text(need) is not None or any(key in filters for key in BUDGET_FILTERS)
    if gift and not budgeted and INTEREST in asked and BUDGET not in asked:
        return BUDGET
    return None


def tagged(fitting: Sequence[Recommendation]) -> bool:
    """Whether a fitting product has a tag the need asked for, other than "gift-friendly"."""
    return any(reason != GIFT_ATTRIBUTE for rec in fitting for reason in rec.reasons)


def asked_just_now(tracker: Tracker) -> bool:
    """Whether the assistant's latest message was one of the finder's questions."""
    for event in reversed(tracker.events):
        if event.get("event") == "bot":
            return str((event.get("metadata") or {}).get("utter_action") or "").startswith(ASKING)
    return False


def pending_need(question: Optional[Mapping[str, Any]], answer: str) -> tuple[str, List[str]]:
    """The need with the shopper's answer added, and the questions already asked for it."""
    if not question:
        return answer, []
    return f"{question['need']} {answer}".strip(), list(question.get("asked") or ())


def ask(
    dispatcher: CollectingDispatcher, need: str, question: str, choices: Sequence[str], asked: Sequence[str]
) -> List[EventType]:
    """Ask ``question`` (interests as quick replies) and keep the need for the answer."""
    if question == BUDGET:
        dispatcher.utter_message(response="utter_finder_ask_budget")
    else:
        buttons = [
            {"title": choice.replace("-", " "), "payload": f'/product_search{{"{ANSWER_ENTITY}":"{choice}"}}'}
            for choice in choices[:CHOICES_SHOWN]
        ]
        response = "utter_finder_ask_interest" if is_gift(need) else "utter_finder_ask_use"
        dispatcher.utter_message(response=response, buttons=buttons)
    return [SlotSet(QUESTION_SLOT, {"need": need, "asked": [*asked, question]})]
