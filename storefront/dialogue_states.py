"""The policies' dialogue states of a conversation, extended by the new events instead of recomputed.

Before each predicted action, RulePolicy and MemoizationPolicy ask the tracker for the dialogue
states of its history (``tracker.past_states``, three sets of arguments between them). Rasa's
:meth:`~rasa.shared.core.domain.Domain.states_for_tracker_history` answers by replaying every
applied event into a fresh tracker and taking a state before each action, so every prediction paid
for the whole window again (15% of the server's main thread, docs/performance.md).

:class:`StateReplay` is that computation kept open: the replayed tracker, the applied events it has
consumed and the states taken so far, with the two variables Rasa's loop carries between turns
(the latest action of the last turn the ML policies see, and whether the current turn is hidden).
When the conversation's applied events still begin with the events already consumed (the same
event objects, compared by identity), only the new ones are replayed; anything else (a revert
that removed a consumed event, a restart, a tracker that folded older turns away) starts over. A
replay that starts over at a fold takes the states from the replay before the fold once a turn or
two have made everything Rasa's loop carries the same (:meth:`StateReplay.advance_after_fold`). The
loop body (:meth:`StateReplay._take_turn`) is Rasa 3.6's, line for line, and
``tests/dialogue/test_dialogue_states.py`` compares the result with Rasa's computation after every
event of long varied conversations.

A replay is owned by one tracker. A copy of the tracker (the tracker store hands one out per
message, the processor takes one before every action) *borrows* its replays: a copy that needs to
extend a borrowed replay forks it first (a snapshot of the replayed tracker's state: slots, latest
action and messages, active loop), so a copy's events never reach its original's replay. The owner
extends its replays in place: a copy that still holds one then finds the replay ahead of its own
events (``continues`` compares every consumed event by identity) and starts its own, so a copy's
states are always its own events' states, and a replay only ever holds one conversation's events.
Only copies pay for forks: the processor's per-action copies, which are never asked for states,
cost the message's tracker nothing.
"""

from __future__ import annotations

import copy
import operator
from typing import Any, Dict, List, Optional, Sequence, Set, Tuple

from rasa.shared.core.constants import PREVIOUS_ACTION, USER
from rasa.shared.core.domain import Domain, SubState
from rasa.shared.core.events import ActionExecuted, Event
from rasa.shared.core.slots import Slot
from rasa.shared.core.trackers import DialogueStateTracker, State

Arguments = Tuple[bool, bool, Any]
"""``(omit_unset_slots, ignore_rule_only_turns, frozen rule_only_data)``: one kind of states."""

Kind = Tuple[Domain, Arguments, Optional[Dict[str, Any]]]
"""What a kind of states is computed with: the domain, the arguments, the rule-only data as given."""

Turn = Tuple[int, int, Optional[SubState], bool]
"""A replay after an action: events consumed, states taken, the last ML action, the turn hidden."""


def _position(events: Sequence[Event], event: Event) -> Optional[int]:
    """The index of ``event`` itself (by identity) in ``events``, or None."""
    return next((index for index, each in enumerate(events) if each is event), None)


def frozen(rule_only_data: Optional[Dict[str, Any]]) -> Any:
    """A hashable, comparable form of the policies' rule-only slots and loops."""
    if not rule_only_data:
        return None
    return tuple(sorted((name, tuple(values)) for name, values in rule_only_data.items()))


def slot_copy(slot: Slot) -> Slot:
    """``copy.copy(slot)``, without the copy protocol's detour for a plain class.

    Rasa's slot classes keep their state in ``__dict__`` and define no copy protocol of their own,
    so ``copy.copy`` makes a new instance and updates its ``__dict__``; a class that does define
    one (a custom slot) gets ``copy.copy`` itself.
    """
    kind = type(slot)
    if kind not in _PLAIN_SLOT_TYPES:
        if _has_own_copy_protocol(kind):
            return copy.copy(slot)
        _PLAIN_SLOT_TYPES.add(kind)
    twin = object.__new__(kind)
    twin.__dict__.update(slot.__dict__)
    return twin


_PLAIN_SLOT_TYPES: Set[type] = set()
"""Slot classes ``copy.copy`` copies by their ``__dict__`` alone (checked once per class)."""


def _has_own_copy_protocol(kind: type) -> bool:
    return (
        kind.__reduce_ex__ is not object.__reduce_ex__
        or kind.__reduce__ is not object.__reduce__
        or any(hasattr(kind, name) for name in ("__copy__", "__getstate__", "__setstate__"))
        or any(vars(base).get("__slots__") for base in kind.__mro__)  # state outside __dict__
        or kind.__new__ is not object.__new__
    )


