"""The windowed tracker and the incremental SQL tracker store (storefront/tracking.py).

A windowed tracker must be indistinguishable, for the policies and the actions, from Rasa's tracker
of the whole conversation: the same slots, active loop and latest messages, and the same recent
dialogue states, through Rasa's fallback reverts, forms and restarts. The store must never lose,
duplicate or reorder an event, see what another replica wrote, and never hand one conversation's
events to another.
"""

from __future__ import annotations

import asyncio
import itertools
from pathlib import Path
from typing import Any, List, Optional

import pytest
import yaml
from rasa.core.actions.forms import FormAction
from rasa.core.tracker_store import TrackerStore
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    BotUttered,
    Event,
    FollowupAction,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.slots import AnySlot
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity
from rasa.utils.endpoints import EndpointConfig

from core.settings import PROJECT_ROOT
from storefront import tracking
from storefront.tracking import _UNKNOWN, IncrementalSQLTrackerStore, WindowedTracker, _followup_given_by

MAX_HISTORY = 5  # config.yml's policies


_STORE_TYPE = f"{IncrementalSQLTrackerStore.__module__}.{IncrementalSQLTrackerStore.__name__}"


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(PROJECT_ROOT / "domain.yml"))


def _turn(number: int) -> List[Event]:
    """One shopper turn of a varied conversation: forms, slots, fallbacks that revert, a restart."""
    user = UserUttered(f"message {number}", {"name": "order_status", "confidence": 0.9})
    events: List[Event] = [user]
    kind = number % 7
    if kind == 0:
        events += [ActionExecuted("order_status_form"), ActiveLoop("order_status_form"),
                   SlotSet("requested_slot", "order_number")]  # fmt: skip
    elif kind == 1:
        events += [SlotSet("order_number", str(1000 + number)), ActionExecuted("order_status_form"),
                   ActiveLoop(None), SlotSet("requested_slot", None),
                   SlotSet("verified_order", str(number))]  # fmt: skip
    elif kind == 2:  # Rasa's default fallback reverts the shopper's message
        events += [ActionExecuted("action_default_fallback"), BotUttered("sorry"), UserUtteranceReverted()]
    elif kind == 3 and number % 5 == 0:
        events += [ActionExecuted("action_restart"), Restarted()]
    else:
        events += [ActionExecuted("utter_greet"), BotUttered(f"reply {number}")]
    return [*events, ActionExecuted(ACTION_LISTEN_NAME)]


def _conversation(turns: int) -> List[Event]:
    events: List[Event] = [ActionExecuted(ACTION_LISTEN_NAME)]
    for number in range(turns):
        events += _turn(number)
    return events


def _state_of(tracker: DialogueStateTracker, domain: Domain) -> tuple:
    return (
        {name: slot.value for name, slot in tracker.slots.items()},
        tracker.active_loop_name,
        tracker.latest_message.text if tracker.latest_message else None,
        tracker.latest_action_name,
        tracker.is_paused(),
        tracker.past_states(domain)[-MAX_HISTORY - 1 :],
        tracker.past_states(domain, ignore_rule_only_turns=True)[-MAX_HISTORY - 1 :],
    )


@pytest.mark.parametrize("turns", [3, 40, 121])
def test_a_windowed_tracker_has_the_state_of_the_whole_conversation(domain: Domain, turns: int) -> None:
    events = _conversation(turns)
    full = DialogueStateTracker.from_events("shopper", events, domain.slots)
    windowed = WindowedTracker("shopper", domain.slots)
    for event in events:
        windowed.update(event)
    windowed = windowed.windowed_copy(window=20)

    assert len(windowed.events) < len(events) or turns == 3
    assert _state_of(windowed, domain) == _state_of(full, domain)
    # Rasa's reverts reset the tracker and replay it: the next fallback must land in the same state.
    for tracker in (full, windowed):
        for event in [UserUttered("huh", {"name": "nlu_fallback"}), ActionExecuted("action_default_fallback"),
                      UserUtteranceReverted(), ActionExecuted(ACTION_LISTEN_NAME)]:  # fmt: skip
            tracker.update(event)
    assert _state_of(windowed, domain) == _state_of(full, domain)
    assert _state_of(windowed.copy(), domain) == _state_of(full.copy(), domain)


