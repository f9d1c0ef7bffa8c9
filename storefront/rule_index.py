"""RulePolicy's rule matching through an index of the rules' last states, with Rasa's result.

Before every predicted action RulePolicy asks which of its rules fit the conversation
(``RulePolicy._get_possible_keys``, up to four times: rules and loop-unhappy rules, by text and by
intent). Rasa answers by testing every rule against the latest state, then the survivors against
the state before, and so on: with this assistant's 473 rules that first pass was 16% of the Rasa
server's main thread under load (docs/performance.md, eighth round).

A rule can only survive the first pass if its last state fits the latest state. Rasa's test of a
last state that names a previous action ``a`` (and, when it does, a user intent ``i``) fails
unless the latest state's previous action is ``a`` (and its intent ``i``): ``_does_rule_match_state``
requires every value a rule sets to be equal in the conversation. :class:`RuleIndex` groups the
rules by those two names once; :func:`possible_keys` hands Rasa's first pass only the rules of the
latest state's group, the rules that name no intent, and every rule the grouping cannot judge (no
previous action, a value other than a plain name). Everything else Rasa would have discarded in
its first pass, for the reason just given, so the first pass keeps the same rules.

Rasa's own loop (``_is_rule_applicable``) still decides every rule it is handed, and the
candidates are handed in the order Rasa's own ``set`` of all keys iterates, so the sets it builds
are built by the same insertions: even ``max(rule_keys, key=len)`` among rules of equal length
picks the same rule. ``tests/dialogue/test_rule_index.py`` compares both on every state of the
test stories and of random conversations.

The index is built per lookup table the first time it is used and rebuilt if the table changes
size; it holds rule keys only, never anything of a conversation.
"""

from __future__ import annotations

import json
import threading
from typing import Any, Callable, Dict, Iterable, List, Optional, Set, Tuple

from rasa.core.policies.rule_policy import RulePolicy
from rasa.shared.core.constants import PREVIOUS_ACTION, SHOULD_NOT_BE_SET, USER
from rasa.shared.core.trackers import State
from rasa.shared.nlu.constants import ACTION_NAME, INTENT

_original: List[Callable[..., Set[str]]] = []

_ANY_INTENT = object()
"""The group of rules whose last state names a previous action but no user intent."""

_INDEX_ATTRIBUTE = "_storefront_rule_indexes"
_index_lock = threading.Lock()


def _plain_name(value: Any) -> Optional[str]:
    """``value`` if Rasa's comparison with it is plain string equality, else ``None``."""
    if isinstance(value, str) and value and value != SHOULD_NOT_BE_SET:
        return value
    return None


class RuleIndex:
    """The keys of one lookup table in the order Rasa's ``set`` of them iterates, grouped by last state."""

    def __init__(self, lookup: Dict[str, str]) -> None:
        self.lookup = lookup
        self.size = len(lookup)
        self.order = list(set(lookup.keys()))  # Rasa's `set(lookup.keys())`, same process, same order
        self.unjudged: List[int] = []
        self.groups: Dict[Tuple[str, object], List[int]] = {}
        for position, key in enumerate(self.order):
            group = self._group_of(key)
            if group is None:
                self.unjudged.append(position)
            else:
                self.groups.setdefault(group, []).append(position)

    @staticmethod
    def _group_of(key: str) -> Optional[Tuple[str, object]]:
        """(previous action, intent or ``_ANY_INTENT``) the rule's last state requires, if plain."""
        states = json.loads(key)
        if not states:
            return None
        last = states[-1]
        previous = last.get(PREVIOUS_ACTION)
        if not previous:
            return None  # a conversation start: Rasa's test differs, let it judge
        action = _plain_name(previous.get(ACTION_NAME))
        if action is None:
            return None
        user = last.get(USER) or {}
        if INTENT not in user or not user[INTENT]:
            return action, _ANY_INTENT
        intent = _plain_name(user[INTENT])
        if intent is None:
            return None
        return action, intent

    def candidates(self, latest: State) -> Iterable[str]:
        """The rules whose last state may fit ``latest``, in Rasa's order."""
        previous = latest.get(PREVIOUS_ACTION) or {}
        action = previous.get(ACTION_NAME)
        intent = (latest.get(USER) or {}).get(INTENT)
        positions = list(self.unjudged)
        if isinstance(action, str):
            positions += self.groups.get((action, _ANY_INTENT), ())
            if isinstance(intent, str):
                positions += self.groups.get((action, intent), ())
        positions.sort()
        order = self.order
        return [order[position] for position in positions]


def index_for(policy: RulePolicy, lookup: Dict[str, str]) -> RuleIndex:
    """The policy's index of ``lookup``, built on first use (or when the table's size changed)."""
    indexes: Dict[int, RuleIndex] = policy.__dict__.setdefault(_INDEX_ATTRIBUTE, {})
    index = indexes.get(id(lookup))
    if index is None or index.lookup is not lookup or index.size != len(lookup):
        with _index_lock:
            index = RuleIndex(lookup)
            indexes[id(lookup)] = index
    return index


def possible_keys(self: RulePolicy, lookup: Dict[str, str], states: List[State]) -> Set[str]:
    """Rasa's ``_get_possible_keys``, its first pass over the indexed candidates only."""
    if not states:
        return set(lookup.keys())
    latest = states[-1]
    keys = set(
        filter(
            lambda _key: self._is_rule_applicable(_key, 0, latest),
            index_for(self, lookup).candidates(latest),
        )
    )
    for i, state in enumerate(reversed(states[:-1]), start=1):
        keys = set(filter(lambda _key: self._is_rule_applicable(_key, i, state), keys))
    return keys


def install() -> None:
    """Match rules through the index (idempotent)."""
    if _original:
        return
    _original.append(RulePolicy._get_possible_keys)
    RulePolicy._get_possible_keys = possible_keys  # type: ignore[method-assign]


def uninstall() -> None:
    """Put Rasa's own method back (for tests)."""
    if _original:
        RulePolicy._get_possible_keys = _original.pop()  # type: ignore[method-assign]
