"""A fake Shopify Admin GraphQL API for one shop, on 127.0.0.1, plus its webhook deliveries.

It checks each request as Shopify documents it and refuses the rest:

- ``POST /admin/api/<version>/graphql.json`` for the pinned version only (404 otherwise);
- ``X-Shopify-Access-Token`` equal to the app's token (401 with Shopify's error otherwise);
- a JSON body with ``query`` and ``variables``; the operation must be one the assistant uses, its
  variable declarations exactly the documented types, and the variables valid for them (global
  ids of the right resource, enum values, page sizes up to 250); anything else gets a GraphQL
  error as Shopify gives one.

Answers are real-shaped: ``nodes`` with ``pageInfo { hasNextPage endCursor }`` cursors, mutation
payloads with ``userErrors`` decided by the shop's state (an order with shipped items cannot be
cancelled; returns, in :mod:`tests.fakes.shopify_returns`, only what shipped and no return holds
yet), and ``extensions.cost.throttleStatus`` on every answer. :meth:`throttle_next` makes
the next requests fail with ``THROTTLED`` as Shopify does when the bucket is short.

:meth:`deliver` sends a webhook to a receiver, signed like Shopify's (base64 HMAC-SHA256 of the
raw body with the app secret, plus the topic, webhook id, shop domain and API version headers).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import itertools
import json
import re
import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable, Dict, List, Optional, Tuple

import requests
from aiohttp import web

from tests.fakes.server import FakeServer
from tests.fakes.shopify_returns import InvalidReturnInput, return_request, returnable_fulfillments
from tests.fakes.shopify_store import ShopData, stamp

TOKEN = "shpat_test_admin_token"
SECRET = "test-shopify-webhook-secret"
SHOP = "storefront-test.myshopify.com"
VERSION = "2025-07"

MAX_PAGE = 250
OPERATION = re.compile(r"^\s*(query|mutation)\s+(\w+)\s*(?:\(([^)]*)\))?\s*\{", re.S)

# operation -> (kind, the variable declarations Shopify documents for it, exactly)
OPERATIONS: Dict[str, Tuple[str, Dict[str, str]]] = {
    "Products": ("query", {"first": "Int!", "after": "String"}),
    "Customers": ("query", {"first": "Int!", "after": "String"}),
    "Orders": ("query", {"first": "Int!", "after": "String", "query": "String"}),
    "OrderState": ("query", {"id": "ID!"}),
    "Counts": ("query", {"query": "String"}),
    "OrderCancel": (
        "mutation",
        {
            "orderId": "ID!",
            "reason": "OrderCancelReason!",
            "restock": "Boolean!",
            "notifyCustomer": "Boolean",
            "refundMethod": "OrderCancelRefundMethodInput",
            "staffNote": "String",
        },
    ),
    "OrderUpdate": ("mutation", {"input": "OrderInput!"}),
    "ReturnableFulfillments": ("query", {"orderId": "ID!", "first": "Int!"}),
    "ReturnRequest": ("mutation", {"input": "ReturnRequestInput!"}),
}
CANCEL_REASONS = {"CUSTOMER", "DECLINED", "FRAUD", "INVENTORY", "OTHER", "STAFF"}
ADDRESS_FIELDS = {
    "address1",
    "address2",
    "city",
    "company",
    "countryCode",
    "firstName",
    "lastName",
    "phone",
    "provinceCode",
    "zip",
}
COSTS = {
    "Counts": 3,
    "Products": 112,
    "Customers": 52,
    "Orders": 252,
    "OrderState": 1,
    "OrderCancel": 10,
    "OrderUpdate": 10,
    "ReturnableFulfillments": 14,
    "ReturnRequest": 10,
}


class GraphQLError(Exception):
    """A request Shopify would answer with ``errors`` (and no data)."""


def _declarations(text: Optional[str]) -> Dict[str, str]:
    found: Dict[str, str] = {}
    for part in filter(None, (p.strip() for p in (text or "").split(","))):
        match = re.fullmatch(r"\$(\w+)\s*:\s*([\w!\[\]]+)(?:\s*=.*)?", part)
        if not match:
            raise GraphQLError(f"Parse error on {part!r}")
        found[match.group(1)] = match.group(2)
    return found


def _gid(value: Any, resource: str) -> int:
    match = re.fullmatch(rf"gid://shopify/{resource}/(\d+)", str(value))
    if not match:
        raise GraphQLError(f"Variable $id of type ID! was provided invalid value {value!r} for {resource}")
    return int(match.group(1))


def _cursor(index: int) -> str:
    return base64.b64encode(json.dumps({"last_id": index}).encode()).decode()


def _page(items: List[Dict[str, Any]], variables: Dict[str, Any], render: Callable) -> Dict[str, Any]:
    first = variables.get("first")
    if not isinstance(first, int) or not 0 < first <= MAX_PAGE:
        raise GraphQLError(f"The 'first' argument must be between 1 and {MAX_PAGE}")
    start = 0
    if variables.get("after") is not None:
        try:
            start = json.loads(base64.b64decode(variables["after"]))["last_id"] + 1
        except (ValueError, KeyError, TypeError):
            raise GraphQLError("Invalid cursor for current pagination sort.") from None
    chunk = items[start : start + first]
    end = start + len(chunk) - 1
    return {
        "pageInfo": {"hasNextPage": start + first < len(items), "endCursor": _cursor(end) if chunk else None},
        "nodes": [render(item) for item in chunk],
    }


# --- REST resource -> GraphQL node ------------------------------------------------------------------


def _money_set(amount: Any) -> Dict[str, Any]:
    return {"shopMoney": {"amount": str(amount)}}


def product_node(p: Dict[str, Any]) -> Dict[str, Any]:
    names = [o["name"] for o in p["options"]]
    return {
        "legacyResourceId": str(p["id"]),
        "handle": p["handle"],
        "title": p["title"],
        "descriptionHtml": p["body_html"],
        "vendor": p["vendor"],
        "productType": p["product_type"],
        "tags": [t.strip() for t in p["tags"].split(",") if t.strip()],
        "status": p["status"].upper(),
        "updatedAt": p["updated_at"],
        "variants": {
            "nodes": [
                {
                    "legacyResourceId": str(v["id"]),
                    "sku": v["sku"],
                    "price": v["price"],
                    "compareAtPrice": v["compare_at_price"],
                    "position": v["position"],
                    "inventoryQuantity": v["inventory_quantity"],
                    "barcode": v["barcode"],
                    "selectedOptions": [
                        {"name": name, "value": v[f"option{i + 1}"]} for i, name in enumerate(names)
                    ]
                    or [{"name": "Title", "value": "Default Title"}],
                    "inventoryItem": {"legacyResourceId": str(v["inventory_item_id"])},
                }
                for v in p["variants"]
            ]
        },
    }


def customer_node(c: Dict[str, Any]) -> Dict[str, Any]:
    return {
        "legacyResourceId": str(c["id"]),
        "firstName": c["first_name"],
        "lastName": c["last_name"],
        "email": c["email"],
        "phone": c["phone"],
        "tags": [t.strip() for t in c["tags"].split(",") if t.strip()],
        "createdAt": c["created_at"],
        "updatedAt": c["updated_at"],
        "emailMarketingConsent": {"marketingState": c["email_marketing_consent"]["state"].upper()},
    }


_DISPLAY_FULFILLMENT = {
    None: "UNFULFILLED",
    "partial": "PARTIALLY_FULFILLED",
    "fulfilled": "FULFILLED",
    "restocked": "RESTOCKED",
}
_DISPLAY_SHIPMENT = {
    "in_transit": "IN_TRANSIT",
    "out_for_delivery": "OUT_FOR_DELIVERY",
    "delivered": "DELIVERED",
    "failure": "FAILED_DELIVERY",
    "attempted_delivery": "ATTEMPTED_DELIVERY",
    None: "FULFILLED",
}


def order_node(o: Dict[str, Any]) -> Dict[str, Any]:
    a = o["shipping_address"] or {}
    return {
        "legacyResourceId": str(o["id"]),
        "name": o["name"],
        "email": o["email"],
        "phone": o["phone"],
        "createdAt": o["created_at"],
        "updatedAt": o["updated_at"],
        "cancelledAt": o["cancelled_at"],
        "cancelReason": (o["cancel_reason"] or "").upper() or None,
        "displayFinancialStatus": o["financial_status"].upper(),
        "displayFulfillmentStatus": _DISPLAY_FULFILLMENT[o["fulfillment_status"]],
        "currencyCode": o["currency"],
        "subtotalPriceSet": _money_set(o["subtotal_price"]),
        "totalShippingPriceSet": _money_set(o["total_shipping_price_set"]["shop_money"]["amount"]),
        "totalTaxSet": _money_set(o["total_tax"]),
        "totalPriceSet": _money_set(o["total_price"]),
        "customer": {"legacyResourceId": str(o["customer"]["id"])} if o["customer"] else None,
        "shippingAddress": {
            "name": a.get("name"),
            "address1": a.get("address1"),
            "address2": a.get("address2"),
            "city": a.get("city"),
            "provinceCode": a.get("province_code"),
            "zip": a.get("zip"),
            "countryCodeV2": a.get("country_code"),
            "phone": a.get("phone"),
        },
        "lineItems": {
            "nodes": [
                {
                    "id": f"gid://shopify/LineItem/{line['id']}",
                    "sku": line["sku"],
                    "name": line["name"],
                    "quantity": line["quantity"],
                    "originalUnitPriceSet": _money_set(line["price"]),
                    "variant": {"legacyResourceId": str(line["variant_id"])} if line["variant_id"] else None,
                }
                for line in o["line_items"]
            ]
        },
        "fulfillments": [
            {
                "legacyResourceId": str(f["id"]),
                "status": f["status"].upper(),
                "displayStatus": _DISPLAY_SHIPMENT.get(f["shipment_status"], "FULFILLED"),
                "createdAt": f["created_at"],
                "updatedAt": f["updated_at"],
                "deliveredAt": f["delivered_at"],
                "trackingInfo": [
                    {"company": f["tracking_company"], "number": number, "url": url}
                    for number, url in itertools.zip_longest(f["tracking_numbers"], f["tracking_urls"])
                ],
                "fulfillmentLineItems": {
                    "nodes": [
                        {
                            "quantity": item["quantity"],
                            "lineItem": {"id": f"gid://shopify/LineItem/{item['id']}"},
                        }
                        for item in f["line_items"]
                    ]
                },
            }
            for f in o["fulfillments"]
        ],
    }


# --- the server ---------------------------------------------------------------------------------------


@dataclass
class FakeShopifyAdmin(FakeServer):
    """One shop's Admin API (see the module docstring); ``data`` is its current state."""

    data: ShopData = field(default_factory=ShopData)
    token: str = TOKEN
    secret: str = SECRET
    shop_domain: str = SHOP
    api_version: str = VERSION
    maximum_available: float = 2000.0
    restore_rate: float = 100.0
    throttled: int = 0
    operations: List[Tuple[str, Dict[str, Any]]] = field(default_factory=list)
    # called with each valid operation's name before it runs: a test changes the shop in between
    before_operation: Optional[Callable[[str], None]] = None
    _jobs: Any = field(default_factory=lambda: itertools.count(1))

    def routes(self, app: web.Application) -> None:
        app.router.add_route("*", "/{tail:.*}", self._handle_json)

    def throttle_next(self, count: int) -> None:
        """Answer the next ``count`` valid requests with Shopify's ``THROTTLED`` error."""
        self.throttled = count

    def calls(self, operation: str) -> List[Dict[str, Any]]:
        """Variables of the accepted calls of ``operation``, in order."""
        return [variables for name, variables in self.operations if name == operation]

    # --- HTTP ---

    def _answer(self, request: web.Request, body: Any) -> web.Response:
        if request.method == "GET" and request.path == "/health":  # the demo's launcher waits for it
            return web.json_response({"status": "ok"})
        if request.method != "POST" or request.path != f"/admin/api/{self.api_version}/graphql.json":
            return web.json_response({"errors": "Not Found"}, status=404)
        if request.headers.get("X-Shopify-Access-Token") != self.token:
            return web.json_response(
                {"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"},
                status=401,
            )
        if request.content_type != "application/json" or not isinstance(body, dict) or "query" not in body:
            return web.json_response(
                {"errors": {"query": "Required parameter missing or invalid"}}, status=400
            )
        try:
            name, variables = self._operation(body)
            cost = COSTS[name]
            if self.throttled:
                self.throttled -= 1
                return web.json_response(self._throttled(cost))
            if self.before_operation is not None:
                self.before_operation(name)
            data = getattr(self, f"_op_{name}")(variables)
        except GraphQLError as error:
            return web.json_response(
                {"errors": [{"message": str(error), "locations": [{"line": 1, "column": 1}]}]}
            )
        self.operations.append((name, variables))
        return web.json_response({"data": data, "extensions": self._cost(cost, cost)})

    def _operation(self, body: Dict[str, Any]) -> Tuple[str, Dict[str, Any]]:
        match = OPERATION.match(str(body["query"]))
        if not match or match.group(2) not in OPERATIONS:
            raise GraphQLError("Parse error: an operation the assistant does not use, or no operation name")
        kind, name = match.group(1), match.group(2)
        expected_kind, declared = OPERATIONS[name]
        if kind != expected_kind or _declarations(match.group(3)) != declared:
            raise GraphQLError(f"{name}: the variable declarations are not the documented ones")
        variables = body.get("variables") or {}
        if not isinstance(variables, dict) or set(variables) - set(declared):
            raise GraphQLError(f"{name}: variables that the operation does not declare")
        missing = [v for v, kind in declared.items() if kind.endswith("!") and variables.get(v) is None]
        if missing:
            raise GraphQLError(
                f"Variable ${missing[0]} of type {declared[missing[0]]} was provided invalid value"
            )
        return name, variables

    def _cost(self, requested: float, actual: Optional[float]) -> Dict[str, Any]:
        available = self.maximum_available - (actual or 0)
        return {
            "cost": {
                "requestedQueryCost": requested,
                "actualQueryCost": actual,
                "throttleStatus": {
                    "maximumAvailable": self.maximum_available,
                    "currentlyAvailable": available,
                    "restoreRate": self.restore_rate,
                },
            }
        }

    def _throttled(self, cost: float) -> Dict[str, Any]:
        extensions = self._cost(cost, None)
        extensions["cost"]["throttleStatus"]["currentlyAvailable"] = cost / 2
        return {
            "errors": [
                {
                    "message": "Throttled",
                    "extensions": {
                        "code": "THROTTLED",
                        "documentation": "https://shopify.dev/api/usage/rate-limits",
                    },
                }
            ],
            "extensions": extensions,
        }

    # --- operations ---

    def _op_Products(self, v: Dict[str, Any]) -> Dict[str, Any]:
        return {
            "products": _page(sorted(self.data.products.values(), key=lambda p: p["id"]), v, product_node)
        }

    def _op_Customers(self, v: Dict[str, Any]) -> Dict[str, Any]:
        return {
            "customers": _page(sorted(self.data.customers.values(), key=lambda c: c["id"]), v, customer_node)
        }

    def _orders_matching(self, search: Optional[str]) -> List[Dict[str, Any]]:
        """Orders in id order, filtered by the one search the sync uses: ``updated_at:>=<time>``."""
        orders = sorted(self.data.orders.values(), key=lambda o: o["id"])
        if not search:
            return orders
        match = re.fullmatch(r"updated_at:>=(\S+)", search)
        if not match:
            raise GraphQLError(f"a search query this fake does not understand: {search!r}")
        since = datetime.fromisoformat(match.group(1).replace("Z", "+00:00"))
        return [o for o in orders if datetime.fromisoformat(o["updated_at"]) >= since]

    def _op_Orders(self, v: Dict[str, Any]) -> Dict[str, Any]:
        return {"orders": _page(self._orders_matching(v.get("query")), v, order_node)}

    def _op_Counts(self, v: Dict[str, Any]) -> Dict[str, Any]:
        return {
            "productsCount": {"count": len(self.data.products)},
            "customersCount": {"count": len(self.data.customers)},
            "ordersCount": {"count": len(self._orders_matching(v.get("query")))},
        }

    def _op_OrderState(self, v: Dict[str, Any]) -> Dict[str, Any]:
        order = self.data.order(_gid(v["id"], "Order"))
        if order is None:
            return {"order": None}
        node = order_node(order)
        keep = ("cancelledAt", "displayFulfillmentStatus", "updatedAt")
        return {"order": {"id": v["id"], **{k: node[k] for k in keep}}}

    def _op_OrderCancel(self, v: Dict[str, Any]) -> Dict[str, Any]:
        if v["reason"] not in CANCEL_REASONS:
            raise GraphQLError(
                f"Variable $reason of type OrderCancelReason! was provided invalid value {v['reason']!r}"
            )
        if not isinstance(v["restock"], bool):
            raise GraphQLError("Variable $restock of type Boolean! was provided invalid value")
        refund = v.get("refundMethod")
        if refund is not None and (
            not isinstance(refund, dict)
            or set(refund) - {"originalPaymentMethodsRefund", "storeCreditRefund"}
        ):
            raise GraphQLError(
                "Variable $refundMethod of type OrderCancelRefundMethodInput was provided invalid value"
            )
        order = self.data.order(_gid(v["orderId"], "Order"))
        errors = self._cancel_refusal(order)
        if errors:
            return {"orderCancel": {"job": None, "orderCancelUserErrors": errors}}
        assert order is not None
        now = stamp(datetime.now(timezone.utc))
        order.update(cancelled_at=now, updated_at=now, cancel_reason=v["reason"].lower())
        if refund and refund.get("originalPaymentMethodsRefund") and order["financial_status"] == "paid":
            order["financial_status"] = "refunded"
        job = f"gid://shopify/Job/{uuid.UUID(int=next(self._jobs))}"
        return {"orderCancel": {"job": {"id": job, "done": False}, "orderCancelUserErrors": []}}

    @staticmethod
    def _cancel_refusal(order: Optional[Dict[str, Any]]) -> List[Dict[str, Any]]:
        if order is None:
            return [{"field": ["orderId"], "message": "Order does not exist", "code": "NOT_FOUND"}]
        if order["cancelled_at"]:
            return [{"field": ["orderId"], "message": "Order has already been cancelled", "code": "INVALID"}]
        if order["fulfillment_status"] in ("fulfilled", "partial"):
            return [
                {
                    "field": ["orderId"],
                    "message": "Cannot cancel an order with fulfilled items",
                    "code": "INVALID",
                }
            ]
        return []

    def _op_OrderUpdate(self, v: Dict[str, Any]) -> Dict[str, Any]:
        given = v["input"]
        if (
            not isinstance(given, dict)
            or "id" not in given
            or set(given) - {"id", "shippingAddress", "note", "tags", "email"}
        ):
            raise GraphQLError("Variable $input of type OrderInput! was provided invalid value")
        address = given.get("shippingAddress") or {}
        if set(address) - ADDRESS_FIELDS:
            raise GraphQLError(f"MailingAddressInput has no fields {sorted(set(address) - ADDRESS_FIELDS)}")
        order = self.data.order(_gid(given["id"], "Order"))
        if order is None:
            return {
                "orderUpdate": {
                    "order": None,
                    "userErrors": [{"field": ["id"], "message": "Order does not exist"}],
                }
            }
        if order["cancelled_at"] or order["fulfillment_status"] in ("fulfilled", "partial"):
            return {
                "orderUpdate": {
                    "order": None,
                    "userErrors": [
                        {
                            "field": ["shippingAddress"],
                            "message": "Shipping address cannot be changed on a fulfilled or cancelled order",
                        }
                    ],
                }
            }
        current = order["shipping_address"] or {}
        name = " ".join(filter(None, (address.get("firstName"), address.get("lastName")))) or current.get(
            "name"
        )
        order["shipping_address"] = {
            "name": name,
            "address1": address.get("address1"),
            "address2": address.get("address2"),
            "city": address.get("city"),
            "province_code": address.get("provinceCode"),
            "zip": address.get("zip"),
            "country_code": address.get("countryCode"),
            "phone": address.get("phone") or current.get("phone"),
        }
        order["updated_at"] = stamp(datetime.now(timezone.utc))
        node = order_node(order)
        return {
            "orderUpdate": {
                "order": {k: node[k] for k in ("updatedAt", "shippingAddress")} | {"id": given["id"]},
                "userErrors": [],
            }
        }

    def _op_ReturnableFulfillments(self, v: Dict[str, Any]) -> Dict[str, Any]:
        first = v["first"]
        if not isinstance(first, int) or not 0 < first <= MAX_PAGE:
            raise GraphQLError(f"The 'first' argument must be between 1 and {MAX_PAGE}")
        return returnable_fulfillments(self.data, _gid(v["orderId"], "Order"), first)

    def _op_ReturnRequest(self, v: Dict[str, Any]) -> Dict[str, Any]:
        try:
            return return_request(self.data, v["input"])
        except InvalidReturnInput as error:
            raise GraphQLError(str(error)) from None

    # --- webhooks ---

    def webhook(
        self,
        topic: str,
        payload: Dict[str, Any],
        *,
        webhook_id: Optional[str] = None,
        event_id: Optional[str] = None,
    ) -> Tuple[bytes, Dict[str, str]]:
        """The raw body and headers Shopify would send for ``topic`` (signed with the secret).

        Each subscription's delivery has its own webhook id (kept on retries); the event id names
        the change, the same in every subscription's delivery of it.
        """
        body = json.dumps(payload).encode()
        signature = base64.b64encode(hmac.new(self.secret.encode(), body, hashlib.sha256).digest()).decode()
        now = datetime.now(timezone.utc)
        headers = {
            "Content-Type": "application/json",
            "X-Shopify-Topic": topic,
            "X-Shopify-Hmac-Sha256": signature,
            "X-Shopify-Shop-Domain": self.shop_domain,
            "X-Shopify-API-Version": self.api_version,
            "X-Shopify-Webhook-Id": webhook_id or str(uuid.uuid4()),
            "X-Shopify-Event-Id": event_id or str(uuid.uuid4()),
            "X-Shopify-Triggered-At": now.isoformat(),
        }
        return body, headers

    def deliver(
        self,
        url: str,
        topic: str,
        payload: Dict[str, Any],
        *,
        webhook_id: Optional[str] = None,
        event_id: Optional[str] = None,
    ) -> requests.Response:
        """POST a signed delivery of ``topic`` to ``url`` and return the receiver's answer."""
        body, headers = self.webhook(topic, payload, webhook_id=webhook_id, event_id=event_id)
        return requests.post(url, data=body, headers=headers, timeout=30)


