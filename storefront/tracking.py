"""Bounded work per message for long conversations: a windowed tracker and an incremental SQL store.

Rasa's :class:`~rasa.core.tracker_store.SQLTrackerStore` rebuilds the whole conversation for every
message: it reads every event of the session, decodes and replays each one, and on save counts
the stored events again to find the new ones. The policies then compute a dialogue state for every
past action (``tracker.past_states``), three times per predicted action, although they look at the
last five; and every custom action receives every event. So a reply at message 200 costs several
times one at message 10.

:class:`WindowedTracker` is a Rasa tracker whose ``events`` hold only the latest turns (at least
``window`` events, cut where a user message starts); the turns before the cut are folded into a
*base state* (slots, active loop, latest action and messages, paused) that the tracker starts from
whenever Rasa resets or copies it (``_reset`` and ``init_copy``, which Rasa's reverts, restarts and
``past_states`` go through). Reverting events (Rasa's fallback reverts the latest user message)
reach back one or two turns at most, well within the window, so the tracker's state is the state
the full history gives; a ``restart`` or ``session_started`` inside the window resets to the
initial state exactly as Rasa does.

:class:`IncrementalSQLTrackerStore` keeps, per conversation, the windowed tracker of what it last
read together with the id of the last event read. A retrieve asks the database only for events
with a larger id (one indexed query that also checks that the last event read is still there), so
events another replica wrote are always picked up, applies them and hands out a copy: the cached
tracker is never the one the processor changes, and every answer reflects the database. A save
writes exactly the events appended since the retrieve. The cache is bounded (least recently used
conversations are dropped) and holds one conversation per key, so it can never answer one shopper
with another's events.
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import json
import logging
from collections import OrderedDict, deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Callable, Dict, FrozenSet, Iterable, List, Optional, Tuple, Type

import sqlalchemy as sa
from rasa.core.actions.forms import FormAction
from rasa.core.tracker_store import AwaitableTrackerStore, FailSafeTrackerStore, SQLTrackerStore, TrackerStore
from rasa.shared.core.constants import ACTION_LISTEN_NAME, REQUESTED_SLOT
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActionExecutionRejected,
    ActionReverted,
    ActiveLoop,
    BotUttered,
    DefinePrevUserUtteredFeaturization,
    EntitiesAdded,
    Event,
    FollowupAction,
    LoopInterrupted,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
    deserialise_events,
)
from rasa.shared.core.slots import Slot
from rasa.shared.core.trackers import AnySlotDict, DialogueStateTracker, State

from store.db import use_sqlite_pragmas
from storefront.dialogue_states import CopyOnWriteSlots, DialogueStates, share_slots, slot_copy, snapshot

logger = logging.getLogger(__name__)

DEFAULT_WINDOW = 100
"""Events kept in a tracker (about ten turns of this assistant; the policies look at five states)."""

DEFAULT_CACHED_CONVERSATIONS = 500

SQLITE_SYNCHRONOUS = ("NORMAL", "FULL", "EXTRA")
"""The durability levels a SQLite tracker store accepts (``sqlite_synchronous`` in endpoints.yml)."""


@dataclass
class BaseState:
    """What a tracker's state is before its first kept event: Rasa's ``_reset`` attributes."""

    slot_values: Dict[str, Any]
    paused: bool = False
    latest_action: Optional[Dict[str, Any]] = None
    latest_message: Optional[UserUttered] = None
    latest_bot_utterance: Optional[BotUttered] = None
    followup_action: Optional[str] = ACTION_LISTEN_NAME
    active_loop: Any = None

    @classmethod
    def of(cls, tracker: DialogueStateTracker, with_slots: bool = True) -> BaseState:
        slots = tracker.slots.items() if with_slots else ()
        slot_values = {name: copy.deepcopy(slot.value) for name, slot in slots}
        return cls(
            slot_values=slot_values,
            paused=tracker._paused,
            latest_action=copy.copy(tracker.latest_action),
            latest_message=tracker.latest_message,
            latest_bot_utterance=tracker.latest_bot_utterance,
            followup_action=tracker.followup_action,
            active_loop=copy.copy(tracker.active_loop),
        )

    def apply_to(self, tracker: CopyOnWriteSlots) -> None:
        for name in list(tracker.slots):
            slot = tracker.slot_to_change(name)
            if name in self.slot_values:
                slot.value = copy.deepcopy(self.slot_values[name])
            else:
                slot.reset()
        self.apply_all_but_slots_to(tracker)

    def apply_all_but_slots_to(self, tracker: DialogueStateTracker) -> None:
        tracker._paused = self.paused
        tracker.latest_action = copy.copy(self.latest_action)
        tracker.latest_message = self.latest_message or UserUttered.empty()
        tracker.latest_bot_utterance = self.latest_bot_utterance or BotUttered.empty()
        tracker.followup_action = self.followup_action
        tracker.active_loop = copy.copy(self.active_loop)


class WindowedTracker(CopyOnWriteSlots):
    """A tracker holding the latest events only, starting from the state of the events before."""

    def __init__(
        self,
        sender_id: str,
        slots: Optional[Iterable[Slot]],
        base: Optional[BaseState] = None,
        **kwargs: Any,
    ) -> None:
        self._base = base
        self._answers: Dict[str, Tuple[Any, int, Optional[Event], Any]] = {}
        """Answers worked out from the events, with what they were worked out from (_about_events)."""
        super().__init__(sender_id, None if slots is None else (), **kwargs)
        if slots is not None:
            # Rasa's __init__ takes `copy.copy` of every slot, then resets them; the same, a quarter
            # of the time (a tracker is made several times per message: the store's copy, copies
            # before actions, replays).
            self.slots = {slot.name: slot_copy(slot) for slot in slots}
            for slot in self.slots.values():
                slot.reset()
            self.own_every_slot()
        if base is not None:
            base.apply_to(self)  # Rasa's __init__ clears the active loop after its _reset()
        self.unsaved: List[Event] = []
        """Events appended since the tracker store handed the tracker out, in order."""
        self.dialogue_states = DialogueStates()
        """The policies' dialogue states, extended event by event (:mod:`storefront.dialogue_states`)."""
        self.read_up_to: Optional[int] = None
        """The id of the latest stored event the tracker store had read when it handed this out."""

    def past_states(
        self,
        domain: Domain,
        omit_unset_slots: bool = False,
        ignore_rule_only_turns: bool = False,
        rule_only_data: Optional[Dict[str, Any]] = None,
    ) -> List[State]:
        """Rasa's dialogue states of the history, replaying only the events not replayed yet.

        RulePolicy and MemoizationPolicy ask for them before every predicted action, and Rasa
        replays every event each time; the replays are kept per kind of states and extended
        (:class:`~storefront.dialogue_states.StateReplay`). Callers get their own copy.
        """
        return self.dialogue_states.states(
            self, domain, omit_unset_slots, ignore_rule_only_turns, rule_only_data, self._origin()
        )

    def _origin(self) -> Optional[BaseState]:
        """What ``init_copy`` starts from: the base state, unless a restart or new session is kept."""
        return None if self._starts_afresh() else self._base

    def update(self, event: Event, domain: Optional[Domain] = None) -> None:
        super().update(event, domain)
        self.unsaved.append(event)

    def _starts_afresh(self) -> bool:
        """True when Rasa would drop every earlier event anyway (a restart or a new session)."""
        return self._about_events("starts_afresh", _holds_a_restart, _a_restart_among)

    def applied_events(self) -> List[Event]:
        """Rasa's applied events, worked out once per state of the event list, then extended.

        Rasa walks every event again on every call, and a message asks a dozen times (the session
        check, the policies' dialogue states, the latest action...). Here the answer is kept with
        the events it was worked out from; when events were appended since, and none of them is
        one Rasa's walk treats specially (a restart, a new session, a revert, a loop's name seen
        for the first time, an action that is a loop's), they are applied, as Rasa's walk would
        apply them, to the kept answer. Callers get their own list.
        """
        return list(self._about_events("applied", _applied_and_loop_names, _applied_extended)[0])

    def _about_events(
        self,
        question: str,
        answer: Callable[[Any], Any],
        extend: Optional[Callable[[Any, List[Event]], Any]] = None,
    ) -> Any:
        """``answer(self)``, kept until the events change, then extended by the events appended.

        Events are only ever appended to a tracker's deque (Rasa's ``update``), or the deque is
        replaced (a reset, a recreation); a deque with a maximum length drops its oldest event when
        one is appended. So the deque object, its length and its latest event (held, compared by
        identity) tell whether the events are still those the answer was worked out from, or
        those with more appended: then ``extend(kept answer, appended events)`` gives the answer
        for all of them, or ``_UNKNOWN`` when it cannot tell without ``answer``'s walk.
        """
        kept = self._answers.get(question)
        if kept is not None:
            if self._holds_events_of(kept):
                return kept[3]
            added = self._appended_since(kept) if extend is not None else None
            value = _UNKNOWN if added is None else extend(kept[3], added)  # type: ignore[misc]
            if value is not _UNKNOWN:
                self._keep(question, value)
                return value
        value = answer(self)
        self._keep(question, value)
        return value

    def _keep(self, question: str, value: Any) -> None:
        events = self.events
        self._answers[question] = (events, len(events), events[-1] if events else None, value)

    def _holds_events_of(self, kept: Tuple[Any, int, Optional[Event], Any]) -> bool:
        """Whether the events are still those a kept answer was worked out from (same deque,
        length and latest event)."""
        events = self.events
        return kept[0] is events and kept[1] == len(events) and kept[2] is (events[-1] if events else None)

    def _extends_events_of(self, kept: Tuple[Any, int, Optional[Event], Any]) -> bool:
        """Whether the events are those a kept answer was worked out from with more appended (the
        same unbounded deque, longer, the kept latest event where it was)."""
        events = self.events
        return (
            kept[0] is events
            and events.maxlen is None
            and len(events) > kept[1] > 0
            and events[kept[1] - 1] is kept[2]
        )

    def _appended_since(self, kept: Tuple[Any, int, Optional[Event], Any]) -> Optional[List[Event]]:
        """The events appended since a kept answer was worked out, or None if not only appended."""
        if not self._extends_events_of(kept):
            return None
        return list(itertools.islice(self.events, kept[1], None))

    def _lend_answers(self, twin: WindowedTracker) -> None:
        """Hand ``twin``, which holds the same events in its own deque, the answers kept for them
        (those worked out from fewer of them too: the twin extends them as this tracker would)."""
        for question, kept in self._answers.items():
            if self._holds_events_of(kept) or self._extends_events_of(kept):
                twin._answers[question] = (twin.events, kept[1], kept[2], kept[3])

    def _reset(self) -> None:
        super()._reset()
        if self._base is not None and not self._starts_afresh():
            self._base.apply_to(self)

    def init_copy(self) -> DialogueStateTracker:
        """A tracker in the state before the first kept event (Rasa's copies replay from here)."""
        return WindowedTracker(
            self.sender_id, self.slots.values(), self._origin(),
            max_event_history=self._max_event_history, is_rule_tracker=self.is_rule_tracker,
        )  # fmt: skip

    def copy(self) -> DialogueStateTracker:
        """Rasa's copy (its events replayed from the start state) taken from the current state.

        The processor copies the tracker before every action it runs (and forms before
        validating), and Rasa's copy replays the whole window. The tracker's state is the state its
        events give, except the follow-up action, which the processor clears without an event
        before it runs one: the copy takes the follow-up the events give, read from the latest
        events (a user message or an action clears it, a ``followup`` event sets it). When other
        events stand between (a revert, a restart, a new session...), Rasa's replay is used.
        """
        followup = _followup_given_by(self.events)
        if followup is _UNKNOWN or isinstance(self.slots, AnySlotDict):
            return super().copy()
        twin = WindowedTracker(
            self.sender_id, (), self._origin(),
            max_event_history=self._max_event_history, is_rule_tracker=self.is_rule_tracker,
        )  # fmt: skip
        share_slots(self, twin, copy_values=True)
        twin.events.extend(self.events)
        self._lend_answers(twin)
        twin._paused = self._paused
        twin.latest_action = copy.copy(self.latest_action)
        twin.latest_message = self.latest_message
        twin.latest_bot_utterance = self.latest_bot_utterance
        twin.followup_action = followup  # type: ignore[assignment]
        twin.active_loop = copy.copy(self.active_loop)
        twin.dialogue_states = self.dialogue_states.lend()  # same events from the same start
        return twin

    def windowed_copy(self, window: int) -> WindowedTracker:
        """A copy with the same state and about ``window`` events or more (the older ones folded)."""
        events = list(self.events)
        base, cut = self._base, 0
        if len(events) > window + window // 4:  # re-folded every few turns, not at every message
            folded, cut = self._fold(events, last_cut=len(events) - window)
            base = BaseState.of(folded) if cut else base
        if isinstance(self.slots, AnySlotDict):
            twin = WindowedTracker(self.sender_id, None, base, max_event_history=self._max_event_history)
            BaseState.of(self).apply_to(twin)
        else:
            twin = WindowedTracker(self.sender_id, (), base, max_event_history=self._max_event_history)
            share_slots(self, twin, copy_values=True)
            BaseState.of(self, with_slots=False).apply_all_but_slots_to(twin)
        twin.events = deque(events[cut:])
        if not cut:
            self._lend_answers(twin)
        twin.model_id, twin.assistant_id = self.model_id, self.assistant_id
        # Same events from the same start: the copy borrows the replays; else its own replays take
        # the states from them once they cannot differ.
        twin.dialogue_states = self.dialogue_states.lend() if not cut else self.dialogue_states.after_fold()
        return twin

    def _fold(self, events: List[Event], last_cut: int) -> Tuple[DialogueStateTracker, int]:
        """The tracker in the state before the latest safe cut at or before ``last_cut``, and the cut.

        A cut is safe before the ``action_listen`` that precedes a user message while no form (loop)
        is active and the conversation is not paused: Rasa's replay collapses the turns of an active
        form into one, and its reverts reach back to that ``action_listen``, never across it.
        """
        probe, safe, position = self.init_copy(), 0, 0
        folded: DialogueStateTracker = probe
        for index in range(1, last_cut + 1):
            if not (isinstance(events[index], UserUttered) and _is_listen(events[index - 1])):
                continue
            for event in events[position : index - 1]:
                DialogueStateTracker.update(probe, event)
            position = index - 1
            if probe.active_loop_name is None and not probe.is_paused():
                safe, folded = position, snapshot(probe)  # the probe goes on; the snapshot stays here
        return folded, safe


