"""Generate customers, orders, shipments and returns relative to ``now`` (deterministic per seed)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Optional
from zoneinfo import ZoneInfo

from store.calendar import BusinessCalendar, parse_hhmm
from store.sample.catalog import SampleProduct, build_catalog, catalog_looks
from store.sample.demo import DEMO_CUSTOMERS, DEMO_ORDERS
from store.sample.model import SampleLine, SampleOrder, SampleReturn, SampleShipment
from store.sample.people import SampleCustomer, make_customers
from store.sample.tracking import tracking

CATALOG_SEED = 42
FIRST_GENERATED_NUMBER = 1101
LOOK_ORDERS = 90
"""Orders built from the catalog's ``looks`` (outfits bought together), after the generated ones."""
LOOK_SEED_OFFSET = 7919
"""The looks draw from their own random stream, so the generated orders before them stay the same."""
US_TAX = Decimal("0.07")
REASONS = ["too_small", "too_big", "not_as_pictured", "changed_mind", "damaged"]


@dataclass
class SampleData:
    """Everything the sample store's exports are written from."""

    products: list
    customers: list
    orders: list


def _zone_methods(shipping: dict, country: str, region: str) -> dict:
    zones = [z for z in shipping["zones"] if country in z["countries"]]
    special = [z for z in zones if region and region in (z.get("regions") or [])]
    zone = (special or [z for z in zones if not z.get("regions")])[0]
    return {m["code"]: m for m in zone["methods"]}


