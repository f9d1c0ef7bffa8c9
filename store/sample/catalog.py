"""The sample catalog (Northwind Outfitters), generated deterministically from a seed."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from decimal import Decimal

ALPHA = ["XS", "S", "M", "L", "XL", "XXL"]
WAIST = ["28", "29", "30", "31", "32", "33", "34", "36", "38"]
SHOES = [
    "US 7",
    "US 7.5",
    "US 8",
    "US 8.5",
    "US 9",
    "US 9.5",
    "US 10",
    "US 10.5",
    "US 11",
    "US 11.5",
    "US 12",
    "US 13",
]

# category -> (code, house vendor, price range, sizes, colors, product names)
CATEGORIES: dict[str, tuple] = {
    "Jackets & Coats": (
        "JKT",
        "Northwind",
        (89, 289),
        ALPHA[1:],
        ["Black", "Navy", "Olive", "Khaki", "Charcoal", "Rust", "Forest Green", "Stone"],
        [
            "Harbor Rain Shell",
            "Alpine Down Puffer",
            "Field Chore Jacket",
            "Denim Trucker Jacket",
            "Summit Insulated Parka",
            "Coastline Windbreaker",
            "Wool Blend Overcoat",
            "Quilted Liner Jacket",
            "Canvas Work Jacket",
            "Sherpa-Lined Denim Jacket",
            "Ridgeline Storm Hardshell",
            "Ridgeline Fleece Jacket",
            "Ridgeline Packable Anorak",
            "Waxed Cotton Field Coat",
            "Nylon Bomber Jacket",
            "Classic Trench Coat",
            "Corduroy Trucker Jacket",
            "Lightweight Softshell",
            "Hooded Rain Parka",
            "Varsity Jacket",
        ],
    ),
    "Jeans & Trousers": (
        "BTM",
        "Northwind",
        (49, 148),
        WAIST,
        ["Indigo", "Dark Wash", "Light Wash", "Black", "Stone", "Khaki", "Olive"],
        [
            "Slim Fit Selvedge Jeans",
            "Straight Leg Jeans",
            "Relaxed Taper Jeans",
            "Bootcut Jeans",
            "Skinny Stretch Jeans",
            "Wide Leg Jeans",
            "Carpenter Jeans",
            "Everyday Chinos",
            "Slim Chinos",
            "Cargo Trousers",
            "Pleated Wool Trousers",
            "Drawstring Linen Pants",
            "Travel Trousers",
            "Corduroy Trousers",
            "Utility Work Pants",
            "Ripstop Hiking Pants",
            "Tapered Joggers",
            "Fleece Sweatpants",
            "Dad Jeans",
            "Black Rinse Jeans",
        ],
    ),
    "Tops & Tees": (
        "TOP",
        "Northwind",
        (18, 68),
        ALPHA,
        ["White", "Black", "Heather Grey", "Navy", "Sage", "Sand", "Burgundy", "Sky Blue"],
        [
            "Essential Crew Tee",
            "Pocket Tee",
            "Heavyweight Tee",
            "Slub V-Neck Tee",
            "Long Sleeve Henley",
            "Waffle Knit Henley",
            "Striped Breton Top",
            "Graphic Mountain Tee",
            "Vintage Wash Tee",
            "Ringer Tee",
            "Ribbed Tank Top",
            "Performance Run Tee",
            "Merino Base Layer",
            "Jersey Polo Shirt",
            "Pique Polo",
            "Raglan Baseball Tee",
            "Cropped Tee",
            "Boxy Tee",
            "Organic Cotton Tee",
            "Supima Crew Tee",
            "Muscle Tee",
            "Mock Neck Top",
        ],
    ),
    "Shirts": (
        "SHT",
        "Northwind",
        (48, 110),
        ALPHA[1:],
        ["White", "Light Blue", "Navy", "Red Check", "Green Check", "Chambray", "Ecru"],
        [
            "Oxford Button-Down Shirt",
            "Flannel Check Shirt",
            "Chambray Work Shirt",
            "Linen Camp Collar Shirt",
            "Denim Western Shirt",
            "Poplin Dress Shirt",
            "Corduroy Overshirt",
            "Seersucker Short Sleeve Shirt",
            "Brushed Twill Shirt",
            "Hawaiian Print Shirt",
            "Utility Overshirt",
            "Band Collar Shirt",
            "Gingham Shirt",
            "Silk Blend Blouse",
            "Relaxed Linen Shirt",
            "Cuban Collar Shirt",
        ],
    ),
    "Knitwear": (
        "KNT",
        "Harbor Knit",
        (58, 198),
        ALPHA[1:],
        ["Oatmeal", "Charcoal", "Navy", "Cream", "Camel", "Forest Green", "Burgundy"],
        [
            "Merino Crewneck Sweater",
            "Cable Knit Sweater",
            "Fisherman Sweater",
            "Cashmere V-Neck",
            "Lambswool Cardigan",
            "Shawl Collar Cardigan",
            "Quarter-Zip Pullover",
            "Ribbed Turtleneck",
            "Cotton Rollneck",
            "Fair Isle Sweater",
            "Chunky Knit Hoodie",
            "Fleece Hoodie",
            "Crewneck Sweatshirt",
            "Zip Hoodie",
            "Mohair Blend Sweater",
            "Waffle Knit Sweater",
        ],
    ),
    "Dresses & Skirts": (
        "DRS",
        "Northwind",
        (48, 168),
        ALPHA[:5],
        ["Black", "Navy", "Floral Print", "Sage", "Terracotta", "Ivory", "Dusty Rose"],
        [
            "Linen Wrap Dress",
            "Midi Slip Dress",
            "Poplin Shirt Dress",
            "Floral Tea Dress",
            "Knit Sweater Dress",
            "Tiered Maxi Dress",
            "Denim Pinafore Dress",
            "T-Shirt Dress",
            "Smocked Sundress",
            "Satin Midi Skirt",
            "Pleated Midi Skirt",
            "Denim Mini Skirt",
            "A-Line Skirt",
            "Wrap Midi Skirt",
            "Corduroy Skirt",
            "Linen Button Skirt",
            "Ribbed Bodycon Dress",
            "Puff Sleeve Dress",
        ],
    ),
    "Sneakers": (
        "SNK",
        "Cobble & Pine",
        (65, 160),
        SHOES,
        ["White", "Black", "Grey", "Navy", "Off White", "Tan"],
        [
            "Court Classic Sneaker",
            "Canvas Low-Top",
            "Canvas High-Top",
            "Runner One",
            "Trail Runner",
            "Retro Jogger",
            "Leather Court Sneaker",
            "Slip-On Canvas",
            "Knit Runner",
            "Suede Skate Shoe",
            "Platform Sneaker",
            "Tennis Classic",
            "Everyday Walking Shoe",
            "Cross Trainer",
            "Minimalist Trainer",
            "Chunky Dad Sneaker",
        ],
    ),
    "Boots": (
        "BOT",
        "Northwind",
        (120, 260),
        SHOES,
        ["Black", "Brown", "Tan", "Dark Brown", "Olive"],
        [
            "Chelsea Boot",
            "Lace-Up Work Boot",
            "Trailmark Summit Hiker",
            "Trailmark Ridge Mid",
            "Trailmark Alpine GTX Boot",
            "Desert Chukka Boot",
            "Combat Boot",
            "Duck Boot",
            "Rain Boot",
            "Western Boot",
            "Moc Toe Boot",
            "Shearling Winter Boot",
            "Logger Boot",
            "Zip Ankle Boot",
        ],
    ),
    "Sandals": (
        "SND",
        "Cobble & Pine",
        (35, 95),
        SHOES[:10],
        ["Black", "Tan", "Brown", "Sand"],
        [
            "Slide Sandal",
            "Sport Sandal",
            "Leather Flip-Flop",
            "Cork Footbed Sandal",
            "Fisherman Sandal",
            "Strappy Sandal",
        ],
    ),
    "Swimwear": (
        "SWM",
        "Saltwater Co.",
        (32, 98),
        ALPHA[:5],
        ["Navy", "Black", "Coral", "Teal", "Palm Print"],
        [
            "Swim Trunks",
            "Board Shorts",
            "One-Piece Swimsuit",
            "Bikini Top",
            "Bikini Bottom",
            "Rash Guard",
            "Retro Swim Shorts",
            "Racerback Swimsuit",
        ],
    ),
    "Accessories": (
        "ACC",
        "Northwind",
        (15, 180),
        ["One Size"],
        ["Black", "Navy", "Tan", "Grey", "Olive", "Camel"],
        [
            "Canvas Tote Bag",
            "Leather Belt",
            "Ribbed Beanie",
            "Baseball Cap",
            "Wool Scarf",
            "Leather Gloves",
            "Crew Socks 3-Pack",
            "Wool Hiking Socks",
            "Weekender Duffle",
            "Bucket Hat",
            "Classic Sunglasses",
            "Leather Wallet",
            "Everyday Backpack",
            "Cotton Bandana",
            "Knit Gloves",
            "Card Holder",
            "Belt Bag",
            "Compact Umbrella",
        ],
    ),
}
# accessories that come in sizes after all
ACCESSORY_SIZES = {
    "Leather Belt": ["30", "32", "34", "36", "38"],
    "Leather Gloves": ["S", "M", "L"],
    "Crew Socks 3-Pack": ["S", "M", "L"],
    "Wool Hiking Socks": ["S", "M", "L"],
    "Knit Gloves": ["S/M", "L/XL"],
    "Bucket Hat": ["S/M", "L/XL"],
}
VENDOR_PREFIXES = {"Ridgeline": "Ridgeline", "Trailmark": "Trailmark"}
CLEARANCE = {
    "Ringer Tee",
    "Mohair Blend Sweater",
    "Platform Sneaker",
    "Cotton Bandana",
    "Varsity Jacket",
    "Cropped Tee",
}


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


def slug(text: str) -> str:
    """URL handle of a title."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _size_code(size: str) -> str:
    return size.replace("US ", "").replace(".", "").replace("/", "").replace("One Size", "OS")


