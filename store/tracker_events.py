"""Rasa's ``events`` table, as the store-team tools read it.

Rasa's SQL tracker store owns this table (``rasa.core.tracker_store.SQLTrackerStore``); the
insights metrics and the review queue only read it. Declared once here as a lightweight
SQLAlchemy table, with the columns they use, so the two never disagree about its shape.
"""

from __future__ import annotations

import sqlalchemy as sa

EVENTS = sa.table(
    "events",
    sa.column("id", sa.Integer),
    sa.column("sender_id", sa.String),
    sa.column("type_name", sa.String),
    sa.column("timestamp", sa.Float),
    sa.column("intent_name", sa.String),
    sa.column("action_name", sa.String),
    sa.column("data", sa.Text),
)
