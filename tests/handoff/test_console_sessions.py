"""Console sign-ins are server-side sessions: they end on logout, expiry, disabling or a reset.

Each test mounts the console on a real Sanic server (as ``rasa run`` does) over a private copy of
the store, and drives it like a browser or an API client would.
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from datetime import datetime, timedelta, timezone
from typing import AsyncIterator, Dict, Optional

import aiohttp
import pytest
from sqlalchemy import select

from store import agents
from store.agent_sessions import LoginLimits, SessionPolicy, login_retry_after, open_session, session_agent
from store.db import make_engine, session_scope
from store.handoffs import claim_handoff, create_handoff
from store.models import AgentLoginFailure, AgentSession
from storefront.handoff.channel import AgentConsoleInput
from storefront.handoff.console.config import ConsoleConfig
from tests.channels.conftest import Collector, serve
from tests.handoff.console_client import Browser
from tests.handoff.support import private_store  # noqa: F401 (fixture)

TOKEN = "console-token-for-sessions"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def store_url(private_store: str) -> str:  # noqa: F811
    """The private store without the sessions and failed sign-ins other tests left in the copy."""
    engine = make_engine(private_store)
    with engine.begin() as connection:
        connection.execute(AgentSession.__table__.delete())
        connection.execute(AgentLoginFailure.__table__.delete())
    engine.dispose()
    return private_store


def add_accounts(url: str, *names: str) -> Dict[str, str]:
    with session_scope(make_engine(url)) as session:
        return {name: agents.add_agent(session, name) for name in names}


@asynccontextmanager
async def console(config: Optional[ConsoleConfig] = None) -> AsyncIterator[str]:
    async with serve(AgentConsoleInput(TOKEN, config=config), Collector()) as base:
        yield base


async def get_status(base: str, path: str, headers: Dict[str, str]) -> int:
    async with aiohttp.ClientSession() as client, client.get(f"{base}/{path}", headers=headers) as reply:
        return reply.status


# --- logout, disabling, password reset --------------------------------------------------------


async def test_logout_ends_the_session_on_the_server(store_url: str) -> None:
    async with console() as base, Browser(base) as ana:
        assert await ana.login("Ana", TOKEN) == 303
        stolen = ana.session_token()
        assert stolen and await ana.me() == (200, {"agent": "Ana"})

        assert await ana.logout() == 303
        assert ana.session_token() is None

        # the old cookie, replayed from a copy, opens nothing any more
        replayed = {"Cookie": f"{Browser.COOKIE}={stolen}"}
        assert await get_status(base, "api/me", replayed) == 401
        assert await get_status(base, "", replayed) == 401


async def test_disabling_an_agent_ends_all_their_sessions_at_once(store_url: str) -> None:
    passwords = add_accounts(store_url, "Sam Lee", "Kim Park")
    async with console() as base, Browser(base) as laptop, Browser(base) as phone, Browser(base) as kim:
        for browser, name in ((laptop, "Sam Lee"), (phone, "Sam Lee"), (kim, "Kim Park")):
            assert await browser.login(name, passwords[name]) == 303

        with session_scope(make_engine(store_url)) as session:
            agents.set_active(session, "sam lee", False)
        assert [(await b.me())[0] for b in (laptop, phone, kim)] == [401, 401, 200]

        # the sessions were ended, not just paused: enabling the account does not revive them
        with session_scope(make_engine(store_url)) as session:
            agents.set_active(session, "Sam Lee", True)
        assert [(await b.me())[0] for b in (laptop, phone)] == [401, 401]
        assert await laptop.login("Sam Lee", passwords["Sam Lee"]) == 303
        assert await laptop.me() == (200, {"agent": "Sam Lee"})


async def test_a_password_reset_ends_sessions_and_retires_the_old_password(store_url: str) -> None:
    old = add_accounts(store_url, "Sam Lee")["Sam Lee"]
    async with console() as base, Browser(base) as sam:
        assert await sam.login("Sam Lee", old) == 303
        with session_scope(make_engine(store_url)) as session:
            new = agents.reset_password(session, "Sam Lee")
        assert new != old and (await sam.me())[0] == 401
        assert await sam.login("Sam Lee", old) == 401
        assert await sam.login("Sam Lee", new) == 303
        assert await sam.me() == (200, {"agent": "Sam Lee"})


# --- expiry -------------------------------------------------------------------------------------


def test_a_session_ends_when_idle_and_at_its_absolute_expiry(store_url: str) -> None:
    policy = SessionPolicy(idle=timedelta(minutes=30), lifetime=timedelta(hours=2))
    add_accounts(store_url, "Sam Lee")
    with session_scope(make_engine(store_url)) as session:
        idle = open_session(session, "Sam Lee", now=T0, policy=policy)
        busy = open_session(session, "Sam Lee", now=T0, policy=policy)

        assert session_agent(session, idle, now=T0 + timedelta(minutes=29), policy=policy) == "Sam Lee"
        # each use restarts the idle clock: used at 0:29 and 0:58, idle for 31 minutes at 1:29
        assert session_agent(session, idle, now=T0 + timedelta(minutes=58), policy=policy) == "Sam Lee"
        assert session_agent(session, idle, now=T0 + timedelta(minutes=89), policy=policy) is None

        # a session used every 20 minutes never idles, but still ends after its lifetime
        minutes = list(range(20, 120, 20))
        assert [
            session_agent(session, busy, now=T0 + timedelta(minutes=m), policy=policy) for m in minutes
        ] == ["Sam Lee"] * len(minutes)
        assert session_agent(session, busy, now=T0 + timedelta(minutes=120), policy=policy) is None

        assert session_agent(session, "not-a-token", now=T0, policy=policy) is None
        stored = session.execute(select(AgentSession.token_hash)).scalars().all()
        assert idle not in stored and busy not in stored  # only hashes are kept


async def test_the_console_refuses_an_idle_session_and_its_cookie_lasts_the_lifetime(store_url: str) -> None:
    config = ConsoleConfig(
        TOKEN, sessions=SessionPolicy(idle=timedelta(minutes=5), lifetime=timedelta(hours=3))
    )
    async with console(config) as base, Browser(base) as ana:
        assert await ana.login("Ana", TOKEN) == 303
        assert "Max-Age=10800" in ana.last[1]["set-cookie"][0]
        assert (await ana.me())[0] == 200
        with session_scope(make_engine(store_url)) as session:
            for row in session.execute(select(AgentSession)).scalars():
                row.last_seen_at -= timedelta(minutes=6)
        assert (await ana.me())[0] == 401


# --- throttling ---------------------------------------------------------------------------------


async def test_failed_sign_ins_are_throttled_per_name_across_restarts(store_url: str) -> None:
    passwords = add_accounts(store_url, "Sam Lee", "Kim Park")
    async with console() as base, Browser(base) as guesser:
        assert [await guesser.login("Sam Lee", f"guess-{n}") for n in range(5)] == [401] * 5
        # the sixth attempt is refused before any password is checked, even the right one
        assert await guesser.login("sam lee", passwords["Sam Lee"]) == 429
        assert 0 < int(guesser.last[1]["retry-after"][0]) <= 15 * 60
        # another name from the same address is not locked out
        assert await guesser.login("Kim Park", passwords["Kim Park"]) == 303

    # a restarted server counts the same failures (they are kept in the store)
    async with console() as base, Browser(base) as later:
        assert await later.login("Sam Lee", passwords["Sam Lee"]) == 429


async def test_failed_sign_ins_are_throttled_per_address(store_url: str) -> None:
    passwords = add_accounts(store_url, "Kim Park")
    limit = LoginLimits().per_address
    async with console() as base, Browser(base) as sprayer:
        assert [await sprayer.login(f"Agent {n}", "Password1!") for n in range(limit)] == [401] * limit
        assert await sprayer.login("Kim Park", passwords["Kim Park"]) == 429
        assert "retry-after" in sprayer.last[1]


def test_the_throttle_lifts_when_old_failures_leave_the_window(store_url: str) -> None:
    limits = LoginLimits(per_name=5, per_address=20, window=timedelta(minutes=15))
    with session_scope(make_engine(store_url)) as session:
        for minute in range(5):
            session.add(
                AgentLoginFailure(agent_key="sam lee", client="10.0.0.7", at=T0 + timedelta(minutes=minute))
            )
        session.flush()
        assert (
            login_retry_after(session, "Sam Lee", "10.0.0.9", now=T0 + timedelta(minutes=4), limits=limits)
            == 660
        )
        at_expiry = T0 + timedelta(minutes=15)
        assert login_retry_after(session, "Sam Lee", "10.0.0.9", now=at_expiry, limits=limits) is None
        assert (
            login_retry_after(session, "Kim", "10.0.0.7", now=T0 + timedelta(minutes=5), limits=limits)
            is None
        )


# --- cookie flags -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("trust", "forwarded", "secure"),
    [(False, None, False), (False, "https", False), (True, "http", False), (True, "https", True),
     (True, "https, http", True)],
)  # fmt: skip
async def test_cookies_are_secure_when_the_request_came_over_https(
    store_url: str, trust: bool, forwarded: Optional[str], secure: bool
) -> None:
    config = ConsoleConfig(TOKEN, trust_forwarded_proto=trust)
    headers = {"X-Forwarded-Proto": forwarded} if forwarded else {}
    async with console(config) as base, Browser(base) as ana:
        assert await ana.login("Ana", TOKEN, headers=headers) == 303
        flags = [part.strip() for part in ana.last[1]["set-cookie"][0].split(";")]
        assert {"HttpOnly", "SameSite=Strict", "Path=/webhooks/agent_console"} <= set(flags)
        assert ("Secure" in flags) is secure


# --- the API token's identity and bad input -----------------------------------------------------


async def test_the_console_token_acts_as_the_integration_never_as_a_person(store_url: str) -> None:
    add_accounts(store_url, "Sam Lee", "Kim Park")
    with session_scope(make_engine(store_url)) as session:
        agents.set_active(session, "Kim Park", False)
    bearer = {"Authorization": f"Bearer {TOKEN}"}
    async with console() as base, aiohttp.ClientSession() as client:
        async with client.get(f"{base}/api/me", headers=bearer) as reply:
            assert (reply.status, await reply.json()) == (200, {"agent": "integration"})
        async with client.get(f"{base}/api/me", headers={**bearer, "X-Agent-Name": "Integration"}) as reply:
            assert (reply.status, await reply.json()) == (200, {"agent": "integration"})
        for name in ("Kim Park", "Sam Lee", "Anyone"):
            posing = {**bearer, "X-Agent-Name": name}
            assert await get_status(base, "api/me", posing) == 403
            async with client.post(f"{base}/api/handoffs/1/claim", headers=posing) as reply:
                assert reply.status == 403
                assert "cannot act as another agent" in (await reply.json())["error"]


@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [("{not json", "application/json", "the body is not valid JSON"),
     ("[1, 2]", "application/json", "send a JSON object as the body"),
     ("", "application/json", "send a JSON object as the body"),
     ('{"text": "   "}', "application/json", "text must be 1 to 2000 characters"),
     ('{"text": 7}', "application/json", "text must be 1 to 2000 characters"),
     ('{"text": ' + "[" * 5000 + "]" * 5000 + "}", "application/json",
      "the request body nests deeper than 32 levels.")],
)  # fmt: skip
async def test_a_bad_reply_body_is_a_json_400(
    store_url: str, body: str, content_type: str, message: str
) -> None:
    with session_scope(make_engine(store_url)) as session:
        handoff = create_handoff(
            session, conversation_id="bad-json", channel="rest", reason="requested", summary="", context={}
        )
        assert claim_handoff(session, handoff_id=handoff.id, agent="integration")
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": content_type}
    async with console() as base, aiohttp.ClientSession() as client:
        url = f"{base}/api/handoffs/{handoff.id}/messages"
        async with client.post(url, data=body, headers=headers) as reply:
            assert (reply.status, await reply.json()) == (400, {"error": message})
        async with client.post(f"{base}/api/handoffs/999999/messages", data=body, headers=headers) as reply:
            assert (reply.status, await reply.json()) == (404, {"error": "no handoff 999999"})


async def test_a_store_that_cannot_answer_is_a_json_503(tmp_path, use_store) -> None:
    """The console says the store is down (503, JSON) instead of failing with a 500 page."""
    unreadable = tmp_path / "store-is-a-folder"
    unreadable.mkdir()
    use_store(f"sqlite:///{unreadable}")  # SQLite cannot open a folder as its database
    async with console() as base, aiohttp.ClientSession() as client:
        headers = {"Authorization": f"Bearer {TOKEN}"}
        async with client.get(f"{base}/api/handoffs", headers=headers) as reply:
            assert reply.status == 503
            assert (await reply.json())["error"].startswith("The store is not answering")
