"""Rendering Rasa responses for messaging apps: text splitting, buttons, lists and numbered options.

Pure functions with no I/O, shared by the WhatsApp Cloud API channel and the Twilio channel. The
limits are WhatsApp's documented ones; lengths are counted in UTF-16 code units, which is never
less than the number of characters, so a message that fits here also fits Meta's count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Sequence

TEXT_LIMIT = 4096
INTERACTIVE_BODY_LIMIT = 1024
MAX_REPLY_BUTTONS = 3
REPLY_TITLE_LIMIT = 20
REPLY_ID_LIMIT = 256
MAX_LIST_ROWS = 10
ROW_TITLE_LIMIT = 24
ROW_DESCRIPTION_LIMIT = 72
ROW_ID_LIMIT = 200
LIST_BUTTON_LIMIT = 20

LAYOUT_BUTTONS = "buttons"
LAYOUT_LIST = "list"
LAYOUT_NUMBERED = "numbered"

# Boundaries to cut long text at, best first: paragraph, line, sentence end, any whitespace.
_BOUNDARIES = (re.compile(r"\n\s*\n"), re.compile(r"\n"), re.compile(r"(?<=[.!?…])\s+"), re.compile(r"\s+"))
# run on the stripped answer, with bounded gaps: "^\s*#?\s*" was quadratic on long whitespace
_NUMBER_ANSWER = re.compile(r"#?\s{0,3}(\d{1,3})\s{0,3}[.)]?")
MAX_NUMBER_ANSWER_CHARS = 16


def text_length(text: str) -> int:
    """Length as UTF-16 code units (emoji and other astral characters count twice)."""
    return len(text.encode("utf-16-le")) // 2


def _prefix_within(text: str, limit: int) -> int:
    """Largest index ``i`` with ``text_length(text[:i]) <= limit``."""
    units = 0
    for index, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            return index
    return len(text)


def split_text(text: str, limit: int = TEXT_LIMIT) -> List[str]:
    """Split ``text`` into stripped chunks of at most ``limit`` units on natural boundaries.

    A boundary is used only if it keeps at least half the limit in the chunk, so a paragraph
    break near the start never produces a tiny message; a word longer than the limit is cut.
    """
    chunks: List[str] = []
    rest = text.strip()
    while rest:
        if text_length(rest) <= limit:
            chunks.append(rest)
            break
        window_end = _prefix_within(rest, limit)
        cut = window_end
        for boundary in _BOUNDARIES:
            matches = [m for m in boundary.finditer(rest, 0, window_end + 1) if m.start() >= limit // 2]
            if matches:
                cut = matches[-1].start()
                break
        chunk = rest[:cut].rstrip()
        chunks.append(chunk)
        rest = rest[cut:].lstrip()
    return chunks


@dataclass(frozen=True)
class Option:
    """One button of a Rasa response, as the shopper will see and answer it."""

    title: str
    payload: str
    description: Optional[str] = None


def options_from_buttons(buttons: Sequence[Dict[str, Any]]) -> List[Option]:
    """Rasa button dicts (``title``, ``payload``, optional ``description``) as options.

    A button without a payload answers with its title, as Rasa's own channels do.
    """
    options = []
    for button in buttons:
        title = str(button.get("title") or "").strip()
        payload = str(button.get("payload") or title)
        description = button.get("description")
        options.append(
            Option(title=title, payload=payload, description=str(description) if description else None)
        )
    return options


def _unique(values: Sequence[str]) -> bool:
    folded = [value.casefold() for value in values]
    return len(set(folded)) == len(folded)


def choose_layout(options: Sequence[Option]) -> str:
    """How WhatsApp can show these options: reply buttons, a list, or numbered text.

    Reply buttons: 1-3 options, titles of 1-20 characters, unique, payloads usable as ids.
    List: up to 10 rows, titles of 1-24 characters, unique, descriptions up to 72.
    Anything else becomes numbered text, which has no limits and is answered with a number.
    """
    titles = [option.title for option in options]
    payloads = [option.payload for option in options]
    if not options or not all(titles) or not _unique(titles) or len(set(payloads)) != len(payloads):
        return LAYOUT_NUMBERED
    no_descriptions = all(option.description is None for option in options)
    if (
        len(options) <= MAX_REPLY_BUTTONS
        and no_descriptions
        and all(text_length(title) <= REPLY_TITLE_LIMIT for title in titles)
        and all(0 < text_length(payload) <= REPLY_ID_LIMIT for payload in payloads)
    ):
        return LAYOUT_BUTTONS
    if (
        len(options) <= MAX_LIST_ROWS
        and all(text_length(title) <= ROW_TITLE_LIMIT for title in titles)
        and all(text_length(option.description or "") <= ROW_DESCRIPTION_LIMIT for option in options)
        and all(0 < text_length(payload) <= ROW_ID_LIMIT for payload in payloads)
    ):
        return LAYOUT_LIST
    return LAYOUT_NUMBERED


def numbered_text(text: str, options: Sequence[Option]) -> str:
    """The message text followed by one ``N. title`` line per option."""
    lines = [f"{index}. {option.title}" for index, option in enumerate(options, start=1)]
    return "\n\n".join(part for part in (text.strip(), "\n".join(lines)) if part)


def match_numbered_answer(answer: str, options: Sequence[Option]) -> Optional[str]:
    """The payload a shopper chose by typing an option's number or its exact title, else None."""
    folded = answer.strip().casefold()
    by_title = [option.payload for option in options if option.title.casefold() == folded]
    if len(by_title) == 1:
        # a title that is itself a number ("How many? 1 / 2 / 5") wins over the position
        return by_title[0]
    stripped = answer.strip()
    number = _NUMBER_ANSWER.fullmatch(stripped) if len(stripped) <= MAX_NUMBER_ANSWER_CHARS else None
    if number and 1 <= int(number.group(1)) <= len(options):
        return options[int(number.group(1)) - 1].payload
    return None


