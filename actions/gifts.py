"""A gift shopper's extras after the recommendation: the gift note, the gift receipt and how the
recipient can return it (the store's ``gifts`` settings and return window, :mod:`store.gifts`).

No size question is ever asked for a gift: the next steps offer help with the recipient's size
only when a recommended product is sized at all (a scarf is not).
"""

from __future__ import annotations

from typing import Sequence

from rasa_sdk.executor import CollectingDispatcher

from store.gifts import GiftOptions
from store.recommend import Recommendation, parse_need, tokens
from store.sizes import canonical_size

GIFT_ATTRIBUTE = "gift-friendly"
ONE_SIZE = "One Size"


def is_gift(need: str) -> bool:
    """A need that asks for a present ("a gift for my brother", "birthday present")."""
    return set(tokens(GIFT_ATTRIBUTE)) <= parse_need(need).wanted


def needs_a_size(recommendations: Sequence[Recommendation]) -> bool:
    """Whether any recommended product comes in sizes (one-size accessories do not)."""
    return any(canonical_size(size) != ONE_SIZE for rec in recommendations for size in rec.sizes_in_stock)


def utter_gift_next(
    dispatcher: CollectingDispatcher, recommendations: Sequence[Recommendation], options: GiftOptions
) -> None:
    """The gift's next steps, then its note, receipt and return rules as the store has them."""
    sized = needs_a_size(recommendations)
    dispatcher.utter_message(response="utter_finder_gift_next_sized" if sized else "utter_finder_gift_next")
    if options.gift_note:
        dispatcher.utter_message(response="utter_gift_note_offer", max_chars=options.gift_note_max_chars)
    if options.gift_receipt:
        dispatcher.utter_message(response="utter_gift_receipt")
    if options.return_window_days is not None:
        dispatcher.utter_message(
            response=f"utter_gift_returns_{options.recipient_refund}", days=options.return_window_days
        )
