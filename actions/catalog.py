"""Products and stock: search the catalog, and check a product in a size and color.

Search filters come from the latest message (a search is about what was just asked): product
words, category, color and size entities, and a budget ("under 50"). A message that only narrows
the need just answered ("something under 100" after the hiking gift) keeps that need
(:func:`actions.finder.refined_need`). Each hit is a button that checks its stock. Stock
questions go through ``stock_form`` (which finds the product) and, when the variant is sold out,
offer to tell the shopper when it is back (:mod:`actions.back_in_stock`) and the store's closest
in-stock alternatives as buttons. A follow-up about the same product ("and in black?") keeps the
size or colour asked just before (:func:`actions.topics.earlier_stock_question`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Sequence

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.orm import Session

from actions.back_in_stock import alert_request, cancel_alert, offer_alert, start_alert
from actions.finder import (
    FILTERS_SLOT,
    LATEST_SLOT,
    NEED_SLOT,
    SHOWN_SLOT,
    answer_need,
    cheaper_need,
    kept_filters,
    one_product_pointed_at,
    refined_need,
)
from actions.finder_questions import ANSWER_ENTITY, NO_PREFERENCE_INTENT, QUESTION_SLOT, pending_need
from actions.formatting import listing, money
from actions.looks import answer_look, asks_for_the_look, look_product
from actions.product_compare import compare_products, named_products, utter_comparison
from actions.product_questions import answer_price_question, answer_product_question
from actions.return_policy import utter_return_policy
from actions.store_access import answers_store_failure, query_store
from actions.topics import completed, earlier_stock_question, return_policy_again, same_question_again
from core.budget import budget_from_text
from store.catalog import ProductDetail, ProductHit, product_detail, search_products
from store.codes import AlternativeKind, StockReason
from store.info import store_info
from store.products import resolve_product
from store.recommend import parse_need
from store.sizes import size_sort_key
from store.stock import StockAlternative, StockAnswer, stock_of
from store.vocabulary import catalog_vocabulary

RESULTS_SHOWN = 3
ALTERNATIVES_SHOWN = 3
STOCK_QUESTION_SLOTS = ("size", "color")
"""Size and color answer one stock question; a later question about another product starts afresh."""


def _button(title: str, intent: str, entities: Dict[str, Any]) -> Dict[str, str]:
    return {"title": title, "payload": f"/{intent}{json.dumps(entities, separators=(',', ':'))}"}


def _variant(size: Optional[str], color: Optional[str]) -> str:
    return " / ".join(part for part in (size, color) if part)


def _entity(tracker: Tracker, name: str) -> Optional[Dict[str, Any]]:
    return next((e for e in tracker.latest_message.get("entities") or [] if e.get("entity") == name), None)


@dataclass(frozen=True)
class SearchResult:
    """Hits (possibly from a relaxed search), the categories to offer, and the store currency."""

    hits: List[ProductHit]
    relaxed: bool
    categories: List[str]
    currency: str


def find_products(session: Session, *, filters: Dict[str, Any], limit: int) -> SearchResult:
    """Search with every filter; when nothing matches, again with only the words and category."""
    currency = store_info(session).currency
    hits = search_products(session, **filters, limit=limit) if filters else []
    relaxed = False
    loose = {k: v for k, v in filters.items() if k in ("text", "category")}
    if not hits and loose and loose != filters:
        hits, relaxed = search_products(session, **loose, limit=limit), True
    categories = [] if hits else list(catalog_vocabulary(session).categories)
    return SearchResult(hits, relaxed, categories, currency)


class ActionProductSearch(Action):
    """Recommend products for the shopper's need, else show matching products with stock buttons.

    A question naming two or three products ("A or B for rain?") compares them instead
    (:mod:`actions.product_compare`); "what goes with it?" (or a look button) answers with what
    shoppers bought with the product (:mod:`actions.looks`). A typed need goes to the finder
    (:mod:`actions.finder`); when nothing in stock fits it, the catalog search relaxes the filters
    or offers the categories and a person.
    """

    def name(self) -> str:
        return "action_product_search"

    @answers_store_failure()
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        again = same_question_again(tracker)
        if again is not None:  # "same for the Zip Hoodie?" right after a size recommendation
            return [FollowupAction(again)]
        if return_policy_again(tracker):  # "and for sale items?" right after the return policy
            await utter_return_policy(dispatcher, tracker.latest_message or {})
            return []
        pointed = one_product_pointed_at(tracker)  # "the second one" after recommendations
        if pointed is not None:
            return await answer_for_the_product_pointed_at(dispatcher, tracker, pointed)
        named = named_products(tracker)
        if asks_for_the_look(tracker):
            latest = tracker.get_slot(LATEST_SLOT) or []
            await answer_look(dispatcher, tracker, look_product(tracker, named, latest))
            return []
        if len(named) > 1:
            comparison = await query_store(compare_products, products=named)
            if len(comparison.products) > 1:
                utter_comparison(dispatcher, comparison)
                details = [compared.detail for compared in comparison.products]
                buttons = [_button(p.title, "product_stock", {"product": p.handle}) for p in details]
                dispatcher.utter_message(response="utter_product_results_next", buttons=buttons)
                return []
        answered = await answer_price_question(dispatcher, tracker)  # "how much is the rain shell?"
        if answered is None:
            answered = await answer_product_question(dispatcher, tracker)
        if answered is not None:
            return answered
        filters = self._filters(tracker)
        question = tracker.get_slot(QUESTION_SLOT)
        need, asked = pending_need(question, self._answer(tracker))
        refined = None if question else refined_need(tracker, need, words_too=True)
        if refined is not None:  # "something under 100" after the hiking gift: still the hiking gift
            need = await cheaper_need(tracker, refined, self._answer(tracker))  # "anything cheaper?"
            filters = {**(tracker.get_slot(FILTERS_SLOT) or {}), **filters}
        needs = bool(need) and bool(filters or parse_need(need).query)
        if needs:
            finder = await answer_need(dispatcher, tracker, need, filters, asked)
            if finder.events is not None:
                return finder.events
        result = await query_store(find_products, filters=filters, limit=RESULTS_SHOWN)
        done: List[EventType] = [SlotSet(QUESTION_SLOT, None)] if question else []
        if not result.hits:
            buttons = [_button(name, "product_search", {"category": name}) for name in result.categories]
            response = "utter_product_no_results" if filters or needs else "utter_product_search_ask"
            dispatcher.utter_message(response=response, buttons=buttons)
            return done
        dispatcher.utter_message(
            response="utter_product_results_relaxed" if result.relaxed else "utter_product_results"
        )
        for hit in result.hits:
            dispatcher.utter_message(
                response="utter_product_hit" if hit.in_stock else "utter_product_hit_sold_out",
                title=hit.title, price=money(hit.price_from, result.currency), colors=listing(hit.colors),
                sizes=listing(hit.sizes_in_stock), url=hit.url,
            )  # fmt: skip
        buttons = [_button(hit.title, "product_stock", {"product": hit.handle}) for hit in result.hits]
        dispatcher.utter_message(response="utter_product_results_next", buttons=buttons)
        return done + listed_events(need, filters, [hit.handle for hit in result.hits])

    @staticmethod
    def _answer(tracker: Tracker) -> str:
        """What the shopper said: their typed words, or the answer a finder question's button carries.

        "Skip", "doesn't matter" or "any" (``no_preference``) adds nothing: the need stays as it
        was, the question counts as asked, and the finder goes on (its next question, or picks).
        """
        button = _entity(tracker, ANSWER_ENTITY)
        if button is not None:
            return str(button["value"])
        if (tracker.latest_message.get("intent") or {}).get("name") == NO_PREFERENCE_INTENT:
            return ""
        text = tracker.latest_message.get("text") or ""
        return "" if text.startswith("/") else text

    @staticmethod
    def _filters(tracker: Tracker) -> Dict[str, Any]:
        text = tracker.latest_message.get("text") or ""
        budget = budget_from_text(text) if not text.startswith("/") else None
        filters: Dict[str, Any] = {}
        for entity, keyword in (
            ("product", "text"),
            ("category", "category"),
            ("color", "color"),
            ("size", "size"),
        ):
            found = _entity(tracker, entity)
            # "under 30" is a budget, not a waist size
            if found is None or (
                budget and found.get("start") is not None and budget.start <= found["start"] < budget.end
            ):
                continue
            filters[keyword] = found["value"]
        if budget is not None:
            filters.update(
                {k: v for k, v in (("min_price", budget.min_price), ("max_price", budget.max_price)) if v}
            )
        return filters


def listed_events(need: str, filters: Dict[str, Any], handles: List[str]) -> List[EventType]:
    """The products a catalog search listed kept as the finder keeps its own: "the first one",
    "compare these" and "add the second one" point into them, "show more" skips them, and "what
    about blue?" narrows the search (its need: the typed words, else the filters' values)."""
    kept = kept_filters(filters)
    searched = need or " ".join(str(v) for v in kept.values())
    return [
        SlotSet(NEED_SLOT, searched or None),
        SlotSet(SHOWN_SLOT, handles),
        SlotSet(LATEST_SLOT, handles),
        SlotSet(FILTERS_SLOT, kept or None),
    ]


