"""What the widget's socket.io output emits for each kind of response (custom payloads included)."""

from __future__ import annotations

from typing import Any, Dict, List, Tuple

import pytest

from storefront.channels.socketio import SocketIOInput, WidgetOutput


class RecordingServer:
    """The part of python-socketio's ``AsyncServer`` an output channel uses: ``emit``."""

    def __init__(self) -> None:
        self.emitted: List[Tuple[str, Any, Dict[str, Any]]] = []

    async def emit(self, event: str, data: Any = None, **kwargs: Any) -> None:
        self.emitted.append((event, data, kwargs))


async def test_a_custom_payload_reaches_the_widget_as_custom() -> None:
    server = RecordingServer()
    output = WidgetOutput(server, "bot_uttered")  # type: ignore[arg-type]
    cards = {"cards": [{"title": "Harbor Rain Shell", "price": "$159.00", "sku": "HRS-NVY-M"}]}
    await output.send_response("a" * 32, {"text": "One you may like:", "custom": dict(cards)})
    assert server.emitted == [
        ("bot_uttered", {"text": "One you may like:"}, {"room": "a" * 32}),
        ("bot_uttered", {"custom": cards}, {"room": "a" * 32}),
    ]


def test_the_channel_pushes_through_the_widget_output() -> None:
    channel = SocketIOInput.from_credentials({"session_persistence": True})
    with pytest.warns(UserWarning, match="cannot be recreated"):  # no server yet: Rasa's own warning
        assert channel.get_output_channel() is None
    channel.sio = RecordingServer()  # type: ignore[assignment]
    assert isinstance(channel.get_output_channel(), WidgetOutput)
