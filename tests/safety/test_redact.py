"""core.redact: each kind of contact detail is replaced, other numbers and text are kept."""

from __future__ import annotations

import logging
from typing import Iterator, List

import pytest

from core import redact
from core.redact import RedactingFilter


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # emails
        ("verify ava.shopper@example.com please", "verify [email] please"),
        ("<AVA+shop@mail.example.co.uk>", "<[email]>"),
        ("two: a@x.io, b_c@y.org", "two: [email], [email]"),
        # phone numbers, local and international, with any separators
        ("call +1 (555) 123-4567.", "call [phone]."),
        ("my number is 07700 900123", "my number is [phone]"),
        ("whatsapp:+447700900123 wrote", "whatsapp:[phone] wrote"),
        ("sender_id=15551234567 text=hi", "sender_id=[phone] text=hi"),
        ("555.123.4567", "[phone]"),
        # street addresses (the order contact's delivery address)
        ("ship to 221B Baker Street, London NW1", "ship to [address], London NW1"),
        ("new address: 12 Harbour Rd. Bristol", "new address: [address] Bristol"),
        ("4500 Old Mill Creek Lane", "[address]"),
        # kept: order numbers, dates, decimals, short numbers, plain words
        ("order #1001 placed 2026-12-01", "order #1001 placed 2026-12-01"),
        ("shipped 2026-12-01 14:30 via USPS", "shipped 2026-12-01 14:30 via USPS"),
        ("intent order_status confidence 0.98765432", "intent order_status confidence 0.98765432"),
        ("3 items, 2 left, total 129.00", "3 items, 2 left, total 129.00"),
        ("an @ sign and a dot.", "an @ sign and a dot."),
        ("Main Street has 2 shops", "Main Street has 2 shops"),
    ],
)
def test_redact_replaces_each_kind_of_contact_detail(text: str, expected: str) -> None:
    assert redact.redact(text) == expected


@pytest.mark.parametrize(
    "hostile",
    ["a" * 100_000 + "@", "a." * 50_000 + "@", "a@" * 50_000, "1 " * 50_000, "9 " + "word " * 20_000],
)
def test_hostile_inputs_come_back_unchanged(hostile: str) -> None:
    # The shapes that make backtracking patterns quadratic; none of them is a contact detail.
    assert redact.redact(hostile) == hostile


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: List[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture()
def collected() -> Iterator[_Collect]:
    logger = logging.getLogger("tests.safety.redact")
    handler = _Collect()
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        redact.uninstall()


def test_the_filter_redacts_arguments_and_tracebacks() -> None:
    record = logging.LogRecord(
        "x", logging.ERROR, __file__, 1, "verify %s by %s", ("ava@example.com", "+15551234567"), None
    )
    try:
        raise ValueError("no order for ava@example.com")
    except ValueError as error:
        record.exc_info = (type(error), error, error.__traceback__)
    assert RedactingFilter().filter(record) is True
    assert record.getMessage() == "verify [email] by [phone]"
    assert record.exc_text is not None
    assert "ValueError: no order for [email]" in record.exc_text
    assert "ava@example.com" not in record.exc_text


def test_install_redacts_every_record_from_every_logger(collected: _Collect) -> None:
    assert redact.install({}) is True
    logging.getLogger("tests.safety.redact").info("contact %s", "ava@example.com")
    logging.getLogger("tests.safety.redact.child").warning("call 07700 900123")
    assert collected.lines == ["contact [email]", "call [phone]"]
    assert logging.getLogger("sqlalchemy.engine").getEffectiveLevel() == logging.WARNING


def test_log_shopper_data_true_keeps_contact_details(collected: _Collect) -> None:
    assert redact.install({"LOG_SHOPPER_DATA": "true"}) is False
    logging.getLogger("tests.safety.redact").info("contact %s", "ava@example.com")
    assert collected.lines == ["contact ava@example.com"]


def test_store_sql_errors_do_not_carry_the_shoppers_data(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError

    from store.db import make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE contacts (email TEXT UNIQUE)"))
        connection.execute(text("INSERT INTO contacts VALUES (:email)"), {"email": "ava@example.com"})
    with pytest.raises(IntegrityError) as error, engine.begin() as connection:
        connection.execute(text("INSERT INTO contacts VALUES (:email)"), {"email": "ava@example.com"})
    assert "ava@example.com" not in str(error.value)
    assert "parameters hidden" in str(error.value)
