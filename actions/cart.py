""" "Add it to my cart": the add-to-cart link of the product the shopper means, in their size.

Which product: one named in the message, else the one pointed at among the products just shown
("the first one", :mod:`actions.references`), else the one the conversation turned to after they
were shown ("does it come in navy?"), else the only one shown, else the product the conversation
is about. "How much is the second one?" is a price question, whatever the classifier made of it.
Which variant: the size and color the shopper gave (in this message or earlier, or in the stock
question answered just before: "does it come in navy?"); with several in stock and none given, the
shopper picks one from buttons. The link is the same signed redirect the recommendations carry
(:mod:`actions.cart_links`), so a click is counted and lands on the store's own cart page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Sequence

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.orm import Session

from actions.cart_links import cart_link
from actions.finder import LATEST_SLOT, payload
from actions.formatting import listing, money
from actions.product_questions import answer_price_question
from actions.references import pick, positions_named
from actions.store_access import answers_store_failure, query_store
from actions.topics import completed, stock_question_just_answered
from store.info import store_info
from store.products import resolve_product
from store.stock import CartChoice, cart_choice

INTENT = "add_to_cart"


@dataclass(frozen=True)
class CartFacts:
    """The variant to add (or what to choose from) and the store's currency."""

    choice: Optional[CartChoice]
    currency: str


def cart_facts(session: Session, *, product: str, size: Optional[str], color: Optional[str]) -> CartFacts:
    return CartFacts(
        cart_choice(session, product=product, size=size, color=color), store_info(session).currency
    )


def product_titles(session: Session, *, handles: Sequence[str]) -> List[Dict[str, str]]:
    """``[{"handle", "title"}]`` of the products still in the catalog, in the given order."""
    found = (resolve_product(session, handle) for handle in handles)
    return [{"handle": p.handle, "title": p.title} for p in found if p is not None]


def _entity(tracker: Tracker, name: str) -> Optional[str]:
    for entity in (tracker.latest_message or {}).get("entities") or []:
        if entity.get("entity") == name and entity.get("value"):
            return str(entity["value"])
    return None


def talked_about_since_shown(tracker: Tracker) -> Optional[str]:
    """The product the conversation turned to after the latest products were shown, if any: the
    product slot set more recently than the list (the events, newest first)."""
    for event in reversed(tracker.events):
        if event.get("event") != "slot":
            continue
        if event.get("name") == LATEST_SLOT and event.get("value"):
            return None
        if event.get("name") == "product" and event.get("value"):
            return str(event["value"])
    return None


def product_meant(tracker: Tracker) -> Optional[str]:
    """The product the shopper wants in the cart (module docstring), None when it is unclear."""
    named = _entity(tracker, "product")
    if named:
        return named
    shown = [str(h) for h in tracker.get_slot(LATEST_SLOT) or []]
    pointed = pick(shown, positions_named(str((tracker.latest_message or {}).get("text") or "")))
    if pointed:
        return pointed[0]
    since = talked_about_since_shown(tracker)
    if since:  # "does it come in navy?" about one of them, then "add it to my cart"
        return since
    if len(shown) == 1:
        return shown[0]
    if shown:
        return None  # several shown and none pointed at: ask which
    product = tracker.get_slot("product")
    return str(product) if product else None


class ActionAddToCart(Action):
    """Give the add-to-cart link of the product and variant meant, or ask which one."""

    def name(self) -> str:
        return "action_add_to_cart"

    @answers_store_failure()
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        priced = await answer_price_question(dispatcher, tracker)
        if priced is not None:  # "how much is the first one", read as add_to_cart
            return priced
        product = product_meant(tracker)
        if product is None:
            return await self._ask_which(dispatcher, tracker)
        size = _entity(tracker, "size") or tracker.get_slot("size")
        color = _entity(tracker, "color") or tracker.get_slot("color")
        size, color = completed(stock_question_just_answered(tracker), product, size, color)  # "in navy?"
        facts = await query_store(cart_facts, product=product, size=size, color=color)
        choice = facts.choice
        if choice is None:
            return await self._ask_which(dispatcher, tracker)
        if choice.sold_out:
            variant = " / ".join(v for v in (size, color) if v) or "any size"
            dispatcher.utter_message(response="utter_cart_sold_out", title=choice.title, variant=variant)
        elif choice.sizes:
            buttons = [self._button(choice.handle, size=s, color=color) for s in choice.sizes]
            dispatcher.utter_message(
                response="utter_cart_ask_size",
                title=choice.title,
                sizes=listing(choice.sizes),
                buttons=buttons,
            )
        elif choice.colors:
            buttons = [self._button(choice.handle, size=size, color=c) for c in choice.colors]
            dispatcher.utter_message(
                response="utter_cart_ask_color",
                title=choice.title,
                colors=listing(choice.colors),
                buttons=buttons,
            )
        else:
            assert choice.variant_sku is not None and choice.cart_variant_id is not None
            dispatcher.utter_message(
                response="utter_cart_ready",
                title=choice.title,
                variant=" / ".join(v for v in (choice.size, choice.color) if v),
                price=money(choice.price, facts.currency) if choice.price is not None else "",
                cart_url=cart_link(tracker, choice.handle, choice.variant_sku, choice.cart_variant_id),
            )
        return [SlotSet("product", choice.handle)] if tracker.get_slot("product") != choice.handle else []

    @staticmethod
    def _button(handle: str, *, size: Optional[str], color: Optional[str]) -> Dict[str, str]:
        entities: Dict[str, Any] = {"product": handle}
        if size:
            entities["size"] = size
        if color:
            entities["color"] = color
        title = " / ".join(v for v in (size, color) if v)
        return {"title": title, "payload": payload(INTENT, entities)}

    @staticmethod
    async def _ask_which(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        shown = [str(h) for h in tracker.get_slot(LATEST_SLOT) or []]
        products = await query_store(product_titles, handles=shown) if shown else []
        buttons = [
            {"title": p["title"], "payload": payload(INTENT, {"product": p["handle"]})} for p in products
        ]
        dispatcher.utter_message(response="utter_cart_which_product", buttons=buttons)
        return []
