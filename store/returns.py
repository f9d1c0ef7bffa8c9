"""Return policy, per-item return eligibility and idempotent return (RMA) creation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Optional, Union

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import clock
from store.catalog import category_name_matches
from store.codes import ReturnFailure, ReturnRefusal
from store.info import store_timezone
from store.models import Category, Order, Return, ReturnItem, ReturnPolicy, Variant
from store.order_views import returned_units
from store.orders import load_order, lock_order, verified_order
from store.products import resolve_product

RESOLUTIONS = ("refund", "exchange", "store_credit")
CLOSED_WITHOUT_RETURN = ("rejected", "cancelled")
"""Statuses of a return that ended with nothing taken back: the same items may be asked for again."""


@dataclass(frozen=True)
class ReturnPolicyView:
    """The return policy as data."""

    window_days: int
    final_sale_categories: tuple[str, ...]
    final_sale_tags: tuple[str, ...]
    exchanges_allowed: bool
    exchange_rules: dict
    refund_method: str
    refund_days: Optional[int]
    return_shipping_cost: Decimal
    free_return_for_exchanges: bool
    reasons: tuple[str, ...]
    url: Optional[str]
    refund_bank_days: Optional[int] = None


@dataclass(frozen=True)
class ItemEligibility:
    """Whether a line item can be returned, and the ``reason`` when not."""

    line_item_id: int
    title: str
    sku: Optional[str]
    eligible: bool
    reason: Optional[ReturnRefusal]
    window_ends: Optional[date]
    returnable_quantity: int


@dataclass(frozen=True)
class ReturnResult:
    """Outcome of a return request, with the ``reason`` when not ok."""

    ok: bool
    rma: Optional[str] = None
    reason: Optional[ReturnFailure] = None
    created: bool = False
    items: tuple[tuple[int, int], ...] = ()
    ineligible: tuple[ItemEligibility, ...] = ()


def _policy(session: Session) -> ReturnPolicy:
    policy = session.execute(select(ReturnPolicy)).scalars().first()
    if policy is None:
        raise LookupError("no return policy loaded: import the store's policies")
    return policy


def return_policy(session: Session) -> ReturnPolicyView:
    """The store's return policy."""
    p = _policy(session)
    return ReturnPolicyView(
        window_days=p.window_days,
        final_sale_categories=tuple(p.final_sale_categories or ()),
        final_sale_tags=tuple(p.final_sale_tags or ()),
        exchanges_allowed=p.exchanges_allowed,
        exchange_rules=dict(p.exchange_rules or {}),
        refund_method=p.refund_method,
        refund_days=p.refund_days,
        return_shipping_cost=p.return_shipping_cost,
        free_return_for_exchanges=p.free_return_for_exchanges,
        reasons=tuple(p.reasons or ()),
        url=p.url,
        refund_bank_days=p.refund_bank_days,
    )


@dataclass(frozen=True)
class Returnability:
    """Whether a product or a whole category can be returned under the store's policy."""

    name: str
    """The product's title or the category's name, as the store writes it."""
    final_sale: bool


def returnability(
    session: Session, *, product: Optional[str] = None, category: Optional[str] = None
) -> Optional[Returnability]:
    """Whether the product named (else the category named) is final sale; None when neither is
    found. A category is final sale as a whole only when the policy names it; a product also when
    it is marked final sale or carries a final-sale tag."""
    policy = _policy(session)
    categories = list(policy.final_sale_categories or [])
    found = resolve_product(session, product) if product else None
    if found is not None:
        in_category = found.category.name if found.category else None
        final = (
            found.final_sale
            or in_category in categories
            or bool(set(found.tags or []) & set(policy.final_sale_tags or []))
        )
        return Returnability(found.title, bool(final))
    if category:
        names = session.execute(select(Category.name).order_by(Category.name)).scalars()
        name = next((n for n in names if category_name_matches(n, category)), None)
        if name is not None:
            return Returnability(name, name in categories)
    return None


def _final_sale(item, policy: ReturnPolicy) -> bool:
    product = item.variant.product if item.variant is not None else None
    if product is None:
        return False
    category = product.category.name if product.category else None
    return (
        product.final_sale
        or category in (policy.final_sale_categories or [])
        or bool(set(product.tags or []) & set(policy.final_sale_tags or []))
    )


