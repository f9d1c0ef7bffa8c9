"""storefront.action_fallback: Rasa's real RemoteAction, an action server that is not there."""

from __future__ import annotations

from typing import Iterator, List

import pytest
from rasa.core.actions.action import RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActiveLoop, BotUttered, Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException
from rasa.utils.endpoints import EndpointConfig

from core.settings import PROJECT_ROOT
from storefront import action_fallback
from tools.launcher import free_port


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(PROJECT_ROOT / "domain.yml"))


@pytest.fixture()
def installed() -> Iterator[None]:
    action_fallback.install()
    try:
        yield
    finally:
        action_fallback.uninstall()


def _tracker(domain: Domain, *events: Event) -> DialogueStateTracker:
    return DialogueStateTracker.from_events(
        "shopper", [ActionExecuted("action_listen"), *events], domain.slots
    )


async def _run(
    domain: Domain, tracker: DialogueStateTracker, endpoint: EndpointConfig, name: str = "action_order_status"
) -> List[Event]:
    action = RemoteAction(name, endpoint)
    nlg = TemplatedNaturalLanguageGenerator(domain.responses)
    return await action.run(CollectingOutputChannel(), nlg, tracker, domain)


def _nobody_listening() -> EndpointConfig:
    return EndpointConfig(url=f"http://127.0.0.1:{free_port()}/webhook")


async def test_without_the_fallback_a_dead_action_server_is_an_exception(domain: Domain) -> None:
    # What Rasa does on its own: the processor catches this and the shopper hears nothing.
    with pytest.raises(RasaException, match="Couldn't connect"):
        await _run(domain, _tracker(domain, UserUttered("where is my order")), _nobody_listening())


async def test_a_dead_action_server_gives_the_apology_and_the_handoff_reason(
    domain: Domain, installed: None
) -> None:
    events = await _run(domain, _tracker(domain, UserUttered("where is my order")), _nobody_listening())
    assert len(events) == 2
    apology, reason = events
    assert isinstance(apology, BotUttered)
    assert apology.metadata["utter_action"] == "utter_assistant_unavailable"
    assert apology.text == domain.responses["utter_assistant_unavailable"][0]["text"]
    assert [b["payload"] for b in apology.data["buttons"]] == ["/human_handoff"]
    assert reason == SlotSet("handoff_reason", "action_failed")


async def test_the_apology_is_said_once_per_shopper_message(domain: Domain, installed: None) -> None:
    first = await _run(domain, _tracker(domain, UserUttered("hi")), _nobody_listening())
    same_turn = _tracker(domain, UserUttered("hi"), *first)
    assert await _run(domain, same_turn, _nobody_listening()) == [SlotSet("handoff_reason", "action_failed")]
    next_turn = _tracker(domain, UserUttered("hi"), *first, UserUttered("hello?"))
    assert [type(e) for e in await _run(domain, next_turn, _nobody_listening())] == [BotUttered, SlotSet]


async def test_a_failed_form_validation_also_stops_the_form(domain: Domain, installed: None) -> None:
    # Without ActiveLoop(None) the form would drop the answer and ask the same question again.
    tracker = _tracker(domain, ActiveLoop("stock_form"), UserUttered("the harbor rain shell"))
    events = await _run(domain, tracker, _nobody_listening(), name="validate_stock_form")
    assert [type(e) for e in events] == [BotUttered, SlotSet, ActiveLoop]
    assert events[-1] == ActiveLoop(None)


async def test_other_failures_are_left_to_rasa(domain: Domain, installed: None) -> None:
    action = RemoteAction("action_order_status", None)  # no endpoint configured: a setup error
    nlg = TemplatedNaturalLanguageGenerator(domain.responses)
    with pytest.raises(RasaException, match="no endpoint is configured"):
        await action.run(CollectingOutputChannel(), nlg, _tracker(domain), domain)
