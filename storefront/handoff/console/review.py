"""The review queue in the console: missed messages in groups, and one-click labels.

* ``GET /review``: the page (the sign-in form with 401 when signed out), ``GET /review.js``;
* ``GET /api/review?days=30``: the misses of the last ``days`` days not labelled yet, grouped by
  similarity, each with its predicted intent, and the intents a label may name;
* ``POST /api/review/labels`` ``{"message_id": <event id>, "label": <intent, new intent, "ignore">}``:
  the message is read back from the tracker store (a label never writes text the client sent),
  scrubbed of personal data, checked against the held-out splits and earlier labels, and written
  (:mod:`storefront.review.labels`). A leak or a repeat is a 409 that says why.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any, Dict, List, Set

import sqlalchemy as sa
from rasa.shared.core.constants import DEFAULT_INTENTS
from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from core.settings import PROJECT_ROOT, get_settings
from storefront.handoff.console.auth import AgentIdentity, authenticate, requires_agent
from storefront.handoff.console.config import config_of
from storefront.handoff.console.responses import NO_STORE, ConsoleError, json_errors, json_object, page
from storefront.review.grouping import group_texts
from storefront.review.labels import IGNORE, NEW_INTENT, LabelFiles, labelled_texts, write_label
from storefront.review.leaks import first_copy, held_out
from storefront.review.misses import find_misses, miss_by_id
from storefront.review.scrub import scrub

MAX_DAYS = 365
REVIEW_SCRIPT = "review.js"


def label_files() -> LabelFiles:
    """The review data directory (``REVIEW_DATA_DIR``; relative paths from the project root)."""
    return LabelFiles(PROJECT_ROOT / Path(get_settings().review_data_dir))


def _tracker_engine(request: Request) -> sa.engine.Engine:
    """The engine of the running agent's SQL tracker store (503 for any other tracker store)."""
    store = request.app.ctx.agent.tracker_store
    while hasattr(store, "_tracker_store"):  # Rasa's fail-safe wrapper
        store = store._tracker_store
    engine = getattr(store, "engine", None)
    if not isinstance(engine, sa.engine.Engine):
        raise ConsoleError(503, "The review queue needs an SQL tracker store (TRACKER_STORE_URL).")
    return engine


def _intents(request: Request) -> List[str]:
    domain = request.app.ctx.agent.domain
    return sorted(set(domain.intents) - set(DEFAULT_INTENTS)) if domain else []


async def review_page(request: Request) -> HTTPResponse:
    """The review queue for a signed-in agent, else the sign-in form."""
    try:
        identity = await authenticate(request)
    except ConsoleError:
        identity = None
    return page(request, "login.html", status=401) if identity is None else page(request, "review.html")


async def review_script(request: Request) -> HTTPResponse:
    """The review page's script."""
    body = (config_of(request).console_dir / REVIEW_SCRIPT).read_text(encoding="utf-8")
    return response.text(body, content_type="text/javascript", headers=NO_STORE)


@json_errors
@requires_agent()
async def review_queue(request: Request, agent: AgentIdentity) -> HTTPResponse:
    """The unlabelled misses of the last ``days`` days (default 30), in groups of similar messages."""
    raw = request.args.get("days", "30")
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_DAYS:
        raise ConsoleError(400, f"days must be a whole number from 1 to {MAX_DAYS}")
    since = time.time() - int(raw) * 86_400
    misses = await asyncio.to_thread(find_misses, _tracker_engine(request), since=since)
    done = await asyncio.to_thread(labelled_texts, label_files())
    items: List[Dict[str, Any]] = []
    for miss in misses:
        shown = scrub(miss.text).text
        if shown and shown not in done:
            items.append(
                {"message_id": miss.message_id, "text": shown, "intent": miss.intent,
                 "confidence": round(miss.confidence, 3), "reason": miss.reason, "at": miss.at}
            )  # fmt: skip
    grouped = await asyncio.to_thread(group_texts, [item["text"] for item in items])
    groups = [[items[i] for i in group] for group in grouped]
    return response.json({"groups": groups, "intents": _intents(request)}, headers=NO_STORE)


def _check_label(label: str, intents: Set[str]) -> None:
    if label != IGNORE and label not in intents and not NEW_INTENT.fullmatch(label):
        raise ConsoleError(
            400, "label must be an intent, 'ignore', or a new intent name (a-z, 0-9 and _, 3-41 characters)"
        )


@json_errors
@requires_agent(write=True)
async def label_message(request: Request, agent: AgentIdentity) -> HTTPResponse:
    """Label one message: into the training data, the proposals, or ignored (see the module doc)."""
    body = json_object(request)
    message_id, label = body.get("message_id"), str(body.get("label") or "").strip()
    if not isinstance(message_id, int) or isinstance(message_id, bool):
        raise ConsoleError(400, "message_id must be the number of a message in the review queue")
    intents = set(_intents(request))
    _check_label(label, intents)
    miss = await asyncio.to_thread(miss_by_id, _tracker_engine(request), message_id)
    if miss is None:
        raise ConsoleError(404, f"no shopper message {message_id}")
    scrubbed = scrub(miss.text)
    files = label_files()
    if label != IGNORE:
        leak = await asyncio.to_thread(held_out().leak, scrubbed.text)
        if leak is not None:
            raise ConsoleError(409, leak.explain(), held_out_example=leak.example)
    earlier = first_copy(scrubbed.text, await asyncio.to_thread(labelled_texts, files))
    if earlier is not None:
        raise ConsoleError(409, f"Already labelled: {earlier!r}.")
    destination = write_label(
        files, label=label, text=scrubbed.text, annotated=scrubbed.annotated, known_intents=intents
    )
    where = files.path(destination)
    shown = where.relative_to(PROJECT_ROOT) if where.is_relative_to(PROJECT_ROOT) else where
    return response.json(
        {"message_id": message_id, "label": label, "text": scrubbed.text, "written_to": str(shown),
         "destination": destination.value},
        headers=NO_STORE,
    )  # fmt: skip
