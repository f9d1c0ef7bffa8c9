"""Size help: recommend a size of a product from measurements or the size the shopper usually wears.

``sizing_form`` (validators in ``actions/catalog_forms.py``) makes sure we know the product and
something to size from; ``action_size_help`` asks the store for the recommendation and tells the
shopper the size, the fit note, whether that size is in stock, and where the size chart is.

A size question asked while another flow waits for an answer (an order number, a confirmation)
gets ``action_size_question`` instead (data/rules/interruptions.yml): the same answer when the
message holds enough, else the product's size chart or the store's charts, and no question of
its own, so the flow that was interrupted asks its question again.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.finder import payload
from actions.formatting import listing, number
from actions.store_access import answers_store_failure, query_store
from core.units import CM_PER_FOOT, CM_PER_INCH, KG_PER_POUND, KG_PER_STONE
from store.catalog import search_products
from store.codes import SizeReason
from store.sizing import SizeRecommendation, recommend_size, size_charts

NO_RECOMMENDATION = "utter_size_no_recommendation"
SIZE_RESPONSES: Dict[SizeReason, str] = {
    SizeReason.UNKNOWN_PRODUCT: "utter_product_not_found",
    SizeReason.NO_SIZE_CHART: "utter_size_no_chart",
    SizeReason.NEED_MEASUREMENTS: NO_RECOMMENDATION,
    SizeReason.OUT_OF_RANGE: NO_RECOMMENDATION,
    SizeReason.UNKNOWN_USUAL_SIZE: NO_RECOMMENDATION,
    SizeReason.UNKNOWN_USUAL_PRODUCT: NO_RECOMMENDATION,
    SizeReason.INCOMPARABLE: NO_RECOMMENDATION,
}
"""The reply when the store recommends no size; the size chart link helps whenever there is one."""

# slot -> (recommend_size keyword, unit the store wants)
MEASUREMENT_SLOTS = {
    "height": ("height_cm", "cm"),
    "weight": ("weight_kg", "kg"),
    "chest": ("chest_cm", "cm"),
    "waist": ("waist_cm", "cm"),
    "foot_length": ("foot_length_cm", "cm"),
}
_TO_CM = {
    "cm": 1.0,
    "mm": 0.1,
    "m": 100.0,
    "in": CM_PER_INCH,
    "inch": CM_PER_INCH,
    "inches": CM_PER_INCH,
    "ft": CM_PER_FOOT,
    "feet": CM_PER_FOOT,
    '"': CM_PER_INCH,
}
_TO_KG = {
    "kg": 1.0,
    "kgs": 1.0,
    "lb": KG_PER_POUND,
    "lbs": KG_PER_POUND,
    "st": KG_PER_STONE,
    "stone": KG_PER_STONE,
}
SIZE_HELP_SLOTS = ("size_basis", "usual_size", "usual_product")
"""What one size question needed; cleared once it is answered."""
# run on the stripped value, with bounded parts: "\s*([a-z]*)\.?\s*$" was quadratic on long spaces
_QUANTITY = re.compile(r"(\d{1,6}(?:[.,]\d{1,3})?)\s{0,3}([a-z\"]{0,12})\.?", re.IGNORECASE)


def quantity_in(value: Any, unit: str) -> Optional[float]:
    """A measurement slot value (``"177.8 cm"``, ``"70 in"``, ``"154 lb"``, ``72``) in ``cm`` or ``kg``.

    The catalog extractor already normalises to cm/kg; other units still arrive from button
    payloads and other channels, so they are converted here. A bare number is taken in ``unit``.
    """
    if isinstance(value, (int, float)):
        return float(value)
    if not isinstance(value, str):
        return None
    match = _QUANTITY.fullmatch(value.strip())
    if not match:
        return None
    amount, given = float(match.group(1).replace(",", ".")), match.group(2).lower() or unit
    table = _TO_CM if unit == "cm" else _TO_KG
    return round(amount * table[given], 1) if given in table else None


def measurements(tracker: Tracker) -> Dict[str, float]:
    """The shopper's measurements from the slots, as ``recommend_size`` keyword arguments."""
    found = {}
    for slot, (keyword, unit) in MEASUREMENT_SLOTS.items():
        value = quantity_in(tracker.get_slot(slot), unit)
        if value is not None:
            found[keyword] = value
    return found


