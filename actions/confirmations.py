"""Yes/no answers at every confirmation, however the shopper phrases them.

The domain maps ``affirm``/``deny`` onto each confirmation slot, but shoppers also answer with
the flow's own request ("yep, go ahead and cancel" reads as ``cancel_order``) or with words the
classifier is unsure of ("nah keep it"). A form validator that asks a yes/no question defines
``extract_<slot>`` with :func:`extract_confirmation`; rasa-sdk calls it for the form's required
slots, so such answers fill the slot in the same turn instead of being rejected.

Requests for a person, frustration and "stop" are never read as an answer (their rules end the
form), nor are questions the form answers and then resumes after (data/rules/interruptions.yml).
"""

from __future__ import annotations

import re
from typing import Dict, FrozenSet, Iterable, List, Optional

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

AFFIRM, DENY = "affirm", "deny"
NEVER_AN_ANSWER = frozenset(
    {"human_handoff", "frustration", "stop", "goodbye", "shipping_info", "return_policy", "size_help",
     "bot_challenge", "discount_code", "clarify"}
)  # fmt: skip

YES_WORDS = frozenset(
    {"yes", "yeah", "yea", "yep", "yup", "ya", "y", "sure", "ok", "okay", "k", "absolutely", "definitely",
     "certainly", "correct", "right", "confirm", "confirmed", "fine", "proceed", "aye", "alright"}
)  # fmt: skip
YES_PHRASES = ("go ahead", "do it", "go for it", "sounds good", "that's right", "thats right", "of course")
NO_WORDS = frozenset({"no", "nope", "nah", "n", "keep", "leave", "wait", "hold"})
NEGATIONS = frozenset({"don't", "dont", "not", "never"})
"""A no on their own ("don't", "not really") or before what is declined ("please don't cancel it",
"I don't think so", "I'd rather not"); elsewhere a statement ("they don't fit") is no answer."""
DECLINED = frozenset(
    {"want", "need", "do", "cancel", "change", "bother", "think", "proceed", "go", "agree", "like",
     "mind", "worry", "now", "yet", "really", "today", "anymore", "thanks", "rather", "sure", "at"}
)  # fmt: skip
NO_PHRASES = (
    "changed my mind", "as it is", "as is", "no thanks", "no thank you", "forget it", "i'm fine", "im fine",
    "i am fine", "i'm good", "im good", "i'm ok", "i'm okay", "i'm alright",
)  # fmt: skip
"""Phrases that say no; their words ("fine", "ok") are then no evidence of a yes."""

_NOT_A_YES_AFTER = NEGATIONS | {"the", "a", "all"}
_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")


def _words(text: str) -> str:
    """The reply's words, lower-case and space-separated (a typographic apostrophe made plain)."""
    return " ".join(_WORD.findall(text.lower().replace("\u2019", "'")))


def _phrase(phrase: str) -> str:
    """A pattern matching ``phrase`` as whole words in :func:`_words`' output."""
    return rf"\b{re.escape(phrase)}\b"


PUZZLED_WORDS = frozenset({"huh", "eh", "what", "wha", "pardon", "hm", "hmm", "hmmm", "um", "umm", "wdym"})
"""A reply made only of these (and "sorry") is a shopper puzzled or hesitating: "huh?", "sorry, what?"."""
PUZZLED_PHRASES = (
    "what do you mean", "what does that mean", "don't understand", "dont understand", "do not understand",
    "don't get it", "dont get it", "come again", "say that again", "not sure what you mean",
    "what are you asking", "i'm confused", "im confused", "i am confused", "what are you talking about",
)  # fmt: skip


def is_puzzled(text: str) -> bool:
    """Whether the reply says the shopper did not follow the question ("huh?", "what do you mean?").

    Such a reply answers none of a form's yes/no questions, whatever intent it was classified as:
    "uh huh" is a yes, and the classifier reads "huh" as one too, so at "Cancel it?" it cancelled
    the order (:class:`YesNoQuestions`). Outside a form a puzzled "yes" to an offered person
    still hands over, which is what a puzzled shopper needs.
    """
    lowered = _words(text)
    words = set(lowered.split())
    if words and words <= PUZZLED_WORDS | {"sorry"} and words & PUZZLED_WORDS:
        return True
    return any(re.search(_phrase(phrase), lowered) for phrase in PUZZLED_PHRASES)


