"""The agent console's routes, one module per concern, mounted by :mod:`storefront.handoff.channel`.

* :mod:`.pages`: ``GET /`` (the console, or the sign-in form with 401), ``POST /login``,
  ``POST /logout``, ``GET /static/<file>``;
* :mod:`.queue`: ``GET /api/me``, ``GET /api/handoffs?status=open|queued|claimed|resolved|all``
  (oldest first), ``GET /api/handoffs/<id>`` (context and the live transcript, paused or not);
* :mod:`.conversations`: ``POST /api/handoffs/<id>/claim`` (409 when someone else has it),
  ``.../messages`` ``{"text": ...}`` (only the claiming agent), ``.../handback``, ``.../resolve``.

Handlers are module-level functions behind two decorators: :func:`.auth.requires_agent`
(session or bearer token, CSRF header on cookie writes, the identity passed in) and
:func:`.responses.json_errors` (every refusal a JSON 4xx).
"""
