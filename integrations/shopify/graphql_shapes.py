"""Admin GraphQL nodes in the REST shape webhooks carry, so one set of upserts serves both.

The sync reads products, customers and orders through GraphQL (camelCase, enums in capitals,
``legacyResourceId`` strings, money sets); :mod:`integrations.shopify.apply` reads the REST shape.
"""

from __future__ import annotations

from typing import Any, Dict, Mapping, Optional

Node = Mapping[str, Any]

_FULFILLMENT_STATUS = {"FULFILLED": "fulfilled", "PARTIALLY_FULFILLED": "partial", "RESTOCKED": "restocked"}
_SHIPMENT_STATUS = {
    "IN_TRANSIT": "in_transit",
    "OUT_FOR_DELIVERY": "out_for_delivery",
    "DELIVERED": "delivered",
    "FAILED_DELIVERY": "failure",
    "ATTEMPTED_DELIVERY": "attempted_delivery",
}


def numeric_id(value: Any) -> int:
    """The numeric id in a ``legacyResourceId`` or at the end of a global id."""
    return int(str(value).rsplit("/", 1)[-1])


def _amount(money_set: Optional[Node]) -> Optional[str]:
    return ((money_set or {}).get("shopMoney") or {}).get("amount")


def _lower(value: Optional[str]) -> Optional[str]:
    return value.lower() if value else None


def product_payload(node: Node) -> Dict[str, Any]:
    variants = (node.get("variants") or {}).get("nodes") or []
    names = [o["name"] for o in (variants[0].get("selectedOptions") or [])] if variants else []
    if names == ["Title"]:
        names = []
    return {
        "id": numeric_id(node["legacyResourceId"]),
        "handle": node["handle"],
        "title": node["title"],
        "body_html": node.get("descriptionHtml") or "",
        "vendor": node.get("vendor") or "",
        "product_type": node.get("productType") or "",
        "tags": ", ".join(node.get("tags") or []),
        "status": _lower(node.get("status")) or "active",
        "updated_at": node.get("updatedAt"),
        "options": [{"name": name, "position": i + 1} for i, name in enumerate(names)],
        "variants": [_variant_payload(v, names) for v in variants],
    }


def _variant_payload(node: Node, names: list) -> Dict[str, Any]:
    values = {o["name"]: o["value"] for o in node.get("selectedOptions") or []}
    payload = {
        "id": numeric_id(node["legacyResourceId"]),
        "sku": node.get("sku"),
        "price": node.get("price"),
        "compare_at_price": node.get("compareAtPrice"),
        "position": node.get("position"),
        "inventory_quantity": node.get("inventoryQuantity"),
        "inventory_item_id": numeric_id((node.get("inventoryItem") or {})["legacyResourceId"]),
        "barcode": node.get("barcode"),
    }
    for i in range(3):
        payload[f"option{i + 1}"] = values.get(names[i]) if i < len(names) else None
    return payload


def customer_payload(node: Node) -> Dict[str, Any]:
    consent = (node.get("emailMarketingConsent") or {}).get("marketingState")
    return {
        "id": numeric_id(node["legacyResourceId"]),
        "first_name": node.get("firstName"),
        "last_name": node.get("lastName"),
        "email": node.get("email"),
        "phone": node.get("phone"),
        "tags": ", ".join(node.get("tags") or []),
        "created_at": node.get("createdAt"),
        "updated_at": node.get("updatedAt"),
        "email_marketing_consent": {"state": _lower(consent)},
    }


def address_payload(address: Node) -> Dict[str, Any]:
    """A ``MailingAddress`` node in the REST shape."""
    return {
        "name": address.get("name"),
        "address1": address.get("address1"),
        "address2": address.get("address2"),
        "city": address.get("city"),
        "province_code": address.get("provinceCode"),
        "zip": address.get("zip"),
        "country_code": address.get("countryCodeV2"),
        "phone": address.get("phone"),
    }


def order_payload(node: Node) -> Dict[str, Any]:
    address = node.get("shippingAddress") or {}
    order_id = numeric_id(node["legacyResourceId"])
    return {
        "id": order_id,
        "name": node["name"],
        "email": node.get("email"),
        "phone": node.get("phone"),
        "created_at": node.get("createdAt"),
        "updated_at": node.get("updatedAt"),
        "cancelled_at": node.get("cancelledAt"),
        "cancel_reason": _lower(node.get("cancelReason")),
        "financial_status": _lower(node.get("displayFinancialStatus")),
        "fulfillment_status": _FULFILLMENT_STATUS.get(node.get("displayFulfillmentStatus") or ""),
        "currency": node.get("currencyCode"),
        "subtotal_price": _amount(node.get("subtotalPriceSet")),
        "total_shipping_price_set": {"shop_money": {"amount": _amount(node.get("totalShippingPriceSet"))}},
        "total_tax": _amount(node.get("totalTaxSet")),
        "total_price": _amount(node.get("totalPriceSet")),
        "customer": {"id": numeric_id(node["customer"]["legacyResourceId"])}
        if node.get("customer")
        else None,
        "shipping_address": address_payload(address),
        "line_items": [
            {
                "id": numeric_id(line["id"]),
                "sku": line.get("sku"),
                "name": line.get("name"),
                "quantity": line.get("quantity"),
                "price": _amount(line.get("originalUnitPriceSet")),
                "variant_id": numeric_id(line["variant"]["legacyResourceId"])
                if line.get("variant")
                else None,
            }
            for line in (node.get("lineItems") or {}).get("nodes") or []
        ],
        "fulfillments": [_fulfillment_payload(f, order_id) for f in node.get("fulfillments") or []],
    }


def _fulfillment_payload(node: Node, order_id: int) -> Dict[str, Any]:
    tracking = node.get("trackingInfo") or []
    return {
        "id": numeric_id(node["legacyResourceId"]),
        "order_id": order_id,
        "status": _lower(node.get("status")),
        "shipment_status": _SHIPMENT_STATUS.get(node.get("displayStatus") or ""),
        "created_at": node.get("createdAt"),
        "updated_at": node.get("updatedAt"),
        "delivered_at": node.get("deliveredAt"),
        "tracking_company": tracking[0].get("company") if tracking else None,
        "tracking_numbers": [t["number"] for t in tracking if t.get("number")],
        "tracking_urls": [t["url"] for t in tracking if t.get("url")],
        "line_items": [
            {"id": numeric_id(item["lineItem"]["id"]), "quantity": item.get("quantity")}
            for item in (node.get("fulfillmentLineItems") or {}).get("nodes") or []
        ],
    }


__all__ = ["address_payload", "customer_payload", "numeric_id", "order_payload", "product_payload"]
