"""Cancellations and address changes asked of the connected Shopify store before the local one.

The order goes through the store's own checks first (:mod:`store.shop_changes`: the shopper owns
it, it has not shipped, the address is complete); then the mutation goes to Shopify, and only
Shopify's answer changes the store. What Shopify refuses comes back as the refusal the actions
already answer: the order's state is read back from Shopify, so "already fulfilled" is told as
such even when the store had not heard of the shipment yet. A refusal with no shopper-facing
reason, an order Shopify does not know, or no answer at all is :attr:`SHOP_REFUSED`, which the
actions hand to a person: after a timeout nobody can say whether the change happened.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, Optional, Union

from core.settings import Settings
from integrations.shopify import documents
from integrations.shopify.apply import parse_time, store_address
from integrations.shopify.client import AdminClient, ShopifyConnection, ShopifyError, connection_from_settings
from integrations.shopify.graphql_shapes import address_payload
from store.codes import OrderChangeRefusal
from store.orders import Address, OrderChangeResult
from store.runner import configured_timeout, run_in_session
from store.shop_changes import (
    ShopOrder,
    check_address_change,
    check_cancellation,
    record_cancellation,
    record_shipping_address,
)

logger = logging.getLogger(__name__)

SHOP_REFUSED = OrderChangeRefusal.SHOP_REFUSED
CANCEL_REASON = "CUSTOMER"
STAFF_NOTE = "Cancelled by the shopper through the store assistant"

_STATE_REFUSALS = {
    "FULFILLED": OrderChangeRefusal.ALREADY_FULFILLED,
    "PARTIALLY_FULFILLED": OrderChangeRefusal.PARTIALLY_FULFILLED,
    "IN_PROGRESS": OrderChangeRefusal.PARTIALLY_FULFILLED,
}


def shop_connection(settings: Optional[Settings] = None) -> Optional[ShopifyConnection]:
    """The connected shop (changes go there first), or None (the store's own rules alone)."""
    return connection_from_settings(settings)


def cancel_variables(shopify_id: int) -> Dict[str, Any]:
    """``orderCancel``'s variables: the shopper's request, refunded to the original payment, restocked."""
    return {
        "orderId": documents.gid("Order", shopify_id),
        "reason": CANCEL_REASON,
        "restock": True,
        "notifyCustomer": True,
        "refundMethod": {"originalPaymentMethodsRefund": True},
        "staffNote": STAFF_NOTE,
    }


def mailing_address(fields: Dict[str, Any]) -> Dict[str, Any]:
    """The store's address fields as Shopify's ``MailingAddressInput``."""
    first, _, last = (fields.get("name") or "").partition(" ")
    address = {
        "firstName": first or None,
        "lastName": last or None,
        "address1": fields["address1"],
        "address2": fields.get("address2"),
        "city": fields["city"],
        "provinceCode": fields.get("region"),
        "zip": fields["postal_code"],
        "countryCode": fields["country"],
        "phone": fields.get("phone"),
    }
    return {key: value for key, value in address.items() if value is not None}


async def _refusal(client: AdminClient, shopify_id: int) -> OrderChangeRefusal:
    """Why Shopify refused, from the order's state there (its messages are not for shoppers)."""
    data = await client.query(documents.ORDER_STATE, {"id": documents.gid("Order", shopify_id)})
    state = data.get("order")
    if not state:
        return SHOP_REFUSED
    if state.get("cancelledAt"):
        return OrderChangeRefusal.ALREADY_CANCELLED
    return _STATE_REFUSALS.get(state.get("displayFulfillmentStatus") or "", SHOP_REFUSED)


async def _checked(check: Any, **kwargs: Any) -> Union[ShopOrder, OrderChangeResult]:
    target = await run_in_session(check, timeout=configured_timeout(), **kwargs)
    if isinstance(target, ShopOrder) and target.shopify_id is None:
        # imported from a CSV export only: Shopify has no id for it yet (a sync links it)
        return OrderChangeResult(ok=False, reason=SHOP_REFUSED, order=target.order)
    return target


async def cancel_in_shop(
    connection: ShopifyConnection, *, order_number: str, contact: str
) -> OrderChangeResult:
    """Cancel the shopper's order in Shopify, then record it (see the module docstring).

    Raises:
        StoreUnavailable: the store could not check or record the order.
    """
    target = await _checked(check_cancellation, order_number=order_number, contact=contact)
    if isinstance(target, OrderChangeResult):
        return target
    assert target.shopify_id is not None
    try:
        async with AdminClient(connection) as shop:
            result = await shop.mutate(
                documents.ORDER_CANCEL,
                cancel_variables(target.shopify_id),
                name="orderCancel",
                errors_key="orderCancelUserErrors",
            )
            if not result.ok:
                logger.info("shopify.cancel.refused codes=%s", [e.code for e in result.user_errors])
                return OrderChangeResult(
                    ok=False, reason=await _refusal(shop, target.shopify_id), order=target.order
                )
    except ShopifyError as error:
        logger.error("shopify.cancel.failed error=%s", error)
        return OrderChangeResult(ok=False, reason=SHOP_REFUSED, order=target.order)
    return await run_in_session(
        record_cancellation, timeout=configured_timeout(), order_number=target.order.number, reason="customer"
    )


async def change_address_in_shop(
    connection: ShopifyConnection,
    *,
    order_number: str,
    contact: str,
    address: Address,
) -> OrderChangeResult:
    """Change the order's shipping address in Shopify, then keep the address Shopify answered with.

    Raises:
        StoreUnavailable: the store could not check or record the order.
    """
    target = await _checked(check_address_change, order_number=order_number, contact=contact, address=address)
    if isinstance(target, OrderChangeResult):
        return target
    assert target.shopify_id is not None and target.new_address is not None
    variables = {
        "input": {
            "id": documents.gid("Order", target.shopify_id),
            "shippingAddress": mailing_address(target.new_address),
        }
    }
    try:
        async with AdminClient(connection) as shop:
            result = await shop.mutate(documents.ORDER_UPDATE, variables, name="orderUpdate")
            if not result.ok or not result.payload.get("order"):
                logger.info("shopify.address.refused fields=%s", [e.field for e in result.user_errors])
                return OrderChangeResult(
                    ok=False, reason=await _refusal(shop, target.shopify_id), order=target.order
                )
    except ShopifyError as error:
        logger.error("shopify.address.failed error=%s", error)
        return OrderChangeResult(ok=False, reason=SHOP_REFUSED, order=target.order)
    order = result.payload["order"]
    answered = store_address(address_payload(order.get("shippingAddress") or {}))
    return await run_in_session(
        record_shipping_address,
        timeout=configured_timeout(),
        order_number=target.order.number,
        address={**target.new_address, **{k: v for k, v in answered.items() if v}},
        updated_at=parse_time(order.get("updatedAt")),
    )


__all__ = [
    "cancel_in_shop",
    "cancel_variables",
    "change_address_in_shop",
    "mailing_address",
    "shop_connection",
]
