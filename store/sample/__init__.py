"""The sample store: a deterministic apparel and footwear catalog and, relative to a given day,
customers, orders, shipments and returns written as Shopify-style CSV exports."""
