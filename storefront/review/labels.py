"""Where a designer's label goes, written atomically and one label at a time.

* an intent of the domain: the scrubbed message, annotated, into ``<dir>/nlu/reviewed.yml``, which
  ``make train`` trains on with the rest of ``data/nlu`` (and which is part of the model's fingerprint);
* a new intent name: into ``<dir>/review/proposals.yml`` (Rasa's format, not trained on). A new
  intent needs responses, rules and held-out examples in ``tests/nlu`` before it can be trained
  (``tests/nlu/test_split.py``), so a designer moves the examples once the intent exists;
* ``ignore``: the scrubbed text into ``<dir>/review/ignored.yml``, so it leaves the queue.

``<dir>`` is ``REVIEW_DATA_DIR`` (default: the project's ``data/``).
"""

from __future__ import annotations

import fcntl
import os
import re
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Dict, Iterator, List, Set

import yaml

IGNORE = "ignore"
NEW_INTENT = re.compile(r"[a-z][a-z0-9_]{2,40}")
_HEADER = {
    "reviewed": "# Messages shoppers sent that the assistant missed, labelled in the agent console's review\n"
    "# queue (personal data replaced by placeholders). Trained on like the rest of data/nlu.\n",
    "proposals": "# Review-queue messages labelled with an intent the domain does not have yet. Not trained\n"
    "# on: add the intent to domain.yml and its held-out examples to tests/nlu, then move\n"
    "# these to data/nlu.\n",
}


class Destination(str, Enum):
    """Which file a label went to."""

    reviewed = "reviewed"
    proposals = "proposals"
    ignored = "ignored"


@dataclass(frozen=True)
class LabelFiles:
    """The three files of one review data directory."""

    root: Path

    def path(self, destination: Destination) -> Path:
        if destination is Destination.reviewed:
            return self.root / "nlu" / "reviewed.yml"
        return self.root / "review" / f"{destination.value}.yml"

    @contextmanager
    def locked(self) -> Iterator[None]:
        """One writer at a time, across processes (several Rasa replicas share the directory)."""
        lock = self.root / "review" / ".lock"
        lock.parent.mkdir(parents=True, exist_ok=True)
        with lock.open("a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


def _read_nlu(path: Path) -> Dict[str, List[str]]:
    """Intent -> examples (as written, annotations kept) of a Rasa NLU file written by this module."""
    if not path.exists():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    examples: Dict[str, List[str]] = {}
    for block in data.get("nlu") or []:
        lines = str(block.get("examples") or "").splitlines()
        examples.setdefault(block["intent"], []).extend(line[2:] for line in lines if line.startswith("- "))
    return examples


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(text)
    os.replace(temporary, path)


def _nlu_text(header: str, examples: Dict[str, List[str]]) -> str:
    lines = [header, 'version: "3.1"', "", "nlu:"]
    for intent in sorted(examples):
        lines += [f"- intent: {intent}", "  examples: |", *(f"    - {text}" for text in examples[intent])]
    return "\n".join(lines) + "\n"


def _plain(annotated: str) -> str:
    """The text of an annotated example (``[#1234](order_number)`` -> ``#1234``)."""
    return re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", annotated)


def labelled_texts(files: LabelFiles) -> Set[str]:
    """Every message already labelled (plain text), whatever its label."""
    texts: Set[str] = set()
    for destination in (Destination.reviewed, Destination.proposals):
        for examples in _read_nlu(files.path(destination)).values():
            texts.update(_plain(example) for example in examples)
    ignored = files.path(Destination.ignored)
    if ignored.exists():
        texts.update((yaml.safe_load(ignored.read_text(encoding="utf-8")) or {}).get("ignored") or [])
    return texts


def write_label(
    files: LabelFiles, *, label: str, text: str, annotated: str, known_intents: Set[str]
) -> Destination:
    """Write one labelled message where its label says (the caller checked leaks and duplicates)."""
    if label == IGNORE:
        destination = Destination.ignored
    elif label in known_intents:
        destination = Destination.reviewed
    else:
        destination = Destination.proposals
    with files.locked():
        path = files.path(destination)
        if destination is Destination.ignored:
            data = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}) if path.exists() else {}
            ignored = [*(data.get("ignored") or []), text]
            _write_atomically(path, yaml.safe_dump({"ignored": ignored}, allow_unicode=True, sort_keys=False))
        else:
            examples = _read_nlu(path)
            examples.setdefault(label, []).append(annotated)
            _write_atomically(path, _nlu_text(_HEADER[destination.value], examples))
    return destination
