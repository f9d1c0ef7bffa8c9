"""A fake Chatwoot account on 127.0.0.1: the application-API calls of the bridge, and its webhooks.

Checks the ``api_access_token`` header (401), the account in the path (404) and the documented
bodies (422 with Chatwoot's ``{"message", "attributes"}``):

- ``contacts``: ``inbox_id`` required; ``email``, ``phone_number`` (E.164) and ``identifier`` are
  unique in the account, a duplicate is a 422 such as ``Email has already been taken``;
- ``contacts/filter``: ``payload`` conditions of ``attribute_key``, ``filter_operator``
  (``equal_to`` exact, case-insensitive for email; ``contains`` a substring), ``values`` and
  ``query_operator`` (``AND``/``OR`` joining it to the next, none on the last); answers
  ``{"meta": {"count", "current_page"}, "payload": [contacts]}`` with their ``contact_inboxes``;
- ``contacts/{id}/contact_inboxes``: a contact inbox (``source_id``) of an existing contact;
- ``conversations``: ``source_id`` of one of the contact's inboxes, ``inbox_id``, ``contact_id``;
- ``conversations/{id}/messages``: ``content`` and ``message_type`` ``incoming``/``outgoing``;
- ``conversations/{id}/toggle_status``: ``status`` ``open``, ``pending``, ``resolved``, ``snoozed``.

``down = True`` answers everything with 503, as an outage or a deploy does; ``failing`` only the
paths ending so (a step that fails half-way). :meth:`webhook` builds a
``message_created`` or ``conversation_status_changed`` delivery signed like Chatwoot's
(``X-Chatwoot-Signature: sha256=<hex HMAC(secret, "{timestamp}.{body}")>``).
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import re
import time
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple

from aiohttp import web

from tests.fakes.server import FakeServer

TOKEN = "chatwoot-test-token"
ACCOUNT = "7"
INBOX = 3
WEBHOOK_SECRET = "chatwoot-webhook-secret"
UNIQUE = (("email", "Email"), ("phone_number", "Phone number"), ("identifier", "Identifier"))
E164 = re.compile(r"\+[1-9]\d{6,14}")
PATHS = (
    ("_create_contact", re.compile(r"contacts")),
    ("_filter_contacts", re.compile(r"contacts/filter")),
    ("_add_contact_inbox", re.compile(r"contacts/(\d+)/contact_inboxes")),
    ("_create_conversation", re.compile(r"conversations")),
    ("_create_message", re.compile(r"conversations/(\d+)/messages")),
    ("_toggle_status", re.compile(r"conversations/(\d+)/toggle_status")),
)


class Refused(Exception):
    def __init__(self, status: int, body: Dict[str, Any]) -> None:
        super().__init__(body)
        self.status, self.body = status, body


def _invalid(message: str, *attributes: str) -> Refused:
    return Refused(422, {"message": message, "attributes": list(attributes)})


@dataclass
class FakeChatwoot(FakeServer):
    """One account; ``contacts``, ``conversations`` (id -> status) and ``messages`` are its state."""

    down: bool = False
    failing: Tuple[str, ...] = ()  # path endings answered with 503 (a partial outage)
    ids: Any = field(default_factory=lambda: itertools.count(100))
    contacts: Dict[int, Dict[str, Any]] = field(default_factory=dict)
    conversations: Dict[int, str] = field(default_factory=dict)
    messages: Dict[int, List[Dict[str, Any]]] = field(default_factory=dict)
    attributes: Dict[int, Dict[str, Any]] = field(
        default_factory=dict
    )  # conversation -> additional_attributes
    _sources: Dict[str, int] = field(default_factory=dict)

    def routes(self, app: web.Application) -> None:
        app.router.add_route("*", "/{tail:.*}", self._handle_json)

    def add_contact(self, **fields: Any) -> Dict[str, Any]:
        """A contact the account already has (a returning shopper), with an inbox of ours."""
        contact = {"id": next(self.ids), "name": fields.get("name"), "email": None, "phone_number": None,
                   "identifier": None, "contact_inboxes": []}  # fmt: skip
        contact.update(fields)
        self.contacts[contact["id"]] = contact
        self._new_contact_inbox(contact)
        return contact

    # --- HTTP ---

    def _answer(self, request: web.Request, body: Any) -> web.Response:
        if self.down or request.path.endswith(self.failing or ("\0",)):
            return web.json_response({"error": "Service Unavailable"}, status=503)
        if request.headers.get("api_access_token") != TOKEN:
            return web.json_response(
                {"error": "You need to sign in or sign up before continuing."}, status=401
            )
        match = re.fullmatch(r"/api/v1/accounts/(\w+)/(.+)", request.path)
        if request.method != "POST" or not match or match.group(1) != ACCOUNT:
            return web.json_response({"error": "not found"}, status=404)
        try:
            if not isinstance(body, dict):
                raise _invalid("the body is not a JSON object")
            for name, pattern in PATHS:
                found = pattern.fullmatch(match.group(2))
                if found:
                    return web.json_response(getattr(self, name)(body, *map(int, found.groups())))
        except Refused as refused:
            return web.json_response(refused.body, status=refused.status)
        return web.json_response({"error": "not found"}, status=404)

    def _new_contact_inbox(self, contact: Dict[str, Any]) -> Dict[str, Any]:
        source = f"src-{len(self._sources) + 1}"
        self._sources[source] = contact["id"]
        contact_inbox = {"source_id": source, "inbox": {"id": INBOX}}
        contact["contact_inboxes"].append(contact_inbox)
        return contact_inbox

    def _create_contact(self, body: Dict[str, Any]) -> Dict[str, Any]:
        if body.get("inbox_id") != INBOX:
            raise _invalid("Inbox can't be blank", "inbox_id")
        if body.get("phone_number") and not E164.fullmatch(str(body["phone_number"])):
            raise _invalid("Phone number should be in e164 format", "phone_number")
        for key, label in UNIQUE:
            wanted = str(body.get(key) or "").lower()
            if wanted and any(str(c.get(key) or "").lower() == wanted for c in self.contacts.values()):
                raise _invalid(f"{label} has already been taken", key)
        fields = {k: body.get(k) for k in ("name", "email", "phone_number", "identifier")}
        contact = {"id": next(self.ids), **fields, "contact_inboxes": []}
        self.contacts[contact["id"]] = contact
        contact_inbox = self._new_contact_inbox(contact)
        return {"payload": {"contact": {k: v for k, v in contact.items() if k != "contact_inboxes"},
                            "contact_inbox": contact_inbox}}  # fmt: skip

    def _filter_contacts(self, body: Dict[str, Any]) -> Dict[str, Any]:
        conditions = body.get("payload")
        if not isinstance(conditions, list) or not conditions:
            raise _invalid("payload is required", "payload")
        found = [c for c in self.contacts.values() if _matches(c, conditions)]
        return {"meta": {"count": len(found), "current_page": 1}, "payload": found}

    def _add_contact_inbox(self, body: Dict[str, Any], contact_id: int) -> Dict[str, Any]:
        if body.get("inbox_id") != INBOX:
            raise _invalid("Inbox can't be blank", "inbox_id")
        if contact_id not in self.contacts:
            raise Refused(404, {"error": "Resource could not be found"})
        return self._new_contact_inbox(self.contacts[contact_id])

    def _create_conversation(self, body: Dict[str, Any]) -> Dict[str, Any]:
        if body.get("inbox_id") != INBOX or body.get("source_id") not in self._sources:
            raise _invalid("source_id and inbox_id are required", "source_id")
        if body.get("contact_id") != self._sources[body["source_id"]]:
            raise _invalid("Contact does not own the source", "contact_id")
        conversation = next(self.ids)
        self.conversations[conversation] = body.get("status", "open")
        self.messages[conversation] = []
        self.attributes[conversation] = dict(body.get("additional_attributes") or {})
        return {"id": conversation, "account_id": int(ACCOUNT), "inbox_id": INBOX}

    def _create_message(self, body: Dict[str, Any], conversation: int) -> Dict[str, Any]:
        if conversation not in self.conversations:
            raise Refused(404, {"error": "Resource could not be found"})
        if not body.get("content") or body.get("message_type") not in ("incoming", "outgoing"):
            raise _invalid("content and message_type are required", "content")
        message = {"id": next(self.ids), "content": body["content"], "private": bool(body.get("private"))}
        self.messages[conversation].append(message)
        return message

    def _toggle_status(self, body: Dict[str, Any], conversation: int) -> Dict[str, Any]:
        if conversation not in self.conversations:
            raise Refused(404, {"error": "Resource could not be found"})
        if body.get("status") not in ("open", "pending", "resolved", "snoozed"):
            raise _invalid("status is not included in the list", "status")
        self.conversations[conversation] = body["status"]
        return {
            "payload": {"success": True, "current_status": body["status"], "conversation_id": conversation}
        }

    # --- webhooks ---

    def webhook(self, payload: Dict[str, Any], *, secret: str = WEBHOOK_SECRET,
                at: Optional[int] = None) -> Tuple[bytes, Dict[str, str]]:  # fmt: skip
        """The raw body and headers of a signed delivery of ``payload``."""
        body = json.dumps(payload).encode()
        timestamp = str(at if at is not None else int(time.time()))
        digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
        headers = {"Content-Type": "application/json", "X-Chatwoot-Signature": f"sha256={digest}",
                   "X-Chatwoot-Timestamp": timestamp}  # fmt: skip
        return body, headers

    def agent_reply(self, conversation: int, text: str, *, agent: str = "Dana", private: bool = False,
                    message_type: Any = "outgoing") -> Dict[str, Any]:  # fmt: skip
        """A ``message_created`` payload for an agent's message (also kept as the conversation's)."""
        message = {"id": next(self.ids), "content": text, "private": private}
        self.messages.setdefault(conversation, []).append(message)
        return {
            "event": "message_created", "id": message["id"], "content": text, "message_type": message_type,
            "private": private, "content_type": "text", "created_at": int(time.time()),
            "sender": {"id": 1, "name": agent, "type": "user"},
            "conversation": {"id": conversation, "status": self.conversations.get(conversation, "open"),
                             "contact_inbox": {"source_id": "src-1"}},
            "account": {"id": int(ACCOUNT)}, "inbox": {"id": INBOX},
        }  # fmt: skip

    def status_changed(self, conversation: int, status: str, *, agent: str = "Dana") -> Dict[str, Any]:
        """A ``conversation_status_changed`` payload (the conversation's new state is kept)."""
        self.conversations[conversation] = status
        return {"event": "conversation_status_changed", "id": conversation, "status": status,
                "meta": {"assignee": {"id": 1, "name": agent}}, "inbox_id": INBOX,
                "account": {"id": int(ACCOUNT)}}  # fmt: skip


def _matches(contact: Dict[str, Any], conditions: List[Dict[str, Any]]) -> bool:
    result: Optional[bool] = None
    joiner: Optional[str] = None
    for condition in conditions:
        key, operator, values = (
            condition.get("attribute_key"),
            condition.get("filter_operator"),
            condition.get("values"),
        )
        if operator not in ("equal_to", "contains") or not isinstance(values, list):
            raise _invalid("Invalid filter", "filter_operator")
        have = str(contact.get(key) or "").lower()
        hit = any(
            (have == str(v).lower()) if operator == "equal_to" else (str(v).lower() in have) for v in values
        )
        hit = hit and bool(have)
        result = hit if result is None else (result or hit) if joiner == "OR" else (result and hit)
        joiner = condition.get("query_operator")
    return bool(result)
