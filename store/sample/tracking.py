"""Fictional tracking numbers and the carriers' public tracking-page URLs."""

from __future__ import annotations

import random

_URLS = {
    "USPS": "https://tools.usps.com/go/TrackConfirmAction?tLabels={}",
    "UPS": "https://www.ups.com/track?tracknum={}",
    "FedEx": "https://www.fedex.com/fedextrack/?trknbr={}",
    "DHL Express": "https://www.dhl.com/global-en/home/tracking.html?tracking-id={}",
    "DHL eCommerce": "https://www.dhl.com/global-en/home/tracking.html?tracking-id={}",
    "Canada Post": "https://www.canadapost-postescanada.ca/track-reperage/en#/search?searchFor={}",
}


def tracking(rng: random.Random, carrier: str) -> tuple[str, str]:
    """A tracking number in the carrier's usual shape and its tracking URL."""
    digits = lambda n: "".join(str(rng.randint(0, 9)) for _ in range(n))  # noqa: E731
    if carrier == "UPS":
        number = "1Z" + "".join(rng.choice("0123456789ABCDEFGHJKLMNPRTUVWXY") for _ in range(16))
    elif carrier == "USPS":
        number = "9400" + digits(18)
    elif carrier == "FedEx":
        number = digits(12)
    elif carrier == "Canada Post":
        number = digits(16)
    else:
        number = digits(10)
    return number, _URLS.get(carrier, "https://parcelsapp.example/track/{}").format(number)
