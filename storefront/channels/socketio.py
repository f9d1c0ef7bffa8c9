"""Rasa's socket.io channel, made safe for every python-socketio 5.x release.

Two traps in Rasa 3.6's ``SocketIOInput``:

* python-socketio 5.10 turned ``AsyncServer.enter_room`` into a coroutine. Rasa calls it without
  ``await``, so with ``session_persistence`` the socket never joins its session's room and the
  shopper never receives a reply. We pin python-socketio below 5.10 *and* make ``enter_room``
  safe here, so a future upgrade cannot silently break the widget.
* ``${SOCKETIO_SESSION_PERSISTENCE}`` in ``credentials.yml`` arrives as the string ``"false"``,
  which Python treats as true. We parse it as a boolean.
"""

from __future__ import annotations

import asyncio
import inspect
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOInput as RasaSocketIOInput
from sanic import Blueprint
from socketio import AsyncServer

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def parse_bool(value: Any, *, name: str) -> bool:
    """Read a boolean that may come from YAML (bool) or from an environment variable (text)."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"{name}={value!r} must be true or false")


def make_enter_room_safe(sio: AsyncServer) -> None:
    """Let ``sio.enter_room`` be called without ``await`` whether it is a coroutine or not.

    When python-socketio returns a coroutine, it is scheduled as a task; Rasa's session handler
    awaits ``sio.emit`` right after, which yields to the loop, so the room is joined before the
    client gets ``session_confirm`` and can send its first message.
    """
    original = sio.enter_room

    def enter_room(sid: Text, room: Text, namespace: Optional[Text] = None) -> None:
        result = original(sid, room, namespace=namespace)
        if inspect.isawaitable(result):
            asyncio.ensure_future(result)

    sio.enter_room = enter_room  # type: ignore[method-assign]


class SocketIOInput(RasaSocketIOInput):
    """socket.io channel for the website widget; same protocol and name as Rasa's."""

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        """Build the channel, reading ``session_persistence`` as a real boolean."""
        credentials = dict(credentials or {})
        credentials["session_persistence"] = parse_bool(
            credentials.get("session_persistence", False), name="session_persistence"
        )
        return super().from_credentials(credentials)

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        """Rasa's blueprint, with ``enter_room`` made safe on the server it creates."""
        blueprint = super().blueprint(on_new_message)
        assert self.sio is not None  # set by the parent's blueprint()
        make_enter_room_safe(self.sio)
        return blueprint
