"""Outbound rendering at WhatsApp's limits: text splitting, buttons, lists, numbered options."""

from __future__ import annotations

from typing import Any, Dict, List

import pytest

from storefront.channels.whatsapp_format import (
    LAYOUT_BUTTONS,
    LAYOUT_LIST,
    LAYOUT_NUMBERED,
    Option,
    choose_layout,
    match_numbered_answer,
    numbered_text,
    options_from_buttons,
    split_text,
    template_parameter,
    text_length,
)


def buttons(*titles: str, **extra: Any) -> List[Option]:
    return options_from_buttons(
        [{"title": t, "payload": f'/choose{{"n": {i}}}', **extra} for i, t in enumerate(titles)]
    )


def test_text_of_exactly_4096_characters_is_one_message() -> None:
    text = "a" * 4096
    assert split_text(text) == [text]


def test_text_of_4097_characters_is_split_on_the_last_word_boundary() -> None:
    words = ("word " * 820).strip()  # 4099 characters
    chunks = split_text(words)
    assert [len(c) for c in chunks] == [4094, 4]
    assert " ".join(chunks) == words


def test_paragraph_boundary_is_preferred_over_sentences_and_words() -> None:
    first = "First paragraph. " * 150  # 2550 characters
    second = "Second one has words. " * 100
    chunks = split_text(first.strip() + "\n\n" + second.strip())
    assert chunks == [first.strip(), second.strip()]


def test_sentence_boundary_is_used_when_there_is_no_paragraph() -> None:
    sentence = "This sentence ends here. "
    text = sentence * 200  # 5000 characters, no newlines
    chunks = split_text(text)
    assert all(c.endswith("here.") for c in chunks)
    assert [len(c) for c in chunks] == [4074, 924]


def test_a_boundary_too_early_in_the_window_is_not_used() -> None:
    text = "Hi.\n\n" + "x" * 5000
    assert split_text(text) == ["Hi.\n\n" + "x" * 4091, "x" * 909]


def test_text_without_spaces_is_cut_hard_at_the_limit() -> None:
    assert [len(c) for c in split_text("y" * 8193)] == [4096, 4096, 1]


def test_emoji_count_as_two_units_and_are_never_cut_in_half() -> None:
    text = "🙂" * 2049  # 4098 UTF-16 units
    chunks = split_text(text)
    assert [text_length(c) for c in chunks] == [4096, 2]
    assert "".join(chunks) == text


@pytest.mark.parametrize(
    ("titles", "layout"),
    [
        (("Yes", "No", "Talk to a person"), LAYOUT_BUTTONS),
        (("One", "Two", "Three", "Four"), LAYOUT_LIST),
        (("a" * 20, "b"), LAYOUT_BUTTONS),
        (("a" * 21, "b"), LAYOUT_LIST),
        (("a" * 24, "b"), LAYOUT_LIST),
        (("a" * 25, "b"), LAYOUT_NUMBERED),
        (tuple(f"Option {n}" for n in range(10)), LAYOUT_LIST),
        (tuple(f"Option {n}" for n in range(11)), LAYOUT_NUMBERED),
        (("Same", "same"), LAYOUT_NUMBERED),
        (("", "Empty title"), LAYOUT_NUMBERED),
        ((), LAYOUT_NUMBERED),
    ],
)
def test_layout_follows_whatsapp_limits(titles: tuple, layout: str) -> None:
    assert choose_layout(buttons(*titles)) == layout


def test_descriptions_force_a_list_and_must_fit_72_characters() -> None:
    assert choose_layout(buttons("A", "B", description="d" * 72)) == LAYOUT_LIST
    assert choose_layout(buttons("A", "B", description="d" * 73)) == LAYOUT_NUMBERED


def test_payloads_too_long_for_ids_fall_back_to_numbered_text() -> None:
    long_payload = [{"title": "A", "payload": "/x" + "p" * 255}, {"title": "B", "payload": "/y"}]
    assert choose_layout(options_from_buttons(long_payload)) == LAYOUT_NUMBERED
    row_payload = [{"title": f"T{n}", "payload": "/x" + "p" * 197 + str(n)} for n in range(4)]
    assert choose_layout(options_from_buttons(row_payload)) == LAYOUT_LIST


def test_duplicate_payloads_cannot_be_told_apart_so_they_are_numbered() -> None:
    same: List[Dict[str, Any]] = [{"title": "A", "payload": "/p"}, {"title": "B", "payload": "/p"}]
    assert choose_layout(options_from_buttons(same)) == LAYOUT_NUMBERED


def test_button_without_payload_answers_with_its_title() -> None:
    assert options_from_buttons([{"title": "Hello"}]) == [Option(title="Hello", payload="Hello")]


def test_numbered_text_lists_each_option_after_the_text() -> None:
    assert numbered_text("Pick one:", buttons("Red", "Blue")) == "Pick one:\n\n1. Red\n2. Blue"


@pytest.mark.parametrize(
    ("answer", "expected"),
    [("2", '/choose{"n": 1}'), (" 2. ", '/choose{"n": 1}'), ("#3", '/choose{"n": 2}'),
     ("3)", '/choose{"n": 2}'),
     ("blue", '/choose{"n": 1}'), ("4", None), ("0", None), ("2 please", None), ("", None)],
)  # fmt: skip
def test_numbered_answers_map_back_to_payloads(answer: str, expected: Any) -> None:
    assert match_numbered_answer(answer, buttons("Red", "Blue", "Green")) == expected


def test_a_title_that_is_a_number_wins_over_the_position() -> None:
    options = buttons("1", "2", "5")
    assert match_numbered_answer("5", options) == '/choose{"n": 2}'
    assert match_numbered_answer("3", options) == '/choose{"n": 2}'


def test_no_options_means_no_mapping() -> None:
    assert match_numbered_answer("1", []) is None


def test_template_parameters_have_no_newlines_tabs_or_long_space_runs() -> None:
    assert template_parameter("Hello\n\nthere\tfriend     !") == "Hello there friend !"
    long = template_parameter("z" * 2000)
    assert len(long) == 1024 and long.endswith("…")
