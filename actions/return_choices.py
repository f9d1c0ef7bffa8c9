"""Reading a shopper's return choices (items, reason, resolution) and explaining refusals.

The keyword tables below *read* what shoppers type; they never produce text for them.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Sequence

from rasa_sdk.executor import CollectingDispatcher

from actions.formatting import day
from store.codes import ReturnRefusal
from store.returns import ItemEligibility

NO_CONDITION_CHECK_REASONS = ("damaged", "wrong_item")
"""The store's own faults: the item's condition is not the shopper's to vouch for."""

REFUSAL_RESPONSES: Dict[ReturnRefusal, str] = {
    ReturnRefusal.FINAL_SALE: "utter_return_refused_final_sale",
    ReturnRefusal.WINDOW_EXPIRED: "utter_return_refused_window_expired",
    ReturnRefusal.NOT_DELIVERED: "utter_return_refused_not_delivered",
    ReturnRefusal.ALREADY_RETURNED: "utter_return_refused_already_returned",
    ReturnRefusal.ORDER_CANCELLED: "utter_return_refused_order_cancelled",
    ReturnRefusal.NOT_RETURNABLE_IN_SHOP: "utter_return_refused_other",
}

_REASON_WORDS = (
    ("wrong_item", r"wrong|different item|not what i ordered"),
    ("damaged", r"damag|broken|broke|torn|tear|rip|hole|defect|fault|stain"),
    ("changed_mind", r"mind|no longer|don'?t (need|want|like)|not needed|need it"),
    ("too_small", r"small(?!er)|tight|short|bigger|larger|size up"),  # "I need a bigger one"
    ("too_big", r"big|large|loose|long|baggy|smaller|size down"),
    ("not_as_pictured", r"pictur|photo|expect|look|colou?r|quality|described"),
    ("other", r"other"),
)
_SIZE_LEAD = (
    r"(too|a bit|a little|a tad|bit|slightly|really|very|way|so|quite|kinda|kind of|rather|much|far"
    r"|super|runs?|ran|running|fits?|fitted|fitting|came up|comes? up|coming up)"
)
_STATED_REASONS = (
    (
        "too_small",
        rf"\b{_SIZE_LEAD}\s+(small|tight|short|snug|narrow)\b|\b(smaller|tighter|shorter) than\b"
        r"|\bsize up\b",
    ),
    (
        "too_big",
        rf"\b{_SIZE_LEAD}\s+(big|large|loose|long|baggy|wide|roomy)\b"
        r"|\b(bigger|larger|looser|longer|baggier) than\b|\bsize down\b",
    ),
    (
        "changed_mind",
        r"\bchanged? (my|our) minds?\b|\bno longer (need|want)\b|\bnot (needed|for me)\b"
        r"|\b(don'?t|do not|didn'?t|did not) (really )?(need|want|like|love) (it|them|this|these|the)\b",
    ),
    (
        "not_as_pictured",
        r"\b(not|doesn'?t|didn'?t|isn'?t|wasn'?t|aren'?t|don'?t) (\w+ ){0,2}(like|as) (in )?(the |your )?"
        r"(pictures?|photos?|pictured|described|description|expected|advertised|website|site)\b"
        r"|\bnot as (pictured|described|expected|advertised)\b"
        r"|\bcolou?r (is|was|looks?) (off|different|wrong)\b"
        r"|\b(poor|bad|cheap|low) quality\b|\bcheaply made\b",
    ),
)
"""Reasons a shopper states in passing, while asking to return ("these jeans are way too big"):
whole phrases, never a word inside a product's name ("the shorts", "a long sleeve tee") or an
idiom ("I'm looking to return")."""
_STORE_FAULTS = (
    (
        "wrong_item",
        r"\bwrong\b|\bsomeone else'?s\b|\b(not|isn'?t|wasn'?t|aren'?t) what i (ordered|bought|paid for)"
        r"|\bdifferent (item|size|colou?r|product|thing) (from|than|to)\b",
    ),
    (
        "damaged",
        r"\b(damag\w*|broken|broke|snapped|torn|tear|ripped|holes?|defect\w*|faulty|fault|stain\w*"
        r"|cracked|leak\w*|peel\w*|fell apart|falling apart|fell off|split"
        r"|(came|coming|come) (off|apart|undone))\b",
    ),
)
"""What the message that starts a return says went wrong on the store's side (first match wins)."""
_SHOPPERS_OWN_MISTAKE = re.compile(
    r"\b(i|we)\s+(\w+\s+)?(ordered|bought|picked|chose|selected|purchased|clicked|went with|mixed up)\b"
    r"[^.?!]*\bwrong\b|\bmy (own )?(mistake|fault|bad|error)\b",
    re.IGNORECASE,
)
"""A wrong item the shopper chose ("I ordered the wrong size"): a return like any other, not the
store's fault, so its reason and the item's condition are asked as usual."""
_ALL_WORDS = re.compile(r"\b(all|both|everything|every item|whole order)\b", re.IGNORECASE)
_STOPWORDS = {"the", "and", "a", "an", "my", "of", "in", "size", "color", "colour", "return", "item", "items"}