def _applied_and_loop_names(tracker: DialogueStateTracker) -> Tuple[List[Event], FrozenSet[str]]:
    """Rasa's applied events and the loop names its walk checks actions against."""
    names = frozenset(event.name for event in tracker.events if isinstance(event, ActiveLoop) and event.name)
    return DialogueStateTracker.applied_events(tracker), names


def _applied_extended(kept: Tuple[List[Event], FrozenSet[str]], added: List[Event]) -> Any:
    """The applied events and loop names after ``added`` are appended, or ``_UNKNOWN``."""
    applied, loop_names = kept
    if all(_applied_as_it_comes(event, loop_names) for event in added):
        return [*applied, *added], loop_names
    return _UNKNOWN


def _applied_as_it_comes(event: Event, loop_names: FrozenSet[str]) -> bool:
    """Whether Rasa's ``applied_events`` walk, with the same loop names, just appends ``event``."""
    if isinstance(event, (Restarted, SessionStarted, ActionReverted, UserUtteranceReverted)):
        return False
    if isinstance(event, ActiveLoop):
        return not event.name or event.name in loop_names  # a new name changes earlier turns
    if isinstance(event, ActionExecuted):
        return event.action_name not in loop_names
    return True


def _holds_a_restart(tracker: DialogueStateTracker) -> bool:
    return _a_restart_among(False, tracker.events)


