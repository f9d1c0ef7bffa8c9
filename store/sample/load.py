"""Generate the sample store relative to now and import it (``python -m store load-sample``)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Optional
from zoneinfo import ZoneInfo

import yaml
from sqlalchemy import func, inspect, select
from sqlalchemy.engine import Engine

from core import clock
from store.importers.load import StoreFiles, import_store
from store.importers.progress import SILENT, ImportProgress
from store.models import Product
from store.sample.exports import write_sample_exports
from store.sample.orders import generate_sample

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SAMPLE_DATA_DIR = PROJECT_ROOT / "data" / "store"
SAMPLE_OUTPUT_DIR = PROJECT_ROOT / "var" / "sample"


def store_has_data(engine: Engine) -> bool:
    """Whether the store already holds products (the schema may not even exist yet)."""
    if not inspect(engine).has_table(Product.__tablename__):
        return False
    with engine.connect() as conn:
        return bool(conn.execute(select(func.count(Product.id))).scalar())


def write_sample(
    *,
    seed: int = 42,
    now: Optional[datetime] = None,
    data_dir: Path = SAMPLE_DATA_DIR,
    output_dir: Path = SAMPLE_OUTPUT_DIR,
) -> StoreFiles:
    """Generate the dated exports (customers, orders, fulfillments, returns) into ``output_dir``."""
    store = yaml.safe_load((data_dir / "store.yaml").read_text(encoding="utf-8"))
    shipping = yaml.safe_load((data_dir / "shipping.yaml").read_text(encoding="utf-8"))
    tz = ZoneInfo(store.get("timezone", "UTC"))
    now = (now or clock.now()).astimezone(tz)
    data = generate_sample(now=now, seed=seed, shipping=shipping, tz=tz)
    paths = write_sample_exports(data, output_dir)
    return StoreFiles(
        products=data_dir / "products.csv",
        policies=data_dir,
        orders=paths["orders"],
        customers=paths["customers"],
        fulfillments=paths["fulfillments"],
        returns=paths["returns"],
    )


def load_sample(
    engine: Engine,
    *,
    seed: int = 42,
    now: Optional[datetime] = None,
    if_empty: bool = False,
    data_dir: Path = SAMPLE_DATA_DIR,
    output_dir: Path = SAMPLE_OUTPUT_DIR,
    progress: ImportProgress = SILENT,
) -> Optional[dict[str, int]]:
    """Generate and import the sample store; None when ``if_empty`` and the store has data."""
    if if_empty and store_has_data(engine):
        return None
    progress.step(f"generating the sample store (seed {seed}) into {output_dir}")
    files = write_sample(seed=seed, now=now, data_dir=data_dir, output_dir=output_dir)
    store = yaml.safe_load((data_dir / "store.yaml").read_text(encoding="utf-8"))
    today = (now or clock.now()).astimezone(ZoneInfo(store.get("timezone", "UTC"))).date()
    return import_store(engine, files, today=today, progress=progress, demo=True)
