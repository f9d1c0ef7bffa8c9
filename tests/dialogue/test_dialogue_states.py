"""Dialogue states extended by the new events instead of recomputed (storefront/dialogue_states.py).

Every answer must equal Rasa's own computation (``Domain.states_for_tracker_history``) on the same
tracker, after every event of long conversations with forms, fallback reverts and restarts, for
every set of arguments the policies pass, through the copies the tracker store hands out; and the
work must grow with the new events, not with the conversation.
"""

from __future__ import annotations

import asyncio
import copy
from pathlib import Path
from typing import Any, Dict, List

import pytest
from rasa.shared.core.constants import ACTION_LISTEN_NAME, USER
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, Event, SlotSet, UserUttered
from rasa.shared.nlu.constants import INTENT, TEXT

from core.settings import PROJECT_ROOT
from storefront import dialogue_states
from storefront.tracking import IncrementalSQLTrackerStore, WindowedTracker
from tests.dialogue.test_tracking import _conversation, _turn

ARGUMENTS: List[Dict[str, Any]] = [
    {},
    {"omit_unset_slots": True},
    {"ignore_rule_only_turns": True, "rule_only_data": {"slots": ["requested_slot"], "loops": []}},
    {"ignore_rule_only_turns": True, "rule_only_data": {"slots": [], "loops": ["order_status_form"]}},
]


def _with_rule_turns(events: List[Event]) -> List[Event]:
    """Every third bot action predicted by a rule that no story has (hidden from the ML states)."""
    for number, event in enumerate(events):
        if isinstance(event, ActionExecuted) and event.action_name != ACTION_LISTEN_NAME and number % 3 == 0:
            event.hide_rule_turn = True
    return events


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(PROJECT_ROOT / "domain.yml"))


@pytest.fixture
def replayed(monkeypatch: pytest.MonkeyPatch) -> List[int]:
    """How many events the replays consumed, call by call."""
    counts: List[int] = []
    consume = dialogue_states.StateReplay._consume

    def counting(self: dialogue_states.StateReplay, event: Event) -> None:
        counts.append(1)
        consume(self, event)

    monkeypatch.setattr(dialogue_states.StateReplay, "_consume", counting)
    return counts


def test_states_equal_rasas_after_every_event(domain: Domain, replayed: List[int]) -> None:
    tracker = WindowedTracker("shopper", domain.slots)
    events = _with_rule_turns(_conversation(60))
    for event in events:
        tracker.update(event)
        for arguments in ARGUMENTS:
            states = tracker.past_states(domain, **arguments)
            assert states == domain.states_for_tracker_history(tracker, **arguments)
            for state in states:  # what Rasa's featurizers do to their copy (tracker_featurizers.py)
                state.get(USER, {}).pop(TEXT, None)
                state.get(USER, {}).pop(INTENT, None)
            states[-1].clear()
            assert tracker.past_states(domain, **arguments) == domain.states_for_tracker_history(
                tracker, **arguments
            )
    # Rasa replays the whole history at every call (about len(events)**2 / 2 per kind of states);
    # here every event is replayed once, and again only after what rewrites history (a revert, a
    # restart, a form's turns that Rasa folds together).
    assert sum(replayed) < 0.25 * len(ARGUMENTS) * len(events) ** 2 / 2


def test_copies_borrow_and_never_change_each_others_states(domain: Domain) -> None:
    """The store's pattern: a cached tracker, a copy per message that adds its own events."""
    cached = WindowedTracker("shopper", domain.slots)
    for number in range(40):
        message = cached.windowed_copy(window=20)  # folds older turns every few messages
        before = {key: cached.past_states(domain, **arguments) for key, arguments in enumerate(ARGUMENTS)}
        turn = _with_rule_turns(_turn(number))
        for event in turn:
            message.update(event)
            for arguments in ARGUMENTS:
                assert message.past_states(domain, **arguments) == domain.states_for_tracker_history(
                    message, **arguments
                )
        # the message's events never reach the tracker it was copied from
        after = {key: cached.past_states(domain, **arguments) for key, arguments in enumerate(ARGUMENTS)}
        assert after == before
        for event in copy.deepcopy(turn):  # as the store reads the saved events back
            cached.update(event)


def test_a_snapshot_and_its_tracker_never_change_each_others_slots(domain: Domain) -> None:
    """Forks share slot objects copy-on-write: a change on either side stays on that side."""
    original = WindowedTracker("shopper", domain.slots)
    for event in _conversation(3):
        original.update(event)
    twin = dialogue_states.snapshot(original)
    assert twin.current_slot_values() == original.current_slot_values()
    mine, theirs = original.current_slot_values(), twin.current_slot_values()
    original.update(SlotSet("order_number", "4242"))
    twin.update(SlotSet("order_contact", "twin@example.com"))
    assert original.current_slot_values() == {**mine, "order_number": "4242"}
    assert twin.current_slot_values() == {**theirs, "order_contact": "twin@example.com"}
    grandchild = dialogue_states.snapshot(twin)  # a fork of a fork, then both change the same slot
    twin.update(SlotSet("size", "M"))
    grandchild.update(SlotSet("size", "L"))
    assert (twin.get_slot("size"), grandchild.get_slot("size"), original.get_slot("size")) == ("M", "L", None)


