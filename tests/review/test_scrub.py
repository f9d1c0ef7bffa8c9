"""storefront.review.scrub: every kind of personal data becomes its placeholder, the rest stays."""

from __future__ import annotations

import pytest

from storefront.review.scrub import scrub


@pytest.mark.parametrize(
    ("message", "text", "annotated"),
    [
        (
            "order #1042 never came, mail me at ava.jones@example.org",
            "order #1234 never came, mail me at shopper@example.com",
            "order [#1234](order_number) never came, mail me at [shopper@example.com](email)",
        ),
        ("ring me on 07700 900123 please", "ring me on +1 555 010 0199 please",
         "ring me on [+1 555 010 0199](phone) please"),
        ("where is 10234", "where is #1234", "where is [#1234](order_number)"),
        ("send it to 221B Baker Street instead", "send it to 1 Sample Street instead",
         "send it to 1 Sample Street instead"),
        ("hi my name is Ava Jones and I need help", "hi my name is Alex and I need help",
         "hi my name is Alex and I need help"),
        ("thanks, Priya", "thanks, Alex", "thanks, Alex"),
        # kept: sizes, prices, quantities, words after the cues that are not names
        ("I am looking for size 10 boots under 120.50", "I am looking for size 10 boots under 120.50",
         "I am looking for size 10 boots under 120.50"),
        ("I'm Sorry but 2 of them broke", "I'm Sorry but 2 of them broke", "I'm Sorry but 2 of them broke"),
        # a shopper's brackets never become Rasa entity syntax; whitespace collapses to one line
        ("a [weird](thing)\n  message", "a weird (thing) message", "a weird (thing) message"),
    ],
)  # fmt: skip
def test_personal_data_becomes_placeholders(message: str, text: str, annotated: str) -> None:
    scrubbed = scrub(message)
    assert (scrubbed.text, scrubbed.annotated) == (text, annotated)


def test_the_annotated_text_is_valid_training_data(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from rasa.shared.nlu.training_data.loading import load_data

    scrubbed = scrub("order 1042 for ava@example.org, call +44 7700 900123")
    path = tmp_path / "one.yml"
    path.write_text(
        f'version: "3.1"\nnlu:\n- intent: order_status\n  examples: |\n    - {scrubbed.annotated}\n'
    )
    message = load_data(str(path)).intent_examples[0]
    assert message.get("text") == scrubbed.text
    assert sorted((e["entity"], e["value"]) for e in message.get("entities")) == [
        ("email", "shopper@example.com"), ("order_number", "#1234"), ("phone", "+1 555 010 0199"),
    ]  # fmt: skip
