"""Import a Shopify products CSV export, in the older or the current header style."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Optional

from sqlalchemy.orm import Session

from store.importers.csvfile import CsvFile, CsvRow
from store.importers.errors import StoreImportError
from store.importers.progress import SILENT, ImportProgress
from store.models import Category, Product, Variant

# canonical field -> (older export header, current export header)
COLUMNS = {
    "handle": ("Handle", "URL handle"),
    "title": ("Title", "Title"),
    "description": ("Body (HTML)", "Description"),
    "vendor": ("Vendor", "Vendor"),
    "type": ("Type", "Type"),
    "product_category": ("Product Category", "Product category"),
    "tags": ("Tags", "Tags"),
    "status": ("Status", "Status"),
    "sku": ("Variant SKU", "SKU"),
    "grams": ("Variant Grams", "Weight value (grams)"),
    "inventory": ("Variant Inventory Qty", "Inventory quantity"),
    "price": ("Variant Price", "Price"),
    "compare_at": ("Variant Compare At Price", "Compare-at price"),
    "barcode": ("Variant Barcode", "Barcode"),
    "image": ("Image Src", "Product image URL"),
}
METAFIELD_COLUMN = re.compile(r"\(product\.metafields\.\w+\.(?P<key>\w+)\)\s*$")
"""A metafield column (``Material (product.metafields.custom.material)``); its values become tags
``material:<value>``, the same ``name:value`` form as the ``fit:`` tag, so search and the
recommendation ranker read them without a column per store-defined metafield."""

for _n in (1, 2, 3):
    COLUMNS[f"option{_n}_name"] = (f"Option{_n} Name", f"Option{_n} name")
    COLUMNS[f"option{_n}_value"] = (f"Option{_n} Value", f"Option{_n} value")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _strip_html(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text)).strip()


def import_products(
    session: Session,
    path: Path,
    *,
    final_sale_tags: tuple[str, ...] = (),
    final_sale_categories: tuple[str, ...] = (),
    progress: ImportProgress = SILENT,
) -> int:
    """Add the products and variants of a Shopify products export to ``session``.

    Rows sharing a handle are one product; product cells are read from the first row of a handle.
    Rows without option values, SKU or price are extra-image rows and are skipped.

    Returns:
        The number of products added.

    Raises:
        StoreImportError: naming the file, row and reason of the first bad row.
    """
    csv = CsvFile(path, progress)
    if "Handle" in csv.headers:
        style = 0
    elif "URL handle" in csv.headers:
        style = 1
    else:
        raise StoreImportError(
            csv.name, "neither 'Handle' nor 'URL handle' column: not a Shopify products export"
        )
    col = {field: names[style] for field, names in COLUMNS.items()}
    csv.require(col["handle"], col["title"], col["price"])
    categories: dict[str, Category] = {}
    products: dict[str, Product] = {}
    skus: dict[str, int] = {}
    for row in csv:
        handle = row.get(col["handle"]).lower()
        if not handle:
            raise csv.fail(row, f"{col['handle']} is empty")
        product = products.get(handle)
        if product is None:
            product = _new_product(csv, row, col, handle, categories, final_sale_tags, final_sale_categories)
            products[handle] = product
            session.add(product)
        if not (row.get(col["option1_value"]) or row.get(col["sku"]) or row.get(col["price"])):
            continue  # an extra image of the product
        _add_variant(csv, row, col, product, skus)
    for product in products.values():
        if not product.variants:
            raise StoreImportError(csv.name, f"product {product.handle!r} has no variant rows")
    session.flush()
    return len(products)


def _new_product(
    csv: CsvFile,
    row: CsvRow,
    col: dict,
    handle: str,
    categories: dict,
    final_sale_tags: tuple,
    final_sale_categories: tuple,
) -> Product:
    title = row.get(col["title"])
    if not title:
        raise csv.fail(row, f"Title is empty on the first row of product {handle!r}")
    category_name = row.get(col["type"]) or row.get(col["product_category"]).split(">")[-1].strip()
    category = None
    if category_name:
        category = categories.get(category_name)
        if category is None:
            category = categories[category_name] = Category(name=category_name, slug=_slug(category_name))
    tags = [t.strip() for t in row.get(col["tags"]).split(",") if t.strip()] + _metafield_tags(csv, row)
    status = (row.get(col["status"]) or "active").lower()
    if status not in ("active", "draft", "archived"):
        raise csv.fail(row, f"{col['status']} {row.get(col['status'])!r} is not active, draft or archived")
    fit = next((t.split(":", 1)[1].replace("-", "_") for t in tags if t.lower().startswith("fit:")), None)
    return Product(
        handle=handle,
        title=title,
        description=_strip_html(row.get(col["description"])),
        vendor=row.get(col["vendor"]),
        category=category,
        tags=tags,
        status=status,
        fit=fit,
        final_sale=any(t in final_sale_tags for t in tags) or category_name in final_sale_categories,
        image_url=row.get(col["image"]) or None,
    )


def _metafield_tags(csv: CsvFile, row: CsvRow) -> list[str]:
    """``key:value`` tags from the row's non-empty metafield columns (``fit_notes`` -> ``fit-notes:``)."""
    tags = []
    for header in csv.headers:
        match = METAFIELD_COLUMN.search(header)
        if match and row.get(header):
            tags.append(f"{match.group('key').replace('_', '-')}:{row.get(header)}")
    return tags


def _option(row: CsvRow, col: dict, wanted: tuple[str, ...]) -> Optional[str]:
    for n in (1, 2, 3):
        if row.get(col[f"option{n}_name"]).lower() in wanted:
            return row.get(col[f"option{n}_value"]) or None
    return None


def _add_variant(csv: CsvFile, row: CsvRow, col: dict, product: Product, skus: dict) -> None:
    price = csv.amount(row, col["price"], required=True)
    options = {}
    for n in (1, 2, 3):
        name, value = row.get(col[f"option{n}_name"]), row.get(col[f"option{n}_value"])
        if value and value != "Default Title":
            options[name or f"Option{n}"] = value
    sku = row.get(col["sku"]).upper() or "-".join([product.handle.upper(), *options.values()]).upper()
    if sku in skus:
        raise csv.fail(row, f"duplicate SKU {sku!r} (first on row {skus[sku]})")
    skus[sku] = row.number
    product.variants.append(
        Variant(
            position=len(product.variants),
            sku=sku,
            size=_option(row, col, ("size", "shoe size", "waist")),
            color=_option(row, col, ("color", "colour")),
            options=options,
            price=price,
            compare_at_price=csv.amount(row, col["compare_at"]),
            inventory_quantity=csv.whole(row, col["inventory"]) or 0,
            barcode=row.get(col["barcode"]) or None,
            grams=csv.whole(row, col["grams"]),
        )
    )
