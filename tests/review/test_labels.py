"""storefront.review.labels: each label lands in its file, in Rasa's format, and nothing is lost."""

from __future__ import annotations

from pathlib import Path

import yaml
from rasa.shared.nlu.training_data.loading import load_data

from storefront.review.labels import Destination, LabelFiles, labelled_texts, write_label
from storefront.review.scrub import scrub

INTENTS = {"order_status", "product_search"}


def test_labels_go_to_training_data_proposals_or_ignored(tmp_path: Path) -> None:
    files = LabelFiles(tmp_path)
    first, second = scrub("where is order 1042"), scrub("is order no. 1042 on its way")
    gift, noise = scrub("do you gift wrap"), scrub("asdfgh")

    assert write_label(files, label="order_status", text=first.text, annotated=first.annotated,
                       known_intents=INTENTS) is Destination.reviewed  # fmt: skip
    write_label(
        files, label="order_status", text=second.text, annotated=second.annotated, known_intents=INTENTS
    )
    assert write_label(files, label="gift_wrapping", text=gift.text, annotated=gift.annotated,
                       known_intents=INTENTS) is Destination.proposals  # fmt: skip
    assert write_label(files, label="ignore", text=noise.text, annotated=noise.annotated,
                       known_intents=INTENTS) is Destination.ignored  # fmt: skip

    reviewed = load_data(str(tmp_path / "nlu" / "reviewed.yml"))
    assert [(m.get("text"), m.get("intent")) for m in reviewed.intent_examples] == [
        ("where is order #1234", "order_status"), ("is order #1234 on its way", "order_status"),
    ]  # fmt: skip
    assert reviewed.intent_examples[0].get("entities")[0]["entity"] == "order_number"
    proposals = load_data(str(tmp_path / "review" / "proposals.yml"))
    assert [(m.get("text"), m.get("intent")) for m in proposals.intent_examples] == [
        ("do you gift wrap", "gift_wrapping")
    ]
    assert yaml.safe_load((tmp_path / "review" / "ignored.yml").read_text()) == {"ignored": ["asdfgh"]}
    assert labelled_texts(files) == {
        "where is order #1234",
        "is order #1234 on its way",
        "do you gift wrap",
        "asdfgh",
    }


def test_nothing_labelled_yet(tmp_path: Path) -> None:
    assert labelled_texts(LabelFiles(tmp_path)) == set()
