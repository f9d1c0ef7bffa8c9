"""Validators of the sizing and stock forms: which product, and what to size from.

The product comes, in this order, from a product named in the message, the product page the shopper
is on (widget metadata), or, when we asked for it, whatever they typed, unless it gives a size or
measurements (what they wear, kept for the recommendation); the store resolves it to a handle
(exact or fuzzy title) or we say we could not find it and ask again.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.forms import stop_form
from actions.handoff_triggers import HandoffOnRepeatedFailure
from actions.page_context import page_product
from actions.sizing import MEASUREMENT_SLOTS, sizing_request
from actions.store_access import query_store, query_store_or
from actions.topics import earlier_stock_question
from store.catalog import category_name_matches, get_product
from store.codes import SizeReason
from store.sizing import recommend_size

# Messages with these intents never answer a form's question ("stop", "talk to a person").
LEAVING_INTENTS = {"stop", "deny", "human_handoff", "frustration", "goodbye"}
# Typed text is taken as a product name only when the shopper is plausibly naming one.
NAMING_INTENTS = {"inform", "product_search", "product_stock", "size_help", "nlu_fallback"}
# The sizing form's size basis for a product without a size chart: nothing to ask, the form ends
# and action_size_help says there is no chart.


def _intent(tracker: Tracker) -> Optional[str]:
    return (tracker.latest_message.get("intent") or {}).get("name")


def _entities(tracker: Tracker, entity: str) -> List[Dict[str, Any]]:
    return [e for e in tracker.latest_message.get("entities") or [] if e.get("entity") == entity]


def _describes_the_shopper(tracker: Tracker) -> bool:
    """The message gives a size or a measurement ("I'm usually a medium", "5'10, 170 lbs"): it
    says what the shopper wears, not which product they mean, so it is not taken as a name."""
    return any(_entities(tracker, entity) for entity in ("size", *MEASUREMENT_SLOTS))


def target_and_usual_product(tracker: Tracker) -> tuple[Optional[str], Optional[str]]:
    """With two products in one message, the one right after the size is the one the shopper
    already wears ("I'm an M in the Zip Hoodie, which size in the Fleece Hoodie?")."""
    products = _entities(tracker, "product")
    if len(products) < 2:
        return (products[0]["value"] if products else None), None
    size = next(iter(_entities(tracker, "size")), None)
    usual = None
    if size is not None:
        after = [p for p in products if p["start"] >= size["end"]]
        usual = min(after, key=lambda p: p["start"]) if after else None
    usual = usual or products[0]
    target = next(p for p in reversed(products) if p is not usual)
    return target["value"], usual["value"]


class ProductSlotMixin:
    """``extract_product`` and ``validate_product`` shared by the forms that need a product."""

    naming_intents = frozenset(NAMING_INTENTS)
    """Intents whose typed text is taken as the product name when the form asked for it."""

    async def extract_product(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """The page's product on the form's first turn, or the typed name when we asked for it."""
        if _intent(tracker) in LEAVING_INTENTS or _entities(tracker, "product"):
            return {}
        requested = tracker.get_slot("requested_slot")
        if requested is None:
            if await self._another_kind_named(tracker):
                return {"product": None}  # "do the jeans run small?" after the hoodie: ask which jeans
            page = page_product(tracker)
            return {"product": page} if page and page != tracker.get_slot("product") else {}
        text = (tracker.latest_message.get("text") or "").strip()
        if (
            requested == "product"
            and _intent(tracker) in self.naming_intents
            and text
            and not text.startswith("/")
            and not _describes_the_shopper(tracker)
        ):
            return {"product": text}
        return {}

    @staticmethod
    async def _another_kind_named(tracker: Tracker) -> bool:
        """The message names a category (no product) that the product from before is not in."""
        categories = _entities(tracker, "category")
        remembered = tracker.get_slot("product")
        if not categories or not remembered:
            return False
        detail = await query_store_or(None, get_product, product=remembered)
        if detail is None or not detail.category:
            return False
        return not any(category_name_matches(detail.category, str(c.get("value") or "")) for c in categories)

    async def validate_product(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """Resolve to the store's handle; say so and ask again when no product matches."""
        if isinstance(value, list):
            value = target_and_usual_product(tracker)[0] or (value[-1] if value else None)
        if not isinstance(value, str) or not value.strip():
            return {"product": None}
        detail = await query_store(get_product, product=value)
        if detail is None:
            dispatcher.utter_message(response="utter_product_not_found", product=value.strip())
            return {"product": None}
        return {"product": detail.handle}


