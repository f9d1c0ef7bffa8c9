"""Importers: Shopify product, order and customer CSV exports, fulfillments, and policy YAML.

Each importer only adds rows to the session it is given; :func:`store.importers.load.import_store`
runs them all inside one transaction so that a bad row leaves the database untouched.
"""

from store.importers.errors import StoreImportError

__all__ = ["StoreImportError"]