_ATOMS = frozenset({str, int, float, bool, type(None)})
"""Types whose values ``copy.deepcopy`` returns as they are (exact types: a subclass is copied)."""


class CopyOnWriteSlots(DialogueStateTracker):
    """A tracker whose slot objects may be shared with its copies until one of them changes a slot.

    A message's trackers are copied several times (the tracker store's copy, the processor's copy
    before every action, the replays' forks) and Rasa's copies copy every slot (about fifty here)
    while a message changes a few. Here a copy takes the same slot objects (:func:`share_slots`)
    and neither tracker owns them any more; a tracker changes a slot only through
    :meth:`slot_to_change`, which first replaces a slot it does not own by its own copy. Rasa 3.6
    changes slot objects in two places only, ``_set_slot`` and ``_reset_slots``, both overridden.
    """

    _owned: Dict[str, Slot]
    """The slots this tracker may change in place: those it copied itself (compared by identity)."""

    def slot_to_change(self, key: str) -> Slot:
        """The slot ``key``, this tracker's own (copied first when it may be shared)."""
        slot = self.slots[key]
        owned = self.__dict__.setdefault("_owned", {})
        if owned.get(key) is not slot:
            slot = self.slots[key] = owned[key] = slot_copy(slot)
        return slot

    def own_every_slot(self) -> None:
        """Declare every slot object this tracker's own (they were just made for it alone)."""
        self._owned = dict(self.slots)

    def _set_slot(self, key: str, value: Any) -> None:
        if key in self.slots:
            self.slot_to_change(key).value = value
        else:
            super()._set_slot(key, value)  # Rasa's log line for an unknown slot

    def _reset_slots(self) -> None:
        for key in list(self.slots):
            self.slot_to_change(key).reset()


def share_slots(source: DialogueStateTracker, twin: CopyOnWriteSlots, *, copy_values: bool) -> None:
    """Give ``twin`` the slots of ``source`` without copying them (copy-on-write on both sides).

    ``copy_values``: a slot whose value could be changed in place (anything but ``str``, numbers,
    booleans and None) gets its own copy with a deep copy of its value at once, as Rasa's tracker
    copy does, so a value changed in place in one tracker never shows in the other. A source that
    is not copy-on-write keeps changing its slots in place, so then every slot is copied.
    """
    sharing = isinstance(source, CopyOnWriteSlots)
    if sharing:
        source._owned = {}  # the source's slot objects are the twin's too from now on
    slots = dict(source.slots)
    owned: Dict[str, Slot] = {}
    if copy_values or not sharing:  # else a fork shares every slot as it is
        for name, slot in slots.items():
            deep = copy_values and type(slot._value) not in _ATOMS
            if deep or not sharing:
                own = slot_copy(slot)
                if deep:
                    own._value = copy.deepcopy(own._value)
                slots[name] = owned[name] = own
    twin.slots = slots
    twin._owned = owned


def snapshot(tracker: DialogueStateTracker) -> DialogueStateTracker:
    """A tracker in ``tracker``'s state, without its events (the replay never reads them back).

    Applying an applied event (never a revert, restart or session start: Rasa's ``applied_events``
    leaves those out) only reads and sets this state, so the snapshot continues exactly as the
    original would. Objects the events change in place are not shared: the slots are shared
    copy-on-write (:class:`CopyOnWriteSlots`), the active loop and the latest action are copied;
    event objects (latest messages) are shared, as Rasa's own replay shares them.
    """
    twin = CopyOnWriteSlots(
        tracker.sender_id, None, tracker._max_event_history, is_rule_tracker=tracker.is_rule_tracker
    )
    share_slots(tracker, twin, copy_values=False)
    twin._paused = tracker._paused
    twin.latest_action = copy.copy(tracker.latest_action)
    twin.latest_message = tracker.latest_message
    twin.latest_bot_utterance = tracker.latest_bot_utterance
    twin.followup_action = tracker.followup_action
    twin.active_loop = copy.copy(tracker.active_loop)
    return twin


