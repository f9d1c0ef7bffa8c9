"""Why a discount code does or does not apply to a cart."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Optional

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from core import clock
from store.codes import DiscountReason
from store.info import setting
from store.models import DiscountCode, Product, ReturnPolicy, Variant, money


@dataclass(frozen=True)
class CartLine:
    """A cart line; ``price`` defaults to the variant's current price."""

    sku: str
    quantity: int = 1
    price: Optional[Decimal] = None


@dataclass(frozen=True)
class DiscountHint:
    """What would make the code work (data only; the wording lives in the domain)."""

    min_spend: Optional[Decimal]
    eligible_skus: tuple[str, ...]
    categories: tuple[str, ...]
    excluded_categories: tuple[str, ...]
    starts_at: Optional[datetime]
    ends_at: Optional[datetime]


@dataclass(frozen=True)
class DiscountCheck:
    """The verdict: ``reason`` is None when it applies; ``amount`` is the discount on the cart's
    eligible lines."""

    code: str
    applies: bool
    reason: Optional[DiscountReason]
    amount: Decimal
    missing_spend: Optional[Decimal]
    kind: Optional[str]
    value: Optional[Decimal]
    what_would_work: Optional[DiscountHint]


def _is_final_sale(product: Product, policy: Optional[ReturnPolicy]) -> bool:
    if product.final_sale:
        return True
    if policy is None:
        return False
    category = product.category.name if product.category else None
    return category in (policy.final_sale_categories or []) or bool(
        set(product.tags or []) & set(policy.final_sale_tags or [])
    )


def check_discount(
    session: Session, *, code: str, cart: list[CartLine], now: Optional[datetime] = None
) -> DiscountCheck:
    """Check ``code`` against ``cart`` at ``now``; the first failing condition is the reason."""
    now = now or clock.now()
    wanted = (code or "").strip().upper()
    row = session.execute(select(DiscountCode).where(DiscountCode.code == wanted)).scalar_one_or_none()
    if row is None:
        return DiscountCheck(wanted, False, DiscountReason.UNKNOWN, money(0), None, None, None, None)
    policy = session.execute(select(ReturnPolicy)).scalars().first()
    variants = {
        v.sku: v
        for v in session.execute(
            select(Variant)
            .where(Variant.sku.in_([line.sku.strip().upper() for line in cart]))
            .options(selectinload(Variant.product).selectinload(Product.category))
        ).scalars()
    }
    eligible, total_eligible = [], money(0)
    for line in cart:
        variant = variants.get(line.sku.strip().upper())
        if variant is None:
            continue
        category = variant.product.category.name if variant.product.category else None
        if row.categories and category not in row.categories:
            continue
        if category in (row.excluded_categories or []):
            continue
        if row.excludes_final_sale and _is_final_sale(variant.product, policy):
            continue
        eligible.append(variant.sku)
        total_eligible += money(line.price if line.price is not None else variant.price) * line.quantity
    hint = DiscountHint(
        min_spend=row.min_spend,
        eligible_skus=tuple(eligible),
        categories=tuple(row.categories or ()),
        excluded_categories=tuple(row.excluded_categories or ()),
        starts_at=row.starts_at,
        ends_at=row.ends_at,
    )

    def verdict(
        reason: Optional[DiscountReason], amount: Decimal = money(0), missing: Optional[Decimal] = None
    ) -> DiscountCheck:
        return DiscountCheck(row.code, reason is None, reason, amount, missing, row.kind, row.value, hint)

    if row.starts_at is not None and now < row.starts_at:
        return verdict(DiscountReason.NOT_STARTED)
    if row.ends_at is not None and now >= row.ends_at:
        return verdict(DiscountReason.EXPIRED)
    if row.usage_limit is not None and row.times_used >= row.usage_limit:
        return verdict(DiscountReason.USAGE_LIMIT)
    if not eligible:
        return verdict(DiscountReason.EXCLUDED_ITEMS)
    if row.min_spend is not None and total_eligible < row.min_spend:
        return verdict(DiscountReason.MIN_SPEND, missing=row.min_spend - total_eligible)
    if row.kind == "percentage":
        amount = (total_eligible * row.value / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    elif row.kind == "fixed_amount":
        amount = min(row.value, total_eligible)
    else:
        amount = money(0)  # free shipping: the saving is the shipping price, known at checkout
    return verdict(None, amount)


DISCOUNT_OFFERS_KEY = "discount_offers"
"""Store setting holding ``discounts.yaml``'s ``offers`` (written by the import)."""


@dataclass(frozen=True)
class PublicCode:
    """A code the assistant may name to anyone, valid now."""

    code: str
    kind: str
    value: Decimal
    min_spend: Optional[Decimal]
    categories: tuple[str, ...]
    excluded_categories: tuple[str, ...]
    ends_at: Optional[datetime]


@dataclass(frozen=True)
class DiscountOffers:
    """What the store tells anyone asking about discounts (``discounts.yaml`` ``offers``)."""

    codes: tuple[PublicCode, ...]
    """Public codes usable now: started, not ended, not used up."""
    price_adjustment_days: int
    """A price drop within this many days of the order is refunded as the difference; 0: never."""
    price_match: Optional[bool]
    """Whether the store matches other shops' prices; None when the store has not said."""


def discount_offers(session: Session, now: Optional[datetime] = None) -> DiscountOffers:
    """The store's public offers at ``now`` (none, no adjustment, unknown matching by default)."""
    now = now or clock.now()
    offers = setting(session, DISCOUNT_OFFERS_KEY, {}) or {}
    public = [str(code).upper() for code in offers.get("public") or []]
    rows = {
        row.code: row
        for row in session.execute(select(DiscountCode).where(DiscountCode.code.in_(public))).scalars()
    }
    usable = [
        rows[code] for code in public
        if code in rows
        and (rows[code].starts_at is None or rows[code].starts_at <= now)
        and (rows[code].ends_at is None or now < rows[code].ends_at)
        and (rows[code].usage_limit is None or rows[code].times_used < rows[code].usage_limit)
    ]  # fmt: skip
    return DiscountOffers(
        codes=tuple(
            PublicCode(
                row.code,
                row.kind,
                row.value,
                row.min_spend,
                tuple(row.categories or ()),
                tuple(row.excluded_categories or ()),
                row.ends_at,
            )
            for row in usable
        ),
        price_adjustment_days=int(offers.get("price_adjustment_days") or 0),
        price_match=offers.get("price_match"),
    )
