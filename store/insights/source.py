"""Where the insights read from: the store's session and the tracker store's database.

Both the console (inside ``rasa run``) and ``make report`` call these with a store session
(:func:`store.runner.run_in_session` or :func:`store.db.session_scope`); the tracker database is
``TRACKER_STORE_URL`` (the one ``endpoints.yml`` gives Rasa), read through one engine per URL.
"""

from __future__ import annotations

import functools
from datetime import timedelta
from typing import Any, Dict, List, Optional

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from core.settings import get_settings
from store.db import make_engine
from store.insights.conversations import Conversation, rated_conversations
from store.insights.metrics import Period, behind, insights


@functools.lru_cache(maxsize=4)
def tracker_engine(url: str) -> Engine:
    """One engine per tracker database URL, built on first use."""
    return make_engine(url)


def _tracker_url(url: Optional[str]) -> str:
    return url or get_settings().tracker_store_url


def conversion_window(days: Optional[int] = None) -> timedelta:
    """``INSIGHTS_CONVERSION_WINDOW_DAYS`` (or ``days``) as a time span."""
    return timedelta(days=days if days is not None else get_settings().insights_conversion_window_days)


def read_insights(
    session: Session, *, period: Period, tracker_url: Optional[str] = None, window_days: Optional[int] = None
) -> Dict[str, Any]:
    """:func:`store.insights.metrics.insights` over the configured tracker store."""
    with tracker_engine(_tracker_url(tracker_url)).connect() as events:
        return insights(session, events, period, window=conversion_window(window_days))


def read_behind(
    session: Session, *, period: Period, metric: str, reason: Optional[str] = None,
    channel: Optional[str] = None, day: Optional[str] = None, tracker_url: Optional[str] = None,
    window_days: Optional[int] = None,
) -> List[Dict[str, Any]]:  # fmt: skip
    """:func:`store.insights.metrics.behind` over the configured tracker store."""
    with tracker_engine(_tracker_url(tracker_url)).connect() as events:
        return behind(
            session, events, period, window=conversion_window(window_days), metric=metric,
            reason=reason, channel=channel, day=day,
        )  # fmt: skip


def read_ratings(senders: List[str], *, tracker_url: Optional[str] = None) -> Dict[str, List[Conversation]]:
    """:func:`store.insights.conversations.rated_conversations` over the configured tracker store."""
    with tracker_engine(_tracker_url(tracker_url)).connect() as events:
        return rated_conversations(events, senders)