async def answer_for_the_product_pointed_at(
    dispatcher: CollectingDispatcher, tracker: Tracker, handle: str
) -> List[EventType]:
    """Answer for a product pointed at ("the second one") as for a stock question about it (sizes,
    colors and stock, in the size or color said with it) and keep it as the product talked about."""
    return [SlotSet("product", handle), *await ActionProductStock().answer(dispatcher, tracker, handle)]


@dataclass(frozen=True)
class StockFacts:
    """The stock answer and the product's details (for the sizes and colors it comes in)."""

    answer: StockAnswer
    detail: Optional[ProductDetail]


def stock_facts(session: Session, *, product: str, size: Optional[str], color: Optional[str]) -> StockFacts:
    """Stock of the variant and the product's details, in one session (the product resolved once)."""
    found = resolve_product(session, product)
    return StockFacts(
        stock_of(session, found, size=size, color=color),
        None if found is None else product_detail(session, found),
    )


def closest_first(alternatives: Sequence[StockAlternative], size: Optional[str]) -> List[StockAlternative]:
    """The store's alternatives with the sizes nearest the one asked for first (L and XXL before S
    when XL is sold out), keeping the store's order of kinds: other size, other color, similar product."""
    kinds = {kind: rank for rank, kind in enumerate(AlternativeKind)}
    wanted = size_sort_key(size) if size else None

    def distance(alt: StockAlternative) -> float:
        have = size_sort_key(alt.size)
        if wanted is None or have[0] != wanted[0]:
            return 0.0
        return abs(float(have[1]) - float(wanted[1]))

    return sorted(alternatives, key=lambda alt: (kinds.get(alt.kind, 3), distance(alt)))


