"""The words of ``domain.yml``'s responses, for code that speaks outside a Rasa turn.

Channels answering STOP before the NLU and the outbox worker sending proactive messages run
where no Rasa agent is at hand (or must not depend on one); they read the same responses here, so
all user-facing text still lives in the domain. A response's ``channel`` variant is preferred, and
``{placeholders}`` are filled from the values given (an unknown placeholder stays as written, as
Rasa leaves an unset slot).
"""

from __future__ import annotations

import functools
import string
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional

import yaml

from core.settings import PROJECT_ROOT

DOMAIN_FILE = PROJECT_ROOT / "domain.yml"


class UnknownResponse(KeyError):
    """The domain has no text for this response."""


@functools.lru_cache(maxsize=4)
def _responses(path: Path) -> Dict[str, List[Dict[str, Any]]]:
    domain = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return dict(domain.get("responses") or {})


class _Keep(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def response_variant(name: str, channel: Optional[str] = None, *, path: Path = DOMAIN_FILE) -> Dict[str, Any]:
    """The response's first variant for ``channel`` (or its first channel-free one).

    Raises:
        UnknownResponse: no such response, or none with text.
    """
    variants = [v for v in _responses(path).get(name, []) if isinstance(v, dict) and v.get("text")]
    for wanted in (channel, None):
        for variant in variants:
            if variant.get("channel") == wanted:
                return variant
    raise UnknownResponse(name)


def response_text(
    name: str,
    channel: Optional[str] = None,
    values: Optional[Mapping[str, Any]] = None,
    *,
    path: Path = DOMAIN_FILE,
) -> str:
    """The text of response ``name`` for ``channel`` with ``values`` filled in."""
    text = str(response_variant(name, channel, path=path)["text"])
    return string.Formatter().vformat(text, (), _Keep({k: v for k, v in (values or {}).items()}))
