"""action_size_help, the measurement question and validate_sizing_form, on the sample store.

Expected sizes follow data/store/size_charts.yaml: the tops chart (true to size), the Ridgeline
chart (runs small: one size up) and the Trailmark boots chart (runs small).
"""

from __future__ import annotations

import pytest
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.catalog_forms import ValidateSizingForm, ValidateStockForm
from actions.sizing import (
    ActionAskSizingFormProduct,
    ActionAskSizingFormSizeBasis,
    ActionSizeHelp,
    ActionSizeQuestion,
    quantity_in,
)
from tests.actions.catalog_support import DOMAIN, catalog_store, entity, make_tracker, said  # noqa: F401
from tests.support.trackers import tracker_from_events

pytestmark = pytest.mark.usefixtures("catalog_store")

TOPS = "https://shop.northwind-outfitters.example/pages/size-guide#tops"
RIDGELINE = "https://shop.northwind-outfitters.example/pages/size-guide#ridgeline"
TRAILMARK = "https://shop.northwind-outfitters.example/pages/size-guide#trailmark"
RESET = [SlotSet("size_basis", None), SlotSet("usual_size", None), SlotSet("usual_product", None)]


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [("177.8 cm", "cm", 177.8), ("70 in", "cm", 177.8), ("1.8 m", "cm", 180.0), ("154 lb", "kg", 69.9),
     ("11 st", "kg", 69.9), ("72", "kg", 72.0), (72, "kg", 72.0), ("tall", "cm", None),
     ("3 parsecs", "cm", None)],
)  # fmt: skip
def test_quantity_in_converts_to_cm_and_kg(value, unit: str, expected) -> None:
    assert quantity_in(value, unit) == expected


async def test_height_and_weight_give_a_size_in_stock() -> None:
    tracker = make_tracker(slots={"product": "zip-hoodie", "height": "178 cm", "weight": "72 kg",
                                  "size_basis": "measurements"})  # fmt: skip
    dispatcher = CollectingDispatcher()
    events = await ActionSizeHelp().run(dispatcher, tracker, DOMAIN)
    assert events == [*RESET, SlotSet("size", "M")]
    assert said(dispatcher) == [
        {"response": "utter_size_recommendation_measurements", "product": "Zip Hoodie", "size": "M",
         "measurements": "178 cm, 72 kg", "size_chart_url": TOPS},
        {"response": "utter_size_in_stock", "size": "M"},
    ]  # fmt: skip


async def test_imperial_height_and_weight_are_converted() -> None:
    # 6'0" = 182.9 cm and 190 lb = 86.2 kg: L on the tops chart
    tracker = make_tracker(slots={"product": "zip-hoodie", "height": "72 in", "weight": "190 lb"})
    dispatcher = CollectingDispatcher()
    events = await ActionSizeHelp().run(dispatcher, tracker, DOMAIN)
    assert events == [*RESET, SlotSet("size", "L")]
    assert said(dispatcher)[0]["measurements"] == "182.9 cm, 86.2 kg"


async def test_a_brand_that_runs_small_goes_a_size_up_with_its_fit_note() -> None:
    tracker = make_tracker(slots={"product": "ridgeline-fleece-jacket", "chest": "100 cm"})
    dispatcher = CollectingDispatcher()
    events = await ActionSizeHelp().run(dispatcher, tracker, DOMAIN)
    assert events == [*RESET, SlotSet("size", "L")]
    assert said(dispatcher) == [
        {"response": "utter_size_recommendation_measurements", "product": "Ridgeline Fleece Jacket",
         "size": "L", "measurements": "100 cm", "size_chart_url": RIDGELINE},
        {"response": "utter_size_fit_note",
         "fit_note": "Ridgeline jackets are cut close to the body: size up if you like to layer."},
        {"response": "utter_size_in_stock", "size": "L"},
    ]  # fmt: skip


