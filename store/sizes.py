"""Size labels: what shoppers type ("medium", "9½", "eu 43") against what variants carry."""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Dict, Iterable, Optional, Tuple

import yaml

_ALPHA_WORDS = {
    "extra extra small": "XXS",
    "xx small": "XXS",
    "xxs": "XXS",
    "extra small": "XS",
    "x small": "XS",
    "xs": "XS",
    "small": "S",
    "s": "S",
    "medium": "M",
    "med": "M",
    "m": "M",
    "large": "L",
    "l": "L",
    "extra large": "XL",
    "x large": "XL",
    "xl": "XL",
    "extra extra large": "XXL",
    "xx large": "XXL",
    "xxl": "XXL",
    "2xl": "XXL",
    "xxxl": "XXXL",
    "3xl": "XXXL",
    "one size": "One Size",
    "os": "One Size",
}
ALPHA_ORDER = ["XXS", "XS", "S", "M", "L", "XL", "XXL", "XXXL"]
_SYSTEM = re.compile(r"^(us|uk|eu)\s*(?:size\s*)?(\d{1,2}(?:\.5)?)$")
_NUMBER = re.compile(r"^(?:size\s*)?(?:w\s*)?(\d{1,2}(?:\.5)?)\s*(?:w|us)?$")


def canonical_size(text: Optional[str]) -> Optional[str]:
    """A comparable label: ``"medium"`` -> ``M``, ``"us9.5"`` -> ``US 9.5``, ``"W32"`` -> ``32``.

    Unrecognised text is returned stripped and upper-cased so that store-specific labels still
    compare equal to themselves.
    """
    if text is None:
        return None
    value = text.strip().lower().replace("½", ".5").replace(" 1/2", ".5").replace("-", " ")
    value = re.sub(r"\s+", " ", value)
    value = re.sub(r"^size ", "", value)
    if value in _ALPHA_WORDS:
        return _ALPHA_WORDS[value]
    match = _SYSTEM.match(value)
    if match:
        return f"{match.group(1).upper()} {_number(match.group(2))}"
    match = _NUMBER.match(value)
    if match:
        return _number(match.group(1))
    return text.strip().upper()


def _number(text: str) -> str:
    return text[:-2] if text.endswith(".0") else text


def sizes_equal(variant_size: Optional[str], wanted: Optional[str], aliases: Iterable[str] = ()) -> bool:
    """Whether a shopper's ``wanted`` size names ``variant_size``.

    A bare number matches a labelled one (``9.5`` names ``US 9.5``) and any chart alias of the
    variant's size (``EU 43`` names ``US 9.5`` when the chart says so) counts too.
    """
    a, b = canonical_size(variant_size), canonical_size(wanted)
    if a is None or b is None:
        return False
    if a == b:
        return True
    if " " in a and " " not in b and a.split(" ", 1)[1] == b and a.startswith("US "):
        return True
    return any(canonical_size(alias) == b for alias in aliases)


def size_sort_key(label: Optional[str]) -> tuple:
    """Order sizes the way a size picker shows them (XS before S, 9 before 9.5 before 10)."""
    value = canonical_size(label) or ""
    if value in ALPHA_ORDER:
        return (0, ALPHA_ORDER.index(value), "")
    number = re.search(r"\d+(?:\.\d)?", value)
    if number:
        return (1, float(number.group(0)), value)
    return (2, 0.0, value)


def colors_equal(variant_color: Optional[str], wanted: Optional[str]) -> bool:
    """Case-insensitive; a one-word color names a compound one (``navy`` -> ``Navy Blue``), and a
    colour family its shades (``blue`` -> ``Navy``, ``store/colors.yaml``)."""
    if not variant_color or not wanted:
        return False
    have, want = variant_color.strip().lower(), wanted.strip().lower()
    if have == want or want in have.replace("/", " ").split():
        return True
    return any(
        shade == have or shade in have.replace("/", " ").split() for shade in color_families().get(want, ())
    )


@functools.lru_cache(maxsize=1)
def color_families() -> Dict[str, Tuple[str, ...]]:
    """``store/colors.yaml``: each family's shades, lower case."""
    data = yaml.safe_load((Path(__file__).with_name("colors.yaml")).read_text(encoding="utf-8")) or {}
    return {
        str(family).lower(): tuple(str(shade).lower() for shade in shades or ())
        for family, shades in (data.get("families") or {}).items()
    }
