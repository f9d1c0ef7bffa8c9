"""A live Shopify store: Admin GraphQL client, webhook handling, sync and write-back.

Off while ``SHOPIFY_SHOP_DOMAIN`` or ``SHOPIFY_ADMIN_TOKEN`` is empty; the store imported from
CSV exports (``python -m store import``) is then the only source, as before.
"""