async def test_the_usual_size_gives_a_size_with_the_fit_note() -> None:
    tracker = make_tracker(slots={"product": "trailmark-summit-hiker", "usual_size": "US 9",
                                  "size_basis": "usual_size"})  # fmt: skip
    dispatcher = CollectingDispatcher()
    events = await ActionSizeHelp().run(dispatcher, tracker, DOMAIN)
    assert events == [*RESET, SlotSet("size", "US 9.5")]
    assert said(dispatcher) == [
        {"response": "utter_size_recommendation_usual", "product": "Trailmark Summit Hiker", "size": "US 9.5",
         "usual_size": "US 9", "size_chart_url": TRAILMARK},
        {"response": "utter_size_fit_note",
         "fit_note": "Trailmark boots run about half a size small: order half a size up."},
        {"response": "utter_size_in_stock", "size": "US 9.5"},
    ]  # fmt: skip


async def test_a_recommended_size_that_is_sold_out_says_so() -> None:
    # waffle-knit-henley has no L left in any color in the sample store
    tracker = make_tracker(slots={"product": "waffle-knit-henley", "height": "182 cm"})
    dispatcher = CollectingDispatcher()
    events = await ActionSizeHelp().run(dispatcher, tracker, DOMAIN)
    assert events == [*RESET, SlotSet("size", "L")]
    assert said(dispatcher)[-1] == {"response": "utter_size_out_of_stock", "size": "L"}


async def test_measurements_off_the_chart_point_to_the_size_chart() -> None:
    tracker = make_tracker(slots={"product": "zip-hoodie", "chest": "150 cm"})
    dispatcher = CollectingDispatcher()
    events = await ActionSizeHelp().run(dispatcher, tracker, DOMAIN)
    assert events == RESET
    assert said(dispatcher) == [
        {"response": "utter_size_no_recommendation", "product": "Zip Hoodie", "size_chart_url": TOPS}
    ]


async def test_an_unknown_product_is_reported() -> None:
    tracker = make_tracker(slots={"product": "zebra onesie", "height": "180 cm"})
    dispatcher = CollectingDispatcher()
    events = await ActionSizeHelp().run(dispatcher, tracker, DOMAIN)
    assert events == [*RESET, SlotSet("product", None)]
    assert said(dispatcher) == [{"response": "utter_product_not_found", "product": "zebra onesie"}]


@pytest.mark.parametrize(
    ("product", "response"),
    [("trailmark-summit-hiker", "utter_ask_size_basis_shoes"),
     ("slim-fit-selvedge-jeans", "utter_ask_size_basis_body"),
     ("zip-hoodie", "utter_ask_size_basis"), (None, "utter_ask_size_basis")],
)  # fmt: skip
async def test_the_question_asks_for_what_the_size_chart_uses(product, response: str) -> None:
    dispatcher = CollectingDispatcher()
    events = await ActionAskSizingFormSizeBasis().run(
        dispatcher, make_tracker(slots={"product": product}), DOMAIN
    )
    assert events == []
    assert said(dispatcher) == [{"response": response}]


# -- validate_sizing_form: one test per slot (product, size_basis) and the extraction rules


async def test_validate_product_resolves_a_name_to_the_handle() -> None:
    tracker = make_tracker(intent="size_help", text="what size zip hoodie",
                           entities=[entity("product", "Zip Hoodie", 10, 20)],
                           set_this_turn={"product": "Zip Hoodie"})  # fmt: skip
    events = await ValidateSizingForm().run(CollectingDispatcher(), tracker, DOMAIN)
    assert events == [SlotSet("product", "zip-hoodie")]


async def test_validate_product_rejects_an_unknown_name_and_says_so() -> None:
    tracker = make_tracker(intent="inform", text="zebra onesie", slots={"requested_slot": "product"})
    dispatcher = CollectingDispatcher()
    events = await ValidateSizingForm().run(dispatcher, tracker, DOMAIN)
    assert events == [SlotSet("product", None)]
    assert said(dispatcher) == [{"response": "utter_product_not_found", "product": "zebra onesie"}]


