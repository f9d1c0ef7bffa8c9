"""A whole postal address typed on one line, split into street, city, region and postal code.

Shoppers changing a delivery address often paste it in one go ("350 Fifth Ave, New York, NY
10118") instead of answering street, city and postal code one by one. US addresses are parsed
with ``usaddress`` (a CRF trained on US address strings, MIT licence), which copes with missing
commas and unit numbers. Other countries follow the shape nearly all of them share when written
on one line: the street first, then the town and the postal code in either order, separated by
commas ("10 Downing Street, London, SW1A 2AA"; "5 rue de Rivoli, 75001 Paris").

Anything that is not clearly a whole address gives ``None``, so the caller asks piece by piece.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Dict, List, Optional

import usaddress

POSTAL_CODE_PATTERNS: Dict[str, str] = {
    "US": r"\d{5}(?:-\d{4})?",
    "CA": r"[A-Za-z]\d[A-Za-z] ?\d[A-Za-z]\d",
    "GB": r"[A-Za-z]{1,2}\d[A-Za-z\d]? ?\d[A-Za-z]{2}",
    "IE": r"[A-Za-z]\d[\dWw] ?[A-Za-z\d]{4}",  # Eircode: routing key and unique identifier
    "NL": r"\d{4} ?[A-Za-z]{2}",
    "SE": r"\d{3} ?\d{2}",
    "DE": r"\d{5}",
    "FR": r"\d{5}",
    "ES": r"\d{5}",
    "IT": r"\d{5}",
    "BE": r"\d{4}",
    "DK": r"\d{4}",
    "AU": r"\d{4}",
    "NZ": r"\d{4}",
}
"""Postal code shapes of the countries the sample store ships to; others use the generic one."""
GENERIC_POSTAL_CODE = r"(?=[A-Za-z0-9 -]*\d)[A-Za-z0-9][A-Za-z0-9-]{1,4}(?: ?[A-Za-z0-9]{2,4})?"

_STREET_PARTS = (
    "AddressNumberPrefix", "AddressNumber", "AddressNumberSuffix", "StreetNamePreModifier",
    "StreetNamePreDirectional", "StreetNamePreType", "StreetName", "StreetNamePostType",
    "StreetNamePostDirectional", "SubaddressType", "SubaddressIdentifier", "OccupancyType",
    "OccupancyIdentifier", "BuildingName",
)  # fmt: skip


@dataclass(frozen=True)
class AddressLine:
    """The parts of a one-line address; ``region`` is a state or province, when given."""

    address1: str
    city: str
    postal_code: str
    region: Optional[str] = None

    @property
    def city_with_region(self) -> str:
        """``"Portland, OR"``: the town as the address form keeps it (region after a comma)."""
        return f"{self.city}, {self.region}" if self.region else self.city


def _clean(text: str) -> str:
    return " ".join(text.replace("\n", ", ").split()).strip(" ,")


def _is_street(text: str) -> bool:
    return bool(re.search(r"\d", text)) and bool(re.search(r"[A-Za-z]{2}", text))


def parse_us_address(text: str) -> Optional[AddressLine]:
    """A US street address with house number, street, city, state and ZIP code, else None."""
    try:
        tagged, kind = usaddress.tag(_clean(text))
    except usaddress.RepeatedLabelError:
        return None
    if kind != "Street Address":
        return None
    street = " ".join(tagged[part] for part in _STREET_PARTS if tagged.get(part))
    city, state = tagged.get("PlaceName", "").strip(" ,"), tagged.get("StateName", "").strip(" ,.")
    postal_code = tagged.get("ZipCode", "").strip(" ,")
    if not (tagged.get("AddressNumber") and city and re.fullmatch(POSTAL_CODE_PATTERNS["US"], postal_code)):
        return None
    return AddressLine(
        address1=street.strip(" ,"), city=city, postal_code=postal_code, region=state.upper() or None
    )


def parse_comma_address(text: str, country: str = "") -> Optional[AddressLine]:
    """Street, then town (and region) and postal code in any order, else None.

    The first place after the street is the town, the next one the region: "Toronto, ON M5H 2N2".
    """
    parts: List[str] = [part.strip() for part in _clean(text).split(",") if part.strip()]
    if len(parts) < 2 or not _is_street(parts[0]):
        return None
    code = POSTAL_CODE_PATTERNS.get(country.upper(), GENERIC_POSTAL_CODE)
    rest = parts[1:]
    for index, part in enumerate(rest):
        found = re.search(rf"(?:^|\s)({code})(?:\s|$)", part)
        if not found:
            continue
        town = _clean(part[: found.start(1)] + " " + part[found.end(1) :])
        places = [*rest[:index], *([town] if town else []), *rest[index + 1 :]]  # as written
        if not places or any(re.search(r"\d", place) for place in places):
            return None
        city, region = places[0], (places[1] if len(places) > 1 else None)
        return AddressLine(address1=parts[0], city=city, postal_code=found.group(1).upper(), region=region)
    return None


def parse_address_line(text: str, country: str = "") -> Optional[AddressLine]:
    """A whole address typed on one line, read the way its country writes it; None if it is not one."""
    if country.upper() in ("US", ""):
        parsed = parse_us_address(text)
        if parsed is not None or country:
            return parsed
    return parse_comma_address(text, country)
