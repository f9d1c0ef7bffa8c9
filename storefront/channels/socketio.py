"""Rasa's socket.io channel, made safe for every python-socketio 5.x release.

Two traps in Rasa 3.6's ``SocketIOInput``:

* python-socketio 5.10 turned ``AsyncServer.enter_room`` into a coroutine. Rasa calls it without
  ``await``, so with ``session_persistence`` the socket never joins its session's room and the
  shopper never receives a reply. We pin python-socketio below 5.10 *and* make ``enter_room``
  safe here, so a future upgrade cannot silently break the widget.
* ``${SOCKETIO_SESSION_PERSISTENCE}`` in ``credentials.yml`` arrives as the string ``"false"``,
  which Python treats as true. We parse it as a boolean.

And three things the storefront needs:

* Shopper identity (the metadata contract, :mod:`storefront.trusted_metadata`): client-supplied
  ``shopper`` and ``client`` keys are dropped, the widget's signed ``customer_token`` (see
  :mod:`storefront.widget_auth`) becomes ``metadata["shopper"] = {"channel": "web", "proved_by":
  "socketio", "verified_email": ...}`` when it is valid, and ``metadata["client"]`` records the
  address of the socket's HTTP request.
* With ``session_persistence`` the client names the conversation. Session ids must look like the
  random ids the widget and Rasa make (32 lowercase hex characters); anything else would let a
  socket write into, and take over the replies of, a WhatsApp or Twilio conversation whose id
  is a phone number. A bad id in ``session_request`` gets a fresh id; a message with one is dropped.
* Input limits (:mod:`storefront.channels.limits`): engine.io refuses any packet larger than the
  longest allowed message plus metadata (python-socketio's ``max_http_buffer_size``, 1 MB by
  default, drops the connection), and the message handler refuses text over ``MAX_MESSAGE_CHARS``
  and metadata over ``MAX_METADATA_BYTES`` or ``MAX_JSON_DEPTH`` with a ``message_rejected`` event
  (``{"code": ..., "error": ...}``) before anything reaches Rasa.
* Several Rasa replicas: when the lock store is Redis (``LOCK_STORE_TYPE=redis``), the socket.io
  server gets python-socketio's ``AsyncRedisManager`` on the same Redis, so a message emitted on
  one replica (an agent's reply from the console, say) reaches a widget connected to another. The
  load balancer must keep a socket.io connection on one replica (sticky sessions, or websocket
  transport only), as for any socket.io deployment. The manager pickles its messages, so that
  Redis must be trusted like the lock store itself.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import re
import uuid
from typing import Any, Awaitable, Callable, Dict, Optional, Set

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOInput as RasaSocketIOInput
from rasa.core.channels.socketio import SocketIOOutput
from sanic import Blueprint
from socketio import AsyncRedisManager, AsyncServer

from core.booleans import parse_bool
from core.settings import Settings, get_settings
from store.consent import Channel
from storefront.channels.limits import (
    DEFAULT_MAX_JSON_DEPTH,
    DEFAULT_MAX_MESSAGE_CHARS,
    DEFAULT_MAX_METADATA_BYTES,
    RequestRejected,
    check_message_text,
    check_metadata,
    install_request_limit,
    limit_settings,
)
from storefront.channels.proactive_replies import with_proactive_context
from storefront.trusted_metadata import CLIENT_KEY, client_record, request_address
from storefront.widget_auth import apply_customer_token, signing_secret, warn_if_weak

logger = logging.getLogger(__name__)

SESSION_ID = re.compile(r"[0-9a-f]{32}")
REJECTED_EVENT = "message_rejected"
# room for the JSON framing around a message (event name, keys, session id, quotes)
PACKET_OVERHEAD_BYTES = 1024
# a character of a message is at most 6 bytes in the packet's JSON ("\\uXXXX")
MAX_BYTES_PER_CHAR = 6


def max_packet_bytes(max_message_chars: int, max_metadata_bytes: int) -> int:
    """The largest engine.io packet a valid message can need: longer ones are refused unread."""
    return max_message_chars * MAX_BYTES_PER_CHAR + max_metadata_bytes + PACKET_OVERHEAD_BYTES


def make_enter_room_safe(sio: AsyncServer) -> None:
    """Let ``sio.enter_room`` be called without ``await`` whether it is a coroutine or not.

    When python-socketio returns a coroutine, it is scheduled as a task; Rasa's session handler
    awaits ``sio.emit`` right after, which yields to the loop, so the room is joined before the
    client gets ``session_confirm`` and can send its first message.
    """
    original = sio.enter_room
    pending: Set[asyncio.Future[Any]] = set()  # keeps scheduled joins alive until they finish

    def enter_room(sid: str, room: str, namespace: Optional[str] = None) -> None:
        result = original(sid, room, namespace=namespace)
        if inspect.isawaitable(result):
            task = asyncio.ensure_future(result)
            pending.add(task)
            task.add_done_callback(pending.discard)

    sio.enter_room = enter_room  # type: ignore[method-assign]


def redis_manager_url(settings: Settings) -> Optional[str]:
    """The Redis URL socket.io replicas share, or None when the lock store is in memory."""
    if settings.lock_store_type != "redis":
        return None
    return f"redis://{settings.lock_store_host}:{settings.lock_store_port}/{settings.lock_store_db}"


def share_through_redis(sio: AsyncServer, url: str) -> None:
    """Give a just-created server a Redis client manager (before any client connects)."""
    manager = AsyncRedisManager(url, channel="storefront-socketio")
    sio.manager = manager
    manager.set_server(sio)
    sio.manager_initialized = False


class WidgetOutput(SocketIOOutput):
    """Rasa's socket.io output, with custom payloads the widget can read.

    Rasa 3.6 emits a custom payload as the keyword arguments of ``sio.emit`` (so ``{"cards": ...}``
    raises a ``TypeError``). Here it goes out as ``{"custom": <payload>}``, the shape the widget
    renders (product cards, handoff markers) and the transcript rebuilds after a reload.
    """

    async def send_custom_json(self, recipient_id: str, json_message: Dict[str, Any], **kwargs: Any) -> None:
        """Emit ``{"custom": json_message}`` to the session (Rasa sends any text before it)."""
        await self._send_message(recipient_id, {"custom": json_message})


def valid_session_id(value: Any) -> bool:
    """Whether ``value`` is a session id the channel accepts (32 lowercase hex characters)."""
    return isinstance(value, str) and SESSION_ID.fullmatch(value) is not None


class SocketIOInput(RasaSocketIOInput):
    """socket.io channel for the website widget; same protocol and name as Rasa's."""

    #: the signing secret for ``customer_token`` (``None``: read ``WIDGET_SIGNING_SECRET``)
    customer_token_secret: Optional[str] = None
    #: the caps on one message (see :mod:`storefront.channels.limits`)
    max_message_chars: int = DEFAULT_MAX_MESSAGE_CHARS
    max_metadata_bytes: int = DEFAULT_MAX_METADATA_BYTES
    max_json_depth: int = DEFAULT_MAX_JSON_DEPTH

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> InputChannel:
        """Build the channel, reading ``session_persistence`` as a real boolean.

        ``customer_token_secret`` may be given in the credentials; by default it is the
        ``WIDGET_SIGNING_SECRET`` setting.
        """
        credentials = dict(credentials or {})
        credentials["session_persistence"] = parse_bool(
            credentials.get("session_persistence", False), name="session_persistence"
        )
        secret = credentials.pop("customer_token_secret", None)
        channel = super().from_credentials(credentials)
        assert isinstance(channel, SocketIOInput)
        channel.customer_token_secret = secret or None
        limits = limit_settings()
        channel.max_message_chars = limits["MAX_MESSAGE_CHARS"]
        channel.max_metadata_bytes = limits["MAX_METADATA_BYTES"]
        channel.max_json_depth = limits["MAX_JSON_DEPTH"]
        return channel

    def _secret(self) -> str:
        if self.customer_token_secret is None:
            self.customer_token_secret = signing_secret()
        return self.customer_token_secret

    def trusted(self, message: UserMessage, address: Optional[str] = None) -> Optional[UserMessage]:
        """The message with trustworthy metadata, or ``None`` when it must be dropped.

        ``address`` is the client's address as the server saw it (the ``client`` record).
        """
        if self.session_persistence and not valid_session_id(message.sender_id):
            logger.warning("socketio.message_dropped reason=bad_session_id")
            return None
        metadata = message.metadata if isinstance(message.metadata, dict) else {}
        message.metadata = apply_customer_token(metadata, self._secret(), proved_by=self.name())
        client = client_record(self.name(), address)
        if client is not None:
            message.metadata[CLIENT_KEY] = client
        return message

    def user_message(self, sid: str, data: Any) -> UserMessage:
        """The message a ``user_uttered`` event carries, within the caps (Rasa's protocol).

        Raises:
            RequestRejected: the event is malformed, its text too long or its metadata too big.
        """
        if not isinstance(data, dict):
            raise RequestRejected(400, "invalid_body", "Send the message as an object.")
        text = check_message_text(data.get("message"), max_chars=self.max_message_chars)
        metadata = check_metadata(
            data.get(self.metadata_key),
            max_bytes=self.max_metadata_bytes,
            max_depth=self.max_json_depth,
            json_text=True,
        )
        sender = data.get("session_id") if self.session_persistence else sid
        if not isinstance(sender, str) or not sender:
            raise RequestRejected(
                400, "missing_session_id", "Ask for a session with 'session_request' first."
            )
        output = WidgetOutput(self.sio, self.bot_message_evt)
        return UserMessage(text, output, sender, input_channel=self.name(), metadata=metadata or {})

    def get_output_channel(self) -> Optional[OutputChannel]:
        """The output for messages pushed outside a reply (the agent console's, say)."""
        if super().get_output_channel() is None:  # warns, as Rasa does, when it cannot push
            return None
        return WidgetOutput(self.sio, self.bot_message_evt)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """Rasa's blueprint, with ``enter_room`` made safe, input capped and shopper identity checked."""
        warn_if_weak(self._secret())
        blueprint = super().blueprint(on_new_message)
        sio = self.sio
        assert sio is not None  # set by the parent's blueprint()
        make_enter_room_safe(sio)
        sio.eio.max_http_buffer_size = max_packet_bytes(self.max_message_chars, self.max_metadata_bytes)
        install_request_limit(blueprint)
        url = redis_manager_url(get_settings())
        if url:
            share_through_redis(sio, url)
            logger.info("socketio.redis_manager url=%s", url)

            @blueprint.listener("after_server_start")
            async def listen_to_other_replicas(_app: Any, _loop: Any) -> None:
                # python-socketio subscribes on the first connection, in a background task, so
                # the first replies on a fresh replica could be published before it listens.
                # Subscribe at start instead.
                if not sio.manager_initialized:
                    sio.manager_initialized = True
                    sio.manager.initialize()

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: str, data: Optional[Dict]) -> None:
            # replaces Rasa's handler: same protocol, but only well-formed session ids are kept
            requested = data.get("session_id") if isinstance(data, dict) else None
            session_id = requested if valid_session_id(requested) else uuid.uuid4().hex
            if self.session_persistence:
                sio.enter_room(sid, session_id)
            await sio.emit("session_confirm", session_id, room=sid)

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: str, data: Any) -> None:
            # replaces Rasa's handler: same protocol, but nothing over the caps reaches Rasa
            # ... and with the checks of trusted() and the address of the socket's request, which
            # only the handler (it knows the sid) can see
            try:
                message = self.user_message(sid, data)
            except RequestRejected as error:
                logger.warning("socketio.message_rejected code=%s", error.code)
                await sio.emit(REJECTED_EVENT, {"code": error.code, "error": error.message}, room=sid)
                return
            environ = sio.get_environ(sid, namespace=self.namespace) or {}
            request = environ.get("sanic.request")
            checked = self.trusted(message, request_address(request) if request is not None else None)
            if checked is not None:
                # a proactive message that named this conversation (a back-in-stock alert asked
                # for here, sent by email): what it was about, for "is it the M?"
                checked.metadata = await with_proactive_context(
                    checked.metadata, channel=Channel.WIDGET, address=None, conversation_id=checked.sender_id
                )
                await on_new_message(checked)

        return blueprint
