"""Regenerate the committed sample catalog ``data/store/products.csv`` from its seed.

Usage: ``python scripts/generate_sample_store.py [--style current|legacy] [--out PATH]``.
The dated parts of the sample (customers, orders, shipments, returns) are not committed: they are
generated relative to today by ``python -m store load-sample`` (into ``var/sample/``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from store.sample.catalog import build_catalog
from store.sample.orders import CATALOG_SEED
from store.sample.writer import write_products


def main() -> int:
    """Write the catalog CSV and print what was written."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--style", choices=("current", "legacy"), default="current")
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).resolve().parents[1] / "data/store/products.csv"
    )
    args = parser.parse_args()
    products = build_catalog(CATALOG_SEED)
    write_products(products, args.out, style=args.style)
    variants = sum(len(p.variants) for p in products)
    print(f"{args.out}: {len(products)} products, {variants} variants ({args.style} headers)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
