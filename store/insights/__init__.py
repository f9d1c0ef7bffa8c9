"""Insights for the store team: what the assistant resolves, earns and misses.

* :mod:`.conversations` reads Rasa's tracker store (the ``events`` table, SQLite or PostgreSQL)
  and turns each conversation session into :class:`.conversations.Conversation` facts;
* :mod:`.outcomes` joins them with the store: handoffs, recommendations shown, orders;
* :mod:`.proactive` counts proactive messages through a small interface over the outbox;
* :mod:`.metrics` sums any set of conversations into the numbers the dashboard and the report
  show, per day and per channel, and lists the conversations behind each number.

Nothing here imports Rasa: the events are read as stored JSON, so the same code serves the
console (inside ``rasa run``) and ``make report`` (a plain process).
"""