def text_message(recipient: Dict[str, str], body: str) -> Dict[str, Any]:
    """A Graph API text message (``preview_url`` on so links to products unfurl)."""
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        **recipient,
        "type": "text",
        "text": {"preview_url": True, "body": body},
    }


def reply_buttons_message(recipient: Dict[str, str], body: str, options: Sequence[Option]) -> Dict[str, Any]:
    """A Graph API interactive reply-buttons message; each button's id is its Rasa payload."""
    buttons = [
        {"type": "reply", "reply": {"id": option.payload, "title": option.title}} for option in options
    ]
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        **recipient,
        "type": "interactive",
        "interactive": {"type": "button", "body": {"text": body}, "action": {"buttons": buttons}},
    }


def list_message(
    recipient: Dict[str, str], body: str, options: Sequence[Option], button_label: str
) -> Dict[str, Any]:
    """A Graph API interactive list message with one section; each row's id is its Rasa payload."""
    rows = []
    for option in options:
        row = {"id": option.payload, "title": option.title}
        if option.description:
            row["description"] = option.description
        rows.append(row)
    label = button_label[: _prefix_within(button_label, LIST_BUTTON_LIMIT)]
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        **recipient,
        "type": "interactive",
        "interactive": {
            "type": "list",
            "body": {"text": body},
            "action": {"button": label, "sections": [{"rows": rows}]},
        },
    }


def image_message(recipient: Dict[str, str], url: str, caption: Optional[str] = None) -> Dict[str, Any]:
    """A Graph API image message by link."""
    image: Dict[str, str] = {"link": url}
    if caption:
        image["caption"] = caption
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        **recipient,
        "type": "image",
        "image": image,
    }


def document_message(recipient: Dict[str, str], url: str) -> Dict[str, Any]:
    """A Graph API document message by link."""
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        **recipient,
        "type": "document",
        "document": {"link": url},
    }


def template_message(
    recipient: Dict[str, str], name: str, language: str, body_text: Optional[str]
) -> Dict[str, Any]:
    """A Graph API template message; ``body_text`` fills the template's single body variable."""
    template: Dict[str, Any] = {"name": name, "language": {"code": language}}
    if body_text is not None:
        template["components"] = [{"type": "body", "parameters": [{"type": "text", "text": body_text}]}]
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        **recipient,
        "type": "template",
        "template": template,
    }


def template_parameter(text: str, limit: int = INTERACTIVE_BODY_LIMIT) -> str:
    """Text made acceptable as a template variable: Meta rejects newlines, tabs and 5+ spaces."""
    flat = re.sub(r"\s+", " ", text).strip()
    if text_length(flat) <= limit:
        return flat
    return flat[: _prefix_within(flat, limit - 1)].rstrip() + "…"
