"""Keep shoppers' contact details out of the logs: emails, phone numbers and street addresses.

Both servers log through the standard library (Rasa's structlog output too), but not always
through handlers we create: Rasa installs its coloured console handler after reading any logging
configuration, and Sanic adds its own. So :func:`install` does not attach a filter to handlers;
it wraps the log record factory, and every record any logger emits is redacted before a handler
sees it. Records below a logger's level are never built, so disabled debug logging costs nothing.

Every pattern runs in linear time on any input: each repetition is over a character class that
cannot also match what follows it, and each pattern starts only where a run of its characters
starts (a look-behind), so a failed attempt never rescans the same run. A 100,000-character
message costs one pass per pattern.

``LOG_SHOPPER_DATA=true`` (debugging only) turns redaction off.
"""

from __future__ import annotations

import logging
import re
import traceback
from typing import Any, Callable, Mapping, Match, Optional

EMAIL_MARK = "[email]"
PHONE_MARK = "[phone]"
ADDRESS_MARK = "[address]"

_EMAIL = re.compile(r"(?<![\w.%+-])[\w.%+-]+@[\w-]+(?:\.[\w-]+)+")

# A run of phone-number characters starting with a digit (or "+", "("); whether it is a phone
# number is decided on the whole run by counting digits, which keeps the pattern itself trivial.
_PHONE_RUN = re.compile(r"(?<![\w+(])[+(]?\d[\d ().\-]*")
_PHONE_MIN_DIGITS, _PHONE_MAX_DIGITS = 7, 15
# Runs with enough digits that are not phone numbers: a date (and what follows it, such as a
# time), and decimals (scores, amounts, timestamps).
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(?!\d)")
_DECIMAL = re.compile(r"\d+\.\d+")

_STREET_TYPES = (
    "street|st|avenue|ave|road|rd|boulevard|blvd|lane|ln|drive|dr|way|court|ct|place|pl|square|sq"
    "|terrace|close|crescent|parkway|pkwy|highway|hwy|row|walk|gardens|strasse|straße|rue|calle"
)
# House number, up to four words, a street type: "221B Baker Street", "12 rue de la Paix" is not
# covered (the type comes first there); "Apt 4, 9 Elm Rd" is.
_ADDRESS = re.compile(
    rf"(?<![\w-])\d{{1,6}}[A-Za-z]?\s+(?:[^\W\d_][\w'.-]*\s+){{0,4}}(?:{_STREET_TYPES})\b\.?",
    re.IGNORECASE,
)

_ENABLE_SETTING = "LOG_SHOPPER_DATA"


def _phone_or_keep(match: Match[str]) -> str:
    run = match.group(0)
    trimmed = run.rstrip(" ().-")
    digits = sum(ch.isdigit() for ch in trimmed)
    if not _PHONE_MIN_DIGITS <= digits <= _PHONE_MAX_DIGITS:
        return run
    if _DATE.match(trimmed) or _DECIMAL.fullmatch(trimmed):
        return run
    return PHONE_MARK + run[len(trimmed) :]


def redact(text: str) -> str:
    """``text`` with every email, phone number and street address replaced by a marker."""
    text = _EMAIL.sub(EMAIL_MARK, text)
    text = _ADDRESS.sub(ADDRESS_MARK, text)
    return _PHONE_RUN.sub(_phone_or_keep, text)


class RedactingFilter(logging.Filter):
    """Rewrites a record's message and traceback with :func:`redact`; never drops a record.

    The message is formatted here (``msg % args``) because an email can arrive in either part.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a malformed format string: leave it to the handler
            return True
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def shopper_data_logged(environ: Optional[Mapping[str, str]] = None) -> bool:
    """Whether ``LOG_SHOPPER_DATA=true`` asks for contact details in the logs (debugging).

    ``environ`` (tests) is read as given; by default this process's settings decide.
    """
    if environ is not None:
        return environ.get(_ENABLE_SETTING, "") == "true"
    from core.settings import get_settings

    return get_settings().log_shopper_data


_installed: list[Callable[..., logging.LogRecord]] = []


def install(environ: Optional[Mapping[str, str]] = None) -> bool:
    """Redact every log record this process emits from now on; return whether redaction is on.

    Idempotent. Also keeps SQLAlchemy's statement log (which carries bound parameters) at
    WARNING, whatever a library or a stray ``echo=True`` set it to.
    """
    if shopper_data_logged(environ):
        return False
    logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)
    if _installed:
        return True
    previous = logging.getLogRecordFactory()
    redacting = RedactingFilter()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        redacting.filter(record)
        return record

    _installed.append(previous)
    logging.setLogRecordFactory(factory)
    return True


def uninstall() -> None:
    """Restore the record factory :func:`install` replaced (for tests)."""
    if _installed:
        logging.setLogRecordFactory(_installed.pop())


__all__ = ["RedactingFilter", "install", "redact", "shopper_data_logged", "uninstall"]
