"""Colours a shopper asks for against the catalog's colour names (store/sizes.py colors_equal and
the families in store/colors.yaml)."""

from __future__ import annotations

import pytest

from store.sizes import color_families, colors_equal


@pytest.mark.parametrize(
    ("variant", "wanted", "equal"),
    [
        ("Navy", "navy", True),
        ("Sky Blue", "blue", True),  # a word of the compound name
        ("Navy", "blue", True),  # a shade of the family
        ("Indigo", "Blue", True),
        ("Dark Wash", "blue", True),
        ("Charcoal", "grey", True),
        ("Burgundy", "red", True),
        ("Black", "blue", False),
        ("Navy", "green", False),
        ("Blue", "navy", False),  # a family is no shade of its shades
        ("Sage", None, False),
    ],
)
def test_colors_equal(variant: str, wanted, equal: bool) -> None:
    assert colors_equal(variant, wanted) is equal


def test_every_family_lists_shades_in_lower_case() -> None:
    families = color_families()
    assert "blue" in families
    assert all(shade == shade.lower() and shade for shades in families.values() for shade in shades)
