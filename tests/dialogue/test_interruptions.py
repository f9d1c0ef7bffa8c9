"""Frustration and requests for a person interrupt every form (issue #12, dialogue).

Two halves make an interruption work: the message must not be taken as the answer the form is
waiting for (Rasa's own slot-mapping check, on the real domain), and a rule conditioned on the
form must end it and hand off (the real rule files). A form added later without either fails here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Set, Tuple

import pytest
import yaml
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActiveLoop, SlotSet, UserUttered
from rasa.shared.core.slot_mappings import SlotMapping
from rasa.shared.core.trackers import DialogueStateTracker

from core.settings import PROJECT_ROOT

INTERRUPTING_INTENTS = ("human_handoff", "frustration")
RULE_FILES = sorted((PROJECT_ROOT / "data" / "rules").glob("*.yml"))


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(PROJECT_ROOT / "domain.yml"))


def _form_questions(domain: Domain) -> List[Tuple[str, str]]:
    return [(form, slot) for form in domain.form_names for slot in domain.required_slots_for_form(form)]


def _tracker_waiting(form: str, slot: str, intent: str, text: str) -> DialogueStateTracker:
    return DialogueStateTracker.from_events(
        "shopper",
        [
            ActionExecuted(ACTION_LISTEN_NAME),
            ActiveLoop(form),
            SlotSet("requested_slot", slot),
            ActionExecuted(ACTION_LISTEN_NAME),
            UserUttered(text, intent={"name": intent, "confidence": 0.9}),
        ],
    )


@pytest.mark.parametrize("intent", INTERRUPTING_INTENTS)
def test_no_form_question_takes_an_interruption_as_its_answer(domain: Domain, intent: str) -> None:
    slots = {s.name: s for s in domain.slots}
    taken: List[str] = []
    for form, slot in _form_questions(domain):
        tracker = _tracker_waiting(form, slot, intent, "get me a real person now, this is useless")
        for mapping in slots[slot].mappings:
            if mapping.get("type") == "from_text" and SlotMapping.intent_is_desired(mapping, tracker, domain):
                taken.append(f"{form}:{slot}")
    assert taken == []


def _interrupting_rules() -> Set[Tuple[str, str]]:
    """(form, intent) pairs that a rule conditioned on the form answers by deactivating it and handing off."""
    found: Set[Tuple[str, str]] = set()
    for path in RULE_FILES:
        for rule in (yaml.safe_load(Path(path).read_text()) or {}).get("rules") or []:
            forms = [c.get("active_loop") for c in rule.get("condition") or [] if "active_loop" in c]
            steps: List[Dict[str, Any]] = rule.get("steps") or []
            intents = [s["intent"] for s in steps if "intent" in s]
            actions = [s["action"] for s in steps if "action" in s]
            if (
                forms
                and forms[0]
                and intents
                and actions[:1] == ["action_deactivate_loop"]
                and actions[-1] == "action_handoff"
            ):
                found.add((forms[0], intents[0]))
    return found


@pytest.mark.parametrize("intent", INTERRUPTING_INTENTS)
def test_every_form_hands_off_on_an_interruption(domain: Domain, intent: str) -> None:
    covered = {form for form, rule_intent in _interrupting_rules() if rule_intent == intent}
    assert sorted(set(domain.form_names) - covered) == []


# -- questions answered inside a flow, which then resumes -----------------------------------------

DIGRESSIONS = (
    "shipping_info",
    "return_policy",
    "size_help",
    "bot_challenge",
    "discount_code",
    "clarify",
    "gift_options",
)
NO_DIGRESSION = {  # the form's own topic
    ("shipping_form", "shipping_info"),
    ("sizing_form", "size_help"),
    ("discount_form", "discount_code"),
}


def _resuming_rules() -> Set[Tuple[str, str]]:
    """(form, intent) pairs answered by one action after which the same form runs again."""
    found: Set[Tuple[str, str]] = set()
    for path in RULE_FILES:
        for rule in (yaml.safe_load(Path(path).read_text()) or {}).get("rules") or []:
            forms = [c.get("active_loop") for c in rule.get("condition") or [] if "active_loop" in c]
            steps: List[Dict[str, Any]] = rule.get("steps") or []
            intents = [s["intent"] for s in steps if "intent" in s]
            actions = [s["action"] for s in steps if "action" in s]
            if forms and forms[0] and intents and len(actions) == 2 and actions[1] == forms[0]:
                found.add((forms[0], intents[0]))
    return found


@pytest.mark.parametrize("intent", DIGRESSIONS)
def test_every_flow_answers_the_question_and_resumes(domain: Domain, intent: str) -> None:
    resumed = {form for form, rule_intent in _resuming_rules() if rule_intent == intent}
    expected = {form for form in domain.form_names if (form, intent) not in NO_DIGRESSION}
    assert sorted(expected - resumed) == []


@pytest.mark.parametrize("intent", DIGRESSIONS)
def test_no_form_question_takes_a_digression_as_its_answer(domain: Domain, intent: str) -> None:
    slots = {s.name: s for s in domain.slots}
    taken = [
        f"{form}:{slot}"
        for form, slot in _form_questions(domain)
        for mapping in slots[slot].mappings
        if mapping.get("type") == "from_text"
        and SlotMapping.intent_is_desired(
            mapping, _tracker_waiting(form, slot, intent, "do you ship to canada"), domain
        )
    ]
    assert taken == []


# -- goodbye inside a flow ------------------------------------------------------------------------


def _goodbye_rules() -> Dict[str, List[str]]:
    """Form -> the actions a rule conditioned on it runs after ``goodbye``."""
    found: Dict[str, List[str]] = {}
    for path in RULE_FILES:
        for rule in (yaml.safe_load(Path(path).read_text()) or {}).get("rules") or []:
            forms = [c.get("active_loop") for c in rule.get("condition") or [] if "active_loop" in c]
            steps: List[Dict[str, Any]] = rule.get("steps") or []
            if forms and forms[0] and [s["intent"] for s in steps if "intent" in s][:1] == ["goodbye"]:
                found[forms[0]] = [s["action"] for s in steps if "action" in s]
    return found


GOODBYE = ["utter_goodbye", "action_offer_satisfaction"]
OFFLINE_HANDOFF = ["action_handoff"]  # leaving contact details for a person: queued without them


def test_a_goodbye_ends_every_form(domain: Domain) -> None:
    """ "never mind, thanks, bye" at any question ends the flow: it is never taken as the answer,
    and the form does not ask again after the goodbye."""
    rules = _goodbye_rules()
    assert sorted(set(domain.form_names) - set(rules)) == []
    for form, actions in rules.items():
        assert actions[0] == "action_deactivate_loop", form
        assert form not in actions, form
        expected = OFFLINE_HANDOFF if form == "handoff_contact_form" else GOODBYE
        assert actions[1:] == expected, form


def test_no_form_question_takes_a_goodbye_as_its_answer(domain: Domain) -> None:
    slots = {s.name: s for s in domain.slots}
    taken = [
        f"{form}:{slot}"
        for form, slot in _form_questions(domain)
        for mapping in slots[slot].mappings
        if mapping.get("type") == "from_text"
        and SlotMapping.intent_is_desired(
            mapping, _tracker_waiting(form, slot, "goodbye", "never mind, thanks anyway, bye"), domain
        )
    ]
    assert taken == []