def test_the_store_keeps_states_up_to_date_per_conversation(domain: Domain, tmp_path: Path) -> None:
    store = IncrementalSQLTrackerStore(domain=domain, host=f"sqlite:///{tmp_path / 'tracker.db'}", window=20)

    async def say(sender: str, number: int) -> WindowedTracker:
        tracker = await store.get_or_create_tracker(sender)
        assert isinstance(tracker, WindowedTracker)
        for arguments in ARGUMENTS:  # the policies' calls before the message's first action
            assert tracker.past_states(domain, **arguments) == domain.states_for_tracker_history(
                tracker, **arguments
            )
        tracker.update(UserUttered(f"{sender} {number}", {"name": "greet", "confidence": 1.0}))
        for event in [ActionExecuted("utter_greet"), BotUttered("hello"), ActionExecuted(ACTION_LISTEN_NAME)]:
            tracker.update(event)
            for arguments in ARGUMENTS:
                assert tracker.past_states(domain, **arguments) == domain.states_for_tracker_history(
                    tracker, **arguments
                )
        await store.save(tracker)
        return tracker

    async def conversations() -> None:
        for number in range(30):
            ann, ben = await say("ann", number), await say("ben", number)
            texts = {state.get("user", {}).get("text") for state in ann.past_states(domain)}
            assert not any(text and text.startswith("ben") for text in texts)
            assert ben.past_states(domain)[-1] == domain.states_for_tracker_history(ben)[-1]

    asyncio.run(conversations())
    cached = store._cache["ann"].tracker
    # the cached tracker's states were brought up to date when its events were read
    assert {replay.arguments for replay in cached.dialogue_states.replays.values()} == {
        (arguments.get("omit_unset_slots", False), arguments.get("ignore_rule_only_turns", False),
         dialogue_states.frozen(arguments.get("rule_only_data")))
        for arguments in ARGUMENTS
    }  # fmt: skip
    for replay in cached.dialogue_states.replays.values():
        assert replay.applied == cached.applied_events()


def test_after_a_fold_the_replays_take_the_states_they_cannot_change(
    domain: Domain, tmp_path: Path, replayed: List[int]
) -> None:
    """The store folds a window's older turns every few messages; the folded tracker's replays start
    afresh but take the states of the replays before the fold after a turn or two."""
    store = IncrementalSQLTrackerStore(domain=domain, host=f"sqlite:///{tmp_path / 'tracker.db'}", window=20)
    plain_or_form = [
        number for number in range(80) if number % 7 != 2 and not (number % 7 == 3 and number % 5 == 0)
    ]
    at_retrieve: List[int] = []

    async def conversation() -> None:
        for number in plain_or_form[:45]:  # forms, hidden rule turns; no revert or restart
            before = len(replayed)
            tracker = await store.get_or_create_tracker("ann")
            at_retrieve.append(len(replayed) - before)
            assert isinstance(tracker, WindowedTracker)
            for event in _with_rule_turns(_turn(number)):
                for arguments in ARGUMENTS:
                    assert tracker.past_states(domain, **arguments) == domain.states_for_tracker_history(
                        tracker, **arguments
                    )
                tracker.update(event)
            await store.save(tracker)

    asyncio.run(conversation())
    folds = [count for count in at_retrieve if count]  # a retrieve replays only after a fold
    assert len(folds) >= 8
    # a fresh replay of the folded window would consume about 20 events per kind of states
    assert max(folds) <= 8 * len(ARGUMENTS)


@pytest.mark.parametrize("arguments", ARGUMENTS)
def test_a_replay_after_a_fold_takes_the_states_only_where_it_carries_what_they_carried(
    domain: Domain, arguments: Dict[str, Any]
) -> None:
    tracker = WindowedTracker("shopper", domain.slots)
    for event in _with_rule_turns(
        [event for number in (3, 4, 5, 6, 0, 1, 11, 12, 13) for event in _turn(number)]
    ):
        tracker.update(event)
    tracker.past_states(domain, **arguments)  # this kind's replay, up to date
    folded = tracker.windowed_copy(window=20)
    (donor,) = folded.dialogue_states.before_fold.values()
    start = [event is folded.events[0] for event in donor.applied].index(True)
    # The donor's first turn after the cut, as if it had carried another last action into the next
    # turn and so taken another state there: this replay must not take the states from that turn.
    first = next(
        index for index, turn in enumerate(donor.turns) if turn[0] > start and turn[1] < len(donor.states)
    )
    at, taken, _, hidden = donor.turns[first]
    donor.turns[first] = (at, taken, {"action_name": "carried elsewhere"}, hidden)
    donor.states[taken] = {"prev_action": {"action_name": "carried elsewhere"}}
    assert folded.past_states(domain, **arguments) == domain.states_for_tracker_history(folded, **arguments)


def test_the_processors_copies_cost_their_original_no_fork_and_keep_their_own_states(
    domain: Domain, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The processor copies the tracker before every action; the original goes on extending its replays."""
    forks: List[int] = []
    fork = dialogue_states.StateReplay.fork

    def counting(self: dialogue_states.StateReplay) -> dialogue_states.StateReplay:
        forks.append(1)
        return fork(self)

    monkeypatch.setattr(dialogue_states.StateReplay, "fork", counting)
    tracker = WindowedTracker("shopper", domain.slots)
    copies = []
    for event in _with_rule_turns(_conversation(25)):
        for arguments in ARGUMENTS:
            tracker.past_states(domain, **arguments)
        copies.append((tracker.copy(), len(tracker.events)))  # lent the replays, as before an action
        tracker.update(event)
    assert forks == []  # the original extends its own replays in place
    for twin, events in copies[::7]:  # a copy asked later: its own events' states, never the original's
        assert len(twin.events) == events
        for arguments in ARGUMENTS:
            assert twin.past_states(domain, **arguments) == domain.states_for_tracker_history(
                twin, **arguments
            )
