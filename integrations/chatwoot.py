"""Optional forwarding of a handoff to an external helpdesk (Chatwoot's application API).

Configured in ``endpoints.yml`` under ``helpdesk:`` (values from ``CHATWOOT_*`` variables); the
feature is off while the URL, token, account or inbox is empty. For each handoff we:

1. create a contact in the inbox (``POST /api/v1/accounts/{account}/contacts``) and read the
   contact-inbox ``source_id`` from the reply;
2. create a conversation for it (``POST .../conversations`` with ``source_id``, ``inbox_id``,
   ``contact_id``, ``status: pending``), as an agent bot's conversation starts;
3. add the summary and transcript as a private note (``POST .../conversations/{id}/messages``,
   ``message_type: outgoing``, ``private: true``) so agents read it and the shopper never does;
4. hand it to people with ``POST .../conversations/{id}/toggle_status`` ``{"status": "open"}``.

Every request carries the ``api_access_token`` header. A helpdesk that is down never blocks the
handoff: the console still has it, and the failure is logged.
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional

import aiohttp
import yaml

logger = logging.getLogger(__name__)

_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


class HelpdeskError(RuntimeError):
    """The helpdesk refused or did not answer a request."""


@dataclass(frozen=True)
class ChatwootConfig:
    """Where and as whom to create conversations."""

    url: str
    token: str
    account_id: str
    inbox_id: str
    timeout: float = 10.0

    def api(self, path: str) -> str:
        return f"{self.url.rstrip('/')}/api/v1/accounts/{self.account_id}/{path.lstrip('/')}"


def _substitute(value: Any, env: Mapping[str, str]) -> Any:
    if isinstance(value, str):
        return _VAR.sub(lambda m: env.get(m.group(1), ""), value)
    return value


def load_helpdesk_config(
    path: Optional[Path] = None, env: Optional[Mapping[str, str]] = None
) -> Optional[ChatwootConfig]:
    """Read ``helpdesk:`` from ``endpoints.yml``; None when absent, off or incomplete.

    ``${VAR}`` names are filled from the settings (``env``, or this process's settings), as Rasa
    fills the rest of the file from the environment the launcher gives it.
    """
    from core.settings import PROJECT_ROOT, get_settings, load_settings

    path = path or PROJECT_ROOT / "endpoints.yml"
    try:
        section = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("helpdesk") or {}
    except (OSError, yaml.YAMLError) as error:
        logger.warning("Cannot read the helpdesk section of %s: %s", path, error)
        return None
    values = (load_settings(env) if env is not None else get_settings()).environment()
    resolved = {key: str(_substitute(value, values) or "") for key, value in section.items()}
    if resolved.get("type", "chatwoot") != "chatwoot":
        logger.warning("Unknown helpdesk type %r: forwarding is off", resolved.get("type"))
        return None
    needed = ("url", "token", "account_id", "inbox_id")
    if not all(resolved.get(key) for key in needed):
        return None
    return ChatwootConfig(
        url=resolved["url"], token=resolved["token"], account_id=resolved["account_id"],
        inbox_id=resolved["inbox_id"],
    )  # fmt: skip


def render_note(context: Mapping[str, Any]) -> str:
    """The private note for agents: summary, next step, shopper, orders and the transcript."""
    shopper = context.get("shopper") or {}
    lines: List[str] = [
        f"Handoff from the store assistant ({context.get('reason')}, channel {context.get('channel')})",
        f"Summary: {context.get('summary')}",
        f"Suggested next step: {context.get('next_step')}",
        "Shopper: " + ", ".join(
            str(v) for v in (shopper.get("name"), shopper.get("email"), shopper.get("phone")) if v
        ) + (" (verified)" if shopper.get("verified") else " (not verified)"),
    ]  # fmt: skip
    for order in context.get("orders") or []:
        status = order.get("status", "unverified")
        lines.append(f"Order #{order.get('number')}: {status} {order.get('total', '')}".rstrip())
    lines.append("")
    lines.append("Transcript:")
    for line in context.get("transcript") or []:
        intent = f" [{line['intent']} {line['confidence']}]" if line.get("intent") else ""
        lines.append(f"{line['sender']}: {line['text']}{intent}")
    return "\n".join(lines)


async def _post(
    session: aiohttp.ClientSession, config: ChatwootConfig, path: str, body: Dict[str, Any]
) -> Any:
    async with session.post(config.api(path), json=body, headers={"api_access_token": config.token}) as reply:
        if reply.status >= 300:
            raise HelpdeskError(f"POST {path} -> HTTP {reply.status}: {(await reply.text())[:200]}")
        return await reply.json(content_type=None)


async def forward_to_chatwoot(
    config: ChatwootConfig, *, conversation_id: str, handoff_id: int, context: Mapping[str, Any]
) -> int:
    """Create the Chatwoot conversation for a handoff and open it for agents.

    Returns:
        The Chatwoot conversation id.

    Raises:
        HelpdeskError: a request failed or timed out.
    """
    shopper = context.get("shopper") or {}
    contact: Dict[str, Any] = {
        "inbox_id": int(config.inbox_id),
        "name": shopper.get("name") or f"Shopper {conversation_id[:8]}",
        "identifier": f"storefront:{conversation_id}",
    }
    if shopper.get("email"):
        contact["email"] = shopper["email"]
    if shopper.get("phone"):
        contact["phone_number"] = shopper["phone"]
    timeout = aiohttp.ClientTimeout(total=config.timeout)
    try:
        async with aiohttp.ClientSession(timeout=timeout) as session:
            created = await _post(session, config, "contacts", contact)
            payload = created.get("payload", created)
            contact_id = payload["contact"]["id"]
            source_id = payload["contact_inbox"]["source_id"]
            conversation = await _post(session, config, "conversations", {
                "source_id": source_id, "inbox_id": int(config.inbox_id), "contact_id": contact_id,
                "status": "pending",
                "additional_attributes": {"storefront_conversation_id": conversation_id},
                "custom_attributes": {"handoff_id": handoff_id, "handoff_reason": context.get("reason")},
            })  # fmt: skip
            chatwoot_id = int(conversation["id"])
            await _post(session, config, f"conversations/{chatwoot_id}/messages", {
                "content": render_note(context), "message_type": "outgoing", "private": True,
            })  # fmt: skip
            await _post(session, config, f"conversations/{chatwoot_id}/toggle_status", {"status": "open"})
            return chatwoot_id
    except (aiohttp.ClientError, asyncio.TimeoutError, KeyError, ValueError, TypeError) as error:
        raise HelpdeskError(f"Chatwoot forwarding failed: {error.__class__.__name__}: {error}") from error