def parse_return_reason(text: str, allowed: Sequence[str]) -> str:
    """The store reason code for what the shopper said (``other`` when nothing fits)."""
    lowered = text.lower().strip().replace(" ", "_")
    if lowered in allowed:
        return lowered
    for code, pattern in _REASON_WORDS:
        if re.search(pattern, text, re.IGNORECASE) and (not allowed or code in allowed):
            return code
    return "other"


_RESOLUTION_WORDS = (
    ("store_credit", r"credit(?!\s*card)|voucher|gift card"),  # not "to my credit card"
    (
        "exchange",
        r"exchang|swap|different size|another size|other size|replace"
        r"|(bigger|smaller|larger) (size|one|pair)|size (up|down)|a size (bigger|smaller|up|down)",
    ),
    ("refund", r"refund|money back|my money|card|reimburse"),
)
_NEGATED = re.compile(r"\b(no|not|don'?t|never|rather than|instead of|without)\s+(\w+\s+){0,2}$")
"""A negation in the two words before a mention: "not store credit, a refund" wants the refund."""


def stated_reason(text: str, allowed: Sequence[str]) -> Optional[str]:
    """The reason a message says in passing (:data:`_STATED_REASONS`), or None."""
    for code, pattern in _STATED_REASONS:
        if (not allowed or code in allowed) and re.search(pattern, text or "", re.IGNORECASE):
            return code
    return None


def store_fault(text: str, allowed: Sequence[str]) -> Optional[str]:
    """``damaged`` or ``wrong_item`` when the shopper's message says the item arrived faulty or
    wrong ("the sole came off my boots", "you sent the wrong size"), else None. A wrong item the
    shopper chose ("I ordered the wrong size") is not the store's fault."""
    own_mistake = bool(_SHOPPERS_OWN_MISTAKE.search(text or ""))
    for code, pattern in _STORE_FAULTS:
        if code == "wrong_item" and own_mistake:
            continue
        if re.search(pattern, text or "", re.IGNORECASE) and (not allowed or code in allowed):
            return code
    return None


def parse_resolution(text: str) -> Optional[str]:
    """``refund``, ``exchange`` or ``store_credit`` from what the shopper said.

    Credit wins over an exchange, an exchange over a refund ("a gift card refund" is store credit),
    except that a mention with a negation just before it does not count ("I don't want an exchange,
    just my money back" is a refund).
    """
    lowered = text.lower().replace("\u2019", "'")
    for code, pattern in _RESOLUTION_WORDS:
        for mention in re.finditer(pattern, lowered):
            if not _NEGATED.search(lowered[: mention.start()]):
                return code
    return None


ENDS_THE_FORM = frozenset({"human_handoff", "frustration", "stop"})
"""Intents whose rules end the form: never read as an answer."""

SHORT_ANSWER_WORDS = 6
"""Longer messages, and questions, naming a resolution are left to the classifier ("do refunds go
back to my card?" is a return-policy question, not the answer "refund")."""


