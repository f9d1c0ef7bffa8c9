"""What the Rasa server and this project's action server add to rasa-sdk's webhook protocol.

Rasa puts the whole domain (about 60 KB of JSON here) in every action call. Both sides of this
project agree on a digest instead (``storefront/action_session.py`` sends, ``tools/action_server.py``
keeps): a call names the SHA-256 (hex) of its domain's JSON text in :data:`DOMAIN_HEADER`; an
action server that kept the domain says so in :data:`DOMAIN_KEPT_HEADER`, and the next calls omit
it; a call without a domain the server does not hold is answered 409 with
:data:`DOMAIN_UNKNOWN`, and the Rasa server sends it again with the domain. A server or client
that does not know these headers ignores them and everything works as in rasa-sdk.

The tracker's events travel the same way, per conversation: every call offers its full event list
to be kept under a fresh random token (:data:`EVENTS_HEADER`); an action server that kept it says
so in :data:`EVENTS_KEPT_HEADER`. A later call of that conversation whose events begin with a run
of the kept ones (the window may have dropped some at the front) names them in
:data:`EVENTS_BASE_HEADER` (``<token> <start> <count>``: ``kept[start:start + count]``) and carries
only the events after them; the action server puts them back in front. A base the server does not
hold is answered 409 with :data:`EVENTS_UNKNOWN` and the call goes again with every event.
"""

from __future__ import annotations

import re

DOMAIN_HEADER = "X-Storefront-Domain"
"""Request header: the digest of the call's domain, whether the body carries it or not."""

DOMAIN_KEPT_HEADER = "X-Storefront-Domain-Kept"
"""Response header: the digest the action server holds after the call, or :data:`DOMAIN_UNKNOWN`."""

DOMAIN_UNKNOWN = "unknown"
"""The kept header's value on a 409: the call omitted a domain this server does not hold."""

EVENTS_HEADER = "X-Storefront-Events"
"""Request header: the token the action server may keep this call's whole event list under."""

EVENTS_BASE_HEADER = "X-Storefront-Events-Base"
"""Request header: ``<token> <start> <count>``: the call's events follow that slice of a kept list."""

EVENTS_KEPT_HEADER = "X-Storefront-Events-Kept"
"""Response header: the token the call's event list is kept under, or :data:`EVENTS_UNKNOWN`."""

EVENTS_UNKNOWN = "unknown"
"""The events kept header's value on a 409: the named base is not held; send every event."""

TOKEN = re.compile(r"[0-9a-f]{32}")
"""What an event list's token looks like (128 random bits, lower-case hex)."""

DIGEST = re.compile(r"[0-9a-f]{64}")
"""What a digest looks like (SHA-256, lower-case hex)."""

__all__ = [
    "DIGEST",
    "DOMAIN_HEADER",
    "DOMAIN_KEPT_HEADER",
    "DOMAIN_UNKNOWN",
    "EVENTS_BASE_HEADER",
    "EVENTS_HEADER",
    "EVENTS_KEPT_HEADER",
    "EVENTS_UNKNOWN",
    "TOKEN",
]