class ValidateStockForm(ProductSlotMixin, HandoffOnRepeatedFailure):
    """The stock form needs only the product; size and color are optional.

    A size question typed when we asked which product is not a product name: it is answered
    from the size charts and the product is asked for again (data/rules/interruptions.yml).
    A question that opens the form naming a kind of product and no product ("any dresses in red,
    size S, under 100?") asks for products, not for one product's stock: the form ends and the
    search answers it.
    """

    naming_intents = frozenset(NAMING_INTENTS - {"size_help"})

    def name(self) -> str:
        return "validate_stock_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        if await self._a_search(tracker):
            return [*stop_form(), FollowupAction("action_product_search")]
        return await super().run(dispatcher, tracker, domain)

    async def _a_search(self, tracker: Tracker) -> bool:
        """The form's first turn names a kind of product, no product, and no product the
        conversation is about in that kind (nor a product page)."""
        if tracker.get_slot("requested_slot") is not None or _entities(tracker, "product"):
            return False
        if not _entities(tracker, "category") or page_product(tracker):
            return False
        return not tracker.get_slot("product") or await self._another_kind_named(tracker)


class ValidateSizingForm(ProductSlotMixin, HandoffOnRepeatedFailure):
    """The sizing form needs the product and measurements or a usual size that its chart can use.

    "What about XL?" right after a stock answer reads to the classifier as a size question, but it
    asks the stock question again in another size: the form ends and the stock form answers it
    (:func:`actions.topics.earlier_stock_question`), unless the message gives measurements.
    """

    def name(self) -> str:
        return "validate_sizing_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        first_turn = tracker.get_slot("requested_slot") is None
        measured = any(_entities(tracker, slot) for slot in MEASUREMENT_SLOTS)
        if first_turn and not measured and earlier_stock_question(tracker):
            return [*stop_form(), FollowupAction("stock_form")]
        return await super().run(dispatcher, tracker, domain)

    async def validate_product(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """Resolve the product; one without a size chart ends the form before any measurement is
        asked for (``action_size_help`` then says there is no chart)."""
        found = await super().validate_product(value, dispatcher, tracker, domain)
        handle = found.get("product")
        if not handle:
            return found
        # without the store, the size question comes next and its own store access reports it
        result = await query_store_or(None, recommend_size, product=handle)
        if result is not None and result.reason is SizeReason.NO_SIZE_CHART:
            return {**found, "size_basis": SizeReason.NO_SIZE_CHART}
        return found

    async def extract_size_basis(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """``measurements`` when the message names one, else ``usual_size`` from a size named now,
        else ``measurements`` known from earlier when the question is new (the form's first turn,
        or another product named: "same for the Zip Hoodie?"). A size named now wins over
        measurements from earlier ("and the Chelsea Boot? I'm a UK 7" after a hoodie's height and
        weight, which a shoe chart cannot use). Unchanged values are not re-set, so a message that
        answers nothing still lets the form step aside for other rules."""
        if _intent(tracker) in LEAVING_INTENTS:
            return {}
        found: Dict[str, Any] = {}
        sizes = _entities(tracker, "size")
        new_question = tracker.get_slot("requested_slot") is None or bool(_entities(tracker, "product"))
        named = any(_entities(tracker, slot) for slot in MEASUREMENT_SLOTS)
        if named:
            found["size_basis"] = "measurements"
        elif sizes:
            found.update(size_basis="usual_size", usual_size=sizes[0]["value"])
            usual = target_and_usual_product(tracker)[1]
            if usual:
                found["usual_product"] = usual
        elif new_question and any(tracker.get_slot(slot) for slot in MEASUREMENT_SLOTS):
            found["size_basis"] = "measurements"
        return {k: v for k, v in found.items() if tracker.get_slot(k) != v}

    async def validate_size_basis(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """Accept only what the product's size chart can use (a height is no use for shoes)."""
        if value not in ("measurements", "usual_size"):
            return {"size_basis": None}
        if not tracker.get_slot("product"):
            return {"size_basis": value}
        result = await query_store(recommend_size, **sizing_request(tracker))
        return {"size_basis": None if result.reason is SizeReason.NEED_MEASUREMENTS else value}

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        """The usual size and its product go back to Rasa with an accepted ``usual_size`` basis.

        rasa-sdk returns only the form's required slots, so the ones ``extract_size_basis`` found
        would stay on this side and ``action_size_help`` would see the basis without the size.
        """
        events = await super().get_validation_events(dispatcher, tracker, domain)
        accepted = any(e.get("name") == "size_basis" and e.get("value") == "usual_size" for e in events)
        if not accepted:
            return events
        return [*events, *(SlotSet(slot, tracker.get_slot(slot)) for slot in ("usual_size", "usual_product"))]