STOCK_RESPONSES: Dict[StockReason, str] = {
    StockReason.UNKNOWN_PRODUCT: "utter_product_not_found",
    StockReason.NOT_OFFERED: "utter_stock_not_offered",
    StockReason.OUT_OF_STOCK: "utter_stock_sold_out",
}
"""What a stock question answers for each reason the store gives for "not in stock"."""


class ActionProductStock(Action):
    """Whether the product is in stock in the size and color asked, else the closest alternatives."""

    def name(self) -> str:
        return "action_product_stock"

    @answers_store_failure(*STOCK_QUESTION_SLOTS)
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        return await self.answer(dispatcher, tracker, tracker.get_slot("product"))

    async def answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, product: Optional[str]
    ) -> List[EventType]:
        """The stock answer for ``product`` in the size and color of the conversation's slots; a
        follow-up about the same product ("and in black?") keeps the size or color it does not name."""
        size, color = completed(
            earlier_stock_question(tracker), product, tracker.get_slot("size"), tracker.get_slot("color")
        )
        done: List[EventType] = [SlotSet(slot, None) for slot in STOCK_QUESTION_SLOTS]
        if not product:
            dispatcher.utter_message(response="utter_ask_stock_form_product")
            return done
        facts = await query_store(stock_facts, product=product, size=size, color=color)
        answer, detail = facts.answer, facts.detail
        if answer.sold_out_reason is StockReason.UNKNOWN_PRODUCT or detail is None:
            dispatcher.utter_message(response=STOCK_RESPONSES[StockReason.UNKNOWN_PRODUCT], product=product)
            return done
        variant = _variant(size, color)
        request = alert_request(tracker)
        if request == "cancel":
            skus = [v.sku for v in answer.variants]
            await cancel_alert(dispatcher, tracker, title=detail.title, variant=variant, skus=skus)
            return done
        if answer.in_stock:
            if variant:
                quantity = sum(v.quantity for v in answer.variants)
                dispatcher.utter_message(
                    response="utter_stock_in_stock", product=detail.title, variant=variant, quantity=quantity
                )
            else:
                in_stock = [v for v in detail.variants if v.available]
                sizes = [s for s in detail.sizes if any(v.size == s for v in in_stock)]
                colors = [c for c in detail.colors if any(v.color == c for v in in_stock)]
                dispatcher.utter_message(
                    response="utter_stock_overview", product=detail.title, sizes=listing(sizes),
                    colors=listing(colors),
                )  # fmt: skip
            return done
        if answer.sold_out_reason is StockReason.NOT_OFFERED:
            dispatcher.utter_message(
                response=STOCK_RESPONSES[StockReason.NOT_OFFERED], product=detail.title, variant=variant,
                sizes=listing(detail.sizes), colors=listing(detail.colors),
            )  # fmt: skip
        elif variant:
            dispatcher.utter_message(
                response=STOCK_RESPONSES[StockReason.OUT_OF_STOCK], product=detail.title, variant=variant
            )
        else:
            dispatcher.utter_message(response="utter_stock_product_sold_out", product=detail.title)
        if answer.sold_out_reason is StockReason.OUT_OF_STOCK and request == "subscribe":
            skus = [v.sku for v in answer.variants]
            return done + start_alert(
                tracker, product=detail.handle, title=detail.title, variant=variant,
                size=size, color=color, skus=skus,
            )  # fmt: skip
        self._alternatives(dispatcher, answer, size)
        if answer.sold_out_reason is StockReason.OUT_OF_STOCK:
            offer_alert(dispatcher, detail.handle, size, color)
        return done

    @staticmethod
    def _alternatives(dispatcher: CollectingDispatcher, answer: StockAnswer, size: Optional[str]) -> None:
        shown = closest_first(answer.alternatives, size)[:ALTERNATIVES_SHOWN]
        if not shown:
            dispatcher.utter_message(response="utter_stock_no_alternative")
            return
        buttons = [
            _button(f"{alt.title}: {_variant(alt.size, alt.color)}", "product_stock",
                    {k: v for k, v in (("product", alt.handle), ("size", alt.size), ("color", alt.color))
                     if v})
            for alt in shown
        ]  # fmt: skip
        best = shown[0]
        dispatcher.utter_message(
            response="utter_stock_alternative", product=best.title, variant=_variant(best.size, best.color),
            buttons=buttons,
        )  # fmt: skip