@pytest.mark.parametrize(
    ("text", "found"),
    [("i'm usually a medium in most brands but i have broad shoulders", [entity("size", "M", 14, 20)]),
     ("im 5'10 and 170 lbs", [entity("height", "177.8 cm", 3, 7), entity("weight", "77.1 kg", 12, 19)])],
)  # fmt: skip
async def test_a_size_or_measurements_typed_when_asked_which_product_are_not_its_name(
    text: str, found: list
) -> None:
    """What the shopper wears is kept for the recommendation; the product is asked for again,
    without "couldn't find a product called" and the whole sentence."""
    tracker = make_tracker(intent="size_help", text=text, entities=found, slots={"requested_slot": "product"})
    dispatcher = CollectingDispatcher()
    events = await ValidateSizingForm().run(dispatcher, tracker, DOMAIN)
    assert said(dispatcher) == []
    assert not any(e.get("name") == "product" and e.get("value") for e in events)
    basis = "usual_size" if found[0]["entity"] == "size" else "measurements"
    assert SlotSet("size_basis", basis) in events


async def test_the_product_page_the_shopper_is_on_is_used_first() -> None:
    tracker = make_tracker(intent="size_help", text="what size should i get",
                           metadata={"page": {"product": "ridgeline-fleece-jacket"}})  # fmt: skip
    events = await ValidateSizingForm().run(CollectingDispatcher(), tracker, DOMAIN)
    assert events == [SlotSet("product", "ridgeline-fleece-jacket")]


async def test_a_category_named_after_another_product_asks_which_one() -> None:
    """Asking whether the jeans run small after a hoodie's size is not about the hoodie again."""
    tracker = make_tracker(intent="size_help", text="do the jeans run small",
                           entities=[entity("category", "Jeans", 7, 12)],
                           slots={"product": "zip-hoodie", "size_basis": "measurements"})  # fmt: skip
    events = await ValidateSizingForm().run(CollectingDispatcher(), tracker, DOMAIN)
    assert SlotSet("product", None) in events


async def test_the_category_of_the_product_from_before_keeps_it() -> None:
    tracker = make_tracker(intent="size_help", text="does your knitwear run small",
                           entities=[entity("category", "Knitwear", 10, 18)],
                           slots={"product": "zip-hoodie", "size_basis": "measurements"})  # fmt: skip
    events = await ValidateSizingForm().run(CollectingDispatcher(), tracker, DOMAIN)
    assert SlotSet("product", None) not in events


async def test_size_basis_from_measurements_named_now() -> None:
    tracker = make_tracker(intent="inform", text="178cm 72kg",
                           entities=[entity("height", "178 cm", 0, 5), entity("weight", "72 kg", 6, 10)],
                           slots={"product": "zip-hoodie", "requested_slot": "size_basis"},
                           set_this_turn={"height": "178 cm", "weight": "72 kg"})  # fmt: skip
    events = await ValidateSizingForm().run(CollectingDispatcher(), tracker, DOMAIN)
    assert events == [SlotSet("size_basis", "measurements")]


async def test_size_basis_from_a_usual_size_in_another_product() -> None:
    text = "i'm an M in the Zip Hoodie, which size in the Ridgeline Fleece Jacket"
    tracker = make_tracker(
        intent="size_help", text=text,
        slots={"requested_slot": "size_basis", "product": "ridgeline-fleece-jacket"},
        entities=[entity("size", "M", 7, 8), entity("product", "Zip Hoodie", 16, 26),
                  entity("product", "Ridgeline Fleece Jacket", 46, 69)],
    )  # fmt: skip
    events = await ValidateSizingForm().run(CollectingDispatcher(), tracker, DOMAIN)
    # the usual size and product reach Rasa with the basis, so action_size_help can use them
    assert events == [
        SlotSet("size_basis", "usual_size"),
        SlotSet("usual_size", "M"),
        SlotSet("usual_product", "Zip Hoodie"),
    ]


