"""Every pattern run on shopper text does work linear in the message (see core/text.py).

No wall clock: each pattern is wrapped in a recorder that notes how many characters it was given,
and each test feeds a 100,000+ character adversarial message to the function that uses it. Two
structural facts then bound the work: the pattern reads a bounded window (asserted from the
recorder), and the rewritten patterns have no unbounded quantifier (asserted on their parse tree).
"""

from __future__ import annotations

import re
import sre_parse  # Python 3.10's name for re's parser
from typing import Any, Iterator, List

import pytest

import actions.sizing as sizing
import store.contact as contact
import storefront.channels.whatsapp_format as whatsapp_format
import storefront.nlu.measurements as measurements
from core.text import MAX_SCANNED_CHARS
from storefront.channels.whatsapp_format import Option

BIG = 100_000
ADVERSARIAL = [
    "a@" * (BIG // 2),
    "1" * BIG,
    "a" * BIG + "!",
    " " * BIG + "x",
    "1 " * (BIG // 2) + "!",
    "a@" + "." * BIG + "@",
    "order " + " " * BIG + "#",
    "170cm waist " * (BIG // 12),
    "5'" * (BIG // 2),
]


class RecordingPattern:
    """A compiled pattern that records the length of text it is asked to read."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        self.lengths: List[int] = []

    def _note(self, text: str, pos: int = 0, endpos: int | None = None) -> None:
        self.lengths.append(min(len(text), endpos if endpos is not None else len(text)) - pos)

    def search(self, text: str, *args: int) -> Any:
        self._note(text, *args)
        return self.pattern.search(text, *args)

    def match(self, text: str, *args: int) -> Any:
        self._note(text, *args)
        return self.pattern.match(text, *args)

    def fullmatch(self, text: str, *args: int) -> Any:
        self._note(text, *args)
        return self.pattern.fullmatch(text, *args)

    def finditer(self, text: str, *args: int) -> Iterator[Any]:
        self._note(text, *args)
        return self.pattern.finditer(text, *args)

    def findall(self, text: str, *args: int) -> List[Any]:
        self._note(text, *args)
        return self.pattern.findall(text, *args)

    def split(self, text: str, maxsplit: int = 0) -> List[str]:
        self._note(text)
        return self.pattern.split(text, maxsplit)


def record(monkeypatch: pytest.MonkeyPatch, module: Any, *names: str) -> List[RecordingPattern]:
    recorders = []
    for name in names:
        recorder = RecordingPattern(getattr(module, name))
        monkeypatch.setattr(module, name, recorder)
        recorders.append(recorder)
    return recorders


def longest_read(recorders: List[RecordingPattern]) -> int:
    return max((length for r in recorders for length in r.lengths), default=0)


def unbounded_repeats(pattern: re.Pattern[str]) -> int:
    """How many ``*``/``+``/``{n,}`` quantifiers the pattern has (nested groups included)."""
    count = 0
    stack = [sre_parse.parse(pattern.pattern, pattern.flags)]
    while stack:
        for op, arg in stack.pop():
            if op in (sre_parse.MAX_REPEAT, sre_parse.MIN_REPEAT):
                _low, high, sub = arg
                count += high == sre_parse.MAXREPEAT
                stack.append(sub)
            elif op is sre_parse.SUBPATTERN:
                stack.append(arg[-1])
            elif op is sre_parse.BRANCH:
                stack.extend(arg[1])
            elif op in (sre_parse.ASSERT, sre_parse.ASSERT_NOT):
                stack.append(arg[1])
    return count


# ---- structure ----


@pytest.mark.parametrize(
    "pattern",
    [
        contact._ORDER_NUMBER_IN_TEXT,
        contact._EMAIL_IN_TEXT,
        contact._PHONE_IN_TEXT,
        contact._ORDER_NUMBER,
        whatsapp_format._NUMBER_ANSWER,
        sizing._QUANTITY,
    ],
    ids=["order digits", "email", "phone", "order number", "numbered answer", "quantity"],
)
def test_rewritten_patterns_have_only_bounded_quantifiers(pattern: re.Pattern[str]) -> None:
    assert unbounded_repeats(pattern) == 0


def test_the_structural_check_sees_the_old_quadratic_patterns() -> None:
    assert unbounded_repeats(re.compile(r"[^@\s<>()]+@[^@\s<>()]+\.[A-Za-z]{2,}")) == 3
    assert unbounded_repeats(re.compile(r"^\s*(?:order\s*)?(?:no\.?\s*)?#?\s*0*(\d{1,12})\s*$")) == 6


# ---- bounded reading on 100,000+ character messages ----


@pytest.mark.parametrize("text", ADVERSARIAL)
def test_finding_contacts_and_numbers_reads_a_bounded_window(
    monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    recorders = record(
        monkeypatch, contact, "_ORDER_NUMBER_IN_TEXT", "_EMAIL_IN_TEXT", "_PHONE_IN_TEXT", "_TOKEN_BREAKS"
    )
    (email,) = recorders[1:2]
    contact.find_order_number(text)
    contact.find_contact(text)
    assert longest_read(recorders) <= MAX_SCANNED_CHARS
    assert max(email.lengths, default=0) <= contact.MAX_EMAIL_CHARS


def test_finding_ignores_what_lies_past_the_window() -> None:
    assert contact.find_contact("see " * 10 + "<Ava.Shopper@Example.com>,") == "ava.shopper@example.com"
    assert contact.find_contact("x " * (BIG // 2) + "ava.shopper@example.com") is None
    assert contact.find_contact("call me on +1 (415) 555-0101 please") == "+1 (415) 555-0101"
    assert contact.find_order_number("it's # 1001, thanks") == 1001
    assert contact.find_order_number("x" * BIG + " 1001") is None


@pytest.mark.parametrize("text", ADVERSARIAL)
def test_store_contact_parsers_read_a_bounded_token(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    (number,) = record(monkeypatch, contact, "_ORDER_NUMBER")
    contact.parse_order_number(text)
    assert contact.normalize_email(text) is None
    assert max(number.lengths, default=0) <= contact.MAX_ORDER_NUMBER_CHARS


@pytest.mark.parametrize(
    ("text", "number"),
    [(" order no. # 001001 ", 1001), (" " * BIG + "1001", 1001), ("Order #1001", 1001), ("1001 x", None)],
)
def test_order_numbers_still_parse(text: str, number: int | None) -> None:
    assert contact.parse_order_number(text) == number


@pytest.mark.parametrize(
    ("text", "email"),
    [(" Ava@Example.com ", "ava@example.com"), ("a@b.c.", "a@b.c."), ("a@.com", None), ("a@b", None),
     ("a b@c.com", None), ("a@b@c.com", None), ("@b.com", None)],
)  # fmt: skip
def test_emails_are_checked_as_before(text: str, email: str | None) -> None:
    assert contact.normalize_email(text) == email


@pytest.mark.parametrize("text", ADVERSARIAL)
def test_numbered_answers_read_a_bounded_answer(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    (number,) = record(monkeypatch, whatsapp_format, "_NUMBER_ANSWER")
    options = [Option("Yes", "yes"), Option("No", "no")]
    assert whatsapp_format.match_numbered_answer(text, options) is None
    assert whatsapp_format.match_numbered_answer(" " * BIG + "# 2 )" + " " * BIG, options) == "no"
    assert max(number.lengths, default=0) <= whatsapp_format.MAX_NUMBER_ANSWER_CHARS


@pytest.mark.parametrize("text", [*ADVERSARIAL, "1" + " " * BIG + "!"])
def test_quantities_read_the_stripped_value_with_bounded_parts(text: str) -> None:
    assert sizing.quantity_in(text, "cm") is None
    assert sizing.quantity_in(" " * BIG + "70 in" + " " * BIG, "cm") == 177.8


@pytest.mark.parametrize("text", ADVERSARIAL)
def test_measurements_read_a_bounded_window(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    whole = record(
        monkeypatch,
        measurements,
        "_FEET_INCHES",
        "_NUMBER_UNIT",
        "_KEYWORD_BEFORE_NUMBER",
        "_NUMBER_BEFORE_KEYWORD",
    )
    (context,) = record(monkeypatch, measurements, "_CONTEXT_RE")
    measurements.parse_measurements(text)
    assert longest_read(whole) <= MAX_SCANNED_CHARS
    # keywords are looked for next to each number, not across the whole message per number
    reach = measurements._MAX_CONTEXT_DISTANCE + measurements._LONGEST_CONTEXT_WORD + 1
    assert max(context.lengths, default=0) <= 2 * reach + len("170.55 centimetres")


def test_measurements_past_the_window_are_not_read() -> None:
    assert [m.normalized for m in measurements.parse_measurements("I'm 180cm, waist 32")] == [
        "180 cm",
        "81.3 cm",
    ]
    assert measurements.parse_measurements("x" * BIG + " I'm 180cm") == []


def test_taken_spans_find_overlaps() -> None:
    taken = measurements.TakenSpans()
    for start, end in ((10, 20), (0, 5), (30, 40)):
        taken.add(start, end)
    assert [taken.overlaps(s, e) for s, e in ((5, 10), (19, 21), (20, 30), (4, 6), (39, 50), (41, 50))] == [
        False, True, False, True, True, False,
    ]  # fmt: skip
