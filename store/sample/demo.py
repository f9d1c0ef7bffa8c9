"""The demo orders: fixed numbers and contacts in every state, so docs, tests and demos can name them.

Days are counted back from the day the sample is generated. Keep ``data/store/README.md`` in step.
"""

from __future__ import annotations

from typing import Any

from store.sample.people import SampleCustomer


def _customer(
    first: str,
    last: str,
    email: str,
    phone: str,
    city: str,
    region: str,
    postal: str,
    country: str = "US",
    street: str = "100 Market St",
) -> SampleCustomer:
    return SampleCustomer(
        first=first,
        last=last,
        email=email,
        phone=phone,
        address={
            "address1": street,
            "city": city,
            "region": region,
            "postal_code": postal,
            "country": country,
        },
        accepts_email=True,
        accepts_sms=first in ("Ava", "Ivy"),
        accepts_whatsapp=first == "Ava",
        tags=["demo"],
    )


DEMO_CUSTOMERS = {
    "ava": _customer(
        "Ava", "Shopper", "ava.shopper@example.com", "+1 415 555 0101", "San Francisco", "CA", "94103"
    ),
    "ben": _customer(
        "Ben",
        "Buyer",
        "ben.buyer@example.com",
        "+1 212 555 0102",
        "New York",
        "NY",
        "10001",
        street="22 Park Ave",
    ),
    "chloe": _customer(
        "Chloe", "Customer", "chloe.customer@example.com", "+1 312 555 0103", "Chicago", "IL", "60601"
    ),
    "dev": _customer(
        "Dev", "Delayed", "dev.delayed@example.com", "+1 646 555 0104", "Brooklyn", "NY", "11201"
    ),
    "ella": _customer(
        "Ella", "Returns", "ella.returns@example.com", "+1 503 555 0105", "Portland", "OR", "97205"
    ),
    "finn": _customer(
        "Finn", "Cancel", "finn.cancel@example.com", "+1 617 555 0106", "Boston", "MA", "02108"
    ),
    "gia": _customer(
        "Gia", "Returned", "gia.returned@example.com", "+1 305 555 0107", "Miami", "FL", "33101"
    ),
    "hugo": _customer(
        "Hugo", "Highvalue", "hugo.highvalue@example.com", "+1 202 555 0108", "Washington", "DC", "20001"
    ),
    "ivy": _customer(
        "Ivy", "International", "ivy.intl@example.co.uk", "+44 7700 900123", "London", "", "SW1A 1AA", "GB"
    ),
}

# number, customer, state, placed days ago, items (title, size, quantity), extras
DEMO_ORDERS: list[tuple[int, str, str, int, list[tuple[str, str, int]], dict[str, Any]]] = [
    (
        1001,
        "ava",
        "in_transit",
        3,
        [("Harbor Rain Shell", "M", 1), ("Essential Crew Tee", "M", 2)],
        {"method": "standard", "shipped_days_ago": 2, "eta_in_days": 2},
    ),
    (
        1002,
        "ava",
        "delivered",
        12,
        [("Slim Fit Selvedge Jeans", "32", 1), ("Court Classic Sneaker", "US 9.5", 1)],
        {"method": "standard", "delivered_days_ago": 6},
    ),
    (
        1003,
        "ben",
        "unfulfilled",
        0,
        [("Merino Crewneck Sweater", "L", 1), ("Everyday Chinos", "33", 1)],
        {"method": "standard"},
    ),
    (
        1004,
        "chloe",
        "partially_fulfilled",
        4,
        [("Linen Wrap Dress", "S", 1), ("Chelsea Boot", "US 8", 1)],
        {"method": "standard", "shipped_days_ago": 2, "eta_in_days": 2},
    ),
    (
        1005,
        "dev",
        "delayed",
        10,
        [("Alpine Down Puffer", "L", 1)],
        {"method": "express", "shipped_days_ago": 9, "eta_days_ago": 3},
    ),
    (
        1006,
        "ella",
        "delivered",
        46,
        [("Oxford Button-Down Shirt", "M", 1), ("Ringer Tee", "S", 1)],
        {"method": "standard", "delivered_days_ago": 40},
    ),
    (1007, "finn", "cancelled", 5, [("Trail Runner", "US 10", 1)], {"method": "standard"}),
    (
        1008,
        "gia",
        "returned",
        26,
        [("Floral Tea Dress", "M", 1)],
        {
            "method": "standard",
            "delivered_days_ago": 20,
            # refunded 9 days ago: inside the bank time (10 business days), whatever the weekday
            "return": {"status": "refunded", "created": 15, "received": 11, "inspected": 10, "refunded": 9},
        },
    ),
    (
        1009,
        "hugo",
        "in_transit",
        2,
        [("Summit Insulated Parka", "L", 1), ("Wool Blend Overcoat", "L", 1), ("Cashmere V-Neck", "L", 1)],
        {"method": "overnight", "shipped_days_ago": 1, "eta_in_days": 1},
    ),
    (
        1010,
        "ava",
        "delivered",
        34,
        [("Swim Trunks", "M", 1), ("Pocket Tee", "M", 1)],
        {"method": "standard", "delivered_days_ago": 29},
    ),
    (
        1011,
        "ivy",
        "in_transit",
        5,
        [("Fisherman Sweater", "M", 1), ("Wool Scarf", "One Size", 1)],
        {"method": "express", "shipped_days_ago": 3, "eta_in_days": 2},
    ),
    (
        1012,
        "ben",
        "delivered",
        7,
        [("Trailmark Summit Hiker", "US 10", 1)],
        {"method": "express", "delivered_days_ago": 2},
    ),
    (
        1013,
        "ella",
        "returned",
        12,
        [("Fisherman Sweater", "M", 1)],
        {
            "method": "standard",
            "delivered_days_ago": 9,
            # received 2 days ago, refund not issued yet: due within 5 business days
            "return": {"status": "received", "created": 7, "received": 2},
        },
    ),
]
