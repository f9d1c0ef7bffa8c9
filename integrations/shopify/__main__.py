"""``python -m integrations.shopify sync``: backfill or repair the store from the connected shop.

The store's own command line (``python -m store``) sits below the integrations layer and cannot
reach Shopify, so this command lives here, beside the client it drives.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import List, Optional

from core import clock
from core.settings import SettingsError, get_settings
from integrations.shopify.client import AdminClient, ShopifyError, connection_from_settings
from integrations.shopify.sync import DEFAULT_ORDER_DAYS, sync_shop
from store.db import make_engine
from store.schema import SchemaError, require_schema
from store.terminal import import_progress


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m integrations.shopify", description=__doc__.splitlines()[0]
    )
    commands = parser.add_subparsers(dest="command", required=True)
    sync = commands.add_parser("sync", help="pull products and stock, customers and recent orders")
    sync.add_argument(
        "--order-days",
        type=int,
        default=DEFAULT_ORDER_DAYS,
        help="orders updated in the last N days (default 60)",
    )
    args = parser.parse_args(argv)
    try:
        connection = connection_from_settings(get_settings())
    except SettingsError as error:
        print(f"configuration error: {error}", file=sys.stderr)
        return 2
    if connection is None:
        print("no shop is connected: set SHOPIFY_SHOP_DOMAIN and SHOPIFY_ADMIN_TOKEN", file=sys.stderr)
        return 2
    engine = make_engine()
    try:
        require_schema(engine)
    except SchemaError as error:
        print(f"store schema: {error}", file=sys.stderr)
        return 2

    async def run() -> str:
        with import_progress(sys.stderr) as progress:
            async with AdminClient(connection) as client:
                report = await sync_shop(
                    client, engine, now=clock.now(), order_days=args.order_days, progress=progress
                )
        return report.summary()

    try:
        summary = asyncio.run(run())
    except ShopifyError as error:
        print(f"Shopify sync failed: {error}", file=sys.stderr)
        return 1
    print(f"synced {connection.shop_domain}: {summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
