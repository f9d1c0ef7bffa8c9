"""The sample catalog (Northwind Outfitters), generated deterministically from a seed."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import yaml

SPEC_FILE = Path(__file__).with_name("catalog.yaml")


def _spec() -> dict:
    """Categories (code, house brand, price range, sizes, colors, product names) and extras."""
    return yaml.safe_load(SPEC_FILE.read_text(encoding="utf-8"))


def catalog_looks() -> list[list[str]]:
    """Outfits shoppers buy together (product titles), for the sample's order history."""
    return [list(look) for look in _spec().get("looks") or []]


@dataclass(frozen=True)
class SampleVariant:
    """One SKU of the sample catalog."""

    sku: str
    size: str
    color: str
    price: Decimal
    compare_at: Decimal | None
    inventory: int
    grams: int


@dataclass(frozen=True)
class SampleProduct:
    """One product of the sample catalog."""

    handle: str
    title: str
    description: str
    vendor: str
    category: str
    tags: tuple[str, ...]
    variants: tuple[SampleVariant, ...]
    material: str = ""
    fit_notes: str = ""


def slug(text: str) -> str:
    """URL handle of a title."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _size_code(size: str) -> str:
    return size.replace("US ", "").replace(".", "").replace("/", "").replace("One Size", "OS")


def build_catalog(seed: int = 42) -> list[SampleProduct]:
    """The sample catalog: the same seed always gives the same products, SKUs, prices and stock."""
    rng = random.Random(seed)
    spec = _spec()
    clearance, prefixes, special_sizes = (
        set(spec["clearance"]),
        spec["vendor_prefixes"],
        spec["accessory_sizes"],
    )
    attributes, materials, fit_notes = spec["attributes"], spec["materials"], spec["fit_notes"]
    products = []
    for category, cat in spec["categories"].items():
        code, vendor, (low, high), sizes, palette, names = (
            cat["code"],
            cat["vendor"],
            cat["price"],
            cat["sizes"],
            cat["colors"],
            cat["products"],
        )
        for index, title in enumerate(names, start=1):
            brand = next((v for v, prefix in prefixes.items() if title.startswith(prefix)), vendor)
            product_sizes = special_sizes.get(title, sizes)
            colors = rng.sample(palette, k=rng.choice((2, 2, 3, 3, 4)))
            price = Decimal(rng.randrange(low, high + 1, 2)) - Decimal("0.05") * rng.choice((0, 0, 1))
            price = price.quantize(Decimal("0.01"))
            on_sale = title in clearance or rng.random() < 0.1
            compare_at = (price * Decimal("1.4")).quantize(Decimal("1")) if on_sale else None
            tags = [category.split(" ")[0].lower(), rng.choice(["new", "bestseller", "core", "core"])]
            if title in clearance:
                tags.append("final-sale")
            if brand in ("Ridgeline", "Trailmark"):
                tags.append("fit:runs-small")
            tags += attributes.get(title, [])
            sold_out_color = rng.random() < 0.08
            variants = []
            for c, color in enumerate(colors):
                for size in product_sizes:
                    stock = (
                        0
                        if (sold_out_color and c == len(colors) - 1) or rng.random() < 0.07
                        else rng.randint(1, 40)
                    )
                    variants.append(
                        SampleVariant(
                            sku=f"{code}-{index:03d}-{slug(color)[:3].upper()}{c}-{_size_code(size)}",
                            size=size,
                            color=color,
                            price=price,
                            compare_at=compare_at,
                            inventory=stock,
                            grams=rng.randint(150, 1400),
                        )
                    )
            noun = category.split(" ")[0].lower()
            choice = ", ".join(colors[:-1]) + " or " + colors[-1] if len(colors) > 1 else colors[0]
            description = f"<p>The {title} from {brand}: {choice}. Part of our {noun} collection.</p>"
            if title in materials:
                description += f"<p>Made of {materials[title]}.</p>"
            products.append(
                SampleProduct(
                    handle=slug(title),
                    title=title,
                    description=description,
                    vendor=brand,
                    category=category,
                    tags=tuple(tags),
                    variants=tuple(variants),
                    material=materials.get(title, ""),
                    fit_notes=fit_notes.get(title, ""),
                )
            )
    return products