def sizing_request(tracker: Tracker) -> Dict[str, Any]:
    """The keyword arguments for ``recommend_size`` from the conversation so far: the usual size
    when that is the basis the form settled on, else measurements, else a usual size."""
    by_usual_size = tracker.get_slot("size_basis") == "usual_size" and tracker.get_slot("usual_size")
    known = {} if by_usual_size else measurements(tracker)
    request: Dict[str, Any] = {"product": tracker.get_slot("product"), **known}
    if not known and tracker.get_slot("usual_size"):
        request["usual_size"] = tracker.get_slot("usual_size")
        request["usual_product"] = tracker.get_slot("usual_product")
    return request


def _measurement_summary(request: Dict[str, Any], basis: tuple) -> str:
    units = {"weight_kg": "kg"}
    return listing(f"{number(request[key])} {units.get(key, 'cm')}" for key in basis if key in request)


class ActionSizeHelp(Action):
    """Recommend a size, with the fit note, stock of that size and the size chart."""

    def name(self) -> str:
        return "action_size_help"

    @answers_store_failure(*SIZE_HELP_SLOTS)
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        request = sizing_request(tracker)
        reset: List[EventType] = [SlotSet(slot, None) for slot in SIZE_HELP_SLOTS]
        if not request["product"]:
            return [*reset, *await self._no_product(dispatcher)]
        result: SizeRecommendation = await query_store(recommend_size, **request)
        if result.size is None:
            return [*reset, *self._no_size(dispatcher, request, result)]
        self._recommend(dispatcher, request, result)
        return [*reset, SlotSet("size", result.size)]

    async def _no_product(self, dispatcher: CollectingDispatcher) -> List[EventType]:
        dispatcher.utter_message(response="utter_ask_sizing_form_product")
        return []

    @staticmethod
    def _no_size(
        dispatcher: CollectingDispatcher, request: Dict[str, Any], result: SizeRecommendation
    ) -> List[EventType]:
        response = SIZE_RESPONSES[result.reason or SizeReason.OUT_OF_RANGE]
        if result.reason is SizeReason.UNKNOWN_PRODUCT:
            dispatcher.utter_message(response=response, product=request["product"])
            return [SlotSet("product", None)]
        if response == NO_RECOMMENDATION:
            dispatcher.utter_message(
                response=response, product=result.product_title, size_chart_url=result.size_chart_url
            )
        else:
            dispatcher.utter_message(response=response, product=result.product_title)
        return []

    @staticmethod
    def _recommend(
        dispatcher: CollectingDispatcher, request: Dict[str, Any], result: SizeRecommendation
    ) -> None:
        if "usual_size" in result.basis:
            dispatcher.utter_message(
                response="utter_size_recommendation_usual", product=result.product_title, size=result.size,
                usual_size=request.get("usual_size"), size_chart_url=result.size_chart_url,
            )  # fmt: skip
        else:
            dispatcher.utter_message(
                response="utter_size_recommendation_measurements", product=result.product_title,
                size=result.size, measurements=_measurement_summary(request, result.basis),
                size_chart_url=result.size_chart_url,
            )  # fmt: skip
        if result.fit_note:
            dispatcher.utter_message(response="utter_size_fit_note", fit_note=result.fit_note)
        elif result.fit in ("runs_small", "runs_large"):
            dispatcher.utter_message(response=f"utter_size_fit_{result.fit}")
        stock = "utter_size_in_stock" if result.in_stock else "utter_size_out_of_stock"
        dispatcher.utter_message(response=stock, size=result.size)


