"""Body measurements in shoppers' words, parsed into metric numbers.

Shoppers write heights as ``5'10"``, ``5 ft 10``, ``178cm`` or ``1.78 m``, weights as ``70kg``,
``154 lbs`` or ``11 stone``, and waists as ``32 waist``. Which body part a length belongs to comes
from the nearest keyword (``chest``, ``waist``, ``foot``, ``tall``); a bare number is accepted only
next to its keyword (``32 waist``), because a bare number elsewhere is as likely an order number or
a price. Everything is converted to centimetres or kilograms so that the size recommender receives
one unit.

Regular expressions on the raw text are used here rather than token patterns because shoppers'
unit spellings (``5'10''``, typographic quotes, ``154lbs``) tokenise inconsistently.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import List, Optional, Tuple

from core.text import scan_window
from core.units import CM_PER_FOOT, CM_PER_INCH, KG_PER_POUND, KG_PER_STONE

_NUM = r"\d{1,3}(?:[.,]\d{1,2})?"

_FEET_INCHES = re.compile(
    r"(?<![\w.])(?P<ft>[4-7])\s*(?:'|\u2019|\u2032|ft\.?|feet|foot)\s*"
    r"(?:(?P<inch>1[01](?:\.5)?|\d(?:\.5)?)(?!\s*(?:kg|kilo|lb|pound|cm|st|%|\d))"
    r"\s*(?:\"|\u201d|\u2033|''|\u2019\u2019|inches|inch|in\b\.?)?)?",
    re.IGNORECASE,
)
_NUMBER_UNIT = re.compile(
    rf"(?<![\w.#$£€])(?P<num>{_NUM})\s*(?P<unit>centimet(?:er|re)s?|cms?|mm|met(?:er|re)s?|m"
    rf"|inches|inch|in\.?|\"|\u201d|\u2033|kilograms?|kilos?|kgs?|pounds?|lbs?|stones?)(?![\w'\u2019])",
    re.IGNORECASE,
)
_KEYWORD_BEFORE_NUMBER = re.compile(
    r"\b(?P<kw>waist|chest|bust)(?:\s*(?:is|of|size|measurement|measures|around|about|=|:))*\s*"
    r"(?P<num>\d{2,3}(?:[.,]\d)?)(?![\d.,]*\s*(?:cm|in|inch|\"|kg|lb|mm))(?![\w.])",
    re.IGNORECASE,
)
_NUMBER_BEFORE_KEYWORD = re.compile(
    r"(?<![\w.#$£€])(?P<num>\d{2,3}(?:[.,]\d)?)\s*(?:-\s*)?(?:inch\s+|in\s+)?(?P<kw>waist|chest|bust)\b",
    re.IGNORECASE,
)

# Words that say which body part a length belongs to, and where they point.
_CONTEXT = {
    "chest": ("chest", "bust", "pit to pit", "chest size"),
    "waist": ("waist", "waistband"),
    "foot_length": ("foot", "feet", "insole", "heel to toe", "foot length"),
    "height": ("tall", "height", "i'm", "im", "i am"),
}
_CONTEXT_RE = re.compile(
    r"\b("
    + "|".join(sorted({re.escape(w) for ws in _CONTEXT.values() for w in ws}, key=len, reverse=True))
    + r")\b",
    re.IGNORECASE,
)
_MONEY_CONTEXT = re.compile(
    r"\b(over|under|cost|costs|spend|spent|paid|pay|price|for|worth|refund)\s*$", re.I
)
_WEIGHT_CONTEXT = re.compile(r"\b(weigh|weighs|weight|weighing|i'm|im|i am|and|about|around)\b", re.I)
_MAX_CONTEXT_DISTANCE = 25
_LONGEST_CONTEXT_WORD = max(len(w) for ws in _CONTEXT.values() for w in ws)


@dataclass(frozen=True)
class Measurement:
    """One measurement found in a message.

    Attributes:
        entity: ``height``, ``weight``, ``chest``, ``waist`` or ``foot_length``.
        start: character offset of the first character in the message.
        end: character offset after the last character.
        text: the words as the shopper wrote them.
        value: the measurement in ``unit`` (rounded to 0.1).
        unit: ``cm`` for lengths, ``kg`` for weights.
        source_value: the number the shopper wrote (feet as a decimal for ``5'10"``).
        source_unit: the unit the shopper wrote, normalised (``ft``, ``in``, ``cm``, ``m``, ``mm``,
            ``kg``, ``lb``, ``st``).
    """

    entity: str
    start: int
    end: int
    text: str
    value: float
    unit: str
    source_value: float
    source_unit: str

    @property
    def normalized(self) -> str:
        """The value as one string, e.g. ``"177.8 cm"``, used as the entity value."""
        number = f"{self.value:.1f}".rstrip("0").rstrip(".")
        return f"{number} {self.unit}"


def _number(text: str) -> float:
    return float(text.replace(",", "."))


def _unit_key(unit: str) -> str:
    unit = unit.lower().rstrip(".")
    if unit.startswith("centimet") or unit in ("cm", "cms"):
        return "cm"
    if unit == "mm":
        return "mm"
    if unit == "m" or unit.startswith("met"):
        return "m"
    if unit in ("in", "inch", "inches", '"', "\u201d", "\u2033"):
        return "in"
    if unit.startswith("kilo") or unit in ("kg", "kgs"):
        return "kg"
    if unit.startswith("pound") or unit in ("lb", "lbs"):
        return "lb"
    return "st"


def _nearest_body_part(text: str, start: int, end: int) -> Optional[str]:
    """The body part whose keyword is closest to ``text[start:end]``, if one is close enough."""
    best: Optional[Tuple[int, int, str]] = None
    # only the keywords near the number: scanning the whole message for every number was quadratic
    reach = _MAX_CONTEXT_DISTANCE + _LONGEST_CONTEXT_WORD + 1
    for match in _CONTEXT_RE.finditer(text, max(0, start - reach), end + reach):
        word = match.group(1).lower()
        part = next(p for p, words in _CONTEXT.items() if word in words)
        if match.start() >= end:
            distance, after = match.start() - end, 0
        elif match.end() <= start:
            distance, after = start - match.end(), 1
        else:
            continue
        if distance <= _MAX_CONTEXT_DISTANCE and (best is None or (distance, after) < best[:2]):
            best = (distance, after, part)
    return best[2] if best else None


def _length(text: str, start: int, end: int, number: float, unit: str) -> Optional[Tuple[str, float]]:
    """Decide which body part a length is and convert it to cm; ``None`` when it is not one."""
    cm = {"cm": number, "mm": number / 10, "m": number * 100, "in": number * CM_PER_INCH}[unit]
    part = _nearest_body_part(text, start, end)
    if part is None:
        # Without a keyword only a metric height is unambiguous enough to accept ("10 in stock"
        # is not a length).
        part = "height" if unit in ("cm", "m") and 120 <= cm <= 230 else None
    if part is None:
        return None
    plausible = {"height": (100, 240), "chest": (60, 160), "waist": (50, 160), "foot_length": (12, 36)}
    low, high = plausible[part]
    return (part, cm) if low <= cm <= high else None


def _weight(text: str, start: int, number: float, unit: str) -> Optional[float]:
    kg = {"kg": number, "lb": number * KG_PER_POUND, "st": number * KG_PER_STONE}[unit]
    before = text[max(0, start - 20) : start]
    if unit == "lb" and _MONEY_CONTEXT.search(before):
        return None  # "free shipping over 50 pounds" is money, not a weight
    if unit == "lb" and number < 70 and not _WEIGHT_CONTEXT.search(before):
        return None
    return kg if 25 <= kg <= 250 else None


@dataclass
class TakenSpans:
    """Non-overlapping ``(start, end)`` character spans, sorted, with a logarithmic overlap test.

    (A scan over every span taken so far made a message full of measurements quadratic.)
    """

    spans: List[Tuple[int, int]] = field(default_factory=list)

    def overlaps(self, start: int, end: int) -> bool:
        """Whether ``[start, end)`` overlaps a taken span."""
        before = bisect.bisect_left(self.spans, (end,))  # spans starting before ``end``
        return before > 0 and self.spans[before - 1][1] > start

    def add(self, start: int, end: int) -> None:
        """Take ``[start, end)`` (it must not overlap a taken span)."""
        bisect.insort(self.spans, (start, end))


def parse_measurements(text: str) -> List[Measurement]:
    """Find every body measurement in ``text``.

    Args:
        text: the shopper's message (only its first ``MAX_SCANNED_CHARS`` are read).

    Returns:
        Measurements in the order they appear, converted to cm or kg.
    """
    text = scan_window(text)
    found: List[Measurement] = []
    taken = TakenSpans()

    def add(entity: str, start: int, end: int, value: float, unit: str, src: float, src_unit: str) -> None:
        found.append(Measurement(entity, start, end, text[start:end], round(value, 1), unit, src, src_unit))
        taken.add(start, end)

    for match in _FEET_INCHES.finditer(text):
        feet, inches = int(match.group("ft")), _number(match.group("inch") or "0")
        end = match.end()
        while end > match.start() and text[end - 1].isspace():
            end -= 1
        add(
            "height",
            match.start(),
            end,
            feet * CM_PER_FOOT + inches * CM_PER_INCH,
            "cm",
            round(feet + inches / 12, 3),
            "ft",
        )

    for match in _NUMBER_UNIT.finditer(text):
        start, end = match.start(), match.end()
        if taken.overlaps(start, end):
            continue
        number, unit = _number(match.group("num")), _unit_key(match.group("unit"))
        if unit in ("kg", "lb", "st"):
            kg = _weight(text, start, number, unit)
            if kg is not None:
                add("weight", start, end, kg, "kg", number, unit)
            continue
        length = _length(text, start, end, number, unit)
        if length is not None:
            add(length[0], start, end, length[1], "cm", number, unit)

    for pattern in (_KEYWORD_BEFORE_NUMBER, _NUMBER_BEFORE_KEYWORD):
        for match in pattern.finditer(text):
            start, end = match.span("num")
            if taken.overlaps(start, end):
                continue
            number, part = _number(match.group("num")), match.group("kw").lower()
            part = "chest" if part == "bust" else part
            # Waists up to 55 and chests up to 65 are inches; larger numbers are centimetres.
            unit = "in" if number <= (55 if part == "waist" else 65) else "cm"
            cm = number * CM_PER_INCH if unit == "in" else number
            add(part, start, end, cm, "cm", number, unit)

    return sorted(found, key=lambda m: m.start)