def _a_restart_among(held: bool, events: Iterable[Event]) -> bool:
    """Whether events with ``held`` saying if the earlier ones hold a restart, then ``events``, do."""
    return held or any(isinstance(event, (Restarted, SessionStarted)) for event in events)


_UNKNOWN = object()

_KEEP_FOLLOWUP = (BotUttered, SlotSet, ActiveLoop, LoopInterrupted, ActionExecutionRejected, EntitiesAdded,
                  DefinePrevUserUtteredFeaturization)  # fmt: skip
"""Events whose ``apply_to`` never touches the follow-up action (Rasa 3.6)."""


def _followup_given_by(events: Iterable[Event]) -> Any:
    """The follow-up action replaying ``events`` leaves, or ``_UNKNOWN`` if the latest ones cannot tell.

    Rasa's ``UserUttered`` and ``ActionExecuted`` clear it and ``FollowupAction`` sets it; the
    events in ``_KEEP_FOLLOWUP`` leave it alone. Anything else (a reset, a revert that replays the
    rest) or no deciding event in the window answers ``_UNKNOWN``.
    """
    for event in reversed(events):  # type: ignore[call-overload]
        kind = type(event)
        if kind is UserUttered or kind is ActionExecuted:
            return None
        if kind is FollowupAction:
            return event.action_name
        if kind not in _KEEP_FOLLOWUP:
            return _UNKNOWN
    return _UNKNOWN


