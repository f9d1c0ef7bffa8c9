"""The demo storefront: a product page, a cart and the chat widget, served by ``rasa run`` itself.

A custom input channel (name ``storefront``) whose blueprint, mounted at ``/webhooks/storefront/``,
serves the page and its small JSON API. It receives no chat messages: the widget talks to the
socket.io channel. Routes:

* ``GET /`` the page; ``GET /assets/<file>`` its scripts and styles; ``GET /vendor/socket.io.min.js``
  the ``socket.io-client`` package installed by ``npm ci`` in ``web/``.
* ``GET /api/products`` and ``GET /api/products/<handle>``: the sample store's catalog (``store/``),
  prices as amounts and as shown (:mod:`storefront.channels.storefront_catalog`).
* ``POST /api/cart`` ``{"lines": [{"sku", "quantity"}]}``: the browser's cart at current prices.
* ``POST /api/cart/report`` ``{"session_id", "lines", "customer_token"?, "checked_out"?}``: the
  cart kept for the widget conversation, for cart recovery
  (:mod:`storefront.channels.storefront_cart_report`).
* ``GET /api/greeting[?product=<handle>]``: the chat's greeting and suggested questions for the
  page, from the model's domain (:mod:`storefront.channels.widget_greeting`).
* ``GET /api/widget-labels``: the widget's own words as the store sets them (``widget_labels`` in
  ``store.yaml``, :mod:`storefront.channels.widget_labels`); ``{}`` keeps its English defaults.
* ``GET /api/demo-customers`` and ``POST /api/sign-in``: the demo's "sign in as" control. A real
  store issues the signed customer token from its own login (see :mod:`storefront.widget_auth`);
  here only customers tagged ``demo`` can be signed in, and only while the store is the sample
  store (``python -m store load-sample`` records demo mode, a real ``python -m store import``
  clears it, see :func:`store.info.demo_mode`), whatever ``credentials.yml`` says:
  ``demo_sign_in: false`` there turns the control off even for the sample store.
* ``GET /cart-link`` (signed add-to-cart links of recommendations), ``GET /cart/<id>:<quantity>``
  (the demo store's cart permalink) and ``GET /api/cart-variants/<id>``: see
  :mod:`storefront.channels.storefront_cart`.
* ``POST /api/transcript`` ``{"session_id": ...}``: the widget conversation after a page reload,
  read from the agent's tracker store (the session id is the widget's unguessable secret).
"""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, Optional

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from core.booleans import parse_bool
from core.settings import PROJECT_ROOT
from store.runner import StoreUnavailable, configured_timeout, run_in_session
from storefront.channels.limits import (
    RequestRejected,
    install_request_limit,
    read_json_body,
    rejection_response,
)
from storefront.channels.storefront_cart import cart_variant, demo_cart_permalink, follow_cart_link
from storefront.channels.storefront_cart_report import CartReportError, parse_report, store_report
from storefront.channels.storefront_catalog import (
    cart_lines,
    catalog,
    demo_customers,
    priced_cart,
    product,
    product_title,
)
from storefront.channels.storefront_transcript import transcript_for
from storefront.channels.widget_greeting import widget_greeting
from storefront.channels.widget_labels import widget_labels
from storefront.widget_auth import DEFAULT_TTL_SECONDS, issue_customer_token, signing_secret

logger = logging.getLogger(__name__)

WEB_DIR = PROJECT_ROOT / "web"
PAGE_DIR = WEB_DIR / "storefront"
SOCKET_IO_CLIENT = WEB_DIR / "node_modules" / "socket.io-client" / "dist" / "socket.io.min.js"
ASSETS = {
    "store.js": "text/javascript", "widget.js": "text/javascript", "widget-render.js": "text/javascript",
    "widget-session.js": "text/javascript",
    "store.css": "text/css", "widget.css": "text/css",
}  # fmt: skip
MAX_BODY_BYTES = 4096
MAX_BODY_DEPTH = 4  # {"lines": [{"sku": ...}]} is three levels deep
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
# product pictures in the chat's cards come from the shop's image CDN, over https
PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)


