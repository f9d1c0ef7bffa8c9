"""Complete the look: what shoppers bought with a product (:mod:`store.bundles`), when asked.

Offered only once the shopper's question has been answered: as buttons under a recommendation
(one per product shown) and on request ("what goes with it?") about the product named, the
product page the shopper is on, or the first product just recommended. Each companion comes with
its add-to-cart link; nothing is ever offered before the answer.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Sequence

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.cart_links import cart_link
from actions.formatting import money
from actions.page_context import page_product
from actions.store_access import query_store
from store.bundles import Look, complete_the_look
from store.info import store_info

LOOK_ENTITY = "look"
"""Set by the look buttons' payloads (``/product_search{"product": ..., "look": "complete"}``)."""
PAIRING = re.compile(
    r"\b(go(es)?|going|wear|pair|pairs|match(es)?|style)\b.{0,30}\bwith\b"
    r"|\bcomplete (the|my) (look|outfit)\b",
    re.IGNORECASE,
)
"""A request for what goes with a product ("what goes with it?", "what can I wear with this")."""


def asks_for_the_look(tracker: Tracker) -> bool:
    """The look button was pressed, or the message asks what goes with a product."""
    entities = tracker.latest_message.get("entities") or []
    if any(e.get("entity") == LOOK_ENTITY for e in entities):
        return True
    text = tracker.latest_message.get("text") or ""
    return not text.startswith("/") and bool(PAIRING.search(text))


def look_product(tracker: Tracker, named: Sequence[str], latest: Sequence[str]) -> Optional[str]:
    """The product the look is for: named, else the page's, else the first one just recommended."""
    if named:
        return named[0]
    return page_product(tracker) or (latest[0] if latest else None)


def look_buttons(handles_and_titles: Sequence[tuple[str, str]]) -> List[Dict[str, str]]:
    """One "goes with" button per product just recommended (titled with the product's name)."""
    return [
        {"title": title, "payload": f'/product_search{{"product":"{handle}","{LOOK_ENTITY}":"complete"}}'}
        for handle, title in handles_and_titles
    ]


def _look_and_currency(session: Any, *, product: str) -> tuple[Optional[Look], str]:
    return complete_the_look(session, product=product), store_info(session).currency


async def answer_look(dispatcher: CollectingDispatcher, tracker: Tracker, product: Optional[str]) -> None:
    """What goes with ``product``, each with its add-to-cart link; or why there is nothing."""
    if not product:
        dispatcher.utter_message(response="utter_look_which_product")
        return
    look, currency = await query_store(_look_and_currency, product=product)
    if look is None:
        dispatcher.utter_message(response="utter_product_not_found", product=product)
        return
    if not look.companions:
        dispatcher.utter_message(response="utter_look_none", product=look.title)
        return
    dispatcher.utter_message(response="utter_look_intro", product=look.title)
    for companion in look.companions:
        dispatcher.utter_message(
            response="utter_look_item", title=companion.title, price=money(companion.price, currency),
            url=companion.url,
            cart_url=cart_link(tracker, companion.handle, companion.variant_sku, companion.cart_variant_id),
        )  # fmt: skip
