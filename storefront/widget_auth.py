"""The signed-in-customer token of the website widget, and how the socket.io channel applies it.

The store's own login (or, for the demo page only, the page channel's "sign in as" control) gives
the page a short-lived token: an HS256 JSON Web Token signed with ``WIDGET_SIGNING_SECRET``, with
the claims ``email``, ``iat``, ``exp`` and ``aud = "storefront-widget"``. The widget sends it in
each message's metadata as ``customer_token``; the socket.io channel checks it and replaces it by
``metadata["shopper"] = {"channel": "web", "verified_email": ...}``. Any other way of claiming a
``shopper`` is stripped: only server-side channel code may set it (the metadata contract).

A JWT was chosen over a home-made format so that a store's backend can issue the token with any
JWT library in any language.
"""

from __future__ import annotations

import logging
import time
import warnings
from typing import Any, Dict, Mapping, Optional

import jwt

from storefront.trusted_metadata import SHOPPER_KEY, untrusted

logger = logging.getLogger(__name__)

AUDIENCE = "storefront-widget"
ALGORITHM = "HS256"
DEFAULT_TTL_SECONDS = 3600
TOKEN_KEY = "customer_token"  # noqa: S105 (a metadata key, not a secret)
MAX_TOKEN_CHARS = 2048
RECOMMENDED_SECRET_BYTES = 32


def signing_secret() -> str:
    """``WIDGET_SIGNING_SECRET`` from the settings (empty when unset: every token is refused)."""
    from core.settings import get_settings

    return get_settings().widget_signing_secret


def warn_if_weak(secret: str) -> None:
    """Log once at start-up when the secret is missing or shorter than RFC 7518 recommends."""
    if not secret:
        logger.warning("widget.token.disabled reason=WIDGET_SIGNING_SECRET is empty")
    elif len(secret.encode("utf-8")) < RECOMMENDED_SECRET_BYTES:
        logger.warning(
            "widget.token.weak_secret bytes=%d recommended=%d", len(secret.encode()), RECOMMENDED_SECRET_BYTES
        )


def _normalize_email(email: str) -> str:
    return email.strip().lower()


def issue_customer_token(
    secret: str, email: str, *, ttl_seconds: int = DEFAULT_TTL_SECONDS, now: Optional[float] = None
) -> str:
    """Sign a token saying that the holder is signed in as ``email`` until ``ttl_seconds`` from now.

    Raises:
        ValueError: the secret is empty, the email is not an address or the lifetime is not positive.
    """
    address = _normalize_email(email)
    if not secret:
        raise ValueError("WIDGET_SIGNING_SECRET is empty; tokens cannot be signed")
    if "@" not in address or len(address) > 254:
        raise ValueError(f"{email!r} is not an email address")
    if ttl_seconds <= 0:
        raise ValueError("ttl_seconds must be positive")
    issued = int(time.time() if now is None else now)
    claims = {"email": address, "iat": issued, "exp": issued + ttl_seconds, "aud": AUDIENCE}
    with warnings.catch_warnings():
        # a short secret is reported once by warn_if_weak, not on every token
        warnings.simplefilter("ignore")
        return jwt.encode(claims, secret, algorithm=ALGORITHM)


def verify_customer_token(secret: str, token: Any, *, now: Optional[float] = None) -> Optional[str]:
    """The email a valid token vouches for; ``None`` for anything forged, expired or malformed."""
    if not secret or not isinstance(token, str) or not token or len(token) > MAX_TOKEN_CHARS:
        return None
    options: Any = {"require": ["exp", "iat", "email", "aud"], "verify_exp": False, "verify_iat": False}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            claims = jwt.decode(token, secret, algorithms=[ALGORITHM], audience=AUDIENCE, options=options)
        # expiry is checked here, against one clock that tests can fix
        expires = claims.get("exp")
        if not isinstance(expires, int) or expires <= (time.time() if now is None else now):
            raise jwt.ExpiredSignatureError("expired")
    except jwt.InvalidTokenError as error:
        logger.info("widget.token.rejected reason=%s", type(error).__name__)
        return None
    email = claims.get("email")
    if not isinstance(email, str) or "@" not in email:
        return None
    return _normalize_email(email)


def apply_customer_token(
    metadata: Optional[Mapping[str, Any]],
    secret: str,
    *,
    now: Optional[float] = None,
    proved_by: str = "socketio",
) -> Dict[str, Any]:
    """Message metadata as the assistant may trust it.

    Drops any client-supplied trusted key (``shopper``, ``client``) and the token itself (a
    bearer secret has no place in the tracker or the event stream), then sets ``shopper`` when
    the token is valid, naming the input channel that checked it (``proved_by``).
    """
    cleaned = {key: value for key, value in untrusted(metadata).items() if key != TOKEN_KEY}
    email = verify_customer_token(secret, (metadata or {}).get(TOKEN_KEY), now=now)
    if email is not None:
        cleaned[SHOPPER_KEY] = {"channel": "web", "proved_by": proved_by, "verified_email": email}
    return cleaned