class ThreadedFake:
    """Run a :class:`FakeServer` on its own event loop in a thread (for servers in other processes)."""

    def __init__(self, fake: FakeServer) -> None:
        self.fake = fake
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    def __enter__(self) -> FakeServer:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self.fake.start(), self._loop).result(timeout=30)
        return self.fake

    def __exit__(self, *exc_info: Any) -> None:
        asyncio.run_coroutine_threadsafe(self.fake.stop(), self._loop).result(timeout=30)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=30)


def main(argv: Optional[List[str]] = None) -> int:
    """Serve the fake shop with the store at ``DATABASE_URL`` until stopped (``make run`` demo)."""
    import argparse

    from store.db import make_engine

    parser = argparse.ArgumentParser(prog="python -m tests.fakes.shopify_admin", description=main.__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--shop", default=SHOP)
    parser.add_argument("--version", default=VERSION)
    args = parser.parse_args(argv)
    fake = FakeShopifyAdmin(
        data=ShopData.from_store(make_engine()), token=args.token, secret=args.secret,
        shop_domain=args.shop, api_version=args.version, port=args.port,
    )  # fmt: skip

    async def serve() -> None:
        await fake.start()
        print(f"fake Shopify Admin API for {args.shop} on {fake.base_url}", flush=True)
        await asyncio.Event().wait()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve())
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(main())
