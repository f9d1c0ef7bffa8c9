"""A gift shopper's extras after the recommendation: the gift note, the gift receipt and how the
recipient can return it (the store's ``gifts`` settings and return window, :mod:`store.gifts`);
and the answer to a question about them ("do you gift wrap?", ``action_gift_options``).

No size question is ever asked for a gift: the next steps offer help with the recipient's size
only when a recommended product is sized at all (a scarf is not).
"""

from __future__ import annotations

import re
from typing import List, Sequence, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.orm import Session

from actions.formatting import money
from actions.return_policy import utter_return_policy
from actions.store_access import answers_store_failure, query_store
from actions.topics import return_policy_again
from store.gifts import GiftOptions, gift_options
from store.info import store_info
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


WRAPPING = re.compile(
    r"\b(?:gift ?wrap\w*|wrap\w*|gift (?:box|bag)\w*|boxe?s?|bags?"
    r"|pack\w* (?:it |them )?(?:nice\w*|as a gift))\b",
    re.IGNORECASE,
)
"""Words of a question about gift wrap."""
NOTE = re.compile(r"\b(?:notes?|messages?|cards?|personal|from me|sign\w*)\b", re.IGNORECASE)
"""Words of a question about a gift note."""
RECEIPT = re.compile(
    r"\b(?:receipts?|prices?|invoices?|packing slip|how much (?:i|we) (?:paid|spent)|what i paid)\b",
    re.IGNORECASE,
)
"""Words of a question about leaving the prices out of the parcel."""
GIFT_CARDS = re.compile(r"\b(?:e-?)?gift ?(?:cards?|vouchers?|certificates?)\b", re.IGNORECASE)
"""Words of a question about gift cards (``payments.help.gift_cards`` in ``store.yaml``)."""


class ActionGiftOptions(Action):
    """What the store does for a present: the one service asked about (gift wrap, a gift note, a gift
    receipt), or all of them and how the recipient returns it, from ``store.yaml``'s ``gifts``.

    Right after the return policy, "and if it was a gift?" asks how a gift is returned: that part of
    the policy answers it.
    """

    def name(self) -> str:
        return "action_gift_options"

    @answers_store_failure()
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        text = str((tracker.latest_message or {}).get("text") or "")
        services = (WRAPPING, NOTE, RECEIPT, GIFT_CARDS)
        if return_policy_again(tracker) and not any(words.search(text) for words in services):
            # "and if it was a gift?" right after the return policy asks how a gift is returned
            await utter_return_policy(dispatcher, tracker.latest_message or {})
            return []
        options, currency, gift_cards = await query_store(_gift_facts)
        if GIFT_CARDS.search(text):  # "do you sell gift cards?" is no question about a gift note
            dispatcher.utter_message(response="utter_gift_cards" if gift_cards else "utter_gift_cards_none")
            return []
        wrap = bool(WRAPPING.search(text))
        asked = {
            "wrap": wrap,
            "note": bool(NOTE.search(text)),
            "receipt": bool(RECEIPT.search(text)) and not wrap,  # "what's the price of gift wrap?"
        }
        every = not any(asked.values())
        if every or asked["wrap"]:
            if options.gift_wrap_price is None:
                dispatcher.utter_message(response="utter_gift_wrap_none")
            elif options.gift_wrap_price:
                dispatcher.utter_message(
                    response="utter_gift_wrap", price=money(options.gift_wrap_price, currency)
                )
            else:
                dispatcher.utter_message(response="utter_gift_wrap_free")
        if every or asked["note"]:
            if options.gift_note:
                dispatcher.utter_message(response="utter_gift_note", max_chars=options.gift_note_max_chars)
            else:
                dispatcher.utter_message(response="utter_gift_note_none")
        if every or asked["receipt"]:
            dispatcher.utter_message(
                response="utter_gift_receipt" if options.gift_receipt else "utter_gift_receipt_none"
            )
        if every and options.return_window_days is not None:
            dispatcher.utter_message(
                response=f"utter_gift_returns_{options.recipient_refund}", days=options.return_window_days
            )
        if not (tracker.active_loop or {}).get("name"):  # inside a flow, its question comes next
            dispatcher.utter_message(response="utter_gift_options_next")
        return []


def _gift_facts(session: Session) -> Tuple[GiftOptions, str, bool]:
    info = store_info(session)
    return gift_options(session), info.currency, bool(info.payment_help.get("gift_cards"))
