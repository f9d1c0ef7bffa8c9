"""Agent console accounts: one password per person, the shared token only until accounts exist."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Optional

import pytest
from sqlalchemy import select

from store import agents
from store.agent_sessions import open_session, session_agent
from store.db import make_engine, session_scope
from store.models import Agent
from store.schema import migrate
from storefront.handoff.channel import AgentConsoleInput
from tests.channels.conftest import Collector, serve
from tests.handoff.console_client import Browser
from tests.handoff.support import private_store  # noqa: F401 (fixture)

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "console-token-for-accounts"


@pytest.fixture()
def fresh_store(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'agents.db'}"
    migrate(make_engine(url))
    return url


def test_passwords_are_stored_as_salted_scrypt_hashes(fresh_store: str) -> None:
    with session_scope(make_engine(fresh_store)) as session:
        assert not agents.accounts_exist(session)
        password = agents.add_agent(session, "  Sam   Lee ")
        stored = session.execute(select(Agent)).scalar_one()
        assert stored.name == "Sam Lee" and password not in stored.password_hash
        assert stored.password_hash.startswith("scrypt$")
        assert agents.hash_password(password) != stored.password_hash  # a fresh salt each time
        assert agents.accounts_exist(session)


def test_sign_in_needs_the_right_password_of_an_active_account(fresh_store: str) -> None:
    with session_scope(make_engine(fresh_store)) as session:
        password = agents.add_agent(session, "Sam Lee")
        assert agents.sign_in(session, "sam lee", password) == "Sam Lee"
        assert agents.sign_in(session, "Sam Lee", password + "x") is None
        assert agents.sign_in(session, "Kim", password) is None
        agents.set_active(session, "Sam Lee", False)
        assert agents.sign_in(session, "Sam Lee", password) is None


@pytest.mark.parametrize(
    ("name", "password", "message"),
    [("", None, "1 to 60 printable"), ("x" * 61, None, "1 to 60 printable"), ("Kim", "short", "at least 10"),
     ("SAM LEE", None, "'Sam Lee' already exists")],
)  # fmt: skip
def test_bad_accounts_are_refused_with_a_reason(
    fresh_store: str, name: str, password: Optional[str], message: str
) -> None:
    with session_scope(make_engine(fresh_store)) as session:
        agents.add_agent(session, "Sam Lee")
        with pytest.raises(agents.AgentError, match=message):
            agents.add_agent(session, name, password)


def run_cli(url: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "store", "--database-url", url, "agents", *args],
        input=stdin, capture_output=True, text=True, cwd=ROOT, timeout=120,
    )  # fmt: skip


def test_the_cli_adds_lists_and_disables_accounts(fresh_store: str) -> None:
    added = run_cli(fresh_store, "add", "Sam Lee")
    assert added.returncode == 0, added.stderr
    password = added.stdout.split("password (shown once): ")[1].strip()
    assert (
        run_cli(fresh_store, "add", "Kim Park", "--password-stdin", stdin="kims-long-password\n").returncode
        == 0
    )
    assert run_cli(fresh_store, "disable", "kim park").returncode == 0
    listed = run_cli(fresh_store, "list").stdout.splitlines()
    assert [line.split("\t")[:2] for line in listed] == [["Kim Park", "disabled"], ["Sam Lee", "active"]]
    with session_scope(make_engine(fresh_store)) as session:
        assert agents.sign_in(session, "Sam Lee", password) == "Sam Lee"
        assert agents.sign_in(session, "Kim Park", "kims-long-password") is None
    again = run_cli(fresh_store, "add", "sam lee")
    assert again.returncode == 2 and "already exists" in again.stderr
    api_name = run_cli(fresh_store, "add", "Integration")
    assert api_name.returncode == 2 and "reserved for the console's API clients" in api_name.stderr


def test_the_cli_resets_a_password_and_ends_that_agents_sessions(fresh_store: str) -> None:
    engine = make_engine(fresh_store)
    with session_scope(engine) as session:
        old = agents.add_agent(session, "Sam Lee")
        agents.add_agent(session, "Kim Park")
        sams = [open_session(session, "Sam Lee") for _ in range(2)]
        kims = open_session(session, "Kim Park")

    reset = run_cli(fresh_store, "reset-password", "sam lee")
    assert reset.returncode == 0, reset.stderr
    new = reset.stdout.split("password (shown once): ")[1].strip()
    with session_scope(engine) as session:
        assert [session_agent(session, token) for token in sams] == [None, None]
        assert session_agent(session, kims) == "Kim Park"
        assert agents.sign_in(session, "Sam Lee", old) is None
        assert agents.sign_in(session, "Sam Lee", new) == "Sam Lee"

    chosen = run_cli(
        fresh_store, "reset-password", "Kim Park", "--password-stdin", stdin="kims-new-password\n"
    )
    assert chosen.returncode == 0 and "shown once" not in chosen.stdout
    with session_scope(engine) as session:
        assert session_agent(session, kims) is None
        assert agents.sign_in(session, "Kim Park", "kims-new-password") == "Kim Park"

    unknown = run_cli(fresh_store, "reset-password", "Nobody")
    assert (unknown.returncode, unknown.stderr.strip()) == (2, "error: no agent named 'Nobody'")
    short = run_cli(fresh_store, "reset-password", "Kim Park", "--password-stdin", stdin="short\n")
    assert (short.returncode, short.stderr.strip()) == (2, "error: a password needs at least 10 characters")


async def test_accounts_replace_the_shared_token_for_people(private_store: str) -> None:  # noqa: F811
    async with (
        serve(AgentConsoleInput(TOKEN), Collector()) as base,
        Browser(base) as ana,
        Browser(base) as sam,
    ):
        # No accounts yet: the console token and any name sign a person in.
        assert await ana.login("Ana", TOKEN) == 303
        assert await ana.me() == (200, {"agent": "Ana"})

        with session_scope(make_engine(private_store)) as session:
            password = agents.add_agent(session, "Sam Lee")

        # Once an account exists, Ana's token-signed cookie no longer works, nor does the token.
        assert (await ana.me())[0] == 401
        assert await ana.page() == 401
        assert await sam.login("Sam Lee", TOKEN) == 401
        assert await sam.login("Sam Lee", "not-the-password") == 401
        assert await sam.login("sam lee", password) == 303
        assert await sam.me() == (200, {"agent": "Sam Lee"})
        assert await sam.page() == 200

        # Disabling the account signs Sam out at the next request.
        with session_scope(make_engine(private_store)) as session:
            agents.set_active(session, "Sam Lee", False)
        assert (await sam.me())[0] == 401

        # API integrations keep using the token itself, under the integration's own name.
        headers = {"Authorization": f"Bearer {TOKEN}"}
        async with ana.session.get(f"{base}/api/me", headers=headers) as reply:
            assert (reply.status, await reply.json()) == (200, {"agent": "integration"})
