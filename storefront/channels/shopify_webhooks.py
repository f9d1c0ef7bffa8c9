"""Shopify webhooks into the Rasa server: ``POST /webhooks/shopify/webhook``.

A channel only for its routes (no shopper talks on it): Rasa mounts every channel's blueprint under
``/webhooks/<name>/``, so the receiver runs on the Rasa server's port beside the other webhooks and
needs no server of its own. Each delivery is handled in this order:

1. the signature (``X-Shopify-Hmac-Sha256`` over the raw body) is checked before the body is read:
   without the right one the answer is 401 and nothing changes;
2. a delivery for another shop is refused (401), one for a topic we do not handle is acknowledged
   (200) and dropped, so Shopify neither retries it nor removes the subscription;
3. the payload is recorded under its ``X-Shopify-Webhook-Id`` and ``X-Shopify-Event-Id`` and
   applied, one transaction in a worker thread
   (:func:`integrations.shopify.webhooks.apply_delivery`); a duplicate (the same webhook id, or
   the same event on the same topic) is acknowledged without changing anything.

Shopify gives a receiver about five seconds. Applying one resource is a handful of indexed
statements, bounded here by :data:`APPLY_TIMEOUT_SECONDS`; if the store cannot finish in time the
answer is 503, nothing was kept, and Shopify's own retries (eight over four hours, same payload)
are the queue. Rebuilding what depends on the catalog is not done here: readers see the catalog
version move and rebuild when they next need it.

Off (503) while ``SHOPIFY_WEBHOOK_SECRET`` or ``SHOPIFY_SHOP_DOMAIN`` is empty. Reference it in
``credentials.yml`` as ``storefront.channels.shopify_webhooks.ShopifyWebhookInput``.
"""

from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable, Dict, Optional

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.exc import IntegrityError

from core import clock
from core.settings import get_settings
from integrations.shopify.webhooks import (
    APPLIERS,
    EVENT_ID_HEADER,
    SHOP_HEADER,
    SIGNATURE_HEADER,
    TOPIC_HEADER,
    WEBHOOK_ID_HEADER,
    Delivery,
    apply_delivery,
    signature_valid,
)  # fmt: skip
from store.runner import StoreUnavailable, configured_timeout, run_in_session
from storefront.channels.limits import (
    RequestRejected,
    install_request_limit,
    limit_settings,
    parse_json,
    rejection_response,
)  # fmt: skip

logger = logging.getLogger(__name__)

APPLY_TIMEOUT_SECONDS = 3.0
"""At most this long (or ``STORE_QUERY_TIMEOUT_SECONDS`` if shorter) for one delivery's transaction."""


def _error(status: int, code: str, message: str) -> HTTPResponse:
    return rejection_response(RequestRejected(status, code, message))


class ShopifyWebhookInput(InputChannel):
    """Receives Shopify's webhooks for the connected shop (see the module docstring)."""

    def __init__(self, secret: str, shop_domain: str) -> None:
        self.secret = secret
        self.shop_domain = shop_domain

    @classmethod
    def name(cls) -> str:
        return "shopify"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> ShopifyWebhookInput:
        """The secret and the shop come from the settings (``SHOPIFY_*``), never from YAML."""
        settings = get_settings()
        return cls(settings.shopify_webhook_secret, settings.shopify_shop_domain)

    @property
    def enabled(self) -> bool:
        return bool(self.secret and self.shop_domain)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """A health route and the webhook route."""
        webhooks = Blueprint("storefront_shopify_webhooks", __name__)
        install_request_limit(webhooks)

        @webhooks.route("/", methods=["GET"])
        async def health(_request: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.enabled else "not configured"})

        @webhooks.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            return await self.receive(request)

        return webhooks

    async def receive(self, request: Request) -> HTTPResponse:
        """Verify, de-duplicate and apply one delivery (see the module docstring)."""
        if not self.enabled:
            return _error(503, "not_configured", "the Shopify connection is not configured")
        if not signature_valid(self.secret, request.body, request.headers.get(SIGNATURE_HEADER)):
            logger.warning("shopify.webhook.bad_signature")
            return _error(401, "bad_signature", f"missing or invalid {SIGNATURE_HEADER}")
        if (request.headers.get(SHOP_HEADER) or "").lower() != self.shop_domain:
            logger.warning("shopify.webhook.other_shop")
            return _error(401, "other_shop", f"{SHOP_HEADER} is not the connected shop")
        topic = request.headers.get(TOPIC_HEADER) or ""
        webhook_id = (request.headers.get(WEBHOOK_ID_HEADER) or "").strip()
        event_id = (request.headers.get(EVENT_ID_HEADER) or "").strip() or None
        if topic not in APPLIERS:
            logger.info("shopify.webhook.ignored topic=%s", topic)
            return response.json({"status": "ignored"})
        if not webhook_id or len(webhook_id) > 100:
            return _error(400, "missing_webhook_id", f"{WEBHOOK_ID_HEADER} is missing or too long")
        if event_id is not None and len(event_id) > 100:
            return _error(400, "invalid_event_id", f"{EVENT_ID_HEADER} is too long")
        try:
            limits = limit_settings()
            payload = parse_json(
                request.body, max_bytes=limits["MAX_REQUEST_BYTES"], max_depth=limits["MAX_JSON_DEPTH"]
            )
        except RequestRejected as error:
            return rejection_response(error)
        if not isinstance(payload, dict):
            return _error(400, "invalid_body", "the body is not a JSON object")
        return await self._apply(Delivery(webhook_id, topic, payload, event_id))

    async def _apply(self, delivery: Delivery) -> HTTPResponse:
        timeout = min(APPLY_TIMEOUT_SECONDS, configured_timeout())
        try:
            outcome = await run_in_session(
                apply_delivery, timeout=timeout, delivery=delivery, now=clock.now()
            )
        except StoreUnavailable as error:
            if isinstance(error.__cause__, IntegrityError):
                # another process recorded the same delivery a moment ago
                return response.json({"status": "duplicate"})
            return _error(503, "store_unavailable", "the store could not apply the delivery; retry later")
        except (KeyError, TypeError, ValueError) as error:
            logger.warning(
                "shopify.webhook.invalid_payload topic=%s error=%s", delivery.topic, error.__class__.__name__
            )
            return _error(400, "invalid_payload", f"the {delivery.topic} payload lacks or misspells a field")
        status = "duplicate" if outcome is None else outcome.value
        logger.info("shopify.webhook topic=%s outcome=%s", delivery.topic, status)
        return response.json({"status": status})


__all__ = ["ShopifyWebhookInput"]