def _eligibility(session: Session, order: Order, now: datetime) -> list[ItemEligibility]:
    policy, tz = _policy(session), store_timezone(session)
    today = now.astimezone(tz).date()
    returned = returned_units(order)
    results = []
    for item in order.line_items:
        delivered_units, delivered_on = 0, None
        for f in order.fulfillments:
            if f.delivered_at is None:
                continue
            units = sum(line.quantity for line in f.lines if line.line_item_id == item.id)
            if units:
                delivered_units += units
                day = f.delivered_at.astimezone(tz).date()
                delivered_on = max(delivered_on, day) if delivered_on else day
        window_ends = delivered_on + timedelta(days=policy.window_days) if delivered_on else None
        returnable = max(0, delivered_units - returned.get(item.id, 0))
        reason: Optional[ReturnRefusal]
        if order.cancelled_at is not None:
            reason = ReturnRefusal.ORDER_CANCELLED
        elif _final_sale(item, policy):
            reason = ReturnRefusal.FINAL_SALE
        elif not delivered_units:
            reason = ReturnRefusal.NOT_DELIVERED
        elif window_ends is None or today > window_ends:
            reason = ReturnRefusal.WINDOW_EXPIRED
        elif not returnable:
            reason = ReturnRefusal.ALREADY_RETURNED
        else:
            reason = None
        results.append(
            ItemEligibility(
                line_item_id=item.id,
                title=item.title,
                sku=item.sku,
                eligible=reason is None,
                reason=reason,
                window_ends=window_ends,
                returnable_quantity=returnable if reason is None else 0,
            )
        )
    return results


def return_eligibility(
    session: Session, *, order_number: str, contact: str, now: Optional[datetime] = None
) -> Optional[list[ItemEligibility]]:
    """Per-item eligibility of a verified order (None when the number and contact do not match).

    The window runs ``window_days`` calendar days from the day (store time zone) the item was
    delivered, that last day included.
    """
    order = verified_order(session, order_number=order_number, contact=contact)
    if order is None:
        return None
    return _eligibility(session, order, now or clock.now())


@dataclass(frozen=True)
class ReturnPlan:
    """A return the store's rules allow, not yet written: what to ask for and how to record it.

    ``lines`` holds ``(line_item_id, quantity, line item's Shopify id)``; the order's and the lines'
    Shopify ids are None for rows only a CSV import made.
    """

    order_number: int
    order_shopify_id: Optional[int]
    lines: tuple[tuple[int, int, Optional[int]], ...]
    reason: str
    resolution: str
    exchange_sku: Optional[str]
    request_key: str

    @property
    def items(self) -> tuple[tuple[int, int], ...]:
        return tuple((line_id, quantity) for line_id, quantity, _ in self.lines)


def _existing(order: Order, request_key: str) -> Optional[ReturnResult]:
    """The return already opened for the same request (asked twice, or by two workers at once)."""
    for existing in order.returns:
        if existing.request_key == request_key and existing.status not in CLOSED_WITHOUT_RETURN:
            return ReturnResult(
                ok=True,
                rma=existing.rma,
                created=False,
                items=tuple(sorted((i.line_item_id, i.quantity) for i in existing.items)),
            )
    return None


