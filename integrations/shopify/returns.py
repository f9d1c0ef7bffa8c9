"""Returns asked of the connected Shopify store before the local one (``returnRequest``).

The store's own rules decide first what may go back (:func:`store.returns.check_return`: the
shopper owns the order, the items were delivered, the window is open, nothing is final sale).
Then Shopify is asked which units it still counts as returnable (``returnableFulfillments``):
a return names fulfillment line items, not order lines, so each line's units are taken from the
fulfillments that shipped it. ``returnRequest`` then opens the return as *requested*, for the
store team to approve in Shopify; only its answer is written to the store, under Shopify's name
for the return (``#1001-R1``), which is what the shopper is told.

What Shopify refuses comes back as answers the actions already give: an item Shopify has
nothing of left to return, or whose line a user error names, is refused item by item
(:attr:`ReturnRefusal.NOT_RETURNABLE_IN_SHOP`); any other refusal, an order Shopify does not know,
or no answer at all is :attr:`ReturnFailure.SHOP_REFUSED`, which hands the shopper to a person.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Dict, List, Optional, Set, Tuple

from integrations.shopify import documents
from integrations.shopify.client import AdminClient, ShopifyConnection, ShopifyError, UserError
from integrations.shopify.graphql_shapes import numeric_id
from store.codes import ReturnFailure, ReturnRefusal
from store.returns import ReturnPlan, ReturnResult, check_return, return_eligibility
from store.runner import configured_timeout, run_in_session
from store.shop_changes import record_shop_return

logger = logging.getLogger(__name__)

RETURN_REASONS = {
    "too_small": "SIZE_TOO_SMALL",
    "too_big": "SIZE_TOO_LARGE",
    "not_as_pictured": "NOT_AS_DESCRIBED",
    "damaged": "DEFECTIVE",
    "wrong_item": "WRONG_ITEM",
    "changed_mind": "UNWANTED",
    "other": "OTHER",
}
"""The store's return reasons as Shopify's ``ReturnReason`` values (anything else: ``OTHER``)."""

RETURNABLE_PAGE = 50
"""Returnable fulfillments asked for per order: more than any order ships in."""

Returnable = Dict[int, List[Tuple[str, int]]]
"""Per order line (Shopify id): ``(fulfillment line item id, units still returnable)``."""


def customer_note(plan: ReturnPlan) -> str:
    """What the store team reads on the request in Shopify: the refund, credit or exchange wished."""
    wish = plan.resolution.replace("_", " ")
    note = f"Asked through the store assistant: {wish}"
    return f"{note} for {plan.exchange_sku}"[:300] if plan.exchange_sku else note


def returnable_lines(answer: Dict) -> Returnable:
    """``returnableFulfillments`` per order line."""
    found: Returnable = {}
    for fulfillment in (answer.get("returnableFulfillments") or {}).get("nodes") or []:
        for item in (fulfillment.get("returnableFulfillmentLineItems") or {}).get("nodes") or []:
            line = item["fulfillmentLineItem"]
            units = (line["id"], int(item["quantity"]))
            found.setdefault(numeric_id(line["lineItem"]["id"]), []).append(units)
    return found


def return_line_items(plan: ReturnPlan, returnable: Returnable) -> Tuple[List[Dict], List[int], Set[int]]:
    """The ``returnLineItems`` for the plan, the store line of each, and the store lines Shopify
    cannot take back in full."""
    reason = RETURN_REASONS.get(plan.reason, "OTHER")
    items: List[Dict] = []
    sent: List[int] = []
    short: Set[int] = set()
    for line_id, wanted, shopify_line in plan.lines:
        for fulfillment_line, available in returnable.get(shopify_line or -1, []):
            take = min(wanted, available)
            if take:
                items.append(
                    {"fulfillmentLineItemId": fulfillment_line, "quantity": take, "returnReason": reason}
                )
                sent.append(line_id)
                wanted -= take
        if wanted:
            short.add(line_id)
    note = customer_note(plan)
    for item in items:
        item["customerNote"] = note
    return items, sent, short


def _refused_lines(errors: Tuple[UserError, ...], sent: List[int]) -> Optional[Set[int]]:
    """The store lines the user errors name (by ``returnLineItems`` index); None if one names none."""
    lines: Set[int] = set()
    for error in errors:
        path = list(error.field)
        if "returnLineItems" not in path:
            return None
        position = path.index("returnLineItems") + 1
        if position >= len(path) or not path[position].isdigit() or int(path[position]) >= len(sent):
            return None
        lines.add(sent[int(path[position])])
    return lines


async def _not_returnable(plan: ReturnPlan, contact: str, lines: Set[int]) -> ReturnResult:
    """The items Shopify will not take back, each told as such."""
    eligibility = await run_in_session(
        return_eligibility, timeout=configured_timeout(), order_number=str(plan.order_number), contact=contact
    )
    refused = tuple(
        replace(e, eligible=False, reason=ReturnRefusal.NOT_RETURNABLE_IN_SHOP, returnable_quantity=0)
        for e in eligibility or ()
        if e.line_item_id in lines
    )
    return ReturnResult(ok=False, reason=ReturnFailure.NOT_ELIGIBLE, ineligible=refused)


async def request_return_in_shop(
    connection: ShopifyConnection,
    *,
    order_number: str,
    contact: str,
    items: List[Tuple[int, int]],
    reason: str,
    resolution: str,
    exchange_sku: Optional[str] = None,
) -> ReturnResult:
    """Request the shopper's return in Shopify, then record it (see the module docstring).

    Raises:
        StoreUnavailable: the store could not check or record the return.
    """
    plan = await run_in_session(
        check_return, timeout=configured_timeout(), order_number=order_number, contact=contact, items=items,
        reason=reason, resolution=resolution, exchange_sku=exchange_sku, lock=False,
    )  # fmt: skip
    if isinstance(plan, ReturnResult):
        return plan
    if plan.order_shopify_id is None:
        # imported from a CSV export only: Shopify has no id for it yet (a sync links it)
        return ReturnResult(ok=False, reason=ReturnFailure.SHOP_REFUSED)
    order_id = documents.gid("Order", plan.order_shopify_id)
    try:
        async with AdminClient(connection) as shop:
            answer = await shop.query(
                documents.RETURNABLE_FULFILLMENTS, {"orderId": order_id, "first": RETURNABLE_PAGE}
            )
            line_items, sent, short = return_line_items(plan, returnable_lines(answer))
            if short:
                logger.info("shopify.return.not_returnable lines=%s", sorted(short))
                return await _not_returnable(plan, contact, short)
            result = await shop.mutate(
                documents.RETURN_REQUEST,
                {"input": {"orderId": order_id, "returnLineItems": line_items}},
                name="returnRequest",
            )
    except ShopifyError as error:
        logger.error("shopify.return.failed error=%s", error)
        return ReturnResult(ok=False, reason=ReturnFailure.SHOP_REFUSED)
    opened = result.payload.get("return")
    if not result.ok or not opened:
        logger.info("shopify.return.refused codes=%s", [e.code for e in result.user_errors])
        refused = _refused_lines(result.user_errors, sent) if result.user_errors else None
        if refused:
            return await _not_returnable(plan, contact, refused)
        return ReturnResult(ok=False, reason=ReturnFailure.SHOP_REFUSED)
    return await run_in_session(
        record_shop_return,
        timeout=configured_timeout(),
        plan=plan,
        rma=opened["name"],
        shopify_id=opened["id"],
    )


__all__ = [
    "RETURN_REASONS",
    "customer_note",
    "request_return_in_shop",
    "return_line_items",
    "returnable_lines",
]
