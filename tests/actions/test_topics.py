"""A short follow-up asks the question just answered again (actions/topics.py)."""

from __future__ import annotations

import pytest

from actions.topics import earlier_stock_question, is_follow_up, return_policy_again
from tests.support.trackers import tracker_from_events


@pytest.mark.parametrize(
    "text",
    ["and the jeans?", "what about the Chelsea Boot", "same for the zip hoodie?", "ok and in black?",
     "how about size 10", "the parka?", "and in the chelsea boot? i'm usually a uk 7"],
)  # fmt: skip
def test_follow_ups(text: str) -> None:
    assert is_follow_up(text)


@pytest.mark.parametrize(
    "text",
    ["I'm looking for a warm jacket for hiking under 200", "is the fleece hoodie in stock in medium please",
     "andrew said the parka runs small, is that true"],
)  # fmt: skip
def test_requests_of_their_own(text: str) -> None:
    assert not is_follow_up(text)


# -- a stock follow-up keeps what it does not name ------------------------------------------------


def _user(text: str, **entities: str) -> dict:
    found = [{"entity": name, "value": value} for name, value in entities.items()]
    return {"event": "user", "text": text, "parse_data": {"text": text, "entities": found}}


def _stock_answer(**slots: str) -> list:
    """The slots the shopper's message filled, the stock answer, and its clearing of size and color."""
    return [
        *({"event": "slot", "name": k, "value": v} for k, v in slots.items()),
        {"event": "action", "name": "action_product_stock"},
        {"event": "bot", "text": "Good news", "metadata": {"utter_action": "utter_stock_in_stock"}},
        {"event": "slot", "name": "size", "value": None},
        {"event": "slot", "name": "color", "value": None},
        {"event": "action", "name": "action_listen"},
    ]


def _asked_after(events: list, latest: dict) -> dict:
    return earlier_stock_question(tracker_from_events([*events, latest]))


BOOT_IN_10 = [_user("do you have the chelsea boot in 10", product="chelsea boot", size="10"),
              *_stock_answer(product="chelsea-boot", size="10")]  # fmt: skip


def test_a_follow_up_naming_a_color_keeps_the_size_of_the_question_answered() -> None:
    assert _asked_after(BOOT_IN_10, _user("and in black?", color="Black")) == {
        "product": "chelsea-boot", "size": "10",
    }  # fmt: skip


def test_a_question_pointing_back_at_it_is_a_follow_up() -> None:
    assert _asked_after(BOOT_IN_10, _user("do you have it in black", color="Black"))["size"] == "10"


def test_follow_ups_in_a_row_keep_everything_asked_before() -> None:
    events = [*BOOT_IN_10, _user("and in black?", color="Black"), *_stock_answer(color="Black")]
    assert _asked_after(events, _user("what about a 9", size="9")) == {
        "product": "chelsea-boot", "size": "10", "color": "Black",
    }  # fmt: skip


@pytest.mark.parametrize(
    "latest",
    [
        _user("is the zip hoodie in stock in black", product="zip hoodie", color="Black"),  # names a product
        _user("I was wondering whether you also carry anything waterproof in black", color="Black"),  # long
        _user('/product_stock{"color": "Black"}', color="Black"),  # a button
    ],
)
def test_a_new_question_starts_afresh(latest: dict) -> None:
    assert _asked_after(BOOT_IN_10, latest) == {}


def test_only_right_after_a_stock_answer() -> None:
    shipping = {"event": "bot", "text": "Yes", "metadata": {"utter_action": "utter_shipping_info"}}
    events = [*BOOT_IN_10, _user("do you ship to canada"), shipping]
    assert _asked_after(events, _user("and in black?", color="Black")) == {}


# -- after the return policy, a follow-up asks it about what it names ----------------------------


def _after_the_return_policy(latest: dict) -> list:
    return [
        _user("what's your return policy"),
        {"event": "action", "name": "action_return_policy"},
        {"event": "bot", "text": "You can return...", "metadata": {"utter_action": "utter_return_policy"}},
        {"event": "action", "name": "action_listen"},
        latest,
    ]


@pytest.mark.parametrize(
    ("latest", "again"),
    [
        (_user("and for sale items?"), True),
        (_user("what about clearance stuff"), True),
        (_user("and if it was a gift?"), True),
        (_user("what about swimwear?", category="Swimwear"), True),
        (_user("and the chelsea boot?", product="Chelsea Boot"), True),
        (_user("ok thanks"), False),
        (_user("I'm looking for a warm jacket for hiking in the rain under 200", category="jackets"), False),
    ],
)
def test_a_follow_up_to_the_return_policy_asks_it_again(latest: dict, again: bool) -> None:
    assert return_policy_again(tracker_from_events(_after_the_return_policy(latest))) is again


def test_the_same_words_long_after_the_return_policy_are_no_follow_up() -> None:
    events = [
        *_after_the_return_policy(_user("hi")),
        {"event": "bot", "text": "Hi!", "metadata": {"utter_action": "utter_greet"}},
        {"event": "action", "name": "action_listen"},
        _user("and for sale items?"),
    ]
    assert not return_policy_again(tracker_from_events(events))