def read_yes_no(text: str) -> Optional[bool]:
    """``True`` for a yes, ``False`` for a no, ``None`` when the text is neither or both.

    Any "no" signal wins over politeness ("no, please leave it" is a no); a message with a clear
    yes and a clear no ("yes... no wait") is unclear, and the form asks again.
    """
    lowered = _words(text)
    no_phrases = [phrase for phrase in NO_PHRASES if re.search(_phrase(phrase), lowered)]
    for phrase in no_phrases:
        lowered = re.sub(_phrase(phrase), " ", lowered)
    tokens = lowered.split()
    words = set(tokens)
    says_no = bool(words & NO_WORDS) or bool(no_phrases) or _declines(tokens)
    # "right" in "not right now" or "the right colour" is no yes
    yes_words = [
        w
        for i, w in enumerate(tokens)
        if w in YES_WORDS and (i == 0 or tokens[i - 1] not in _NOT_A_YES_AFTER)
    ]
    says_yes = bool(yes_words) or any(phrase in lowered for phrase in YES_PHRASES)
    if says_no and not says_yes:
        return False
    if says_yes and not says_no:
        return True
    return None


def _declines(tokens: list) -> bool:
    """A negation that says no (:data:`NEGATIONS`): in a reply of two words or fewer, or next to
    what it declines."""
    for here, token in enumerate(tokens):
        if token in NEGATIONS:
            if len(tokens) <= 2:
                return True
            nearby = tokens[max(0, here - 1) : here] + tokens[here + 1 : here + 3]
            if DECLINED & set(nearby):
                return True
    return False


def confirmation_answer(tracker: Tracker, yes_intents: Iterable[str] = ()) -> Optional[bool]:
    """The shopper's latest message as a yes/no: by intent first, then by its words."""
    message = tracker.latest_message or {}
    intent = (message.get("intent") or {}).get("name")
    if intent in NEVER_AN_ANSWER:
        return None
    if intent == AFFIRM or intent in set(yes_intents):
        return True
    if intent == DENY:
        return False
    return read_yes_no(str(message.get("text") or ""))


def extract_confirmation(
    tracker: Tracker, slot: str, yes_intents: FrozenSet[str] = frozenset()
) -> Dict[str, bool]:
    """``{slot: answer}`` when the form is waiting for ``slot`` and the message reads as yes or no.

    Empty when the form asks something else, the domain's mappings already filled the slot this
    turn, or the message is not a yes/no (the form then asks again or another flow takes over).
    """
    if tracker.get_slot("requested_slot") != slot or tracker.get_slot(slot) is not None:
        return {}
    answer = confirmation_answer(tracker, yes_intents)
    return {} if answer is None else {slot: answer}


class YesNoQuestions:
    """Mixin for a form validator whose form asks yes/no questions (``yes_no_slots``).

    The domain maps ``affirm`` and ``deny`` onto those slots before the validator runs, so a
    puzzled reply classified as ``affirm`` would already have said yes. Here such a reply leaves
    them unanswered (a yes or no it set becomes ``None``, in the events and in the tracker the
    subclass sees after this) and the form asks again.
    """

    yes_no_slots: FrozenSet[str] = frozenset()

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        events = await super().get_validation_events(dispatcher, tracker, domain)  # type: ignore[misc]
        if not is_puzzled(str((tracker.latest_message or {}).get("text") or "")):
            return events
        unanswered = []
        for event in events:
            answer = event.get("event") == "slot" and event.get("name") in self.yes_no_slots
            if answer and isinstance(event.get("value"), bool):
                event = SlotSet(event["name"], None)
                tracker.slots[event["name"]] = None
            unanswered.append(event)
        return unanswered
