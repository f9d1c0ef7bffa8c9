"""Forwarding a handoff to an external helpdesk (Chatwoot's application API), step by step.

Configured in ``endpoints.yml`` under ``helpdesk:`` (values from ``CHATWOOT_*`` variables); the
feature is off while the URL, token, account or inbox is empty. For each handoff we:

1. find the shopper's contact (``POST /api/v1/accounts/{account}/contacts/filter``, an exact
   ``equal_to`` match on identifier, email or E.164 phone: Chatwoot keeps each unique per account
   and answers a duplicate with 422), or create it (``POST .../contacts``); an existing contact
   gets a contact inbox for our inbox if it has none (``POST .../contacts/{id}/contact_inboxes``);
2. create a conversation for it (``POST .../conversations`` with ``source_id``, ``inbox_id``,
   ``contact_id``, ``status: pending``), as an agent bot's conversation starts;
3. add the summary and transcript as a private note (``POST .../conversations/{id}/messages``,
   ``message_type: outgoing``, ``private: true``) so agents read it and the shopper never does;
4. hand it to people with ``POST .../conversations/{id}/toggle_status`` ``{"status": "open"}``.

Every request carries the ``api_access_token`` header. Each step that succeeded is reported to a
``progress`` callback, so that a retry (:mod:`integrations.chatwoot_forwarding`) continues where a
failed attempt stopped instead of opening a second conversation.
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, List, Mapping, Optional, Tuple

import aiohttp
import yaml

logger = logging.getLogger(__name__)

_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
E164 = re.compile(r"\+[1-9]\d{6,14}")


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


Progress = Callable[..., Awaitable[None]]


async def _nothing(**_steps: Any) -> None:
    return None


@dataclass
class ForwardState:
    """How far an earlier attempt got (ids Chatwoot gave), so a retry skips those steps."""

    contact_id: Optional[int] = None
    source_id: Optional[str] = None
    conversation_id: Optional[int] = None
    note_sent: bool = False


class ChatwootClient:
    """The application API of one account, as one agent token (``async with``)."""

    def __init__(self, config: ChatwootConfig) -> None:
        self.config = config
        self._session: Optional[aiohttp.ClientSession] = None

    async def __aenter__(self) -> ChatwootClient:
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.config.timeout))
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        if self._session is not None:
            await self._session.close()

    async def post(self, path: str, body: Dict[str, Any], *, ok_422: bool = False) -> Any:
        """POST ``body``; the answer's JSON (``None`` for a 422 when ``ok_422``).

        Raises:
            HelpdeskError: any other refusal, or no answer.
        """
        assert self._session is not None, "use ChatwootClient inside 'async with'"
        headers = {"api_access_token": self.config.token}
        try:
            async with self._session.post(self.config.api(path), json=body, headers=headers) as reply:
                if reply.status == 422 and ok_422:
                    return None
                if reply.status >= 300:
                    raise HelpdeskError(f"POST {path} -> HTTP {reply.status}: {(await reply.text())[:200]}")
                return await reply.json(content_type=None)
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
            raise HelpdeskError(f"POST {path}: {error.__class__.__name__}: {error}") from error


def contact_fields(conversation_id: str, shopper: Mapping[str, Any]) -> Dict[str, Any]:
    """What Chatwoot keeps of the shopper: name, the conversation as identifier, email, E.164 phone."""
    fields: Dict[str, Any] = {
        "name": shopper.get("name") or f"Shopper {conversation_id[:8]}",
        "identifier": f"storefront:{conversation_id}",
    }
    if shopper.get("email"):
        fields["email"] = str(shopper["email"]).strip().lower()
    if shopper.get("phone") and E164.fullmatch(str(shopper["phone"])):
        fields["phone_number"] = str(shopper["phone"])
    return fields


def contact_filter(fields: Mapping[str, Any]) -> Dict[str, Any]:
    """``contacts/filter``'s body: an exact match on any of the unique keys we know."""
    keys = [key for key in ("email", "phone_number", "identifier") if fields.get(key)]
    conditions: List[Dict[str, Any]] = [
        {"attribute_key": key, "filter_operator": "equal_to", "values": [fields[key]],
         "query_operator": "OR" if position < len(keys) - 1 else None}
        for position, key in enumerate(keys)
    ]  # fmt: skip
    return {"payload": conditions}


