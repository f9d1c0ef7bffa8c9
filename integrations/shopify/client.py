"""The Shopify Admin GraphQL API: one endpoint, one token, a cost-based rate limit.

Every request is ``POST {admin url}/admin/api/{version}/graphql.json`` with the custom app's
``X-Shopify-Access-Token``. Shopify meters queries by cost: each answer carries
``extensions.cost.throttleStatus`` (``currentlyAvailable`` points of ``maximumAvailable``, refilled
at ``restoreRate`` per second). A request that costs more than is available is answered with an
``errors[].extensions.code == "THROTTLED"`` error and no data; the client then waits until the
bucket holds the requested cost and tries again. After a success it also waits before the next
request when the bucket is lower than the last request's cost, so a long sync rarely meets a
refusal at all. The limits differ by plan, so none are hard-coded: they come from the answers.

Mutations report what the store refused (an order already fulfilled, an item not returnable) as
``userErrors`` in their payload rather than as GraphQL errors: :meth:`AdminClient.mutate` returns
them as :class:`UserError` values for the caller to turn into a shopper's answer.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Dict, Mapping, Optional, Tuple

import aiohttp

from core.settings import Settings, get_settings

logger = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]

TOKEN_HEADER = "X-Shopify-Access-Token"  # noqa: S105 (a header name)
THROTTLED = "THROTTLED"


class ShopifyError(RuntimeError):
    """Shopify could not be reached, refused the request, or answered with GraphQL errors."""


class ShopifyThrottled(ShopifyError):
    """Still throttled after every attempt the client allows."""


@dataclass(frozen=True)
class ShopifyConnection:
    """Where the shop's Admin API is and how to sign in to it (the token stays out of repr)."""

    shop_domain: str
    api_version: str
    admin_url: str
    token: str = field(repr=False)
    webhook_secret: str = field(repr=False, default="")

    @property
    def graphql_url(self) -> str:
        return f"{self.admin_url.rstrip('/')}/admin/api/{self.api_version}/graphql.json"


def connection_from_settings(settings: Optional[Settings] = None) -> Optional[ShopifyConnection]:
    """The configured shop, or None while the shop domain or the Admin token is not set."""
    settings = settings or get_settings()
    if not (settings.shopify_shop_domain and settings.shopify_admin_token):
        return None
    return ShopifyConnection(
        shop_domain=settings.shopify_shop_domain,
        api_version=settings.shopify_api_version,
        admin_url=settings.shopify_admin_url or f"https://{settings.shopify_shop_domain}",
        token=settings.shopify_admin_token,
        webhook_secret=settings.shopify_webhook_secret,
    )


@dataclass(frozen=True)
class UserError:
    """Something a mutation refused: the input ``field`` path, Shopify's message and code."""

    field: Tuple[str, ...]
    message: str
    code: Optional[str] = None


