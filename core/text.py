"""How much shopper text a pattern may read: the bound that keeps every parser linear.

Python's ``re`` backtracks, so a pattern with overlapping quantifiers can take quadratic time on
a long message, and the action server and the Rasa server each answer every shopper from one
event loop: one 40,000-character message once stalled everyone's replies for seconds. Two rules
keep that from happening again (``tests/foundation/test_linear_patterns.py`` holds them):

* every pattern run on shopper text uses bounded quantifiers (``{0,3}``, ``{1,64}``) where two
  quantifiers could match the same characters, or runs on one short token, never the whole text;
* every function that searches a message first cuts it to :data:`MAX_SCANNED_CHARS` with
  :func:`scan_window` (channels already refuse or cut longer messages, see ``MAX_MESSAGE_CHARS``;
  this also bounds what reaches the action server by other paths, such as slot values).
"""

from __future__ import annotations

MAX_SCANNED_CHARS = 5000
"""The most characters of one message any pattern reads (the default ``MAX_MESSAGE_CHARS``)."""


def scan_window(text: str, limit: int = MAX_SCANNED_CHARS) -> str:
    """The first ``limit`` characters of ``text``: the part of a message patterns may read."""
    return text[:limit]


__all__ = ["MAX_SCANNED_CHARS", "scan_window"]
