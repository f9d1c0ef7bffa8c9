"""The outbox worker: ``python -m integrations.proactive.worker`` (``make run`` supervises it).

Every minute it runs the time-based triggers (:mod:`store.triggers`). Each round gives back what
dead workers held, claims a batch of due messages, and for each one
checks the rules (:mod:`store.outbox_rules`), marks it ``sending``, calls the provider and records
the answer. Retries back off exponentially (``retries`` in the store's ``messaging`` settings).

``--drill-pause-after-claim`` is the crash drill's hook: the worker claims, says so on stdout and
waits to be killed before sending anything (tests/proactive/test_crash_drill.py).
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import time
from datetime import timedelta
from typing import Dict, Optional, Sequence

from sqlalchemy.engine import Engine

from core import clock
from core.settings import get_settings
from integrations.proactive.providers import ProviderError, Sender, senders_from_settings
from integrations.proactive.render import render
from store.cart_recovery import scan_cart_recovery
from store.consent import Channel, Purpose, Source, withdraw
from store.db import make_engine, session_scope
from store.info import demo_mode, store_info
from store.messaging_config import messaging_config
from store.models import OutboxMessage
from store.outbox import Status, claim, fallback_reason, finish, release_abandoned, start_sending, worker_name
from store.outbox_rules import Decision, decide, reroute_to_email
from store.replenishment import scan_replenishment
from store.triggers import scan_order_updates

logger = logging.getLogger(__name__)

SCAN_SECONDS = 60.0  # how often the time-based triggers (order updates, replenishment, carts) look for news


def pid_alive(pid: int) -> bool:
    """Whether a process with this id runs on this host."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Worker:
    """Sends due outbox messages through ``senders`` (by channel) from the store at ``engine``."""

    def __init__(self, engine: Engine, senders: Dict[str, Sender], *, lease: timedelta, batch: int) -> None:
        self.engine, self.senders, self.lease, self.batch = engine, senders, lease, batch

    def claim_batch(self) -> tuple[str, list[int]]:
        """Give back abandoned rows, then claim due ones (committed before anything is sent)."""
        now = clock.now()
        with session_scope(self.engine) as session:
            released = release_abandoned(session, now=now, alive=pid_alive)
        if released:
            logger.warning("outbox.released rows=%d", released)
        worker = worker_name()
        with session_scope(self.engine) as session:
            ids = [
                row.id for row in claim(session, worker=worker, now=now, lease=self.lease, limit=self.batch)
            ]
        return worker, ids

    def send_claimed(self, worker: str, ids: Sequence[int]) -> None:
        for message_id in ids:
            try:
                self.send_one(worker, message_id)
            except LookupError:
                logger.warning("outbox.lost_claim id=%d", message_id)  # released by another worker
            except Exception as error:  # one bad row must not stop the others (or crash-loop the worker)
                logger.exception("outbox.error id=%d", message_id)
                self._give_up(worker, message_id, error)

    def scan_triggers(self) -> int:
        """Queue what the time-based triggers find (order updates, replenishment, abandoned carts);
        returns how many.

        Not on the sample store: its customers and their phone numbers are made up, and a demo with
        real Twilio or WhatsApp credentials must not message them (back in stock still works there).
        """
        with session_scope(self.engine) as session:
            if demo_mode(session):
                return 0
            now = clock.now()
            return (
                len(scan_order_updates(session, now=now))
                + len(scan_replenishment(session, now=now))
                + len(scan_cart_recovery(session, now=now))
            )

    def _give_up(self, worker: str, message_id: int, error: Exception) -> None:
        """Fail a row this worker still holds after an unexpected error (it is never retried)."""
        reason = f"error: {type(error).__name__}: {error}"[:255]
        for status in (Status.CLAIMED, Status.SENDING):
            try:
                with session_scope(self.engine) as session:
                    finish(
                        session,
                        message_id=message_id,
                        worker=worker,
                        status=Status.FAILED,
                        now=clock.now(),
                        reason=reason,
                        from_status=status,
                    )
                return
            except LookupError:
                continue

    def run_once(self) -> int:
        """One round; returns how many messages were claimed."""
        worker, ids = self.claim_batch()
        self.send_claimed(worker, ids)
        return len(ids)

    def send_one(self, worker: str, message_id: int) -> None:
        now = clock.now()
        with session_scope(self.engine) as session:
            row = session.get(OutboxMessage, message_id)
            assert row is not None
            config = messaging_config(session)
            decision = decide(session, row, now=now, config=config)
            if decision.action == "send" and self.senders.get(row.channel) is None:
                decision = Decision("skip", f"no_{row.channel}_provider_configured")
            if decision.action == "skip" and Channel.EMAIL.value in self.senders:
                # the channel cannot carry it: email, where the shopper agreed to it (row moves)
                decision = reroute_to_email(session, row, decision, now=now, config=config)
            sender = self.senders.get(row.channel)
            if decision.action != "send":
                status = Status.HELD if decision.action == "hold" else Status.SKIPPED
                finish(
                    session,
                    message_id=message_id,
                    worker=worker,
                    status=status,
                    now=now,
                    reason=decision.reason,
                    due_at=decision.until,
                    from_status=Status.CLAIMED,
                )
                logger.info("outbox.%s id=%d reason=%s", status.value, message_id, decision.reason)
                return
            info = store_info(session)
            outgoing = render(
                channel=row.channel,
                recipient=row.recipient,
                trigger=row.trigger,
                response=row.response,
                params=dict(row.params or {}),
                brand=config.brand or info.name,
                support_email=info.support_email or "",
                template=decision.template,
            )
            attempts, purpose, channel = row.attempts + 1, row.purpose, row.channel
            sent_reason = decision.reason or fallback_reason(row)
            start_sending(session, message_id=message_id, worker=worker)
        assert sender is not None
        try:
            provider_id = sender.send(outgoing)
        except ProviderError as error:
            self._failed(
                worker,
                message_id,
                error,
                attempts=attempts,
                purpose=purpose,
                channel=channel,
                max_attempts=config.max_attempts,
                backoff=config.backoff_seconds,
            )
            return
        with session_scope(self.engine) as session:
            finish(
                session,
                message_id=message_id,
                worker=worker,
                status=Status.SENT,
                now=clock.now(),
                provider_message_id=provider_id,
                reason=sent_reason,
            )
        logger.info("outbox.sent id=%d provider_id=%s", message_id, provider_id)

    def _failed(
        self,
        worker: str,
        message_id: int,
        error: ProviderError,
        *,
        attempts: int,
        purpose: str,
        channel: str,
        max_attempts: int,
        backoff: int,
    ) -> None:
        now = clock.now()
        with session_scope(self.engine) as session:
            if error.opted_out:
                row = session.get(OutboxMessage, message_id)
                assert row is not None
                withdraw(
                    session,
                    channel=Channel(channel),
                    address=row.recipient,
                    purpose=Purpose(purpose),
                    source=Source.PROVIDER,
                    now=now,
                )
            if error.retry and attempts < max_attempts:
                later = now + timedelta(seconds=backoff * 2 ** (attempts - 1))
                finish(
                    session,
                    message_id=message_id,
                    worker=worker,
                    status=Status.QUEUED,
                    now=now,
                    reason=f"retrying: {error}"[:255],
                    due_at=later,
                )
                logger.warning("outbox.retry id=%d attempt=%d error=%s", message_id, attempts, error)
            else:
                finish(
                    session,
                    message_id=message_id,
                    worker=worker,
                    status=Status.FAILED,
                    now=now,
                    reason=str(error)[:255],
                )
                logger.error("outbox.failed id=%d error=%s", message_id, error)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m integrations.proactive.worker", description=__doc__)
    parser.add_argument("--once", action="store_true", help="one round, then exit")
    parser.add_argument("--drain", action="store_true", help="rounds until nothing is due, then exit")
    parser.add_argument("--drill-pause-after-claim", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    settings = get_settings()
    worker = Worker(
        make_engine(settings.database_url),
        senders_from_settings(settings),
        lease=timedelta(seconds=settings.outbox_lease_seconds),
        batch=settings.outbox_batch_size,
    )
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    logger.info("outbox.worker.started channels=%s", ",".join(sorted(worker.senders)) or "none")
    scanned_at = 0.0
    while not stopping:
        if time.monotonic() - scanned_at >= SCAN_SECONDS and not args.drill_pause_after_claim:
            scanned_at = time.monotonic()
            logger.info("outbox.scan queued=%d", worker.scan_triggers())
        if args.drill_pause_after_claim:
            _, ids = worker.claim_batch()
            print(f"claimed {len(ids)}", flush=True)
            while True:
                time.sleep(1)
        claimed = worker.run_once()
        if args.once or (args.drain and not claimed):
            break
        if not claimed:
            time.sleep(settings.outbox_poll_seconds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