async def find_contact(client: ChatwootClient, fields: Mapping[str, Any]) -> Optional[Dict[str, Any]]:
    """The account's contact with the shopper's email, phone or identifier (in that order of trust)."""
    found = (await client.post("contacts/filter", contact_filter(fields)) or {}).get("payload") or []
    for key in ("email", "phone_number", "identifier"):
        for contact in found:
            if fields.get(key) and str(contact.get(key) or "").lower() == str(fields[key]).lower():
                return contact
    return None


async def _source_in_inbox(client: ChatwootClient, contact: Mapping[str, Any]) -> str:
    inbox = int(client.config.inbox_id)
    for contact_inbox in contact.get("contact_inboxes") or []:
        if (contact_inbox.get("inbox") or {}).get("id") == inbox and contact_inbox.get("source_id"):
            return str(contact_inbox["source_id"])
    created = await client.post(f"contacts/{contact['id']}/contact_inboxes", {"inbox_id": inbox})
    return str((created or {}).get("payload", created)["source_id"])


async def ensure_contact(
    client: ChatwootClient, conversation_id: str, shopper: Mapping[str, Any]
) -> Tuple[int, str]:
    """The shopper's contact and its source id in our inbox: found first, created only if new.

    A 422 on creation (someone created it between our search and our request) searches again.
    """
    fields = contact_fields(conversation_id, shopper)
    contact = await find_contact(client, fields)
    if contact is None:
        created = await client.post(
            "contacts", {"inbox_id": int(client.config.inbox_id), **fields}, ok_422=True
        )
        if created is not None:
            payload = created.get("payload", created)
            return int(payload["contact"]["id"]), str(payload["contact_inbox"]["source_id"])
        contact = await find_contact(client, fields)
        if contact is None:
            raise HelpdeskError("Chatwoot refused the contact as a duplicate but no contact matches it")
    return int(contact["id"]), await _source_in_inbox(client, contact)


async def forward_to_chatwoot(
    config: ChatwootConfig,
    *,
    conversation_id: str,
    handoff_id: int,
    context: Mapping[str, Any],
    state: Optional[ForwardState] = None,
    progress: Progress = _nothing,
) -> int:
    """Open the Chatwoot conversation for a handoff for agents (the steps in the module docstring).

    Returns:
        The Chatwoot conversation id.

    Raises:
        HelpdeskError: a request failed or timed out (``progress`` has what succeeded).
    """
    state = state or ForwardState()
    try:
        async with ChatwootClient(config) as client:
            if state.contact_id is None or state.source_id is None:
                state.contact_id, state.source_id = await ensure_contact(
                    client, conversation_id, context.get("shopper") or {}
                )
                await progress(contact_id=state.contact_id, source_id=state.source_id)
            if state.conversation_id is None:
                conversation = await client.post("conversations", {
                    "source_id": state.source_id, "inbox_id": int(config.inbox_id),
                    "contact_id": state.contact_id, "status": "pending",
                    "additional_attributes": {"storefront_conversation_id": conversation_id},
                    "custom_attributes": {"handoff_id": handoff_id, "handoff_reason": context.get("reason")},
                })  # fmt: skip
                state.conversation_id = int(conversation["id"])
                await progress(helpdesk_conversation_id=state.conversation_id)
            if not state.note_sent:
                await client.post(f"conversations/{state.conversation_id}/messages", {
                    "content": render_note(context), "message_type": "outgoing", "private": True,
                })  # fmt: skip
                state.note_sent = True
                await progress(note_sent=True)
            await client.post(f"conversations/{state.conversation_id}/toggle_status", {"status": "open"})
            return state.conversation_id
    except (KeyError, TypeError, ValueError) as error:
        raise HelpdeskError(f"Chatwoot answered unexpectedly: {error.__class__.__name__}: {error}") from error


async def post_private_note(config: ChatwootConfig, helpdesk_conversation_id: int, text: str) -> None:
    """A note only agents see on a Chatwoot conversation (what the bridge could not do).

    Raises:
        HelpdeskError: Chatwoot refused or did not answer.
    """
    async with ChatwootClient(config) as client:
        await client.post(
            f"conversations/{helpdesk_conversation_id}/messages",
            {"content": text, "message_type": "outgoing", "private": True},
        )
