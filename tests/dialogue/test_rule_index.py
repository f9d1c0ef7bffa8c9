"""RulePolicy's rule matching through the index of last states (storefront/rule_index.py).

On the trained model's rules, the indexed matching must give exactly Rasa's answer: the same rules,
iterated in the same order (so ``max(rules, key=len)`` picks the same one among equals), for the
rules and the loop-unhappy rules, by text and by intent, at every step of every story, rule and
test story, and for states no story has (each rule's own states, changed). The policy's whole
prediction must be Rasa's too.
"""

from __future__ import annotations

import copy
import json
import random
import tempfile
from pathlib import Path
from typing import Any, Iterator, List, Tuple

import pytest
from rasa.core.policies.rule_policy import RULES, RULES_FOR_LOOP_UNHAPPY_PATH, RulePolicy
from rasa.core.training import load_data
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.shared.core.constants import ACTION_LISTEN_NAME, PREVIOUS_ACTION, USER
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted
from rasa.shared.core.trackers import DialogueStateTracker, State
from rasa.shared.importers.importer import TrainingDataImporter
from rasa.shared.nlu.constants import ACTION_NAME, INTENT

from core.settings import PROJECT_ROOT
from storefront import rule_index

LOOKUPS = (RULES, RULES_FOR_LOOP_UNHAPPY_PATH)


@pytest.fixture(scope="module")
def policy_and_domain(trained_model: Path) -> Iterator[Tuple[RulePolicy, Domain]]:
    rule_index.uninstall()
    with tempfile.TemporaryDirectory() as storage_dir:
        storage, metadata = LocalModelStorage.from_model_archive(Path(storage_dir), trained_model)
        (node,) = [node for node in metadata.predict_schema.nodes.values() if node.uses is RulePolicy]
        policy = RulePolicy.load(
            {**RulePolicy.get_default_config(), **node.config},
            storage,
            node.resource,
            ExecutionContext(metadata.predict_schema, metadata.model_id),
        )
        yield policy, metadata.domain


@pytest.fixture(scope="module")
def story_prefixes(policy_and_domain: Tuple[RulePolicy, Domain]) -> List[DialogueStateTracker]:
    """A tracker before every bot action of every story, rule and test story."""
    _, domain = policy_and_domain
    importer = TrainingDataImporter.load_from_config(
        str(PROJECT_ROOT / "config.yml"),
        str(PROJECT_ROOT / "domain.yml"),
        [str(PROJECT_ROOT / "data"), str(PROJECT_ROOT / "tests" / "test_stories.yml")],
    )
    prefixes = []
    for story in load_data(importer, domain, augmentation_factor=0):
        events = list(story.events)
        for position, event in enumerate(events):
            if isinstance(event, ActionExecuted) and position > 0:
                tracker = DialogueStateTracker.from_events(story.sender_id, events[:position], domain.slots)
                prefixes.append(tracker)
    assert len(prefixes) > 1000
    return prefixes


def _rasas(policy: RulePolicy, lookup: str, states: List[State]) -> List[str]:
    rule_index.uninstall()
    return list(policy._get_possible_keys(policy.lookup[lookup], states))


def _indexed(policy: RulePolicy, lookup: str, states: List[State]) -> List[str]:
    return list(rule_index.possible_keys(policy, policy.lookup[lookup], states))


def _as_conversation(states: List[State]) -> List[State]:
    """A rule's states the way a tracker gives them (tuples where JSON has lists)."""
    return [
        {kind: {key: tuple(value) if isinstance(value, list) else value for key, value in sub.items()}
         for kind, sub in state.items()}
        for state in states
    ]  # fmt: skip


def test_story_states_match_the_same_rules_in_the_same_order(
    policy_and_domain: Tuple[RulePolicy, Domain], story_prefixes: List[DialogueStateTracker]
) -> None:
    policy, domain = policy_and_domain
    matched = 0
    for tracker in story_prefixes:
        for by_text in (True, False):
            states = policy._prediction_states(
                tracker, domain, by_text, rule_only_data=policy._get_rule_only_data()
            )
            for lookup in LOOKUPS:
                expected = _rasas(policy, lookup, states)
                assert _indexed(policy, lookup, states) == expected
                matched += bool(expected)
    assert matched > len(story_prefixes) // 2  # the comparison saw rules match, not just empty sets


def test_every_rules_own_states_and_changed_ones_match_as_rasa_matches(
    policy_and_domain: Tuple[RulePolicy, Domain],
) -> None:
    policy, domain = policy_and_domain
    chance = random.Random(13)
    intents = list(domain.intents)
    actions = [name for name in domain.action_names_or_texts if name]
    for lookup in LOOKUPS:
        for key in policy.lookup[lookup]:
            own = _as_conversation(json.loads(key))
            variants = [own, own[-1:], own[1:]]
            for _ in range(4):
                changed = copy.deepcopy(own)
                latest = changed[-1]
                if chance.random() < 0.5 and USER in latest:
                    latest[USER] = {INTENT: chance.choice(intents)}
                if chance.random() < 0.5:
                    latest[PREVIOUS_ACTION] = {ACTION_NAME: chance.choice(actions)}
                if chance.random() < 0.2:
                    latest.pop(PREVIOUS_ACTION, None)  # a conversation start
                variants.append(changed)
            for states in variants:
                for each in LOOKUPS:
                    assert _indexed(policy, each, states) == _rasas(policy, each, states)


def test_the_policys_predictions_are_rasas(
    policy_and_domain: Tuple[RulePolicy, Domain], story_prefixes: List[DialogueStateTracker]
) -> None:
    policy, domain = policy_and_domain

    def predict(tracker: DialogueStateTracker) -> Any:
        prediction = policy.predict_action_probabilities(tracker, domain)
        return (prediction.probabilities, prediction.events, prediction.is_end_to_end_prediction,
                prediction.is_no_user_prediction, prediction.hide_rule_turn)  # fmt: skip

    listened = 0
    for tracker in story_prefixes[::3]:
        rule_index.uninstall()
        expected = predict(tracker)
        rule_index.install()
        try:
            assert predict(tracker) == expected
        finally:
            rule_index.uninstall()
        listened += tracker.latest_action_name == ACTION_LISTEN_NAME
    assert listened > 100


def test_the_index_follows_a_changed_table_and_is_installed_once(
    policy_and_domain: Tuple[RulePolicy, Domain],
) -> None:
    policy, _ = policy_and_domain
    table = dict(policy.lookup[RULES])
    states = _as_conversation(json.loads(next(iter(table))))
    assert list(rule_index.possible_keys(policy, table, states))
    table.clear()
    assert rule_index.possible_keys(policy, table, states) == set()  # rebuilt: the rules are gone
    rasas = RulePolicy._get_possible_keys
    rule_index.install()
    rule_index.install()
    assert RulePolicy._get_possible_keys is rule_index.possible_keys
    rule_index.uninstall()
    assert RulePolicy._get_possible_keys is rasas