@dataclass(frozen=True)
class MutationResult:
    """A mutation's payload (``data[mutation name]``) and the user errors it reported."""

    payload: Mapping[str, Any]
    user_errors: Tuple[UserError, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.user_errors


@dataclass(frozen=True)
class ThrottleStatus:
    """The cost bucket as Shopify last reported it."""

    maximum: float
    available: float
    restore_rate: float

    @classmethod
    def from_extensions(cls, extensions: Any) -> Optional[ThrottleStatus]:
        try:
            status = extensions["cost"]["throttleStatus"]
            return cls(
                float(status["maximumAvailable"]),
                float(status["currentlyAvailable"]),
                float(status["restoreRate"]),
            )
        except (KeyError, TypeError, ValueError):
            return None

    def seconds_until(self, cost: float) -> float:
        """How long until the bucket holds ``cost`` points (0 when it does already)."""
        missing = min(cost, self.maximum) - self.available
        return max(0.0, missing / self.restore_rate) if self.restore_rate > 0 else 0.0


def _requested_cost(extensions: Any) -> float:
    try:
        return float(extensions["cost"]["requestedQueryCost"])
    except (KeyError, TypeError, ValueError):
        return 0.0


def _user_errors(payload: Mapping[str, Any], key: str) -> Tuple[UserError, ...]:
    return tuple(
        UserError(
            tuple(str(part) for part in error.get("field") or ()),
            str(error.get("message", "")),
            error.get("code"),
        )
        for error in payload.get(key) or ()
    )


class AdminClient:
    """Send GraphQL documents to one shop, honouring its rate limit.

    Use as ``async with AdminClient(connection) as client:``; ``sleep`` is the waiting seam (tests
    pass one that records the waits instead of spending them).
    """

    def __init__(
        self,
        connection: ShopifyConnection,
        *,
        sleep: Sleep = asyncio.sleep,
        max_attempts: int = 6,
        timeout: float = 10.0,
    ) -> None:
        self.connection = connection
        self._sleep = sleep
        self._max_attempts = max_attempts
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: Optional[aiohttp.ClientSession] = None
        self._bucket: Optional[ThrottleStatus] = None
        self._last_cost = 0.0

    async def __aenter__(self) -> AdminClient:
        self._session = aiohttp.ClientSession(timeout=self._timeout)
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def query(self, document: str, variables: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
        """The ``data`` of a query, after waiting out any throttling.

        Raises:
            ShopifyThrottled: still throttled after ``max_attempts``.
            ShopifyError: no answer, an HTTP error, or GraphQL errors other than throttling.
        """
        for _attempt in range(self._max_attempts):
            await self._pace()
            answer = await self._post(document, variables or {})
            extensions = answer.get("extensions")
            self._bucket = ThrottleStatus.from_extensions(extensions) or self._bucket
            self._last_cost = _requested_cost(extensions) or self._last_cost
            errors = answer.get("errors") or []
            if any((e.get("extensions") or {}).get("code") == THROTTLED for e in errors):
                wait = self._bucket.seconds_until(self._last_cost) if self._bucket else 1.0
                logger.info("Shopify throttled the request; waiting %.2f s", wait)
                await self._sleep(wait)
                self._bucket = None  # waited for it: the bucket holds the cost now
                continue
            if errors:
                raise ShopifyError("; ".join(str(e.get("message")) for e in errors))
            return answer.get("data") or {}
        raise ShopifyThrottled(f"still throttled after {self._max_attempts} attempts")

    async def mutate(
        self,
        document: str,
        variables: Dict[str, Any],
        *,
        name: str,
        errors_key: str = "userErrors",
    ) -> MutationResult:
        """Run mutation ``name``; its ``errors_key`` list comes back as typed user errors."""
        data = await self.query(document, variables)
        payload = data.get(name)
        if not isinstance(payload, dict):
            raise ShopifyError(f"{name} answered without its payload")
        return MutationResult(payload, _user_errors(payload, errors_key))

    async def _pace(self) -> None:
        """Wait while the bucket is lower than the last request cost (spend no refusals)."""
        if self._bucket is not None and self._last_cost:
            wait = self._bucket.seconds_until(self._last_cost)
            if wait > 0:
                await self._sleep(wait)
                self._bucket = None

    async def _post(self, document: str, variables: Dict[str, Any]) -> Dict[str, Any]:
        if self._session is None:
            raise RuntimeError("use AdminClient inside 'async with'")
        headers = {TOKEN_HEADER: self.connection.token, "Content-Type": "application/json"}
        body = {"query": document, "variables": variables}
        try:
            async with self._session.post(self.connection.graphql_url, json=body, headers=headers) as reply:
                if reply.status != 200:
                    raise ShopifyError(f"Shopify answered HTTP {reply.status}: {(await reply.text())[:200]}")
                answer = await reply.json(content_type=None)
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
            raise ShopifyError(f"no answer from Shopify: {error.__class__.__name__}: {error}") from error
        if not isinstance(answer, dict):
            raise ShopifyError("Shopify answered with something other than a JSON object")
        return answer


__all__ = [
    "AdminClient",
    "MutationResult",
    "ShopifyConnection",
    "ShopifyError",
    "ShopifyThrottled",
    "ThrottleStatus",
    "UserError",
    "connection_from_settings",
]
