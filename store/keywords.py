"""Opt-out and opt-in keywords on the messaging channels, and what each does to the ledger.

A message that is one of these words alone (case, spaces and a final ``.``/``!`` ignored) is a
keyword, as carriers and Twilio read them: STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT (and
Twilio's REVOKE, OPTOUT) withdraw marketing consent at once; START, UNSTOP (and YES, which Twilio
reads so) give it back; HELP and INFO explain. The channels act on them before the NLU, so they
work inside forms and during a handoff and never reach the fallback.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Optional

from sqlalchemy.orm import Session

from store.consent import Channel, Purpose, Source, grant, withdraw


class Keyword(str, Enum):
    """What a keyword asks for."""

    OPT_OUT = "opt_out"
    OPT_IN = "opt_in"
    HELP = "help"


_WORDS = {
    Keyword.OPT_OUT: frozenset(
        {"stop", "stopall", "unsubscribe", "cancel", "end", "quit", "revoke", "optout"}
    ),
    Keyword.OPT_IN: frozenset({"start", "unstop", "yes"}),
    Keyword.HELP: frozenset({"help", "info"}),
}

# The opt-in wording recorded with a START: the shopper typed it after our opt-out confirmation.
OPT_IN_WORDING = "Shopper sent {word!r} to receive messages again"


def keyword_of(text: Optional[str], *, channel: Channel) -> Optional[Keyword]:
    """The keyword ``text`` is, or None. ``YES`` counts only on SMS (Twilio's list), where it
    cannot be an answer to the bot's own question (SMS has no buttons; WhatsApp's YES is an answer)."""
    word = (text or "").strip().rstrip(".!").strip().casefold()
    for keyword, words in _WORDS.items():
        if word in words and not (word == "yes" and channel is not Channel.SMS):
            return keyword
    return None


class Outcome(str, Enum):
    """What a keyword did; each maps to one reply in the domain (``KEYWORD_RESPONSES``)."""

    OPTED_OUT = "opted_out"
    ALREADY_OPTED_OUT = "already_opted_out"
    OPTED_IN = "opted_in"
    HELP = "help"


KEYWORD_RESPONSES: dict[Outcome, Optional[str]] = {
    Outcome.OPTED_OUT: "utter_opted_out",
    Outcome.ALREADY_OPTED_OUT: None,  # confirmed once: a second STOP gets no message
    Outcome.OPTED_IN: "utter_opted_in",
    Outcome.HELP: "utter_keyword_help",
}


@dataclass(frozen=True)
class KeywordResult:
    keyword: Keyword
    outcome: Outcome

    @property
    def response(self) -> Optional[str]:
        """The domain response that answers it, None when nothing is sent."""
        return KEYWORD_RESPONSES[self.outcome]


def apply_keyword(
    session: Session, *, keyword: Keyword, word: str, channel: Channel, address: str, now: datetime
) -> KeywordResult:
    """Record what the keyword asks for in the ledger and say what happened.

    On SMS a STOP stops service messages too (carriers block the number for every message after
    it); on WhatsApp it stops marketing, and order updates keep coming until the shopper asks.
    START gives back what STOP took.
    """
    purposes = [Purpose.MARKETING] + ([Purpose.SERVICE] if channel is Channel.SMS else [])
    if keyword is Keyword.OPT_OUT:
        changed = [
            withdraw(session, channel=channel, address=address, purpose=p, source=Source.KEYWORD, now=now)
            for p in purposes
        ]
        return KeywordResult(keyword, Outcome.OPTED_OUT if any(changed) else Outcome.ALREADY_OPTED_OUT)
    if keyword is Keyword.OPT_IN:
        wording = OPT_IN_WORDING.format(word=word.strip())
        for purpose in purposes:
            grant(
                session,
                channel=channel,
                address=address,
                purpose=purpose,
                source=Source.KEYWORD,
                wording=wording,
                now=now,
            )
        return KeywordResult(keyword, Outcome.OPTED_IN)
    return KeywordResult(keyword, Outcome.HELP)