def build_catalog(seed: int = 42) -> list[SampleProduct]:
    """The sample catalog: the same seed always gives the same products, SKUs, prices and stock."""
    rng = random.Random(seed)
    products = []
    for category, (code, vendor, (low, high), sizes, palette, names) in CATEGORIES.items():
        for index, title in enumerate(names, start=1):
            brand = next((v for v, prefix in VENDOR_PREFIXES.items() if title.startswith(prefix)), vendor)
            product_sizes = ACCESSORY_SIZES.get(title, sizes)
            colors = rng.sample(palette, k=rng.choice((2, 2, 3, 3, 4)))
            price = Decimal(rng.randrange(low, high + 1, 2)) - Decimal("0.05") * rng.choice((0, 0, 1))
            price = price.quantize(Decimal("0.01"))
            on_sale = title in CLEARANCE or rng.random() < 0.1
            compare_at = (price * Decimal("1.4")).quantize(Decimal("1")) if on_sale else None
            tags = [category.split(" ")[0].lower(), rng.choice(["new", "bestseller", "core", "core"])]
            if title in CLEARANCE:
                tags.append("final-sale")
            if brand in ("Ridgeline", "Trailmark"):
                tags.append("fit:runs-small")
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
            products.append(
                SampleProduct(
                    handle=slug(title),
                    title=title,
                    description=description,
                    vendor=brand,
                    category=category,
                    tags=tuple(tags),
                    variants=tuple(variants),
                )
            )
    return products