def _store(domain: Domain, url: str) -> IncrementalSQLTrackerStore:
    return IncrementalSQLTrackerStore(domain=domain, host=url, window=20)


def _texts(tracker: DialogueStateTracker) -> List[str]:
    return [e.text for e in tracker.events if isinstance(e, UserUttered)]


def test_the_store_saves_every_event_and_sees_what_another_replica_wrote(
    domain: Domain, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    first, second = _store(domain, url), _store(domain, url)

    async def say(store: IncrementalSQLTrackerStore, sender: str, text: str) -> None:
        tracker = await store.get_or_create_tracker(sender)
        for event in [UserUttered(text, {"name": "greet"}), ActionExecuted("utter_greet"), BotUttered(text),
                      ActionExecuted(ACTION_LISTEN_NAME)]:  # fmt: skip
            tracker.update(event)
        await store.save(tracker)

    async def conversation() -> None:
        for number in range(60):
            await say((first, second)[number % 3 == 0], "ann", f"ann {number}")
            await say(first, "ben", f"ben {number}")

    asyncio.run(conversation())
    expected = [f"ann {number}" for number in range(60)]
    # Rasa's own store reads every event: each message exactly once, in order, none of ben's.
    rasa_view = asyncio.run(IncrementalSQLTrackerStore.__mro__[1].retrieve(first, "ann"))
    assert _texts(rasa_view) == expected
    for store in (first, second):
        latest = asyncio.run(store.retrieve("ann"))
        assert _texts(latest) == expected[-len(_texts(latest)) :]
        assert 0 < len(latest.events) < len(rasa_view.events)
        assert all(text.startswith("ann") for text in _texts(latest))


def test_a_tracker_handed_out_is_a_copy(domain: Domain, tmp_path: Path) -> None:
    store = _store(domain, f"sqlite:///{tmp_path / 'tracker.db'}")
    tracker = asyncio.run(store.get_or_create_tracker("ann"))
    asyncio.run(store.save(tracker))
    handed_out = asyncio.run(store.retrieve("ann"))
    handed_out.update(SlotSet("verified_order", "1001"))  # never saved: a failed message
    again = asyncio.run(store.retrieve("ann"))
    assert again.get_slot("verified_order") is None
    assert asyncio.run(store.retrieve("nobody")) is None


def test_rasa_builds_the_store_endpoints_yml_names(domain: Domain, tmp_path: Path) -> None:
    # Rasa falls back to an in-memory store, with a warning only, when it cannot load the class.
    section = yaml.safe_load((PROJECT_ROOT / "endpoints.yml").read_text())["tracker_store"]
    config = EndpointConfig(**{**section, "url": f"sqlite:///{tmp_path / 'tracker.db'}"})
    store = TrackerStore.create(config, domain)
    inner = getattr(store, "_tracker_store", store)  # Rasa wraps it in its FailSafeTrackerStore
    assert isinstance(inner, IncrementalSQLTrackerStore)
    assert (inner.window, inner.capacity) == (section["window"], section["cached_conversations"])
    assert _pragmas(inner) == ("wal", 2)  # synchronous=FULL, as endpoints.yml says


def test_a_new_conversation_starts_windowed_through_rasas_wrappers(domain: Domain, tmp_path: Path) -> None:
    """Rasa's wrappers make new trackers with the store's own ``init_tracker`` once installed."""
    from rasa.core.tracker_store import FailSafeTrackerStore

    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    store = FailSafeTrackerStore(TrackerStore.create(EndpointConfig(type=_STORE_TYPE, url=url), domain))
    rasas = asyncio.run(store.get_or_create_tracker("before"))
    assert type(rasas) is DialogueStateTracker  # what Rasa's wrappers made before
    try:
        tracking.install()
        tracker = asyncio.run(store.get_or_create_tracker("ann"))
        assert isinstance(tracker, WindowedTracker)
        assert tracker.unsaved == []  # saved the incremental way: the next save writes only what follows
        tracker.update(UserUttered("hi", {"name": "greet", "confidence": 1.0}))
        asyncio.run(store.save(tracker))
    finally:
        tracking.uninstall()
    assert type(asyncio.run(store.get_or_create_tracker("after"))) is DialogueStateTracker
    reread = asyncio.run(_store(domain, url).retrieve("ann"))
    assert [event.as_dict() for event in reread.events] == [event.as_dict() for event in tracker.events]


def _pragmas(store: IncrementalSQLTrackerStore) -> tuple:
    with store.engine.connect() as connection:
        return (
            connection.exec_driver_sql("PRAGMA journal_mode").scalar(),
            connection.exec_driver_sql("PRAGMA synchronous").scalar(),
        )


def test_the_sqlite_durability_level_is_configurable(domain: Domain, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    assert _pragmas(IncrementalSQLTrackerStore(domain=domain, host=url)) == ("wal", 2)
    normal = IncrementalSQLTrackerStore(domain=domain, host=url, sqlite_synchronous="normal")
    assert _pragmas(normal) == ("wal", 1)
    with pytest.raises(ValueError, match="sqlite_synchronous"):
        IncrementalSQLTrackerStore(domain=domain, host=url, sqlite_synchronous="OFF; DROP TABLE events")


def test_a_new_event_or_another_tracker_gets_fresh_dialogue_states(domain: Domain) -> None:
    tracker = WindowedTracker("shopper", domain.slots)
    for event in _conversation(4):
        tracker.update(event)
    before = tracker.past_states(domain)
    tracker.update(UserUttered("hi", {"name": "greet", "confidence": 0.9}))
    after = tracker.past_states(domain)
    assert before[-1]["user"]["intent"] == "order_status"
    assert after[-1]["user"]["intent"] == "greet"  # the user message changes the latest state
    assert after == DialogueStateTracker.past_states(tracker, domain)

    other = WindowedTracker("another shopper", domain.slots)
    for event in _conversation(4):
        other.update(event)
    assert not other.dialogue_states.replays  # replays belong to one tracker object
    assert tracker.copy().past_states(domain) == after


def _copy_view(tracker: DialogueStateTracker, domain: Domain) -> tuple:
    """Everything of a copy the processor and the action server use."""
    return (
        type(tracker),
        [id(event) for event in tracker.events],
        tracker.current_state(EventVerbosity.ALL),
        {name: slot.value for name, slot in tracker.slots.items()},
        tracker.followup_action,
        [tracker.past_states(domain, ignore_rule_only_turns=flag) for flag in (False, True)],
        tracker.past_states(domain, rule_only_data={"slots": ["requested_slot"], "loops": []}),
    )


def _with_followups(events: List[Event]) -> List[Event]:
    """The varied conversation with a follow-up action queued now and then, as actions return them."""
    out: List[Event] = []
    for number, event in enumerate(events):
        out.append(event)
        if isinstance(event, BotUttered) and number % 3 == 0:
            out += [FollowupAction("utter_greet"), SlotSet("order_number", f"{number}")]
    return out


@pytest.mark.parametrize("window", [None, 20])
def test_a_copy_equals_rasas_replayed_copy_after_every_event(domain: Domain, window: object) -> None:
    tracker = WindowedTracker("shopper", domain.slots)
    replayed = DialogueStateTracker.copy  # Rasa's: init_copy, then every event replayed
    fast_copies = 0
    for number, event in enumerate(_with_followups(_conversation(45))):
        tracker.update(event)
        if window is not None and number % 9 == 0:
            tracker = tracker.windowed_copy(window)  # a tracker as the store hands it out (folded)
        expected = _copy_view(replayed(tracker), domain)
        assert _copy_view(tracker.copy(), domain) == expected
        fast_copies += _followup_given_by(tracker.events) is not _UNKNOWN
        # The processor clears a queued follow-up action without an event before it runs it; a copy
        # still has the follow-up action the events give, as Rasa's replay has.
        tracker.clear_followup_action()
        assert _copy_view(tracker.copy(), domain) == expected
    assert fast_copies > 100  # most copies took the fast path


def test_a_copy_is_taken_without_replaying_the_events(
    domain: Domain, monkeypatch: pytest.MonkeyPatch
) -> None:
    tracker = WindowedTracker("shopper", domain.slots)
    for event in _conversation(6):
        tracker.update(event)
    replays: List[int] = []
    monkeypatch.setattr(DialogueStateTracker, "update", lambda *args, **kwargs: replays.append(1))
    twin = tracker.copy()
    assert replays == [] and twin is not tracker and list(twin.events) == list(tracker.events)
    monkeypatch.undo()
    # The two share their slot objects until one of them changes a slot: a change is its own.
    before = tracker.current_slot_values()
    twin.update(SlotSet("order_number", "changed"))
    assert tracker.current_slot_values() == before
    tracker.update(SlotSet("order_contact", "original@example.com"))
    assert twin.get_slot("order_contact") != "original@example.com"
    assert twin.get_slot("order_number") == "changed"
    twin.update(SessionStarted())  # Rasa resets every slot of the twin, none of the original's
    assert tracker.current_slot_values() == {**before, "order_contact": "original@example.com"}
    assert twin.get_slot("order_number") is None
    tracker.update(SlotSet("order_number", ["a list", {"held": "in place"}]))  # mutable: deep copies
    for twin in (tracker.copy(), tracker.windowed_copy(window=4)):
        assert twin.get_slot("order_number") == ["a list", {"held": "in place"}]
        twin.get_slot("order_number")[1]["held"] = "changed"
        assert tracker.get_slot("order_number") == ["a list", {"held": "in place"}]
        assert all(
            vars(twin.slots[name]) == vars(slot)
            for name, slot in tracker.slots.items()
            if name != "order_number"
        )


def _is_listen_event(event: Event) -> bool:
    return isinstance(event, ActionExecuted) and event.action_name == ACTION_LISTEN_NAME


def _stored_view(tracker: DialogueStateTracker, domain: Domain, states: int = 0) -> tuple:
    """A tracker as the processor and the action server see it (events compared by their JSON)."""
    return (
        [event.as_dict() for event in tracker.events],
        tracker.current_state(EventVerbosity.ALL),
        [tracker.past_states(domain, ignore_rule_only_turns=flag)[-states:] for flag in (False, True)],
    )


def test_a_saved_conversation_is_not_read_back_and_is_what_a_read_gives(
    domain: Domain, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    store, reading = _store(domain, url), _store(domain, url)
    monkeypatch.setattr(reading, "_remember_saved", lambda *args: None)  # reads back every message
    events = _with_followups(_conversation(40))
    starts = [0] + [n + 1 for n, e in enumerate(events) if _is_listen_event(e)]
    read_back: List[int] = []
    rows_after = store._rows_after

    def counting_rows_after(sender_id: str, last_id: Optional[int]) -> list:
        rows = rows_after(sender_id, last_id)
        read_back.append(len(rows))
        return rows

    monkeypatch.setattr(store, "_rows_after", counting_rows_after)

    async def conversation() -> None:
        for start, end in itertools.pairwise(starts):
            tracker = await store.get_or_create_tracker("ann")
            for event in events[start:end]:
                tracker.update(event)
            tracker.clear_followup_action()  # as the processor does, without an event
            await store.save(tracker)
            mine = await store.retrieve("ann")
            # The same as the store reading its events back (the window folded at the same points)...
            assert _stored_view(mine, domain) == _stored_view(await reading.retrieve("ann"), domain)
            # ...and, for the states the policies look at, as a replica reading the whole conversation.
            fresh = await _store(domain, url).retrieve("ann")
            assert _stored_view(mine, domain, MAX_HISTORY + 1) == _stored_view(fresh, domain, MAX_HISTORY + 1)

    asyncio.run(conversation())
    # After the first read, each retrieve finds only the last event it knows (nothing to decode).
    assert read_back[0] == 0 and set(read_back[2:]) == {1}


def test_a_save_after_another_replica_wrote_is_not_cached(domain: Domain, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    first, second = _store(domain, url), _store(domain, url)

    async def scenario() -> List[str]:
        tracker = await first.get_or_create_tracker("ann")
        tracker.update(UserUttered("one", {"name": "greet"}))
        await first.save(tracker)
        mine = await first.retrieve("ann")
        theirs = await second.retrieve("ann")
        theirs.update(UserUttered("two", {"name": "greet"}))
        await second.save(theirs)  # written between first's read and first's save
        mine.update(UserUttered("three", {"name": "greet"}))
        await first.save(mine)
        assert mine.read_up_to is None
        return _texts(await first.retrieve("ann"))

    assert asyncio.run(scenario()) == ["one", "two", "three"]


def _validation_view(tracker: DialogueStateTracker, events: int = 12) -> tuple:
    """What the validation action receives (the last events; the form's new events are timed anew)."""
    state = tracker.current_state(EventVerbosity.ALL)
    untimed = [{k: v for k, v in event.items() if k != "timestamp"} for event in state["events"]]
    return {key: value for key, value in state.items() if key != "events"}, untimed[-events:]


@pytest.mark.parametrize("window", [None, 20])
@pytest.mark.parametrize("turns", [8, 45])
def test_a_form_validates_with_the_state_of_the_whole_conversation(
    domain: Domain, window: object, turns: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    form = FormAction("order_status_form", action_endpoint=None)
    rasas = FormAction._temporary_tracker  # Rasa's: the events since the latest restart, replayed
    fallbacks: List[int] = []
    monkeypatch.setattr(
        tracking, "_original_temporary_tracker", [lambda *args: fallbacks.append(1) or rasas(*args)]
    )
    monkeypatch.setattr(FormAction, "_temporary_tracker", tracking.form_validation_tracker)
    events = _check_form_validation_trackers(domain, window, turns, form, rasas)
    # Rasa's method only where the window holds a restart (Rasa leaves out the events before it)
    assert len(fallbacks) == sum(_restarts_in_window(events, window)) < len(events)


def _check_form_validation_trackers(
    domain: Domain, window: object, turns: int, form: FormAction, rasas: Any
) -> List[Event]:
    candidates: List[Event] = [SlotSet("order_number", "1234")]
    full = DialogueStateTracker("shopper", domain.slots)
    windowed = WindowedTracker("shopper", domain.slots)
    folded = 0
    # A session starts as every conversation's does (action_session_start), then varied turns.
    events = [
        ActionExecuted("action_session_start"),
        SessionStarted(),
        *_with_followups(_conversation(turns)),
    ]
    restart = max((n for n, event in enumerate(events) if isinstance(event, Restarted)), default=len(events))
    events.insert(restart + 3, SlotSet("country", "Canada"))  # set once, long before the end
    for number, event in enumerate(events):
        full.update(event)
        windowed.update(event)
        if window is not None and number % 9 == 0:
            before = len(windowed.events)
            windowed = windowed.windowed_copy(window)
            folded += len(windowed.events) < before
        ours = tracking.form_validation_tracker(form, windowed, candidates, domain)
        # Rasa's method on the whole history, the tracker Rasa would build without a window
        assert _validation_view(ours) == _validation_view(rasas(form, full, candidates, domain))
        if window is None:  # same events: the same tracker as Rasa's method builds
            rasa_on_window = rasas(form, windowed, candidates, domain)
            assert _validation_view(ours, 10**6) == _validation_view(rasa_on_window, 10**6)
    assert folded or window is None or turns < 10
    if window is not None and turns > 10:  # Rasa's method on a window forgets what the folded turns set
        windowed.update(SlotSet("requested_slot", "order_number"))
        assert windowed.get_slot("country") == "Canada" == full.get_slot("country")
        assert all(getattr(event, "key", None) != "country" for event in windowed.events)
        assert rasas(form, windowed, [], domain).get_slot("country") is None
    return events


def _restarts_in_window(events: List[Event], window: object) -> List[bool]:
    """After each event, whether the tracker holds a restart (the test's folding replayed)."""
    tracker, kept = WindowedTracker("shopper", None), []
    for number, event in enumerate(events):
        tracker.update(event)
        if window is not None and number % 9 == 0:
            tracker = tracker.windowed_copy(window)  # type: ignore[arg-type]
        kept.append(any(isinstance(e, Restarted) for e in tracker.events))
    return kept


def test_forms_use_the_windowed_validation_tracker_once_installed() -> None:
    rasas = FormAction._temporary_tracker
    try:
        tracking.install()
        tracking.install()  # idempotent
        assert FormAction._temporary_tracker is tracking.form_validation_tracker
    finally:
        tracking.uninstall()
    assert FormAction._temporary_tracker is rasas


@pytest.mark.parametrize("max_event_history", [None, 40])  # 40: the deque drops its oldest events too
def test_applied_events_are_rasas_after_every_event_and_a_fresh_list_each_time(
    domain: Domain, max_event_history: Optional[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Worked out once per state of the events, extended by plain events (storefront/tracking.py)."""
    walks: List[int] = []
    rasas = DialogueStateTracker.applied_events

    def walking(tracker: DialogueStateTracker) -> List[Event]:
        walks.append(1)
        return rasas(tracker)

    monkeypatch.setattr(DialogueStateTracker, "applied_events", walking)
    tracker = WindowedTracker("shopper", domain.slots, max_event_history=max_event_history)
    events = _with_followups(_conversation(30))
    for event in events:
        tracker.update(event)
        expected = rasas(tracker)
        given = tracker.applied_events()
        assert given == expected and all(map(lambda a, b: a is b, given, expected))
        given.clear()  # a caller changing its list changes nobody else's
        assert tracker.applied_events() == expected
        restarted = any(isinstance(each, (Restarted, SessionStarted)) for each in tracker.events)
        assert tracker._starts_afresh() == restarted
    if max_event_history is None:  # loop actions, reverts, restarts and new loop names walk again
        assert len(walks) < len(events) / 6
    tracker.events = tracker._create_events(list(tracker.events)[:5])  # a new deque, as Rasa's recreation
    assert tracker.applied_events() == rasas(tracker)


def test_copies_extend_the_answers_worked_out_before_events_were_appended(
    domain: Domain, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The store's windowed copy and the processor's copies take the tracker's answers even when
    events came after them (the last action_listen of a message), and extend them as it would."""
    walks: List[str] = []
    rasas, restart_walk = DialogueStateTracker.applied_events, tracking._holds_a_restart
    monkeypatch.setattr(DialogueStateTracker, "applied_events", lambda t: walks.append("applied") or rasas(t))
    monkeypatch.setattr(tracking, "_holds_a_restart", lambda t: walks.append("restart") or restart_walk(t))

    def answers_as_rasas(tracker: WindowedTracker, restarted: bool) -> None:
        given = tracker.applied_events()
        assert given == rasas(tracker) and all(map(lambda a, b: a is b, given, rasas(tracker)))
        assert tracker._starts_afresh() is restarted

    tracker = WindowedTracker("shopper", domain.slots)
    for event in _conversation(8):  # forms, a revert
        tracker.update(event)
    answers_as_rasas(tracker, restarted=False)
    assert walks[-2:] == ["applied", "restart"]  # the answers worked out (a revert replays too)
    walks.clear()
    plain = [event for number in (3, 4, 5, 6, 11, 12) for event in _turn(number)]  # messages, replies
    for event in plain[:10]:  # appended after the answers were worked out
        tracker.update(event)
    for twin in (tracker.copy(), tracker.windowed_copy(window=len(tracker.events))):
        for event in plain[10:]:
            twin.update(event)
        answers_as_rasas(twin, restarted=False)
    assert walks == []  # both copies extended the lent answers
    twin.update(Restarted())
    answers_as_rasas(twin, restarted=True)
    assert walks == ["applied"]  # a restart changes every earlier turn: walked again
    answers_as_rasas(tracker, restarted=False)  # the lender's own answers are its own
    answers_as_rasas(tracker.windowed_copy(window=4), restarted=False)  # folded: worked out afresh


def test_slots_are_copied_as_rasa_copies_them(domain: Domain) -> None:
    class Custom(AnySlot):
        def __copy__(self) -> Custom:
            twin = Custom(self.name, self.mappings)
            twin.copied_by_its_own_protocol = True
            return twin

    rasas = DialogueStateTracker("shopper", domain.slots)
    ours = WindowedTracker("shopper", domain.slots)
    assert set(ours.slots) == set(rasas.slots)
    for name, slot in ours.slots.items():
        assert type(slot) is type(rasas.slots[name]) and vars(slot) == vars(rasas.slots[name])
        assert slot is not next(each for each in domain.slots if each.name == name)
    custom = Custom("custom", [])
    assert getattr(WindowedTracker("shopper", [custom]).slots["custom"], "copied_by_its_own_protocol", False)
    assert not WindowedTracker("shopper", None).slots  # Rasa's AnySlotDict, as without slots
