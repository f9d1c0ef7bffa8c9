"""Bounded guessing (failures per order, contact and client) and the same work for every failure."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Callable, Iterator, List

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from store.info import load_settings_once
from store.models import VerificationFailure
from store.orders import find_order
from store.verification import GuessLimit, VerificationOutcome, verify_order
from tests.store.conftest import NOW

AVA = "ava.shopper@example.com"
LIMIT = GuessLimit(max_failures=3, window=timedelta(minutes=15))
LOCKED, NOT_FOUND, VERIFIED = (
    VerificationOutcome.LOCKED,
    VerificationOutcome.NOT_FOUND,
    VerificationOutcome.VERIFIED,
)


def attempt(
    session: Session, number: str, contact: str, client: str, *, minutes: float = 0
) -> VerificationOutcome:
    return verify_order(
        session, order_number=number, typed_contact=contact, client=client, limit=LIMIT,
        now=NOW + timedelta(minutes=minutes),
    ).outcome  # fmt: skip


def test_the_fourth_attempt_for_one_order_is_refused_from_any_client_and_contact(session: Session) -> None:
    guesses = [
        ("a@example.com", "rest:10.0.0.1"),
        ("b@example.com", "rest:10.0.0.2"),
        ("+14155550000", "x:3"),
    ]
    assert [attempt(session, "1001", contact, client) for contact, client in guesses] == [NOT_FOUND] * 3
    assert attempt(session, "#1001", "c@example.com", "rest:10.0.0.4") is LOCKED
    # the right contact is refused too, until the window has passed since the failures
    assert attempt(session, "1001", AVA, "rest:10.0.0.5", minutes=14) is LOCKED
    assert attempt(session, "1001", AVA, "rest:10.0.0.5", minutes=15.1) is VERIFIED


def test_one_contact_is_locked_across_orders(session: Session) -> None:
    for number, client in (("1002", "rest:1"), ("1003", "rest:2"), ("1004", "rest:3")):
        assert attempt(session, number, "Mallory@Example.com", client) is NOT_FOUND
    assert attempt(session, "1005", "mallory@example.com", "rest:4") is LOCKED


def test_one_client_is_locked_across_orders_and_contacts(session: Session) -> None:
    for number, contact in (("1002", "a@example.com"), ("1003", "b@example.com"), ("1004", "c@example.com")):
        assert attempt(session, number, contact, "rest:203.0.113.9") is NOT_FOUND
    assert attempt(session, "1001", AVA, "rest:203.0.113.9") is LOCKED
    assert attempt(session, "1001", AVA, "rest:203.0.113.10") is VERIFIED  # another client: its own count


def test_a_channel_proved_contact_is_not_a_guess(session: Session) -> None:
    for _ in range(4):
        result = verify_order(
            session, order_number="1002", typed_contact=None, proved_contacts=["+19995550123"],
            client="whatsapp:19995550123", limit=LIMIT, now=NOW,
        )  # fmt: skip
        assert result.outcome is NOT_FOUND
    assert session.execute(select(func.count()).select_from(VerificationFailure)).scalar() == 0


def test_a_verified_attempt_names_the_order_and_the_contact_that_matched(session: Session) -> None:
    result = verify_order(
        session,
        order_number="1001",
        typed_contact="nobody@example.com",
        proved_contacts=[AVA],
        limit=LIMIT,
        now=NOW,
    )
    assert (result.outcome, result.order and result.order.number, result.contact) == (VERIFIED, 1001, AVA)


# ---- the same work whether the order exists or not ----


@pytest.fixture
def statements(session: Session) -> Iterator[List[str]]:
    """The SQL statements the session runs (text only: the parameters differ, the work must not)."""
    seen: List[str] = []
    engine = session.get_bind()

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine, "before_cursor_execute", record)


def run_with(statements: List[str], call: Callable[[], Any]) -> List[str]:
    statements.clear()
    call()
    return list(statements)


def test_an_unknown_order_and_a_wrong_contact_run_the_same_queries(
    session: Session, statements: List[str]
) -> None:
    def find(number: str, contact: str) -> List[str]:
        # each look-up is its own unit of work (its own session), as in the action server
        with Session(session.get_bind(), future=True) as own:
            return run_with(
                statements, lambda: find_order(own, order_number=number, contact=contact, now=NOW)
            )

    unknown, wrong = find("999999", AVA), find("1001", "b@x.com")
    # the order's contacts and the store's settings (the country, to read national phone
    # numbers): nothing else
    assert unknown == wrong and len(unknown) == 2
    assert any("store_settings" in s for s in unknown)
    # the order itself is loaded only once the contact matched
    assert len(find("1001", AVA)) > 2


def test_failed_verifications_do_the_same_work_for_unknown_and_existing_orders(
    session: Session, statements: List[str]
) -> None:
    # a unit of work reads the store's settings once, at its first need: read them before both
    # attempts (which share this session, to roll their writes back) so that they start alike
    load_settings_once(session)
    unknown = run_with(statements, lambda: attempt(session, "999999", "b@example.com", "rest:1"))
    wrong = run_with(statements, lambda: attempt(session, "1001", "c@example.com", "rest:2"))
    assert unknown == wrong
    assert any(s.lstrip().upper().startswith("INSERT INTO VERIFICATION_FAILURES") for s in unknown)


def test_a_verification_without_the_order_answers_the_same_and_reads_only_the_contacts(
    session: Session, statements: List[str]
) -> None:
    def light(number: str, contact: str, client: str) -> Any:
        return verify_order(
            session, order_number=number, typed_contact=contact, client=client, limit=LIMIT, now=NOW,
            with_order=False,
        )  # fmt: skip

    full = run_with(statements, lambda: attempt(session, "1001", AVA, "rest:1"))
    verified = light("1001", "Ava.Shopper@example.com", "rest:1")
    assert (verified.outcome, verified.order, verified.contact) == (VERIFIED, None, "Ava.Shopper@example.com")
    lighter = run_with(statements, lambda: light("1001", AVA, "rest:1"))
    assert not any("line_items" in s for s in lighter) and any("line_items" in s for s in full)
    # failures: the same answer, the same work for an unknown order and a wrong contact, counted
    unknown = run_with(statements, lambda: light("999999", "b@example.com", "rest:2"))
    wrong = run_with(statements, lambda: light("1001", "c@example.com", "rest:3"))
    assert unknown == wrong
    assert light("1001", "d@example.com", "rest:4").outcome is NOT_FOUND
    assert light("1001", "e@example.com", "rest:5").outcome is NOT_FOUND
    assert light("1001", AVA, "rest:6").outcome is LOCKED  # three failures for #1001 above