async def test_a_size_named_now_wins_over_measurements_from_before() -> None:
    """A UK 7 named for the Chelsea Boot after a hoodie's height and weight is the size to use."""
    text = "and in the chelsea boot? i'm usually a uk 7"
    tracker = make_tracker(
        intent="inform", text=text,
        slots={"product": "chelsea-boot", "height": "167.6 cm", "weight": "59 kg"},
        entities=[entity("product", "Chelsea Boot", 10, 22), entity("size", "UK 7", 40, 44)],
    )  # fmt: skip
    events = await ValidateSizingForm().run(CollectingDispatcher(), tracker, DOMAIN)
    assert SlotSet("size_basis", "usual_size") in events
    assert SlotSet("usual_size", "UK 7") in events


async def test_measurements_from_before_serve_another_product_named_in_the_form() -> None:
    tracker = make_tracker(
        intent="product_search", text="same for the zip hoodie?",
        slots={"product": "zip-hoodie", "requested_slot": "size_basis",
               "height": "178 cm", "weight": "72 kg"},
        entities=[entity("product", "Zip Hoodie", 13, 23)],
    )  # fmt: skip
    events = await ValidateSizingForm().run(CollectingDispatcher(), tracker, DOMAIN)
    assert SlotSet("size_basis", "measurements") in events


async def test_size_basis_is_refused_when_the_chart_cannot_use_it() -> None:
    # a height is no use for boots: the form asks again (for the foot length)
    tracker = make_tracker(intent="inform", text="i'm 180cm", entities=[entity("height", "180 cm", 4, 9)],
                           slots={"product": "trailmark-summit-hiker", "requested_slot": "size_basis"},
                           set_this_turn={"height": "180 cm"})  # fmt: skip
    events = await ValidateSizingForm().run(CollectingDispatcher(), tracker, DOMAIN)
    assert events == [SlotSet("size_basis", None)]


@pytest.mark.parametrize("intent", ["stop", "human_handoff", "deny"])
async def test_leaving_messages_fill_nothing(intent: str) -> None:
    tracker = make_tracker(intent=intent, text="M", entities=[entity("size", "M", 0, 1)],
                           slots={"product": "zip-hoodie", "requested_slot": "size_basis"})  # fmt: skip
    events = await ValidateSizingForm().run(CollectingDispatcher(), tracker, DOMAIN)
    assert events == []


async def test_a_product_without_a_size_chart_ends_the_form_without_asking_for_measurements() -> None:
    tracker = make_tracker(intent="size_help", text="what size canvas tote bag",
                           entities=[entity("product", "Canvas Tote Bag", 10, 25)],
                           set_this_turn={"product": "Canvas Tote Bag"})  # fmt: skip
    events = await ValidateSizingForm().run(CollectingDispatcher(), tracker, DOMAIN)
    assert events == [SlotSet("product", "canvas-tote-bag"), SlotSet("size_basis", "no_size_chart")]

    finished = make_tracker(slots={"product": "canvas-tote-bag", "size_basis": "no_size_chart"})
    dispatcher = CollectingDispatcher()
    assert await ActionSizeHelp().run(dispatcher, finished, DOMAIN) == RESET
    assert said(dispatcher) == [{"response": "utter_size_no_chart", "product": "Canvas Tote Bag"}]


# -- @dialogue: a size question inside another flow (action_size_question) ----------------------


async def test_a_size_question_inside_a_flow_with_measurements_gets_the_recommendation() -> None:
    tracker = make_tracker(slots={"product": "zip-hoodie", "height": "178 cm", "weight": "72 kg"})
    dispatcher = CollectingDispatcher()
    events = await ActionSizeQuestion().run(dispatcher, tracker, DOMAIN)
    assert events == [*RESET, SlotSet("size", "M")]
    assert [m["response"] for m in said(dispatcher)] == [
        "utter_size_recommendation_measurements",
        "utter_size_in_stock",
    ]


async def test_a_size_question_about_a_product_alone_gets_its_chart_and_fit_note() -> None:
    tracker = make_tracker(slots={"product": "ridgeline-fleece-jacket"})
    dispatcher = CollectingDispatcher()
    assert await ActionSizeQuestion().run(dispatcher, tracker, DOMAIN) == RESET
    (chart, note) = said(dispatcher)
    assert chart == {"response": "utter_size_chart_for_product", "product": "Ridgeline Fleece Jacket",
                     "size_chart_url": RIDGELINE}  # fmt: skip
    assert note["response"] == "utter_size_fit_note"


