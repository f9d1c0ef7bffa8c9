"""The return policy, or the one part of it a question asks about (items bought on sale, a present,
a product or a category), from the store's policy record and gift options.

Apart from :mod:`actions.returns` so that the catalog search and the fallback, which a follow-up
such as "and for sale items?" reaches, can answer it too.
"""

from __future__ import annotations

from typing import Any, Dict, Optional

from rasa_sdk.executor import CollectingDispatcher

from actions.formatting import listing, money
from actions.store_access import query_store
from actions.topics import GIFTS, SALE_ITEMS
from store.gifts import gift_options
from store.returns import return_policy, returnability


async def utter_return_policy(dispatcher: CollectingDispatcher, latest: Dict[str, Any]) -> None:
    """The part of the policy the message asks about, else all of it (``action_return_policy``)."""
    text = str(latest.get("text") or "")
    policy = await query_store(return_policy)
    days = str(policy.window_days)
    if GIFTS.search(text):
        options = await query_store(gift_options)
        dispatcher.utter_message(response=f"utter_gift_returns_{options.recipient_refund}", days=days)
        return
    if SALE_ITEMS.search(text):
        dispatcher.utter_message(response="utter_return_policy_sale", window_days=days)
        if policy.final_sale_categories:
            dispatcher.utter_message(
                response="utter_return_policy_final_sale", name=listing(policy.final_sale_categories)
            )
        return
    named = await query_store(
        returnability, product=_entity(latest, "product"), category=_entity(latest, "category")
    )
    if named is not None:
        if named.final_sale:
            dispatcher.utter_message(response="utter_return_policy_final_sale", name=named.name)
        else:
            dispatcher.utter_message(
                response="utter_return_policy_returnable", name=named.name, window_days=days
            )
        return
    dispatcher.utter_message(
        response="utter_return_policy" if policy.final_sale_categories
        else "utter_return_policy_no_final_sale_categories",
        window_days=days,
        final_sale=listing(policy.final_sale_categories),
        return_shipping_cost=money(policy.return_shipping_cost),
        refund_days=str(policy.refund_days or ""),
        policy_url=policy.url or "",
    )  # fmt: skip


def _entity(message: Dict[str, Any], name: str) -> Optional[str]:
    """The first value of entity ``name`` in ``message``."""
    return next((str(e["value"]) for e in message.get("entities") or [] if e.get("entity") == name), None)
