"""Small tables one unit of work reads in several steps are read once per transaction.

A shipping answer resolves the destination, finds its zone, lists where the store ships and builds
the gazetteer: each step used to read the shipping zones and the countries again (ten statements
for one answer, six now). :func:`store.db.read_once` keeps such a read for the rest of the
transaction, and these tests pin what must not change with it: a unit of work that changes the rows
reads its own changes, and nothing is kept past a flush, a commit or a rollback.
"""

from __future__ import annotations

from collections import Counter
from contextlib import contextmanager
from decimal import Decimal
from typing import Iterator, List, Tuple

from sqlalchemy import delete, event
from sqlalchemy.orm import Session

from store.models import ShippingZone
from store.places import country_rows, load_gazetteer, zone_rows
from store.shipping import delivery_estimate, shipping_destinations
from tests.store.conftest import NOW


@contextmanager
def statements(session: Session) -> Iterator[List[Tuple[str, str]]]:
    """Every statement (text, parameters) the session's connection runs inside the block."""
    seen: List[Tuple[str, str]] = []
    connection = session.connection()

    def record(_conn, _cursor, statement, parameters, _context, _many) -> None:
        seen.append((statement, repr(parameters)))

    event.listen(connection, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(connection, "before_cursor_execute", record)


def _zone(name: str) -> ShippingZone:
    return ShippingZone(name=name, position=98, countries=["JP"], regions=[], postal_prefixes=[])


def test_a_shipping_answer_runs_no_statement_twice(session: Session) -> None:
    with statements(session) as seen:
        destinations = shipping_destinations(session)
        place = load_gazetteer(session).lookup("Canada")
        assert place is not None
        options = delivery_estimate(session, country=place.country_code, subtotal=Decimal("10"), now=NOW)
    assert "Canada" in destinations and options
    repeated = {statement: count for statement, count in Counter(seen).items() if count > 1}
    assert repeated == {}
    zone_reads = [text for text, _ in seen if "FROM shipping_zones" in text]
    assert len(zone_reads) == 1


def test_a_kept_read_is_the_same_rows_within_the_transaction(session: Session) -> None:
    first = zone_rows(session)
    with statements(session) as seen:
        assert zone_rows(session) is first
        assert country_rows(session) is country_rows(session)
    assert len(seen) == 1  # the countries, once


def test_unflushed_changes_are_read_not_kept(session: Session) -> None:
    before = [zone.name for zone in zone_rows(session)]
    session.add(_zone("Pending zone"))  # not flushed: the next read flushes it and sees it
    assert [zone.name for zone in zone_rows(session)] == [*before, "Pending zone"]
    session.add(_zone("Second pending zone"))
    assert [zone.name for zone in zone_rows(session)][-2:] == ["Pending zone", "Second pending zone"]


def test_a_flush_forgets_what_was_kept(session: Session) -> None:
    kept = zone_rows(session)
    session.add(_zone("Flushed zone"))
    session.flush()
    assert [zone.name for zone in zone_rows(session)] == [*(zone.name for zone in kept), "Flushed zone"]


def test_a_statement_that_writes_forgets_what_was_kept(session: Session) -> None:
    session.add(_zone("Deleted by a statement"))
    session.flush()
    assert "Deleted by a statement" in [zone.name for zone in zone_rows(session)]
    session.execute(delete(ShippingZone).where(ShippingZone.name == "Deleted by a statement"))
    assert "Deleted by a statement" not in [zone.name for zone in zone_rows(session)]


def test_nothing_is_kept_past_the_transaction(session: Session) -> None:
    kept = zone_rows(session)
    session.rollback()
    with statements(session) as seen:
        again = zone_rows(session)
    assert again is not kept
    assert [text for text, _ in seen if "FROM shipping_zones" in text]
    session.commit()
    with statements(session) as seen:
        zone_rows(session)
    assert [text for text, _ in seen if "FROM shipping_zones" in text]


def test_another_transactions_change_is_seen_by_the_next_transaction(session: Session) -> None:
    names = [zone.name for zone in zone_rows(session)]
    session.commit()
    with Session(session.get_bind(), future=True) as other:
        other.add(_zone("Committed elsewhere"))
        other.commit()
    try:
        assert [zone.name for zone in zone_rows(session)] == [*names, "Committed elsewhere"]
    finally:
        with Session(session.get_bind(), future=True) as other:
            other.delete(other.query(ShippingZone).filter_by(name="Committed elsewhere").one())
            other.commit()
