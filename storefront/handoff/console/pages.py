"""The console's page, sign-in, sign-out and static files.

``GET /`` serves the console to a signed-in agent and the sign-in form (401) to anyone else;
``POST /login`` opens a server-side session, or answers 401, or 429 with ``Retry-After`` once a
name or an address has failed too often; ``POST /logout`` ends the session on the server.
"""

from __future__ import annotations

import math

from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from store.agent_sessions import revoke_session, signed_in_agents
from store.agents import attempt_sign_in
from store.handoff_claims import claims_of
from storefront.handoff.console.auth import (
    COOKIE_NAME,
    authenticate,
    clean_agent_name,
    clear_session_cookie,
    client_address,
    set_session_cookie,
)
from storefront.handoff.console.claims import release_to_queue
from storefront.handoff.console.config import config_of
from storefront.handoff.console.feed import wake
from storefront.handoff.console.queue import desk
from storefront.handoff.console.responses import NO_STORE, ConsoleError, error, page
from storefront.handoff.console.runner import run_store

STATIC_FILES = {
    "console.js": "text/javascript",
    "console-base.js": "text/javascript",
    "console-extras.js": "text/javascript",
    "console.css": "text/css",
}
WRONG_SIGN_IN = "Wrong name or password, or no name given."


async def console_page(request: Request) -> HTTPResponse:
    """The console for a signed-in agent, else the sign-in form."""
    try:
        identity = await authenticate(request)
    except ConsoleError:
        identity = None
    if identity is None:
        return page(request, "login.html", status=401)
    return page(request, "index.html")


async def login(request: Request) -> HTTPResponse:
    """Check the form's name and password; open a session and set its cookie."""
    config = config_of(request)
    attempt = await run_store(
        attempt_sign_in,
        name=clean_agent_name(request.form.get("agent")),
        password=request.form.get("token") or "",
        client=client_address(request),
        bootstrap_secret=config.token,
        policy=config.sessions,
        limits=config.limits,
    )
    if attempt.retry_after is not None:
        minutes = math.ceil(attempt.retry_after / 60)
        return page(
            request, "login.html", status=429,
            alert=f"Too many failed sign-ins. Try again in {minutes} minute{'s' if minutes != 1 else ''}.",
            headers={"Retry-After": str(attempt.retry_after)},
        )  # fmt: skip
    if attempt.token is None:
        return page(request, "login.html", status=401, alert=WRONG_SIGN_IN)
    reply = response.redirect("./", status=303)
    set_session_cookie(request, reply, attempt.token)
    return reply


async def logout(request: Request) -> HTTPResponse:
    """End this browser's session on the server and drop its cookie.

    When that was the agent's last session, the conversations they held go back to the queue at
    once and their shoppers are told (the watcher would find them, a tick later).
    """
    try:
        identity = await authenticate(request)
    except ConsoleError:
        identity = None
    await run_store(revoke_session, token=request.cookies.get(COOKIE_NAME))
    if identity is not None and identity.via_cookie:
        await release_claims_of_absent(request, identity.name)
    reply = response.redirect("./", status=303)
    clear_session_cookie(request, reply)
    return reply


async def static_file(request: Request, name: str) -> HTTPResponse:
    """The page's script and style (no secrets in them)."""
    if name not in STATIC_FILES:
        return error(404, "not found")
    body = (config_of(request).console_dir / name).read_text(encoding="utf-8")
    return response.text(body, content_type=STATIC_FILES[name], headers=NO_STORE)


async def release_claims_of_absent(request: Request, agent: str) -> None:
    """Put ``agent``'s conversations back in the queue unless they are still signed in elsewhere."""
    present = await run_store(signed_in_agents, policy=config_of(request).sessions)
    if agent.casefold() in (name.casefold() for name in present):
        return
    held = await run_store(claims_of, agent=agent)
    if not held:
        return
    conversations = desk(request)
    for handoff in held:
        await release_to_queue(conversations, handoff, agent, "signed_out")
    wake(request)
