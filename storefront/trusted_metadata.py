"""The metadata keys only server-side channel code may set (the metadata contract).

Three keys of a user message's metadata are trusted by the actions:

* ``shopper``: who the channel proved the shopper is (a phone number Meta or Twilio signed for,
  the email of the widget's signed customer token). ``proved_by`` names the Rasa input channel
  that proved it; :mod:`actions.identity` accepts the record only on messages that arrived on
  that same channel, so a proof never travels to another channel's messages.
* ``client``: where the request came from (``{"channel": ..., "address": ...}``): the socket
  peer of a REST or socket.io request (or the address a trusted proxy forwarded, when Sanic is
  configured to trust one), the sender's number for WhatsApp and Twilio. Failed order
  verifications are counted per client address (``store/verification.py``).
* ``proactive``: the proactive message the shopper is answering (its trigger, when and where it
  was sent, and the cart, product or order it was about), set by the messaging channels from the
  outbox (:mod:`storefront.channels.proactive_replies`).

Every channel builds these keys itself and drops any that a client sent (:func:`untrusted`).
"""

from __future__ import annotations

from typing import Any, Dict, Mapping, Optional

from sanic.request import Request

SHOPPER_KEY = "shopper"
CLIENT_KEY = "client"
PROACTIVE_KEY = "proactive"
TRUSTED_KEYS = frozenset({SHOPPER_KEY, CLIENT_KEY, PROACTIVE_KEY})
MAX_ADDRESS_CHARS = 200


def untrusted(metadata: Optional[Mapping[str, Any]]) -> Dict[str, Any]:
    """Client-supplied metadata without the keys only the server may set."""
    return {key: value for key, value in (metadata or {}).items() if key not in TRUSTED_KEYS}


def client_record(channel: str, address: Optional[str]) -> Optional[Dict[str, str]]:
    """The ``client`` record for a request from ``address`` on ``channel`` (None without one)."""
    if not isinstance(address, str) or not address.strip():
        return None
    return {"channel": channel, "address": address.strip()[:MAX_ADDRESS_CHARS]}


def request_address(request: Request) -> str:
    """The client's address: the forwarded one only when Sanic trusts a proxy, else the peer.

    Sanic sets ``remote_addr`` only when it is configured to trust forwarding headers
    (``PROXIES_COUNT``, ``REAL_IP_HEADER`` or ``FORWARDED_SECRET``), so a client cannot pick
    its own address by sending ``X-Forwarded-For``.
    """
    return str(request.remote_addr or request.ip or "")


def verified_shopper(
    channel: str,
    phone: Optional[str],
    wa_id: Optional[str] = None,
    name: Optional[str] = None,
    *,
    proved_by: str,
) -> Optional[Dict[str, str]]:
    """The ``shopper`` record for a number the provider proved (WhatsApp Cloud API, Twilio).

    Only call it for a request whose signature was checked (Meta's ``X-Hub-Signature-256``,
    Twilio's ``X-Twilio-Signature``): the signature is what makes the sender's number verified.
    ``channel`` is the medium (``whatsapp``, ``sms``), ``proved_by`` the Rasa input channel.
    ``None`` when there is no phone number (a WhatsApp username without a number proves nothing
    that an order's contact could match).
    """
    if not isinstance(phone, str) or not phone.startswith("+") or not phone[1:].isdigit():
        return None
    record = {
        "channel": channel,
        "proved_by": proved_by,
        "verified_phone": phone,
        "wa_id": wa_id,
        "name": name,
    }
    return {key: value for key, value in record.items() if isinstance(value, str) and value}
