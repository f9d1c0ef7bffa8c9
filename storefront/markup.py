"""A message with HTML markup is understood as the text a person would read in it.

Shoppers paste from web pages and emails (``<b>where is my order</b> 1001``), some widgets send
rich text (``<p>hi</p>``), and probes send script tags. :func:`install` wraps Rasa's
``MessageProcessor._handle_message_with_tracker``, the step where every channel's message (REST,
socket.io, WhatsApp, Twilio, Chatwoot, the page API) is parsed and then recorded: the message's
text becomes its visible text first, so the classifier, the entity extractors and the forms'
``from_text`` slots all read it, and the tracker, the agent console and the chat log hold the
visible text, never the markup (the console also shows every message as text, never as HTML).

:func:`visible_text` reads only real HTML: tags of the HTML element set, comments and character
references. The content of ``script``, ``style`` and similar elements is dropped; block elements
and ``<br>`` become spaces. Anything else that looks like a tag stays as typed: ``<ava@example.com>``
or ``I <3 these boots`` are the shopper's words. Text without ``<`` or ``&`` is returned as is.

A message with nothing visible left (``<p></p>``, a bare ``<script>`` probe) is not run through
the NLU graph: it gets ``nlu_fallback`` as its parse, so the fallback ladder answers it.
"""

from __future__ import annotations

import logging
import re
from html.parser import HTMLParser
from typing import Any, Callable, Dict, List

from rasa.core.channels.channel import UserMessage
from rasa.core.processor import MessageProcessor
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import (
    ENTITIES,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)

logger = logging.getLogger(__name__)

HIDDEN_ELEMENTS = frozenset(
    {"script", "style", "template", "noscript", "iframe", "object", "svg", "head", "title"}
)
"""Elements whose content is not text a person reads."""

BLOCK_ELEMENTS = frozenset(
    {
        "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption",
        "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main",
        "nav", "ol", "p", "pre", "section", "table", "td", "th", "tr", "ul",
    }
)  # fmt: skip
"""Elements that separate words: their tags read as a space."""

INLINE_ELEMENTS = frozenset(
    {
        "a", "abbr", "b", "bdi", "bdo", "big", "body", "button", "caption", "cite", "code", "col",
        "colgroup", "data", "del", "dfn", "em", "embed", "font", "html", "i", "img", "input", "ins",
        "kbd", "label", "link", "mark", "meta", "option", "picture", "q", "s", "samp", "select",
        "small", "source", "span", "strike", "strong", "sub", "sup", "tbody", "textarea", "tfoot",
        "thead", "time", "tt", "u", "var", "video", "audio", "wbr", "center",
    }
)  # fmt: skip
"""Elements that do not separate words (``<b>1001</b>`` is one word)."""

HTML_ELEMENTS = HIDDEN_ELEMENTS | BLOCK_ELEMENTS | INLINE_ELEMENTS

_MARKUP_HINT = re.compile(r"<[a-zA-Z/!]|&(#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);")


class _VisibleText(HTMLParser):
    """Collects the text of a document, dropping the tags of :data:`HTML_ELEMENTS`."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: List[str] = []
        self.hidden = 0
        self.changed = False

    def _tag(self, tag: str, raw: str, closing: bool) -> None:
        if tag not in HTML_ELEMENTS:
            if not self.hidden:
                self.parts.append(raw)
            return
        self.changed = True
        if tag in HIDDEN_ELEMENTS:
            self.hidden = max(0, self.hidden - 1) if closing else self.hidden + 1
        elif tag in BLOCK_ELEMENTS:
            self.parts.append(" ")

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        self._tag(tag, self.get_starttag_text() or "", closing=False)

    def handle_startendtag(self, tag: str, attrs: Any) -> None:
        if tag in HIDDEN_ELEMENTS:  # <svg/> has no content to hide
            self.changed = True
            return
        self._tag(tag, self.get_starttag_text() or "", closing=False)

    def handle_endtag(self, tag: str) -> None:
        self._tag(tag, f"</{tag}>", closing=True)

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)

    def handle_comment(self, data: str) -> None:
        self.changed = True

    def handle_decl(self, decl: str) -> None:
        self.changed = True

    def handle_pi(self, data: str) -> None:
        self.changed = True

    def unknown_decl(self, data: str) -> None:
        self.changed = True


def visible_text(text: str) -> str:
    """``text`` as a person reads it: HTML tags, comments and hidden elements removed, character
    references decoded, whitespace around removed markup collapsed. Text without markup is
    returned unchanged (module docstring)."""
    if not _MARKUP_HINT.search(text):
        return text
    parser = _VisibleText()
    parser.feed(text)
    parser.close()
    seen = "".join(parser.parts)
    if not parser.changed and seen == text:
        return text
    return re.sub(r"\s+", " ", seen).strip()


_original: List[Callable[..., Any]] = []


def _nothing_visible(text: str) -> Dict[str, Any]:
    """The parse of a message whose markup hides all its text: the NLU fallback, for the ladder."""
    fallback = {INTENT_NAME_KEY: DEFAULT_NLU_FALLBACK_INTENT_NAME, PREDICTED_CONFIDENCE_KEY: 1.0}
    return {TEXT: text, INTENT: fallback, INTENT_RANKING_KEY: [fallback], ENTITIES: []}


def read_visible_text(message: UserMessage) -> None:
    """Replace a message's text by its visible text; one with none left gets the fallback's parse."""
    if not isinstance(message.text, str) or message.parse_data:
        return
    visible = visible_text(message.text)
    if visible == message.text:
        return
    logger.info("markup.stripped chars=%d visible=%d", len(message.text), len(visible))
    message.text = visible
    if not visible:
        message.parse_data = _nothing_visible(visible)


async def handle_visible_text(
    self: MessageProcessor, message: UserMessage, tracker: DialogueStateTracker
) -> None:
    """Rasa's ``_handle_message_with_tracker`` (parse, then record) on the message's visible text."""
    read_visible_text(message)
    await _original[0](self, message, tracker)


def install() -> None:
    """Read the visible text before a message is parsed and recorded (idempotent)."""
    if _original:
        return
    _original.append(MessageProcessor._handle_message_with_tracker)
    MessageProcessor._handle_message_with_tracker = handle_visible_text  # type: ignore[method-assign]


def uninstall() -> None:
    """Put Rasa's own method back (for tests)."""
    if _original:
        MessageProcessor._handle_message_with_tracker = _original.pop()  # type: ignore[method-assign]


__all__ = ["handle_visible_text", "install", "read_visible_text", "uninstall", "visible_text"]