def is_short_answer(text: str) -> bool:
    """A statement of a few words: what a shopper types (or taps) to answer the question asked."""
    return bool(text.strip()) and "?" not in text and len(text.split()) <= SHORT_ANSWER_WORDS


PREFERENCE_WORDS = 10
"""At the questions before refund-or-exchange, a statement of at most this many words naming a
resolution is the shopper's preference ("refund please", "just give me my money back")."""


def stated_preference(text: str, intent: Optional[str]) -> Optional[str]:
    """The resolution a statement names, said before the form asks for it (no question, no
    request for a person, frustration or "stop")."""
    if intent in ENDS_THE_FORM or "?" in text or not 0 < len(text.split()) <= PREFERENCE_WORDS:
        return None
    return parse_resolution(text)


def resolution_answer(text: str, intent: Optional[str]) -> Optional[str]:
    """The resolution a short answer names, whatever intent the classifier read in it.

    At the refund-or-exchange question a bare "refund" reads to the classifier like a refund-status
    or return-policy question, and the domain's ``from_text`` mapping leaves those intents to their
    own flows; a short statement naming a resolution is the answer to the question just asked.
    """
    if intent in ENDS_THE_FORM or not is_short_answer(text):
        return None
    return parse_resolution(text)


def _words(text: str) -> set:
    """Significant words, singular ("sneakers" finds "Sneaker")."""
    words = (w for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in _STOPWORDS and len(w) > 2)
    return {w[:-1] if len(w) > 3 and w.endswith("s") else w for w in words}


def match_items(text: str, items: List[ItemEligibility]) -> List[ItemEligibility]:
    """The items the shopper means: all of them, by position (``"2"``), by title or by its words."""
    lowered = text.strip().lower()
    if not lowered:
        return []
    if _ALL_WORDS.search(lowered):
        eligible = [item for item in items if item.eligible]
        return eligible or list(items)
    exact = [item for item in items if item.title.lower() == lowered or item.title.lower() in lowered]
    if exact:
        return exact
    positions = [int(n) for n in re.findall(r"\b\d\b", lowered)]
    if positions and all(1 <= n <= len(items) for n in positions):
        return [items[n - 1] for n in positions]
    wanted = _words(lowered)
    scored = [(len(wanted & _words(item.title.split(" - ")[0])), item) for item in items]
    best = max((score for score, _ in scored), default=0)
    return [item for score, item in scored if best and score == best]


NAMING_ENTITIES = ("product", "category")
"""Entities whose words name an item of the order ("the jeans", "those Trailmark boots")."""


def items_named(messages: Sequence[Dict[str, Any]], items: List[ItemEligibility]) -> List[ItemEligibility]:
    """The order's items the shopper already named while asking to return (none when unclear).

    ``messages`` are user events (``text`` and ``parse_data``). Only the words of catalog entities
    count (the product or category as typed, and a product's catalog title), never the rest of the
    sentence: "they don't fit" must not pick the Slim Fit Jeans.
    """
    named: set = set()
    for message in messages:
        text = message.get("text") or ""
        for entity in (message.get("parse_data") or {}).get("entities") or []:
            if entity.get("entity") not in NAMING_ENTITIES:
                continue
            start, end = entity.get("start"), entity.get("end")
            if isinstance(start, int) and isinstance(end, int):
                named |= _words(text[start:end])
            if entity.get("entity") == "product" and isinstance(entity.get("value"), str):
                named |= _words(entity["value"])
    if not named:
        return []
    return [item for item in items if named & _words(item.title.split(" - ")[0])]


def refuse_items(dispatcher: CollectingDispatcher, items: List[ItemEligibility]) -> None:
    """Explain, item by item, why something cannot go back (each with a way to a person)."""
    for item in items:
        response = REFUSAL_RESPONSES[item.reason] if item.reason else "utter_return_refused_other"
        dispatcher.utter_message(
            response=response,
            item=item.title,
            window_ends=day(item.window_ends) if item.window_ends else "",
        )