class ActionSizeQuestion(ActionSizeHelp):
    """A size question inside another flow, answered from the size charts without asking anything.

    With a product and measurements (or a usual size) it recommends like ``action_size_help``;
    with a product alone it gives that product's chart and fit; with no product, the store's
    charts. The flow that was waiting then asks its own question again.
    """

    def name(self) -> str:
        return "action_size_question"

    async def _no_product(self, dispatcher: CollectingDispatcher) -> List[EventType]:
        charts = await query_store(size_charts)
        dispatcher.utter_message(
            response="utter_size_charts", charts=listing(f"{c.name}: {c.url}" for c in charts if c.url)
        )
        return []

    @staticmethod
    def _no_size(
        dispatcher: CollectingDispatcher, request: Dict[str, Any], result: SizeRecommendation
    ) -> List[EventType]:
        if result.reason is not SizeReason.NEED_MEASUREMENTS or not result.size_chart_url:
            return ActionSizeHelp._no_size(dispatcher, request, result)
        dispatcher.utter_message(
            response="utter_size_chart_for_product", product=result.product_title,
            size_chart_url=result.size_chart_url,
        )  # fmt: skip
        if result.fit_note:
            dispatcher.utter_message(response="utter_size_fit_note", fit_note=result.fit_note)
        return []


CATEGORY_CHOICES = 4
"""Products of the category named offered when the shopper asked about a kind, not a product."""


def category_named(tracker: Tracker) -> Optional[Tuple[str, str]]:
    """The category the latest message names ("what size jeans should I get?") and the shopper's
    word for it ("jeans" for "Jeans & Trousers"), if any."""
    message = tracker.latest_message or {}
    text = str(message.get("text") or "")
    for entity in message.get("entities") or []:
        if entity.get("entity") == "category" and entity.get("value"):
            start, end = entity.get("start"), entity.get("end")
            said = text[start:end] if isinstance(start, int) and isinstance(end, int) and end > start else ""
            return str(entity["value"]), (said or str(entity["value"])).lower()
    return None


class ActionAskSizingFormProduct(Action):
    """Ask which product to size; for a kind named ("what size jeans?") offer that kind's products.

    Fits differ between products of one kind, so the answer stays product by product; the
    measurements already given are kept and used as soon as one is picked.
    """

    def name(self) -> str:
        return "action_ask_sizing_form_product"

    @answers_store_failure()
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        named = category_named(tracker)
        if named is None:
            dispatcher.utter_message(response="utter_ask_sizing_form_product")
            return []
        category, word = named
        # the products whose names hold the shopper's word first ("jeans", not the trousers)
        hits = await query_store(search_products, text=word, category=category, limit=CATEGORY_CHOICES)
        hits = hits or await query_store(search_products, category=category, limit=CATEGORY_CHOICES)
        if not hits:
            dispatcher.utter_message(response="utter_ask_sizing_form_product")
            return []
        buttons = [
            {"title": hit.title, "payload": payload("size_help", {"product": hit.handle})} for hit in hits
        ]
        buttons.append({"title": "Talk to a person", "payload": "/human_handoff"})
        dispatcher.utter_message(
            response="utter_ask_sizing_form_product_of_kind", category=word, buttons=buttons
        )
        return []


class ActionAskSizingFormSizeBasis(Action):
    """Ask for what this product's size chart can use (foot length for shoes, waist for jeans...)."""

    def name(self) -> str:
        return "action_ask_sizing_form_size_basis"

    @answers_store_failure()
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        product = tracker.get_slot("product")
        result = await query_store(recommend_size, product=product) if product else None
        needed = result.needed if result is not None else ()
        if "foot_length_cm" in needed:
            dispatcher.utter_message(response="utter_ask_size_basis_shoes")
        elif needed and "height_cm" not in needed:
            dispatcher.utter_message(response="utter_ask_size_basis_body")
        else:
            dispatcher.utter_message(response="utter_ask_size_basis")
        return []
