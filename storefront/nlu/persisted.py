"""What a custom NLU component keeps in the model: one JSON file in its resource directory.

Every component here that learns something at training time (catalog terms, lookup tables,
spellings, the in-scope vocabulary) writes it with :func:`save_json` in ``train`` and reads it
back with :func:`load_json` in ``load``, so a loaded model never needs the data it was trained on.
"""

from __future__ import annotations

import json
from typing import Any

from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage


def save_json(model_storage: ModelStorage, resource: Resource, filename: str, payload: Any) -> None:
    """Write ``payload`` as UTF-8 JSON to ``filename`` in the component's resource."""
    with model_storage.write_to(resource) as directory:
        (directory / filename).write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")


def load_json(model_storage: ModelStorage, resource: Resource, filename: str) -> Any:
    """The JSON :func:`save_json` wrote to ``filename`` in the component's resource."""
    with model_storage.read_from(resource) as directory:
        return json.loads((directory / filename).read_text(encoding="utf-8"))