async def test_a_size_question_without_a_product_lists_the_store_charts_and_asks_nothing() -> None:
    dispatcher = CollectingDispatcher()
    assert await ActionSizeQuestion().run(dispatcher, make_tracker(slots={}), DOMAIN) == RESET
    (message,) = said(dispatcher)
    assert message["response"] == "utter_size_charts"
    assert f"Tops, shirts, knitwear and jackets: {TOPS}" in message["charts"]
    assert f"Trailmark boots: {TRAILMARK}" in message["charts"]


async def test_the_stock_form_does_not_take_a_size_question_as_the_product_name() -> None:
    tracker = make_tracker(
        slots={"requested_slot": "product"}, text="what size would fit me", intent="size_help",
        active_loop="stock_form",
    )  # fmt: skip
    assert await ValidateStockForm().extract_product(CollectingDispatcher(), tracker, DOMAIN) == {}


async def test_a_kind_named_instead_of_a_product_offers_that_kinds_products() -> None:
    """ "What size jeans should I get?": which jeans, with buttons that carry the product."""
    text = "what size jeans should i get, 32 waist"
    tracker = make_tracker(
        intent="size_help", text=text, entities=[entity("category", "Jeans & Trousers", 10, 15)]
    )
    dispatcher = CollectingDispatcher()
    await ActionAskSizingFormProduct().run(dispatcher, tracker, DOMAIN)
    (asked,) = said(dispatcher)
    assert asked["response"] == "utter_ask_sizing_form_product_of_kind" and asked["category"] == "jeans"
    products = [b for b in asked["buttons"] if b["payload"].startswith("/size_help")]
    assert 1 <= len(products) <= 4
    assert all("Jeans" in b["title"] for b in products)
    assert asked["buttons"][-1]["payload"] == "/human_handoff"


async def test_without_a_kind_the_product_is_asked_for_plainly() -> None:
    dispatcher = CollectingDispatcher()
    await ActionAskSizingFormProduct().run(
        dispatcher, make_tracker(intent="size_help", text="what size?"), DOMAIN
    )
    assert said(dispatcher) == [{"response": "utter_ask_sizing_form_product"}]


def _after_a_stock_answer(text: str, **entities: str):
    """A tracker right after "do you have the zip hoodie in xxl" was answered, then ``text``."""
    found = [{"entity": name, "value": value} for name, value in entities.items()]
    events = [
        {"event": "user", "text": "do you have the zip hoodie in xxl", "parse_data": {"entities": []}},
        {"event": "slot", "name": "product", "value": "zip-hoodie"},
        {"event": "slot", "name": "size", "value": "XXL"},
        {"event": "action", "name": "action_product_stock"},
        {"event": "bot", "metadata": {"utter_action": "utter_stock_in_stock"}},
        {"event": "user", "text": text, "parse_data": {"text": text, "entities": found}},
    ]
    return tracker_from_events(events, slots={"product": "zip-hoodie"})


async def test_what_about_another_size_after_a_stock_answer_asks_its_stock() -> None:
    """ "what about xl" (read as a size question) after "the Zip Hoodie in XXL is in stock"."""
    events = await ValidateSizingForm().run(
        CollectingDispatcher(), _after_a_stock_answer("what about xl", size="XL"), DOMAIN
    )
    assert events == [ActiveLoop(None), SlotSet("requested_slot", None), FollowupAction("stock_form")]


async def test_measurements_after_a_stock_answer_stay_a_size_question() -> None:
    tracker = _after_a_stock_answer("what about for someone 6ft 180lbs", height="182.9 cm", weight="81.6 kg")
    events = await ValidateSizingForm().run(CollectingDispatcher(), tracker, DOMAIN)
    assert FollowupAction("stock_form") not in events