def check_return(
    session: Session,
    *,
    order_number: str,
    contact: str,
    items: list[tuple[int, int]],
    reason: str,
    resolution: str,
    exchange_sku: Optional[str] = None,
    now: Optional[datetime] = None,
    lock: bool = True,
) -> Union[ReturnPlan, ReturnResult]:
    """The return to open for ``items`` (``(line_item_id, quantity)``), or the store's answer without
    writing anything: a refusal, or the return already opened for the same request.

    ``lock`` takes the order's row lock (serialising concurrent requests until the transaction
    ends); a check before asking a connected shop does without, the record after takes it.
    """
    now = now or clock.now()
    order = verified_order(session, order_number=order_number, contact=contact)
    if order is None:
        return ReturnResult(ok=False, reason=ReturnFailure.NOT_FOUND)
    wanted: dict[int, int] = {}
    for line_id, quantity in items:
        wanted[int(line_id)] = wanted.get(int(line_id), 0) + int(quantity)
    request_key = ",".join(str(i) for i in sorted(wanted))
    if lock:
        order = lock_order(session, order)
    existing = _existing(order, request_key)
    if existing is not None:
        return existing
    policy = _policy(session)
    lines = {item.id: item for item in order.line_items}
    if not wanted or any(i not in lines or q < 1 for i, q in wanted.items()):
        return ReturnResult(ok=False, reason=ReturnFailure.INVALID_ITEMS)
    if policy.reasons and reason not in policy.reasons:
        return ReturnResult(ok=False, reason=ReturnFailure.INVALID_REASON)
    if resolution not in RESOLUTIONS:
        return ReturnResult(ok=False, reason=ReturnFailure.INVALID_RESOLUTION)
    if resolution == "exchange":
        if not policy.exchanges_allowed:
            return ReturnResult(ok=False, reason=ReturnFailure.EXCHANGES_NOT_ALLOWED)
        variant = session.execute(
            select(Variant).where(Variant.sku == (exchange_sku or "").strip().upper())
        ).scalar_one_or_none()
        in_stock_needed = (policy.exchange_rules or {}).get("subject_to_stock", True)
        if variant is None or (in_stock_needed and variant.inventory_quantity < 1):
            return ReturnResult(ok=False, reason=ReturnFailure.EXCHANGE_UNAVAILABLE)
    eligibility = {e.line_item_id: e for e in _eligibility(session, order, now)}
    bad = tuple(
        e
        for i, e in eligibility.items()
        if i in wanted and (not e.eligible or wanted[i] > e.returnable_quantity)
    )
    if bad:
        return ReturnResult(ok=False, reason=ReturnFailure.NOT_ELIGIBLE, ineligible=bad)
    return ReturnPlan(
        order_number=order.number,
        order_shopify_id=order.shopify_id,
        lines=tuple((i, q, lines[i].shopify_id) for i, q in sorted(wanted.items())),
        reason=reason,
        resolution=resolution,
        exchange_sku=(exchange_sku or "").strip().upper() or None,
        request_key=request_key,
    )


def write_return(
    session: Session,
    order: Order,
    plan: ReturnPlan,
    *,
    now: datetime,
    rma: Optional[str] = None,
    shopify_id: Optional[str] = None,
) -> ReturnResult:
    """Write the planned return (``rma``: the shop's name for it; by default the store's own).

    A rejected or cancelled return of the same items gives up its request key first: the key is
    unique per order, and the same items may be asked for again.
    """
    for ended in order.returns:
        if ended.request_key == plan.request_key and ended.status in CLOSED_WITHOUT_RETURN:
            ended.request_key = f"~{ended.id}:{ended.request_key}"[:200]
    session.flush()
    ret = Return(
        rma=rma or f"RMA-{order.number}-{len(order.returns) + 1}",
        order=order,
        status="requested",
        reason=plan.reason,
        resolution=plan.resolution,
        exchange_sku=plan.exchange_sku,
        request_key=plan.request_key,
        created_at=now,
        shopify_id=shopify_id,
    )
    for line_id, quantity in plan.items:
        ret.items.append(ReturnItem(line_item_id=line_id, quantity=quantity))
    session.add(ret)
    session.flush()
    return ReturnResult(ok=True, rma=ret.rma, created=True, items=plan.items)


def create_return(
    session: Session,
    *,
    order_number: str,
    contact: str,
    items: list[tuple[int, int]],
    reason: str,
    resolution: str,
    exchange_sku: Optional[str] = None,
    now: Optional[datetime] = None,
) -> ReturnResult:
    """Open a return for ``items`` (``(line_item_id, quantity)``) in the store alone; the same
    request again, even concurrently, gives back the same RMA (``created=False``)."""
    now = now or clock.now()
    plan = check_return(
        session, order_number=order_number, contact=contact, items=items, reason=reason,
        resolution=resolution, exchange_sku=exchange_sku, now=now,
    )  # fmt: skip
    if isinstance(plan, ReturnResult):
        return plan
    order = load_order(session, plan.order_number)
    assert order is not None  # checked and locked in this transaction
    return write_return(session, order, plan, now=now)
