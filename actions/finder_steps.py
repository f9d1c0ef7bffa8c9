"""The product finder's next steps: "show more", "compare these", and a product pointed at.

"Show more" ranks the same need without what was shown (:mod:`actions.finder`); "compare these"
puts the latest recommendations side by side (:mod:`actions.product_compare`); "tell me more about
the second one" or "what about the first one" answers for that one product as a stock question
about it would (:func:`actions.catalog.answer_for_the_product_pointed_at`). They live apart from
the finder because the stock answer's module imports the finder.
"""

from __future__ import annotations

from typing import List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.catalog import answer_for_the_product_pointed_at
from actions.finder import (
    FILTERS_SLOT,
    LATEST_SLOT,
    NEED_SLOT,
    SHOWN_SLOT,
    find_for_need,
    one_product_pointed_at,
    payload,
    shown_events,
    utter_recommendations,
)
from actions.product_compare import compare_products, utter_comparison
from actions.product_questions import answer_price_question
from actions.references import pick, positions_named
from actions.store_access import answers_store_failure, query_store


class ActionFinderMore(Action):
    """ "Show more": the same need ranked again without the products already shown."""

    def name(self) -> str:
        return "action_finder_more"

    @answers_store_failure()
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        pointed = one_product_pointed_at(tracker)  # "tell me more about the second one"
        if pointed is not None:
            return await answer_for_the_product_pointed_at(dispatcher, tracker, pointed)
        need = tracker.get_slot(NEED_SLOT)
        if not need:
            dispatcher.utter_message(response="utter_product_search_ask")
            return []
        shown = list(tracker.get_slot(SHOWN_SLOT) or [])
        filters = tracker.get_slot(FILTERS_SLOT) or {}
        found = await query_store(
            find_for_need, conversation_id=tracker.sender_id, need=need, exclude=shown, **filters
        )
        if not found.recommendations:
            dispatcher.utter_message(response="utter_finder_no_more")
            return []
        utter_recommendations(dispatcher, tracker, found)
        return shown_events(need, shown, found.recommendations)


class ActionFinderCompare(Action):
    """ "Compare these" / "these two": the latest recommendations side by side ("the first two": those)."""

    def name(self) -> str:
        return "action_finder_compare"

    @answers_store_failure()
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        priced = await answer_price_question(dispatcher, tracker)
        if priced is not None:  # "what does the third one cost", read as compare_these
            return priced
        latest = list(tracker.get_slot(LATEST_SLOT) or [])
        named = pick(latest, positions_named(str((tracker.latest_message or {}).get("text") or "")))
        pointed = one_product_pointed_at(tracker)
        if len(named) == 1 and pointed is not None:  # "what about the first one": that one alone
            return await answer_for_the_product_pointed_at(dispatcher, tracker, pointed)
        if len(named) >= 2:  # "compare the first two": only those
            latest = named
        if len(latest) < 2:
            dispatcher.utter_message(response="utter_finder_compare_what")
            return []
        comparison = await query_store(compare_products, products=latest)
        utter_comparison(dispatcher, comparison)
        buttons = [
            {"title": c.detail.title, "payload": payload("product_stock", {"product": c.detail.handle})}
            for c in comparison.products
        ]
        dispatcher.utter_message(response="utter_product_results_next", buttons=buttons)
        return []