def _is_listen(event: Event) -> bool:
    return isinstance(event, ActionExecuted) and event.action_name == ACTION_LISTEN_NAME


@dataclass
class _Cached:
    tracker: WindowedTracker
    last_id: int


class IncrementalSQLTrackerStore(SQLTrackerStore):
    """Rasa's SQL tracker store reading only new events and writing only the appended ones.

    ``endpoints.yml``: ``type: storefront.tracking.IncrementalSQLTrackerStore`` with the same
    ``url`` (or dialect, host, db...) as Rasa's ``SQL`` type, plus ``window`` and
    ``cached_conversations``. The database schema is Rasa's own.
    """

    def __init__(
        self,
        domain: Optional[Domain] = None,
        window: int = DEFAULT_WINDOW,
        cached_conversations: int = DEFAULT_CACHED_CONVERSATIONS,
        sqlite_synchronous: str = "FULL",
        **kwargs: Any,
    ) -> None:
        super().__init__(domain, **kwargs)
        self.engine: sa.engine.Engine
        self.sqlite_synchronous = str(sqlite_synchronous).upper()
        if self.sqlite_synchronous not in SQLITE_SYNCHRONOUS:
            raise ValueError(f"sqlite_synchronous must be one of {', '.join(SQLITE_SYNCHRONOUS)}")
        if self.engine.dialect.name == "sqlite":
            self._keep_sqlite_connections_open()
        self.window = int(window)
        self.capacity = int(cached_conversations)
        self._cache: OrderedDict[str, _Cached] = OrderedDict()
        self._state_kinds: Dict[Any, Any] = {}
        """The kinds of dialogue states the policies asked for (domain and arguments, no events)."""
        self._writer: Optional[ThreadPoolExecutor] = None
        if self.engine.dialect.name == "sqlite":
            self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="storefront-tracker-writer")

    def _keep_sqlite_connections_open(self) -> None:
        """A pooled SQLite engine in WAL mode in place of the one Rasa builds.

        Rasa's engine opens a connection per query (SQLAlchemy 1.4's default for SQLite files), and
        closing the last connection of a WAL database checkpoints it: a database write on every
        read. Kept open, a commit appends to the WAL and readers never wait for the writer.

        ``synchronous=FULL`` (the default here) waits for the disk at every commit, on the reply's
        path (about 8 ms of a one-shopper reply, sixth round), so no event of a reply the shopper
        saw is lost, even to a power cut. ``NORMAL`` (``sqlite_synchronous`` in endpoints.yml)
        appends to the WAL without waiting for the disk (``fsync``), which then happens at
        checkpoints: a crash of the server loses no committed event; a power cut or a kernel crash
        can lose the latest commits (never corrupt the database).
        """
        url = self.engine.url
        self.engine.dispose()
        self.engine = use_sqlite_pragmas(
            sa.create_engine(url, poolclass=sa.pool.QueuePool, connect_args={"check_same_thread": False})
        )
        synchronous = self.sqlite_synchronous

        def set_synchronous(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute(f"PRAGMA synchronous={synchronous}")  # one of SQLITE_SYNCHRONOUS
            cursor.close()

        sa.event.listen(self.engine, "connect", set_synchronous)
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)

    # --- reading ---

    async def retrieve(self, sender_id: str) -> Optional[DialogueStateTracker]:
        """The conversation's latest session, from the cache brought up to date with the database.

        The database is read in a worker thread so other conversations go on meanwhile. A cached
        tracker is never changed: new events are applied to a copy, which replaces it in the cache.
        """
        cached = self._cache.get(sender_id)
        rows = await asyncio.to_thread(self._rows_after, sender_id, cached.last_id if cached else None)
        if cached is not None and (not rows or rows[0][0] != cached.last_id):
            cached = None  # the last event read is gone (the database was replaced): read it all
            rows = await asyncio.to_thread(self._rows_after, sender_id, None)
        new_rows = rows[1:] if cached is not None else rows
        if not new_rows and cached is None:
            self._cache.pop(sender_id, None)
            return None
        events = _latest_session([json.loads(data) for _, data in new_rows])
        if cached is None or (events and events[0].get("event") == SessionStarted.type_name):
            tracker = self.init_tracker(sender_id)  # a new session starts from the initial state
        else:
            tracker = cached.tracker.windowed_copy(self.window)
        for event in deserialise_events(events):
            DialogueStateTracker.update(tracker, event)
        tracker.unsaved = []
        # The policies' states of the cached tracker follow its events, so a message's tracker
        # only replays what it adds itself (the kinds of states are the policies' arguments).
        tracker.dialogue_states.kinds.update(self._state_kinds)
        tracker.dialogue_states.advance(tracker, tracker._origin())
        last_id = new_rows[-1][0] if new_rows else cached.last_id  # type: ignore[union-attr]
        self._remember(sender_id, _Cached(tracker, last_id))
        handed_out = tracker.windowed_copy(self.window)
        handed_out.read_up_to = last_id
        return handed_out

    def _rows_after(self, sender_id: str, last_id: Optional[int]) -> List[Any]:
        """``(id, data)`` of the conversation's events from ``last_id`` on (all when None), by id."""
        table = self.SQLEvent
        query = sa.select(table.id, table.data).where(table.sender_id == sender_id)
        if last_id is not None:
            query = query.where(table.id >= last_id)
        with self.session_scope() as session:
            return list(session.execute(query.order_by(table.id)).all())

    def _remember(self, sender_id: str, entry: _Cached) -> None:
        known = self._cache.get(sender_id)
        if known is not None and known.last_id > entry.last_id:
            return  # a concurrent read already brought it further
        self._cache[sender_id] = entry
        self._cache.move_to_end(sender_id)
        while len(self._cache) > self.capacity:
            self._cache.popitem(last=False)

    # --- writing ---

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Insert the events appended since the retrieve (Rasa's way for any other tracker)."""
        if not isinstance(tracker, WindowedTracker):
            await super().save(tracker)
            return
        new_events = list(tracker.unsaved)
        self._state_kinds.update(tracker.dialogue_states.kinds)
        if self.event_broker:
            await self._stream_new_events(self.event_broker, new_events, tracker.sender_id)
        rows = [self._row(tracker.sender_id, event) for event in new_events]
        # The database work (and its commit) runs in a worker thread, not on the event loop. SQLite
        # has one writer at a time: its writes queue for one thread here instead of waiting in
        # SQLite's busy handler, which sleeps 1, 2, 5 ... up to 100 ms between retries.
        arguments = (rows, tracker.sender_id, tracker.read_up_to)
        if self._writer is not None:
            ids = await asyncio.get_running_loop().run_in_executor(self._writer, self._insert, *arguments)
        else:
            ids = await asyncio.to_thread(self._insert, *arguments)
        del tracker.unsaved[: len(new_events)]
        self._remember_saved(tracker, new_events, ids)

    def _remember_saved(self, tracker: WindowedTracker, saved: List[Event], ids: Optional[List[int]]) -> None:
        """Cache what was just saved, so the next message does not read its own events back.

        Only when the conversation's rows after those the tracker was read from are exactly the
        rows just inserted (no other replica or process wrote in between) and no new session
        started (a read of the database starts a new session's tracker afresh): then the database
        holds the tracker's events up to the last id inserted. The cached tracker is a copy in
        the state its events give (:meth:`WindowedTracker.copy`), never the processor's tracker.
        """
        if not saved:
            return
        if not ids or len(ids) != len(saved):
            tracker.read_up_to = None  # the database has more than this tracker: read it next time
            return
        tracker.read_up_to = ids[-1]
        if any(isinstance(event, SessionStarted) for event in saved):
            return
        cached = tracker.copy()
        assert isinstance(cached, WindowedTracker)
        cached.model_id, cached.assistant_id = tracker.model_id, tracker.assistant_id
        self._state_kinds.update(tracker.dialogue_states.kinds)
        self._remember(tracker.sender_id, _Cached(cached, ids[-1]))

    def _insert(
        self, rows: List[Dict[str, Any]], sender_id: str = "", read_up_to: Optional[int] = None
    ) -> Optional[List[int]]:
        """One transaction, one plain INSERT per event in the events' order (ids follow it).

        Rasa's ORM objects cost a unit-of-work flush per event (a third of the database thread's
        time under load); a Core INSERT writes the same columns. SQLite gets the rows as one
        ``executemany`` (the driver inserts them one by one, in order); other databases get one
        statement per row, never a multi-row statement, so every database assigns the ids in the
        events' order.
        """
        if not rows:  # an empty executemany would insert a row of defaults
            return None
        insert = sa.insert(self.SQLEvent.__table__)
        table = self.SQLEvent
        with self.session_scope() as session:
            if self.engine.dialect.name == "sqlite":
                session.execute(insert, rows)
            else:
                for row in rows:
                    session.execute(insert, row)
            ids = None
            if read_up_to is not None:  # the rows after those read: ours alone, or others' too?
                after = sa.select(table.id).where(table.sender_id == sender_id, table.id > read_up_to)
                ids = list(session.execute(after.order_by(table.id).limit(len(rows) + 1)).scalars())
            session.commit()
        return ids

    def _row(self, sender_id: str, event: Event) -> Dict[str, Any]:
        data = event.as_dict()
        return {
            "sender_id": sender_id,
            "type_name": event.type_name,
            "timestamp": data.get("timestamp"),
            "intent_name": data.get("parse_data", {}).get("intent", {}).get("name"),
            "action_name": data.get("name"),
            "data": json.dumps(data),
        }

    def init_tracker(self, sender_id: str) -> WindowedTracker:
        """A new conversation (Rasa's ``create_tracker`` saves its first events through ``save``)."""
        return WindowedTracker(sender_id, self.domain.slots if self.domain else None)


def _latest_session(events: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """The events from the latest ``session_started`` on (all of them if there is none)."""
    for index in range(len(events) - 1, -1, -1):
        if events[index].get("event") == SessionStarted.type_name:
            return events[index:]
    return events


_original_temporary_tracker: List[Any] = []


def form_validation_tracker(
    form: Any, current_tracker: DialogueStateTracker, additional_events: List[Event], domain: Domain
) -> DialogueStateTracker:
    """Rasa's ``FormAction._temporary_tracker`` for a windowed tracker, without replaying the window.

    Rasa builds a fresh tracker from the events since the latest restart, then the form's
    ``requested_slot``, its ``ActionExecuted`` and the new slot candidates, before every form
    validation call and slot request. From a window's events alone that tracker would miss what
    the folded turns set (a slot filled twenty turns ago looks empty to the validation action and
    to the form's choice of the next slot to ask for); the copy here starts from the windowed
    tracker's current state, which is the state of the whole history (:meth:`WindowedTracker.copy`:
    the follow-up action is the events', and the form's ``ActionExecuted`` clears it anyway). A new
    session in the window starts both from scratch (its event resets the tracker), with the same
    events; a restart in the window makes Rasa leave out the events before it, so Rasa's method is
    used then.
    """
    original = _original_temporary_tracker[0]
    if not isinstance(current_tracker, WindowedTracker) or current_tracker.idx_after_latest_restart():
        return original(form, current_tracker, additional_events, domain)  # Rasa drops the events before
    tracker = current_tracker.copy()
    requested = SlotSet(REQUESTED_SLOT, form.get_slot_to_fill(current_tracker))
    for event in [requested, ActionExecuted(form.name()), *additional_events]:
        DialogueStateTracker.update(tracker, event, domain)
    return tracker


_WRAPPERS: Tuple[Type[TrackerStore], ...] = (FailSafeTrackerStore, AwaitableTrackerStore)
_original_init_trackers: Dict[Type[TrackerStore], Any] = {}


def wrapped_init_tracker(self: Any, sender_id: str) -> DialogueStateTracker:
    """The new tracker of the store a Rasa wrapper holds (its own ``init_tracker``).

    Rasa wraps the tracker store twice (``FailSafeTrackerStore`` around ``AwaitableTrackerStore``)
    and the wrappers do not pass ``init_tracker`` on: a new conversation's tracker was a plain
    ``DialogueStateTracker``, which the incremental store saves Rasa's way (counting the stored
    events, one ORM insert each, on the event loop) at creation and again after the first message,
    and which replays its events for every dialogue state. Passed on, it is the store's windowed
    tracker from the first event.
    """
    return self._tracker_store.init_tracker(sender_id)  # type: ignore[no-any-return]


def install() -> None:
    """Forms build their validation tracker from the windowed tracker's state, and Rasa's tracker
    store wrappers make new trackers with the store they wrap (idempotent)."""
    if _original_temporary_tracker:
        return
    _original_temporary_tracker.append(FormAction._temporary_tracker)
    FormAction._temporary_tracker = form_validation_tracker  # type: ignore[method-assign,assignment]
    for wrapper in _WRAPPERS:
        _original_init_trackers[wrapper] = wrapper.__dict__.get("init_tracker")
        wrapper.init_tracker = wrapped_init_tracker  # type: ignore[method-assign]


def uninstall() -> None:
    """Put Rasa's own methods back (for tests)."""
    if _original_temporary_tracker:
        FormAction._temporary_tracker = _original_temporary_tracker.pop()  # type: ignore[method-assign]
    for wrapper, original in _original_init_trackers.items():
        if original is None:
            del wrapper.init_tracker  # type: ignore[misc]  # inherited from TrackerStore again
        else:
            wrapper.init_tracker = original  # type: ignore[method-assign]
    _original_init_trackers.clear()
