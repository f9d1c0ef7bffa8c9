"""Talk to the agent console API and to the shopper's socket.io channel the way real clients do."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any, Callable, Dict, List, Optional, Tuple

import aiohttp
import requests
import socketio

from storefront.widget_auth import issue_customer_token
from tools.launcher import Stack

TOKEN = "test-agent-token"  # tests/conftest.py: TEST_AGENT_TOKEN


class ApiClient:
    """An integration using the JSON API with the console token (it acts as ``integration``)."""

    def __init__(self, stack: Stack, token: str = TOKEN, **headers: str) -> None:
        self.base = f"{stack.rasa_url}/webhooks/agent_console"
        self.headers = {"Authorization": f"Bearer {token}", **headers}

    def get(self, path: str, **params: Any) -> requests.Response:
        return requests.get(f"{self.base}/{path}", headers=self.headers, params=params, timeout=30)

    def post(self, path: str, body: Optional[Dict[str, Any]] = None) -> requests.Response:
        return requests.post(f"{self.base}/{path}", headers=self.headers, json=body or {}, timeout=60)


class Console:
    """An agent signed in to the console the way a person is: the sign-in form, then a cookie.

    The session's stack has no agent accounts, so the console token signs anyone in (the
    bootstrap mode); every request carries the console's ``X-Requested-With`` header.
    """

    def __init__(self, stack: Stack, agent: str, token: str = TOKEN) -> None:
        self.base = f"{stack.rasa_url}/webhooks/agent_console"
        self.agent = agent
        self.session = requests.Session()
        self.session.headers["X-Requested-With"] = "console"
        signed_in = self.session.post(
            f"{self.base}/login", data={"agent": agent, "token": token}, allow_redirects=False, timeout=30
        )
        assert signed_in.status_code == 303, f"{agent} could not sign in: {signed_in.status_code}"

    def get(self, path: str, **params: Any) -> requests.Response:
        return self.session.get(f"{self.base}/{path}", params=params, timeout=30)

    def post(self, path: str, body: Optional[Dict[str, Any]] = None) -> requests.Response:
        return self.session.post(f"{self.base}/{path}", json=body or {}, timeout=60)

    def handoff_for(self, conversation_id: str) -> Dict[str, Any]:
        """The open handoff of a conversation (fails the test when there is none)."""
        reply = self.get("api/handoffs", status="open")
        reply.raise_for_status()
        found = [h for h in reply.json()["handoffs"] if h["conversation_id"] == conversation_id]
        assert len(found) == 1, f"expected one open handoff for {conversation_id}, got {found}"
        return found[0]

    def detail(self, handoff_id: int) -> Dict[str, Any]:
        reply = self.get(f"api/handoffs/{handoff_id}")
        reply.raise_for_status()
        return reply.json()

    def wait_for_transcript(
        self, handoff_id: int, check: Callable[[List[Dict[str, Any]]], bool]
    ) -> Dict[str, Any]:
        """Poll the detail until ``check(transcript)`` holds (the server stores messages asynchronously)."""
        deadline = time.monotonic() + 60
        while True:
            detail = self.detail(handoff_id)
            if check(detail["transcript"]):
                return detail
            assert time.monotonic() < deadline, f"transcript never matched: {detail['transcript']}"
            time.sleep(0.3)


class Browser:
    """A person in a browser (async): a cookie jar that accepts IP-address cookies, and form posts.

    ``last`` keeps the latest answer's status and headers (``Set-Cookie``, ``Retry-After``).
    """

    COOKIE = "storefront_agent"

    def __init__(self, base: str) -> None:
        self.base = base
        self.session = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        self.last: Tuple[int, Dict[str, List[str]]] = (0, {})

    async def __aenter__(self) -> Browser:
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.session.close()

    def _keep(self, reply: aiohttp.ClientResponse) -> int:
        headers: Dict[str, List[str]] = {}
        for name, value in reply.headers.items():
            headers.setdefault(name.lower(), []).append(value)
        self.last = (reply.status, headers)
        return reply.status

    async def login(self, name: str, secret: str, headers: Optional[Dict[str, str]] = None) -> int:
        form = {"agent": name, "token": secret}
        async with self.session.post(
            f"{self.base}/login", data=form, allow_redirects=False, headers=headers
        ) as reply:
            return self._keep(reply)

    async def logout(self) -> int:
        async with self.session.post(f"{self.base}/logout", allow_redirects=False) as reply:
            return self._keep(reply)

    async def me(self) -> Tuple[int, Dict[str, Any]]:
        async with self.session.get(f"{self.base}/api/me") as reply:
            return self._keep(reply), await reply.json()

    async def page(self) -> int:
        async with self.session.get(f"{self.base}/") as reply:
            return self._keep(reply)

    def session_token(self) -> Optional[str]:
        """The session token the browser holds (None when it holds none)."""
        for cookie in self.session.cookie_jar:
            if cookie.key == self.COOKIE and cookie.value:
                return cookie.value
        return None


class Shopper:
    """A website widget: a python-socketio client (polling transport) with a persistent session."""

    def __init__(self, stack: Stack, session_id: str) -> None:
        self.stack = stack
        self.session_id = session_id
        self.client = socketio.AsyncClient()
        self.replies: asyncio.Queue = asyncio.Queue()

    async def connect(self) -> Shopper:
        confirmed: asyncio.Future = asyncio.get_running_loop().create_future()

        @self.client.on("session_confirm")
        async def on_confirm(data: Any) -> None:
            if not confirmed.done():
                confirmed.set_result(data)

        @self.client.on("bot_uttered")
        async def on_bot(data: Dict[str, Any]) -> None:
            await self.replies.put(data)

        await self.client.connect(self.stack.rasa_url, socketio_path="/socket.io", transports=["polling"])
        await self.client.emit("session_request", {"session_id": self.session_id})
        assert await asyncio.wait_for(confirmed, 30) == self.session_id
        return self

    async def say(self, text: str, metadata: Optional[Dict[str, Any]] = None) -> None:
        await self.client.emit(
            "user_uttered", {"message": text, "session_id": self.session_id, "customData": metadata or {}}
        )

    async def receive(self, count: int = 1) -> List[Dict[str, Any]]:
        return [await asyncio.wait_for(self.replies.get(), 60) for _ in range(count)]

    def pending(self) -> List[Dict[str, Any]]:
        """Replies that arrived and were not read yet."""
        items = []
        while not self.replies.empty():
            items.append(self.replies.get_nowait())
        return items

    async def close(self) -> None:
        await self.client.disconnect()


async def verified_shopper_hands_off(stack: Stack, email: str, secret: str) -> Tuple[Shopper, Dict[str, Any]]:
    """A website shopper signed in as ``email`` (the widget's token, signed with ``secret``) asks
    for a person on the socket; returns the connected shopper and the open handoff. The
    assistant's handoff replies are read, so the shopper's queue holds only what comes next."""
    shopper = await Shopper(stack, uuid.uuid4().hex).connect()
    token = issue_customer_token(secret, email, ttl_seconds=600, now=time.time())
    await shopper.say("/human_handoff", {"customer_token": token})
    await shopper.receive()
    handoff = await asyncio.to_thread(Console(stack, "observer").handoff_for, shopper.session_id)
    await asyncio.sleep(1.0)
    shopper.pending()
    return shopper, handoff
