"""A fake of the WhatsApp Cloud API Messages endpoint (Meta Graph API).

``POST /<version>/<phone-number-id>/messages`` with ``Authorization: Bearer <token>`` and a JSON
body checked against the documented message objects (text, interactive button/list, image,
document, template) and their limits. Invalid requests get Meta's error object with code 100
(invalid parameter) or 190 (bad token) and are recorded like the rest.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from aiohttp import web

from tests.fakes.server import FakeServer


class Invalid(Exception):
    """A request that Meta would refuse with error 100."""


def _keys(obj: Any, where: str, required: set, optional: set = frozenset()) -> Dict[str, Any]:
    if not isinstance(obj, dict):
        raise Invalid(f"{where} must be an object")
    missing = required - obj.keys()
    unknown = obj.keys() - required - optional
    if missing:
        raise Invalid(f"{where} is missing {sorted(missing)}")
    if unknown:
        raise Invalid(f"{where} has unknown fields {sorted(unknown)}")
    return obj


def _text(value: Any, where: str, limit: int, minimum: int = 1) -> None:
    if not isinstance(value, str) or not minimum <= len(value) <= limit:
        raise Invalid(f"{where} must be text of {minimum}-{limit} characters")


def _check_interactive(interactive: Any) -> None:
    kind = interactive.get("type") if isinstance(interactive, dict) else None
    if kind == "button":
        _keys(interactive, "interactive", {"type", "body", "action"}, {"header", "footer"})
        _text(_keys(interactive["body"], "body", {"text"})["text"], "body.text", 1024)
        buttons = _keys(interactive["action"], "action", {"buttons"})["buttons"]
        if not isinstance(buttons, list) or not 1 <= len(buttons) <= 3:
            raise Invalid("action.buttons must hold 1-3 buttons")
        titles, ids = [], []
        for button in buttons:
            _keys(button, "button", {"type", "reply"})
            if button["type"] != "reply":
                raise Invalid("button.type must be reply")
            reply = _keys(button["reply"], "reply", {"id", "title"})
            _text(reply["id"], "reply.id", 256)
            _text(reply["title"], "reply.title", 20)
            titles.append(reply["title"])
            ids.append(reply["id"])
        if len(set(titles)) != len(titles) or len(set(ids)) != len(ids):
            raise Invalid("button titles and ids must be unique")
    elif kind == "list":
        _keys(interactive, "interactive", {"type", "body", "action"}, {"header", "footer"})
        _text(_keys(interactive["body"], "body", {"text"})["text"], "body.text", 4096)
        action = _keys(interactive["action"], "action", {"button", "sections"})
        _text(action["button"], "action.button", 20)
        sections = action["sections"]
        if not isinstance(sections, list) or not 1 <= len(sections) <= 10:
            raise Invalid("action.sections must hold 1-10 sections")
        row_ids: List[str] = []
        for section in sections:
            _keys(section, "section", {"rows"}, {"title"})
            if len(sections) > 1 or "title" in section:
                _text(section.get("title"), "section.title", 24)
            for row in section["rows"]:
                _keys(row, "row", {"id", "title"}, {"description"})
                _text(row["id"], "row.id", 200)
                _text(row["title"], "row.title", 24)
                if "description" in row:
                    _text(row["description"], "row.description", 72)
                row_ids.append(row["id"])
        if not 1 <= len(row_ids) <= 10:
            raise Invalid("a list holds 1-10 rows across all sections")
        if len(set(row_ids)) != len(row_ids):
            raise Invalid("row ids must be unique")
    else:
        raise Invalid("interactive.type must be button or list")


def check_message(message: Any) -> None:
    """Raise :class:`Invalid` unless ``message`` is a documented Messages API request."""
    if not isinstance(message, dict):
        raise Invalid("the body must be a JSON object")
    kind = message.get("type", "text")
    base = {"messaging_product", kind}
    _keys(message, "message", base, {"recipient_type", "to", "recipient", "type", "context"})
    if message["messaging_product"] != "whatsapp":
        raise Invalid("messaging_product must be whatsapp")
    if message.get("recipient_type", "individual") != "individual":
        raise Invalid("recipient_type must be individual")
    if not message.get("to") and not message.get("recipient"):
        raise Invalid("to or recipient is required")
    if "to" in message and not re.fullmatch(r"\+?\d{6,20}", str(message["to"])):
        raise Invalid("to must be a phone number or WhatsApp id")
    if "recipient" in message and not re.fullmatch(
        r"[A-Z]{2}\.(ENT\.)?[A-Za-z0-9]{1,128}", str(message["recipient"])
    ):
        raise Invalid("recipient must be a business-scoped user id")
    body = message[kind]
    if kind == "text":
        _keys(body, "text", {"body"}, {"preview_url"})
        _text(body["body"], "text.body", 4096)
        if "preview_url" in body and not isinstance(body["preview_url"], bool):
            raise Invalid("text.preview_url must be a boolean")
    elif kind == "interactive":
        _check_interactive(body)
    elif kind in ("image", "document"):
        _keys(body, kind, set(), {"link", "id", "caption", "filename"})
        if not (body.get("link") or body.get("id")):
            raise Invalid(f"{kind} needs a link or an id")
        if "caption" in body:
            _text(body["caption"], f"{kind}.caption", 1024)
    elif kind == "template":
        _keys(body, "template", {"name", "language"}, {"components"})
        _text(body["name"], "template.name", 512)
        _keys(body["language"], "template.language", {"code"}, {"policy"})
        for component in body.get("components", []):
            _keys(component, "component", {"type"}, {"parameters", "sub_type", "index"})
            for parameter in component.get("parameters", []):
                _keys(parameter, "parameter", {"type", parameter.get("type")}, {"parameter_name"})
                if parameter["type"] == "text":
                    value = parameter["text"]
                    if not isinstance(value, str) or re.search(r"[\n\t]| {5,}", value):
                        raise Invalid("template text parameters cannot hold newlines, tabs or 5+ spaces")
    else:
        raise Invalid(f"unsupported message type {kind!r}")


@dataclass
class FakeGraphApi(FakeServer):
    """The fake Graph API for one business phone number and access token."""

    phone_number_id: str = "106540352242922"
    access_token: str = "test-access-token"
    failures: List[Dict[str, Any]] = field(default_factory=list)
    _ids: Any = field(default_factory=lambda: itertools.count(1))

    def routes(self, app: web.Application) -> None:
        app.router.add_route("*", "/{tail:.*}", self._handle_json)

    def fail_next(self, status: int, code: int, message: str) -> None:
        """Make the next valid request fail with this Graph API error."""
        self.failures.append({"status": status, "code": code, "message": message})

    def messages(self) -> List[Dict[str, Any]]:
        """Bodies of the accepted messages, in order."""
        return [request.body for request in self.accepted()]

    @staticmethod
    def _error(status: int, code: int, message: str, details: Optional[str] = None) -> web.Response:
        error: Dict[str, Any] = {
            "message": message,
            "type": "OAuthException",
            "code": code,
            "fbtrace_id": "AbCdEf",
        }
        if details:
            error["error_data"] = {"messaging_product": "whatsapp", "details": details}
        return web.json_response({"error": error}, status=status)

    def _answer(self, request: web.Request, body: Any) -> web.Response:
        match = re.fullmatch(r"/(v\d+\.\d+)/([^/]+)/messages", request.path)
        if request.method != "POST" or not match:
            return self._error(400, 2500, "Unknown path components")
        if request.headers.get("Authorization") != f"Bearer {self.access_token}":
            return self._error(401, 190, "Invalid OAuth access token - Cannot parse access token")
        if match.group(2) != self.phone_number_id:
            return self._error(400, 100, "Unsupported post request. Object does not exist")
        if request.content_type != "application/json":
            return self._error(400, 100, "(#100) Invalid parameter", "the body must be JSON")
        try:
            check_message(body)
        except Invalid as error:
            return self._error(400, 100, "(#100) Invalid parameter", str(error))
        if self.failures:
            failure = self.failures.pop(0)
            return self._error(failure["status"], failure["code"], failure["message"])
        recipient = body.get("to") or body.get("recipient")
        contact = {"input": recipient, ("wa_id" if "to" in body else "user_id"): recipient}
        return web.json_response(
            {
                "messaging_product": "whatsapp",
                "contacts": [contact],
                "messages": [{"id": f"wamid.fake{next(self._ids)}"}],
            }
        )
