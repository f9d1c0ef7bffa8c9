"""What agents keep for themselves in the console: canned replies and private notes.

Neither ever reaches a shopper by itself: a canned reply is text an agent inserts and sends as
their own message; a note is read only by agents (no code path sends it to a channel).
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Integer, String, Text

from store.models.base import Base, UTCDateTime


class CannedReply(Base):
    """A reply agents reuse, with ``{first_name}``-style placeholders filled when it is used."""

    __tablename__ = "canned_replies"

    id = Column(Integer, primary_key=True)
    title = Column(String(80), nullable=False, unique=True)
    body = Column(Text, nullable=False)
    created_by = Column(String(60), nullable=False)
    updated_at = Column(UTCDateTime, nullable=False)


class HandoffNote(Base):
    """A private note an agent wrote on a handoff, for the team only."""

    __tablename__ = "handoff_notes"

    id = Column(Integer, primary_key=True)
    handoff_id = Column(Integer, ForeignKey("handoffs.id", ondelete="CASCADE"), nullable=False, index=True)
    agent = Column(String(60), nullable=False)
    text = Column(Text, nullable=False)
    at = Column(UTCDateTime, nullable=False)
