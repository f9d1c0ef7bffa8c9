"""Crash drill: kill a worker between claiming and sending, restart, and count what went out.

Real worker processes against the store (SQLite, and PostgreSQL where it runs) and the fake
WhatsApp Graph API: every due message must reach the provider exactly once, also with two
workers draining the outbox at the same time.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections import Counter
from typing import Dict

from sqlalchemy import select

from core.settings import PROJECT_ROOT
from store.models import OutboxMessage
from tests.fakes.graph_api import FakeGraphApi
from tests.proactive.test_outbox import queue

WORKER = [sys.executable, "-m", "integrations.proactive.worker"]


def environment(engine, fake: FakeGraphApi, batch: int = 20) -> Dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": engine.url.render_as_string(hide_password=False),
        "WHATSAPP_API_BASE_URL": fake.base_url,
        "WHATSAPP_PHONE_NUMBER_ID": fake.phone_number_id,
        "WHATSAPP_ACCESS_TOKEN": fake.access_token,
        "WHATSAPP_APP_SECRET": "drill",
        "OUTBOX_BATCH_SIZE": str(batch),
        "OUTBOX_POLL_SECONDS": "0.2",
    }


def shipped(db, count: int) -> None:
    for number in range(count):
        order = str(2000 + number)
        queue(
            db,
            order,
            recipient=f"+1212555{number:04d}",
            params={"order": f"#{order}", "carrier": "UPS", "tracking": f"https://ups.example/{order}"},
        )
    db.commit()


def statuses(db) -> Counter:
    db.expire_all()
    return Counter(row.status for row in db.execute(select(OutboxMessage)).scalars())


async def finished(*command: str, env: Dict[str, str]) -> int:
    process = await asyncio.create_subprocess_exec(*command, cwd=PROJECT_ROOT, env=env)
    return await process.wait()


async def test_a_worker_killed_after_claiming_loses_and_repeats_nothing(db, engine, graph):
    shipped(db, 5)
    env = environment(engine, graph)
    doomed = await asyncio.create_subprocess_exec(
        *WORKER, "--drill-pause-after-claim", cwd=PROJECT_ROOT, env=env, stdout=asyncio.subprocess.PIPE
    )
    assert doomed.stdout is not None
    line = await asyncio.wait_for(doomed.stdout.readline(), timeout=120)
    assert line.decode().strip() == "claimed 5"
    assert statuses(db) == Counter({"claimed": 5})
    doomed.send_signal(signal.SIGKILL)
    assert await doomed.wait() == -signal.SIGKILL
    assert graph.requests == []

    assert await finished(*WORKER, "--once", env=env) == 0
    assert statuses(db) == Counter({"sent": 5})
    assert len(graph.requests) == len(graph.accepted()) == 5
    assert sorted(message["to"] for message in graph.messages()) == [f"1212555{n:04d}" for n in range(5)]
    db.expire_all()
    rows = db.execute(select(OutboxMessage)).scalars().all()
    assert {row.attempts for row in rows} == {1}
    assert len({row.provider_message_id for row in rows}) == 5

    assert await finished(*WORKER, "--once", env=env) == 0  # a restart sends nothing again
    assert len(graph.requests) == 5


async def test_two_workers_draining_together_send_each_message_once(db, engine, graph):
    shipped(db, 12)
    env = environment(engine, graph, batch=2)
    codes = await asyncio.gather(finished(*WORKER, "--drain", env=env), finished(*WORKER, "--drain", env=env))
    assert codes == [0, 0]
    assert statuses(db) == Counter({"sent": 12})
    recipients = [message["to"] for message in graph.messages()]
    assert len(graph.requests) == 12 and sorted(recipients) == sorted(set(recipients))
