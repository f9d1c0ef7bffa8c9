"""Write the sample store as Shopify-style CSV exports."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Iterable

from store.sample.catalog import SampleProduct

LEGACY_PRODUCT_HEADERS = [
    "Handle",
    "Title",
    "Body (HTML)",
    "Vendor",
    "Product Category",
    "Type",
    "Tags",
    "Published",
    "Option1 Name",
    "Option1 Value",
    "Option2 Name",
    "Option2 Value",
    "Option3 Name",
    "Option3 Value",
    "Variant SKU",
    "Variant Grams",
    "Variant Inventory Tracker",
    "Variant Inventory Qty",
    "Variant Inventory Policy",
    "Variant Fulfillment Service",
    "Variant Price",
    "Variant Compare At Price",
    "Variant Requires Shipping",
    "Variant Taxable",
    "Variant Barcode",
    "Image Src",
    "Image Position",
    "Image Alt Text",
    "Gift Card",
    "Variant Weight Unit",
    "Status",
]
METAFIELD_HEADERS = {
    "material": "Material (product.metafields.custom.material)",
    "fit_notes": "Fit notes (product.metafields.custom.fit_notes)",
}
"""Shopify exports a product's metafields as one column each, named ``Label (product.metafields.ns.key)``."""
CURRENT_PRODUCT_HEADERS = [
    "Title",
    "URL handle",
    "Description",
    "Vendor",
    "Product category",
    "Type",
    "Tags",
    "Published on online store",
    "Status",
    "SKU",
    "Barcode",
    "Option1 name",
    "Option1 value",
    "Option2 name",
    "Option2 value",
    "Option3 name",
    "Option3 value",
    "Price",
    "Compare-at price",
    "Cost per item",
    "Charge tax",
    "Inventory tracker",
    "Inventory quantity",
    "Continue selling when out of stock",
    "Weight value (grams)",
    "Weight unit for display",
    "Requires shipping",
    "Fulfillment service",
    "Product image URL",
    "Image position",
    "Image alt text",
    "Gift card",
]


def write_products(products: Iterable[SampleProduct], path: Path, *, style: str = "current") -> None:
    """Write a products export in Shopify's ``current`` or ``legacy`` header style."""
    path.parent.mkdir(parents=True, exist_ok=True)
    headers = CURRENT_PRODUCT_HEADERS if style == "current" else LEGACY_PRODUCT_HEADERS
    headers = headers + list(METAFIELD_HEADERS.values())
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=headers)
        writer.writeheader()
        for product in products:
            image = f"https://cdn.northwind-outfitters.example/products/{product.handle}.jpg"
            for i, v in enumerate(product.variants):
                first = i == 0
                cells = {
                    "handle": product.handle,
                    "title": product.title if first else "",
                    "body": product.description if first else "",
                    "vendor": product.vendor if first else "",
                    "type": product.category if first else "",
                    "tags": ", ".join(product.tags) if first else "",
                    "published": "TRUE" if first else "",
                    "status": "active" if first else "",
                    "sku": v.sku,
                    "grams": str(v.grams),
                    "qty": str(v.inventory),
                    "price": str(v.price),
                    "compare": str(v.compare_at) if v.compare_at else "",
                    "image": image if first else "",
                    "position": "1" if first else "",
                }
                if style == "current":
                    row = {
                        "Title": cells["title"],
                        "URL handle": cells["handle"],
                        "Description": cells["body"],
                        "Vendor": cells["vendor"],
                        "Type": cells["type"],
                        "Tags": cells["tags"],
                        "Published on online store": cells["published"],
                        "Status": cells["status"],
                        "SKU": v.sku,
                        "Option1 name": "Size",
                        "Option1 value": v.size,
                        "Option2 name": "Color",
                        "Option2 value": v.color,
                        "Price": cells["price"],
                        "Compare-at price": cells["compare"],
                        "Charge tax": "TRUE",
                        "Inventory tracker": "shopify",
                        "Inventory quantity": cells["qty"],
                        "Continue selling when out of stock": "DENY",
                        "Weight value (grams)": cells["grams"],
                        "Weight unit for display": "g",
                        "Requires shipping": "TRUE",
                        "Fulfillment service": "manual",
                        "Product image URL": cells["image"],
                        "Image position": cells["position"],
                        "Gift card": "FALSE",
                    }
                else:
                    row = {
                        "Handle": cells["handle"],
                        "Title": cells["title"],
                        "Body (HTML)": cells["body"],
                        "Vendor": cells["vendor"],
                        "Type": cells["type"],
                        "Tags": cells["tags"],
                        "Published": cells["published"],
                        "Option1 Name": "Size",
                        "Option1 Value": v.size,
                        "Option2 Name": "Color",
                        "Option2 Value": v.color,
                        "Variant SKU": v.sku,
                        "Variant Grams": cells["grams"],
                        "Variant Inventory Tracker": "shopify",
                        "Variant Inventory Qty": cells["qty"],
                        "Variant Inventory Policy": "deny",
                        "Variant Fulfillment Service": "manual",
                        "Variant Price": cells["price"],
                        "Variant Compare At Price": cells["compare"],
                        "Variant Requires Shipping": "TRUE",
                        "Variant Taxable": "TRUE",
                        "Image Src": cells["image"],
                        "Image Position": cells["position"],
                        "Gift Card": "FALSE" if first else "",
                        "Variant Weight Unit": "g",
                        "Status": cells["status"],
                    }
                if first:
                    row[METAFIELD_HEADERS["material"]] = product.material
                    row[METAFIELD_HEADERS["fit_notes"]] = product.fit_notes
                writer.writerow(row)


def write_rows(path: Path, headers: list[str], rows: Iterable[dict]) -> None:
    """Write dict rows under ``headers`` (missing cells are blank)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=headers, extrasaction="raise")
        writer.writeheader()
        for row in rows:
            writer.writerow({h: row.get(h, "") for h in headers})
