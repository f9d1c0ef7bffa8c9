"""The agent console's routes, one module per concern, mounted by :mod:`storefront.handoff.channel`.

* :mod:`.pages`: ``GET /`` (the console, or the sign-in form with 401), ``POST /login``,
  ``POST /logout`` (which releases the agent's conversations), ``GET /static/<file>``;
* :mod:`.queue`: ``GET /api/me``, ``GET /api/handoffs?status=open|queued|claimed|resolved|all``
  (oldest first), ``GET /api/handoffs/<id>`` (context, the live transcript and private notes);
* :mod:`.conversations`: ``POST /api/handoffs/<id>/claim`` (409 when someone else has it),
  ``.../messages`` ``{"text": ...}`` (only the claiming agent), ``.../handback``, ``.../resolve``;
* :mod:`.stream`: ``GET /api/events``, the live feed (server-sent events) that :mod:`.watch`
  fills through :mod:`.feed`;
* :mod:`.team`: ``GET /api/agents``, ``.../transfer``, ``.../release`` (with :mod:`.claims`);
* :mod:`.canned`, :mod:`.notes`, :mod:`.history`, :mod:`.orders`: canned replies, private notes,
  search of past conversations, and the order actions of the context panel.

Handlers are module-level functions behind two decorators: :func:`.auth.requires_agent`
(session or bearer token, CSRF header on cookie writes, the identity passed in) and
:func:`.responses.json_errors` (every refusal a JSON 4xx).
"""