class _Builder:
    def __init__(self, now: datetime, seed: int, shipping: dict, tz: ZoneInfo, products: list[SampleProduct]):
        self.now, self.rng, self.shipping, self.tz = now, random.Random(seed), shipping, tz
        self.rng_seed = seed
        self.today = now.astimezone(tz).date()
        self.calendar = BusinessCalendar()
        self.products = products
        self.by_title = {p.title: p for p in products}

    def local(self, days_ago: int, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(self.today - timedelta(days=days_ago), time(hour, minute), tzinfo=self.tz)

    def order(
        self, number: int, customer: SampleCustomer, placed: datetime, lines: list, method_code: str
    ) -> SampleOrder:
        address = customer.address
        methods = _zone_methods(self.shipping, address["country"], address["region"])
        method = methods.get(method_code) or methods["standard"]
        order = SampleOrder(
            number=number,
            customer=customer,
            placed_at=placed,
            lines=lines,
            method=method,
            address=address,
            tax_rate=US_TAX if address["country"] == "US" else Decimal("0"),
        )
        free_over = method.get("free_over")
        order.shipping_price = (
            Decimal("0.00")
            if free_over and order.subtotal >= Decimal(free_over)
            else Decimal(method["price"])
        )
        return order

    def shipment(
        self, order: SampleOrder, lines: list, shipped: datetime, eta, delivered, status: str
    ) -> None:
        number, url = tracking(self.rng, order.method["carrier"])
        order.shipments.append(
            SampleShipment(
                carrier=order.method["carrier"],
                tracking_number=number,
                tracking_url=url,
                status=status,
                shipped_at=shipped,
                eta=eta,
                delivered_at=delivered,
                lines=[(ln.variant.sku, ln.quantity) for ln in lines],
            )
        )

    # -- demo orders: exact dates relative to today --------------------------------------------
    def demo(self) -> list[SampleOrder]:
        orders = []
        for number, who, state, placed_days, items, extra in DEMO_ORDERS:
            lines = []
            for title, size, quantity in items:
                product = self.by_title[title]
                variant = next(v for v in product.variants if v.size == size)
                lines.append(SampleLine(product, variant, quantity))
            placed = self.now - timedelta(hours=1) if placed_days == 0 else self.local(placed_days, 10, 12)
            order = self.order(number, DEMO_CUSTOMERS[who], placed, lines, extra["method"])
            order.tags.append("demo")
            if state in ("in_transit", "partially_fulfilled"):
                shipped = self.local(extra["shipped_days_ago"], 16, 30)
                eta = self.today + timedelta(days=extra["eta_in_days"])
                self.shipment(
                    order,
                    lines[:1] if state == "partially_fulfilled" else lines,
                    shipped,
                    eta,
                    None,
                    "in_transit",
                )
            elif state == "delayed":
                self.shipment(
                    order,
                    lines,
                    self.local(extra["shipped_days_ago"], 16, 30),
                    self.today - timedelta(days=extra["eta_days_ago"]),
                    None,
                    "delayed",
                )
            elif state in ("delivered", "returned"):
                delivered = self.local(extra["delivered_days_ago"], 14, 10)
                self.shipment(
                    order, lines, delivered - timedelta(days=3), delivered.date(), delivered, "delivered"
                )
                if state == "returned":
                    order.returns.append(self.demo_return(order, extra["return"]))
            elif state == "cancelled":
                order.cancelled_at = placed + timedelta(hours=2)
            orders.append(order)
        return orders

    def demo_return(self, order: SampleOrder, steps: dict) -> SampleReturn:
        """A refund return of every line, with each step on its day (``<step>: days ago``)."""

        def when(step: str, hour: int) -> Optional[datetime]:
            return self.local(steps[step], hour, 0) if step in steps else None

        refunded = when("refunded", 15)
        return SampleReturn(
            f"RMA-{order.number}-1",
            [(ln.variant.sku, ln.quantity) for ln in order.lines],
            "too_small",
            "refund",
            steps["status"],
            self.local(steps["created"], 11, 0),
            received_at=when("received", 10),
            inspected_at=when("inspected", 12),
            refunded_at=refunded,
            refund_amount=order.total if refunded else None,
            refund_method="original_payment" if refunded else None,
        )

    # -- generated orders: a natural schedule plus a few twists ----------------------------------
    def generated(self, customers: list[SampleCustomer], count: int) -> list[SampleOrder]:
        rng = self.rng
        placed_times = sorted(
            self.local(rng.randint(0, 119), rng.randint(7, 23), rng.randint(0, 59)) for _ in range(count)
        )
        orders: list[SampleOrder] = []
        for offset, placed in enumerate(placed_times):
            placed = min(placed, self.now - timedelta(minutes=5 + offset))
            customer = rng.choice(customers)
            lines, used = [], set()
            for _ in range(rng.choice((1, 1, 1, 2, 2, 3, 4))):
                product = rng.choice(self.products)
                variant = rng.choice(product.variants)
                if variant.sku not in used:
                    used.add(variant.sku)
                    lines.append(SampleLine(product, variant, rng.choice((1, 1, 1, 1, 2))))
            method = rng.choices(["standard", "express", "overnight"], weights=[75, 20, 5])[0]
            order = self.order(FIRST_GENERATED_NUMBER + len(orders), customer, placed, lines, method)
            if order.subtotal >= 50 and rng.random() < 0.12:
                order.discount_code, order.discount = (
                    "WELCOME10",
                    (order.subtotal / 10).quantize(Decimal("0.01")),
                )
            self._fulfil(order)
            orders.append(order)
        return orders

    def looks(self, customers: list[SampleCustomer], looks: list[list[str]], first_number: int) -> list:
        """Orders of two or three products of one look: the co-purchase signal of the history.

        Each order has the look's first product and each other one with a chance of 3 in 4, so
        pairs are frequent but not certain, like a real store's baskets.
        """
        rng = random.Random(self.rng_seed + LOOK_SEED_OFFSET)
        orders: list[SampleOrder] = []
        for offset in range(LOOK_ORDERS if looks else 0):
            look = [self.by_title[title] for title in rng.choice(looks)]
            chosen = [look[0], *[p for p in look[1:] if rng.random() < 0.75]]
            if len(chosen) < 2:
                chosen.append(rng.choice(look[1:]))
            lines = [SampleLine(p, rng.choice(p.variants), 1) for p in chosen]
            placed = self.local(rng.randint(1, 119), rng.randint(7, 23), rng.randint(0, 59))
            order = self.order(first_number + offset, rng.choice(customers), placed, lines, "standard")
            self._fulfil(order)
            orders.append(order)
        return orders

    def _fulfil(self, order: SampleOrder) -> None:
        rng, method = self.rng, order.method
        placed_local = order.placed_at.astimezone(self.tz)
        if rng.random() < 0.06:
            order.cancelled_at = order.placed_at + timedelta(hours=rng.randint(1, 20))
            return
        ship_day = self.calendar.dispatch_day(placed_local, parse_hhmm(method["cutoff"]))
        shipped = datetime.combine(ship_day, time(16, rng.randint(0, 59)), tzinfo=self.tz)
        if shipped > self.now:
            return  # still unfulfilled
        low, high = method["transit_days"]
        eta = self.calendar.add_business_days(ship_day, high)
        delivered = datetime.combine(
            self.calendar.add_business_days(ship_day, rng.randint(low, high)),
            time(rng.randint(10, 18), rng.randint(0, 59)),
            tzinfo=self.tz,
        )
        lines = order.lines
        if len(lines) > 1 and rng.random() < 0.08:
            lines = lines[:-1]  # the last item is back-ordered
        if rng.random() < 0.05:
            late_eta = min(eta, self.today - timedelta(days=rng.randint(1, 3)))
            if late_eta > shipped.date():
                self.shipment(order, lines, shipped, late_eta, None, "delayed")
                return
        if delivered > self.now:
            self.shipment(order, lines, shipped, eta, None, "in_transit")
            return
        self.shipment(order, lines, shipped, eta, delivered, "delivered")
        since = (self.now - delivered).days
        if since >= 3 and lines is order.lines and rng.random() < 0.12:
            returned = order.lines if rng.random() < 0.7 else order.lines[:1]
            status = "refunded" if since > 10 else rng.choice(["requested", "in_transit", "received"])
            ret = SampleReturn(
                f"RMA-{order.number}-1",
                [(ln.variant.sku, ln.quantity) for ln in returned],
                rng.choice(REASONS),
                rng.choice(["refund", "refund", "store_credit", "exchange"]),
                status,
                delivered + timedelta(days=rng.randint(1, min(since, 25)), hours=1),
            )
            order.returns.append(self._with_refund_steps(order, ret))

    def _with_refund_steps(self, order: SampleOrder, ret: SampleReturn) -> SampleReturn:
        """Received, inspected and refunded dates that fit the return's status (no randomness, so
        the rest of the sample stays as the seed made it)."""
        if ret.status not in ("received", "refunded"):
            return ret
        latest = self.now - timedelta(hours=2)
        ret.received_at = min(ret.created_at + timedelta(days=3), latest)
        if ret.status == "refunded" and ret.resolution != "exchange":
            ret.inspected_at = min(ret.received_at + timedelta(days=1), latest)
            ret.refunded_at = min(ret.inspected_at + timedelta(hours=3), latest + timedelta(hours=1))
            units = {sku: q for sku, q in ret.lines}
            everything = all(units.get(ln.variant.sku) == ln.quantity for ln in order.lines)
            ret.refund_amount = (
                order.total
                if everything
                else sum(
                    (
                        ln.variant.price * units[ln.variant.sku]
                        for ln in order.lines
                        if ln.variant.sku in units
                    ),
                    Decimal("0.00"),
                )
            )
            ret.refund_method = "store_credit" if ret.resolution == "store_credit" else "original_payment"
        return ret


def generate_sample(
    *, now: datetime, seed: int, shipping: dict, tz: ZoneInfo, customers: int = 220, orders: int = 520
) -> SampleData:
    """The sample's customers and orders as of ``now``: the same seed and ``now`` give the same data."""
    products = build_catalog(CATALOG_SEED)
    builder = _Builder(now, seed, shipping, tz, products)
    taken = {c.email for c in DEMO_CUSTOMERS.values()}
    shoppers = make_customers(builder.rng, customers, taken)
    demo = builder.demo()
    generated = builder.generated(shoppers, orders)
    looks = builder.looks(shoppers, catalog_looks(), FIRST_GENERATED_NUMBER + len(generated))
    all_orders = demo + generated + looks
    return SampleData(
        products=products, customers=list(DEMO_CUSTOMERS.values()) + shoppers, orders=all_orders
    )
