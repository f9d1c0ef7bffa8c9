"""Cancel an order or change its address: in the connected Shopify store first, else in ours.

One mechanism for everyone who changes an order on a shopper's behalf (the assistant's actions and
the agent console): with a Shopify store connected, the change is asked of Shopify and the store
follows its answer (:mod:`integrations.shopify.writeback`); without one, the store's own rules
make it (:func:`store.orders.cancel_order`, :func:`store.orders.change_shipping_address`). Both
re-check that ``contact`` owns the order and that it has not shipped.
"""

from __future__ import annotations

from integrations.shopify.writeback import cancel_in_shop, change_address_in_shop, shop_connection
from store.orders import Address, OrderChangeResult, cancel_order, change_shipping_address
from store.runner import configured_timeout, run_in_session


async def cancel(*, order_number: str, contact: str) -> OrderChangeResult:
    """Cancel the order (refunded and restocked by the shop's or the store's rules).

    Raises:
        store.runner.StoreUnavailable: the store could not check or record the order.
    """
    shop = shop_connection()
    if shop is not None:
        return await cancel_in_shop(shop, order_number=order_number, contact=contact)
    return await run_in_session(
        cancel_order, timeout=configured_timeout(), order_number=order_number, contact=contact
    )


async def change_address(*, order_number: str, contact: str, address: Address) -> OrderChangeResult:
    """Send the unshipped order to ``address``.

    Raises:
        store.runner.StoreUnavailable: the store could not check or record the order.
    """
    shop = shop_connection()
    if shop is not None:
        return await change_address_in_shop(shop, order_number=order_number, contact=contact, address=address)
    return await run_in_session(
        change_shipping_address,
        timeout=configured_timeout(),
        order_number=order_number,
        contact=contact,
        address=address,
    )
