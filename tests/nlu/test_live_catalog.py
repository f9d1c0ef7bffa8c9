"""A loaded model follows live catalog changes (a connected Shopify store) without retraining."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from integrations.shopify.apply import apply_product
from store.db import make_engine, session_scope
from storefront.nlu.catalog_extractor import CatalogEntityExtractor
from storefront.nlu.live_catalog import LiveCatalog
from tests.support.stacks import copy_store

NEW_PRODUCT = {
    "id": 7_100_000_001,
    "handle": "zorvex-quillo",
    "title": "Zorvex Quillo",
    "body_html": "<p>A warm parka.</p>",
    "vendor": "Northbound",
    "product_type": "Jackets",
    "tags": "outerwear",
    "status": "active",
    "updated_at": "2026-11-30T10:00:00Z",
    "options": [{"name": "Size", "position": 1}],
    "variants": [
        {"id": 41_000_000_001, "sku": "JKT-ZORVEX-M", "price": "189.00", "option1": "M", "position": 1}
    ],
}


def products(component: CatalogEntityExtractor, text: str) -> List[str]:
    message = Message({TEXT: text, ENTITIES: []})
    component.process([message])
    return [e["value"] for e in message.get(ENTITIES) if e["entity"] == "product"]


def test_a_product_created_in_shopify_is_recognised_by_the_loaded_model(
    store_db_url: str, tmp_path: Path, storage: LocalModelStorage, context: ExecutionContext
) -> None:
    store = copy_store(store_db_url, tmp_path)
    config: Dict[str, Any] = {
        **CatalogEntityExtractor.get_default_config(),
        "database_url": store,
        "catalog_refresh_seconds": 1e-9,  # look at every message
    }
    resource = Resource("catalog_extractor")
    CatalogEntityExtractor.create(config, storage, resource, context).train(TrainingData())
    loaded = CatalogEntityExtractor.load(config, storage, resource, context)
    assert products(loaded, "do you have the zorvex quillo in M") == []

    live = loaded._live
    assert isinstance(live, LiveCatalog)
    trained_version = live.version  # imports move the version too
    with session_scope(make_engine(store)) as session:
        apply_product(session, NEW_PRODUCT)  # a products/create webhook
    products(loaded, "hello")  # notices the new version and rebuilds in the background
    live.wait()
    assert products(loaded, "do you have the zorvex quillo in M") == ["Zorvex Quillo"]
    assert live.version == trained_version + 1


def test_an_unchanged_catalog_is_never_rebuilt(
    store_db_url: str, storage: LocalModelStorage, context: ExecutionContext
) -> None:
    config = {
        **CatalogEntityExtractor.get_default_config(),
        "database_url": store_db_url,
        "catalog_refresh_seconds": 1e-9,
    }
    resource = Resource("catalog_extractor")
    CatalogEntityExtractor.create(config, storage, resource, context).train(TrainingData())
    loaded = CatalogEntityExtractor.load(config, storage, resource, context)
    before = loaded.matcher
    products(loaded, "is the Fleece Hoodie in XL")
    assert loaded.matcher is before
