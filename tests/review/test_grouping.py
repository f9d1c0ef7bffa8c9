"""storefront.review.grouping: similar messages end up together, unrelated ones apart."""

from __future__ import annotations

from storefront.review.grouping import group_texts


def test_similar_messages_share_a_group_and_the_largest_group_comes_first() -> None:
    texts = [
        "do you sell gift cards",      # 0
        "where is my refund",          # 1
        "can i buy a gift card",       # 2
        "wheres my refnud",            # 3
        "gift card for my mum?",       # 4
        "is it raining in paris",      # 5
        "refund still not here",       # 6
        "gift cards available?",       # 7
    ]  # fmt: skip
    assert group_texts(texts) == [[0, 2, 4, 7], [1, 3, 6], [5]]


def test_no_message_and_one_message() -> None:
    assert group_texts([]) == []
    assert group_texts(["hello there"]) == [[0]]


def test_a_tighter_threshold_splits_groups() -> None:
    texts = ["where is my refund", "wheres my refnud", "refund still not here"]
    assert len(group_texts(texts, distance_threshold=0.05)) == 3
