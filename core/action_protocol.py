"""What the Rasa server and this project's action server add to rasa-sdk's webhook protocol.

Rasa puts the whole domain (about 60 KB of JSON here) in every action call. Both sides of this
project agree on a digest instead (``storefront/action_session.py`` sends, ``tools/action_server.py``
keeps): a call names the SHA-256 (hex) of its domain's JSON text in :data:`DOMAIN_HEADER`; an
action server that kept the domain says so in :data:`DOMAIN_KEPT_HEADER`, and the next calls omit
it; a call without a domain the server does not hold is answered 409 with
:data:`DOMAIN_UNKNOWN`, and the Rasa server sends it again with the domain. A server or client
that does not know these headers ignores them and everything works as in rasa-sdk.
"""

from __future__ import annotations

import re

DOMAIN_HEADER = "X-Storefront-Domain"
"""Request header: the digest of the call's domain, whether the body carries it or not."""

DOMAIN_KEPT_HEADER = "X-Storefront-Domain-Kept"
"""Response header: the digest the action server holds after the call, or :data:`DOMAIN_UNKNOWN`."""

DOMAIN_UNKNOWN = "unknown"
"""The kept header's value on a 409: the call omitted a domain this server does not hold."""

DIGEST = re.compile(r"[0-9a-f]{64}")
"""What a digest looks like (SHA-256, lower-case hex)."""

__all__ = ["DIGEST", "DOMAIN_HEADER", "DOMAIN_KEPT_HEADER", "DOMAIN_UNKNOWN"]