class StateReplay:
    """Rasa's ``states_for_tracker_history`` for one kind of states, resumable at the latest event."""

    def __init__(
        self,
        kind: Kind,
        start: DialogueStateTracker,
        origin: Any,
    ) -> None:
        """Replay from ``start`` (the tracker's ``init_copy``); ``origin`` identifies that start state."""
        self.kind = kind
        self.domain, self.arguments, self.rule_only_data = kind
        self.origin = origin
        self.tracker = start
        self.applied: List[Event] = []
        """The applied events consumed, held so that their identities cannot be reused."""
        self.states: List[State] = []
        self.last_ml_action: Optional[SubState] = None
        self.turn_was_hidden = False
        self.turns: List[Turn] = []
        """After each action consumed: the events consumed, the states taken, the carried variables."""

    def continues(self, domain: Domain, origin: Any, applied: Sequence[Event]) -> bool:
        """Whether ``applied`` (a tracker's applied events) starts with the events consumed here."""
        consumed = self.applied
        return (
            domain is self.domain
            and origin is self.origin
            and len(applied) >= len(consumed)
            and all(map(operator.is_, consumed, applied))
        )

    def fork(self) -> StateReplay:
        """An independent replay at the same point (the states themselves are never changed)."""
        twin = StateReplay(self.kind, snapshot(self.tracker), self.origin)
        twin.applied = list(self.applied)
        twin.states = list(self.states)
        twin.last_ml_action, twin.turn_was_hidden = self.last_ml_action, self.turn_was_hidden
        twin.turns = list(self.turns)
        return twin

    def advance(self, applied: Sequence[Event]) -> None:
        """Consume the events of ``applied`` after those already consumed."""
        for event in applied[len(self.applied) :]:
            self._consume(event)

    def _consume(self, event: Event) -> None:
        action = isinstance(event, ActionExecuted)
        if action:
            self.last_ml_action, self.turn_was_hidden = self._take_turn(
                self.tracker, event.hide_rule_turn, self.states, self.last_ml_action, self.turn_was_hidden
            )
        DialogueStateTracker.update(self.tracker, event)
        self.applied.append(event)
        if action:
            self.turns.append(
                (len(self.applied), len(self.states), self.last_ml_action, self.turn_was_hidden)
            )

    def advance_after_fold(self, applied: Sequence[Event], donor: StateReplay) -> None:
        """:meth:`advance` from the start of a window whose older turns were folded away, taking
        the states from ``donor``, this kind's replay of the window before the fold, once they
        cannot differ.

        The donor consumed the same event objects from an earlier start, and the fold's start
        state is the state the donor's tracker had at the cut. A turn's state depends on the
        replayed tracker and on what Rasa's loop carries between turns: the latest state (for
        rule-only user input), the last action the ML policies see and whether the turn is
        hidden. So this replay consumes events from its own start until, right after an action,
        everything carried equals the donor's at the same event; from there every later state is
        the donor's, and the rest is taken over (the replayed tracker as a snapshot). If they
        never meet, this is a plain replay.
        """
        start = _position(donor.applied, applied[0]) if applied and not self.applied else None
        shared = len(donor.applied) - start if start is not None else 0
        if (
            start is None
            or len(applied) < shared
            or not all(map(operator.is_, applied[:shared], donor.applied[start:]))
        ):
            self.advance(applied)
            return
        meeting = {turn[0] - start: turn for turn in donor.turns if turn[0] > start}
        for event in applied[:shared]:
            self._consume(event)
            turn = meeting.get(len(self.applied)) if isinstance(event, ActionExecuted) else None
            if turn is not None and self._carries_as(donor, turn):
                self._take_over(donor, turn, start)
                break
        self.advance(applied)

    def _carries_as(self, donor: StateReplay, turn: Turn) -> bool:
        """Whether what this replay carries into the next turn is what ``donor`` carried at ``turn``."""
        _, taken, last_ml_action, turn_was_hidden = turn
        if (self.turn_was_hidden, bool(self.states)) != (turn_was_hidden, bool(taken)):
            return False
        return self.last_ml_action == last_ml_action and (
            not taken or self.states[-1] == donor.states[taken - 1]
        )

    def _take_over(self, donor: StateReplay, turn: Turn, start: int) -> None:
        consumed, taken = turn[0], turn[1]
        offset = len(self.states) - taken
        self.states.extend(donor.states[taken:])
        self.applied.extend(donor.applied[consumed:])
        self.turns.extend(
            (at - start, count + offset, last_ml, hidden)
            for at, count, last_ml, hidden in donor.turns
            if at > consumed
        )  # fmt: skip
        self.tracker = snapshot(donor.tracker)
        self.last_ml_action, self.turn_was_hidden = donor.last_ml_action, donor.turn_was_hidden

    def result(self) -> List[State]:
        """The states so far and the current one (Rasa's last turn is the tracker after every event)."""
        states = list(self.states)
        self._take_turn(self.tracker, False, states, self.last_ml_action, self.turn_was_hidden)
        return states

    def _take_turn(
        self,
        tr: DialogueStateTracker,
        hide_rule_turn: bool,
        states: List[State],
        last_ml_action_sub_state: Optional[SubState],
        turn_was_hidden: bool,
    ) -> Tuple[Optional[SubState], bool]:
        """The body of Rasa 3.6's loop in ``Domain.states_for_tracker_history``, for one turn."""
        domain, (omit_unset_slots, ignore_rule_only_turns, _) = self.domain, self.arguments
        if ignore_rule_only_turns:
            if not turn_was_hidden:
                last_ml_action_sub_state = domain._get_prev_action_sub_state(tr)
            if not tr.followup_action and tr.latest_action_name != tr.active_loop_name:
                turn_was_hidden = hide_rule_turn
            if turn_was_hidden:
                return last_ml_action_sub_state, turn_was_hidden
        state = domain.get_active_state(tr, omit_unset_slots=omit_unset_slots)
        if ignore_rule_only_turns:
            domain._remove_rule_only_features(state, self.rule_only_data)
            if states:
                domain._substitute_rule_only_user_input(state, states[-1])
            if last_ml_action_sub_state:
                state[PREVIOUS_ACTION] = last_ml_action_sub_state
        states.append(domain._clean_state(state))
        return last_ml_action_sub_state, turn_was_hidden