def _json_body(request: Request) -> Dict[str, Any]:
    """The small JSON object the page's API takes (raises :class:`RequestRejected`)."""
    body: Dict[str, Any] = read_json_body(request, max_bytes=MAX_BODY_BYTES, max_depth=MAX_BODY_DEPTH)
    return body


def _json(data: Any, status: int = 200) -> HTTPResponse:
    return response.json(data, status=status, headers=SECURITY_HEADERS)


def _file(path: Path, content_type: str, extra: Optional[Dict[str, str]] = None) -> HTTPResponse:
    try:
        body = path.read_bytes()
    except OSError:
        logger.error("storefront.page.missing_file path=%s", path)
        return _json({"error": f"{path.name} is missing; run `make web` (npm ci in web/)"}, 503)
    headers = {**SECURITY_HEADERS, **(extra or {})}
    return response.raw(body, content_type=f"{content_type}; charset=utf-8", headers=headers)


class StorefrontPageInput(InputChannel):
    """Serves the demo storefront page and its JSON API under ``/webhooks/storefront/``."""

    @classmethod
    def name(cls) -> str:
        return "storefront"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> InputChannel:
        """``demo_sign_in`` (default true: follow the store's demo mode) and ``token_ttl_seconds``."""
        credentials = credentials or {}
        return cls(
            demo_sign_in=parse_bool(credentials.get("demo_sign_in", True), name="demo_sign_in"),
            token_ttl_seconds=int(credentials.get("token_ttl_seconds") or DEFAULT_TTL_SECONDS),
            signing_secret=credentials.get("signing_secret") or None,
        )

    def __init__(
        self,
        *,
        demo_sign_in: bool = True,
        token_ttl_seconds: int = DEFAULT_TTL_SECONDS,
        signing_secret: Optional[str] = None,
    ) -> None:
        """Create the channel.

        Args:
            demo_sign_in: offer the demo's "sign in as" control while the store is the sample
                store (false: never).
            token_ttl_seconds: how long a demo customer token is valid.
            signing_secret: the token signing secret; by default ``WIDGET_SIGNING_SECRET``.
        """
        self.demo_sign_in = demo_sign_in
        self.token_ttl_seconds = token_ttl_seconds
        self._secret = signing_secret

    def secret(self) -> str:
        """The token signing secret (read from the settings on first use)."""
        if self._secret is None:
            self._secret = signing_secret()
        return self._secret

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """The page, its assets and the JSON API."""
        page = Blueprint("storefront_page", __name__)
        install_request_limit(page)

        @page.route("/", methods=["GET"])
        async def index(_: Request) -> HTTPResponse:
            return _file(PAGE_DIR / "index.html", "text/html", {"Content-Security-Policy": PAGE_POLICY})

        @page.route("/assets/<name>", methods=["GET"])
        async def asset(_: Request, name: str) -> HTTPResponse:
            if name not in ASSETS:  # a fixed list: no path from the URL ever reaches the disk
                return _json({"error": "not found"}, 404)
            return _file(PAGE_DIR / name, ASSETS[name])

        @page.route("/vendor/socket.io.min.js", methods=["GET"])
        async def socket_io_client(_: Request) -> HTTPResponse:
            return _file(SOCKET_IO_CLIENT, "text/javascript")

        @page.route("/api/products", methods=["GET"])
        async def products(_: Request) -> HTTPResponse:
            return await self._store_json(catalog)

        @page.route("/api/products/<handle>", methods=["GET"])
        async def one_product(_: Request, handle: str) -> HTTPResponse:
            return await self._store_json(product, handle=handle)

        @page.route("/api/cart-variants/<cart_id:int>", methods=["GET"])
        async def one_cart_variant(_: Request, cart_id: int) -> HTTPResponse:
            return await self._store_json(cart_variant, cart_id=cart_id)

        page.add_route(follow_cart_link, "/cart-link", methods=["GET"])
        page.add_route(demo_cart_permalink, "/cart/<spec>", methods=["GET"])

        @page.route("/api/cart", methods=["POST"])
        async def cart(request: Request) -> HTTPResponse:
            try:
                lines = cart_lines(_json_body(request))
            except RequestRejected as error:
                return rejection_response(error, SECURITY_HEADERS)
            if lines is None:
                return _json({"error": 'send {"lines": [{"sku": ..., "quantity": 1-99}]}'}, 400)
            return await self._store_json(priced_cart, lines=lines)

        @page.route("/api/cart/report", methods=["POST"])
        async def cart_report(request: Request) -> HTTPResponse:
            return await self._cart_report(request)

        @page.route("/api/greeting", methods=["GET"])
        async def greeting(request: Request) -> HTTPResponse:
            return await self._greeting(request)

        @page.route("/api/widget-labels", methods=["GET"])
        async def labels(_: Request) -> HTTPResponse:
            return await self._store_json(widget_labels)

        @page.route("/api/demo-customers", methods=["GET"])
        async def customers(_: Request) -> HTTPResponse:
            if not self.demo_sign_in:
                return _json({"customers": []})
            return await self._store_json(lambda session: {"customers": demo_customers(session)})

        @page.route("/api/sign-in", methods=["POST"])
        async def sign_in(request: Request) -> HTTPResponse:
            return await self._sign_in(request)

        @page.route("/api/transcript", methods=["POST"])
        async def transcript(request: Request) -> HTTPResponse:
            try:
                session_id = _json_body(request).get("session_id")
            except RequestRejected as error:
                return rejection_response(error, SECURITY_HEADERS)
            agent = getattr(request.app.ctx, "agent", None)
            messages = await transcript_for(getattr(agent, "tracker_store", None), session_id)
            if messages is None:
                return _json({"error": "no such widget session"}, 404)
            return _json({"session_id": session_id, "messages": messages})

        return page

    async def _store_json(self, function: Callable[..., Any], **kwargs: Any) -> HTTPResponse:
        try:
            data = await run_in_session(function, timeout=configured_timeout(), **kwargs)
        except StoreUnavailable:
            return _json({"error": "the store is not available right now"}, 503)
        if data is None:
            return _json({"error": "not found"}, 404)
        return _json(data)

    async def _cart_report(self, request: Request) -> HTTPResponse:
        """Store the page's cart for its widget conversation (see :mod:`storefront_cart_report`)."""
        try:
            session_id, lines, email, checked_out = parse_report(_json_body(request), self.secret())
        except RequestRejected as error:
            return rejection_response(error, SECURITY_HEADERS)
        except CartReportError as error:
            return _json({"error": str(error)}, error.status)
        return await self._store_json(
            store_report, session_id=session_id, lines=lines, email=email, checked_out=checked_out
        )

    async def _greeting(self, request: Request) -> HTTPResponse:
        """The widget's greeting for the page (``?product=<handle>`` on a product page)."""
        agent = getattr(request.app.ctx, "agent", None)
        domain = getattr(agent, "domain", None)
        if domain is None:
            return _json({"error": "the assistant is not loaded yet"}, 503)
        handle = request.args.get("product")
        title = None
        if handle:
            # without the store, the greeting for the whole site still helps
            with contextlib.suppress(StoreUnavailable):
                title = await run_in_session(product_title, timeout=configured_timeout(), handle=handle)
        message = widget_greeting(domain.responses, title)
        if message is None:
            return _json({"error": "the domain has no widget greeting"}, 404)
        return _json(message)

    async def _sign_in(self, request: Request) -> HTTPResponse:
        """Issue a customer token for a demo customer (the stand-in for a real store login)."""
        if not self.demo_sign_in:
            return _json({"error": "demo sign-in is switched off"}, 403)
        if not self.secret():
            return _json({"error": "WIDGET_SIGNING_SECRET is not set"}, 503)
        try:
            email = str(_json_body(request).get("email") or "").strip().lower()
        except RequestRejected as error:
            return rejection_response(error, SECURITY_HEADERS)
        try:
            allowed = await run_in_session(demo_customers, timeout=configured_timeout())
        except StoreUnavailable:
            return _json({"error": "the store is not available right now"}, 503)
        match = next((c for c in allowed if c["email"] == email), None)
        if match is None:
            # also every email once a real store is imported: demo_customers() is then empty
            return _json({"error": "only the sample store's demo customers can sign in here"}, 403)
        token = issue_customer_token(self.secret(), email, ttl_seconds=self.token_ttl_seconds)
        return _json(
            {"token": token, "email": email, "name": match["name"], "expires_in": self.token_ttl_seconds}
        )
