"""A recording aiohttp server on a free 127.0.0.1 port, the base of the fake vendor APIs."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from aiohttp import web


@dataclass
class RecordedRequest:
    """One request as the fake received it (``body`` is parsed JSON or form fields)."""

    method: str
    path: str
    headers: Dict[str, str]
    body: Any
    status: int = 0


@dataclass
class FakeServer:
    """Start with :meth:`start`, stop with :meth:`stop`; ``requests`` lists what arrived."""

    requests: List[RecordedRequest] = field(default_factory=list)
    base_url: str = ""
    port: int = 0  # 0: any free port
    _runner: Optional[web.AppRunner] = None

    def routes(self, app: web.Application) -> None:
        raise NotImplementedError

    def _answer(self, request: web.Request, body: Any) -> web.Response:
        """The fake API's answer to one request whose body :meth:`_handle_json` read."""
        raise NotImplementedError

    async def _handle_json(self, request: web.Request) -> web.Response:
        """Record a request with a JSON body (kept as text when it is not JSON), then answer it."""
        raw = await request.read()
        try:
            body: Any = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode("utf-8", "replace")
        record = RecordedRequest(request.method, request.path, dict(request.headers), body)
        self.requests.append(record)
        answer = self._answer(request, body)
        record.status = answer.status
        return answer

    async def start(self) -> FakeServer:
        app = web.Application()
        self.routes(app)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self.port)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base_url = f"http://127.0.0.1:{port}"
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def accepted(self) -> List[RecordedRequest]:
        """Requests the fake answered with success."""
        return [request for request in self.requests if 200 <= request.status < 300]