class DialogueStates:
    """One tracker's replays, by kind of states (the arguments the policies pass)."""

    def __init__(self) -> None:
        self.replays: Dict[Arguments, StateReplay] = {}
        self.borrowed: Set[Arguments] = set()
        """The kinds whose replay was lent by another tracker: extend a fork, never the lender's."""
        self.kinds: Dict[Arguments, Kind] = {}
        """Every kind asked for so far, to compute ahead in :meth:`advance`."""
        self.before_fold: Dict[Arguments, StateReplay] = {}
        """The replays of the window before its older turns were folded (:meth:`after_fold`)."""

    def lend(self) -> DialogueStates:
        """The replays for a copy of the tracker with the same events and start state."""
        copy_ = self.kinds_only()
        copy_.replays = dict(self.replays)
        copy_.borrowed = set(self.replays)
        return copy_

    def kinds_only(self) -> DialogueStates:
        """No replays, but the kinds to compute (for a copy that starts from another state)."""
        copy_ = DialogueStates()
        copy_.kinds = dict(self.kinds)
        return copy_

    def after_fold(self) -> DialogueStates:
        """For a copy whose window starts at a later turn: replays of its own, which take their
        states from these once they cannot differ (:meth:`StateReplay.advance_after_fold`)."""
        copy_ = self.kinds_only()
        copy_.before_fold = dict(self.replays)
        return copy_

    def states(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        omit_unset_slots: bool,
        ignore_rule_only_turns: bool,
        rule_only_data: Optional[Dict[str, Any]],
        origin: Any,
    ) -> List[State]:
        """``tracker``'s states of this kind, each state a copy for the caller.

        Rasa's featurizers change the states they are given in one way: they delete the user
        text or intent from a state's user part (``_choose_last_user_input``,
        ``_remove_user_text_if_intent``). So each caller gets its own state dicts and its own user
        parts; the other parts (previous action, slots, active loop), which nothing changes, are
        shared with the kept states.
        """
        arguments = (omit_unset_slots, ignore_rule_only_turns, frozen(rule_only_data))
        kind = self.kinds.get(arguments)
        if kind is None or kind[0] is not domain:
            kind = self.kinds[arguments] = (domain, arguments, rule_only_data)
        replay = self._brought_up_to_date(tracker, kind, origin)
        states = replay.result()
        return [{**state, USER: dict(state[USER])} if USER in state else dict(state) for state in states]

    def advance(self, tracker: DialogueStateTracker, origin: Any) -> None:
        """Bring every kind of states asked for so far up to ``tracker``'s events."""
        for kind in list(self.kinds.values()):
            self._brought_up_to_date(tracker, kind, origin)

    def _brought_up_to_date(self, tracker: DialogueStateTracker, kind: Kind, origin: Any) -> StateReplay:
        applied = tracker.applied_events()
        replay = self.replays.get(kind[1])
        if replay is None or not replay.continues(kind[0], origin, applied):
            replay = StateReplay(kind, tracker.init_copy(), origin)
            self.borrowed.discard(kind[1])
            donor = self.before_fold.pop(kind[1], None)
            if donor is not None and donor.domain is kind[0]:
                replay.advance_after_fold(applied, donor)
        elif kind[1] in self.borrowed and len(applied) > len(replay.applied):
            replay = replay.fork()
            self.borrowed.discard(kind[1])
        replay.advance(applied)
        self.replays[kind[1]] = replay
        return replay
