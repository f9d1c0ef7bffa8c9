"""Destinations: places named by country, alias, state, province or city, against the sample store.

The store ships to the countries of data/store/shipping.yaml (regions for the US and Canada); the
libraries add every other country and the cities of at least 100,000 people.
"""

from __future__ import annotations

from decimal import Decimal
from typing import List, Optional, Tuple

import pytest
from sqlalchemy.orm import Session

from store.models import Country, ShippingMethod, ShippingZone
from store.places import MAX_TEXT_CHARS, Gazetteer, Place, load_gazetteer, resolve_place
from store.shipping import delivery_estimate

Found = List[Tuple[str, str, Optional[str]]]  # (text, country, region code)


@pytest.fixture
def gazetteer(session: Session) -> Gazetteer:
    return load_gazetteer(session)


def found(gazetteer: Gazetteer, text: str) -> Found:
    return [(f.text, f.place.country_name, f.place.region_code) for f in gazetteer.find(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # cities, in and outside longer sentences, any case
        ("how long would it take to reach Vancouver", [("Vancouver", "Canada", "BC")]),
        ("order now, when does it land in Lyon?", [("Lyon", "France", None)]),
        ("Calgary", [("Calgary", "Canada", "AB")]),
        ("toronto please", [("toronto", "Canada", "ON")]),
        ("can it get to Montreal by friday", [("Montreal", "Canada", "QC")]),  # Montréal, accent-folded
        ("deliver to Anchorage", [("Anchorage", "United States", "AK")]),
        ("any anchorage for boats", []),  # a dictionary word in lower case
        ("what about san juan", [("san juan", "United States", "PR")]),  # ISO PR is the store's US region
        # states, provinces and the store's aliases
        ("do you send parcels to Ohio", [("Ohio", "United States", "OH")]),
        ("Oregon", [("Oregon", "United States", "OR")]),
        ("shipping to british columbia?", [("british columbia", "Canada", "BC")]),
        ("I'm in Ontario", [("Ontario", "Canada", "ON")]),
        ("Can I get it delivered to the States", [("the States", "United States", None)]),
        ("do you ship to holland", [("holland", "Netherlands", None)]),
        # a country inside a longer sentence, one the store does not ship to, and a city there
        (
            "hey I want to buy a gift for my sister who lives in Sweden, how long",
            [("Sweden", "Sweden", None)],
        ),
        ("Do you ship to Japan and how much is it", [("Japan", "Japan", None)]),
        ("tokyo", [("tokyo", "Japan", None)]),
        ("do you ship to Russia", [("Russia", "Russian Federation", None)]),
        # ambiguity: the store's own names, then places it ships to, then population
        ("paris", [("paris", "France", None)]),
        ("London", [("London", "United Kingdom", None)]),
        ("do you ship to georgia", [("georgia", "United States", "GA")]),
        ("New Jersey", [("New Jersey", "United States", "NJ")]),
        # everyday words: only after a destination cue or capitalised inside a sentence
        ("Nice shirt", []),
        ("Reading glasses", []),
        ("what a nice jacket", []),
        ("ship to Nice?", [("Nice", "France", None)]),
        ("I live in Reading", [("Reading", "United Kingdom", None)]),
        ("i live in reading", []),  # a dictionary word in lower case, even after a cue
        ("what have you got in the sale", []),
        ("can i pick up in store", []),
        ("it's sofia.m@gmail.com", []),  # Sofia, inside an email address
        ("a new jersey for my son", []),
        ("a red deer sweater", []),
        ("my mobile number is 555 0101", []),
        ("is the hoodie on sale", []),
        ("12 oz bottle", []),
        ("ship to Oz", [("Oz", "Australia", None)]),
        ("UK shipping cost?", [("UK", "United Kingdom", None)]),
        ("contact us", []),
        ("uk", [("uk", "United Kingdom", None)]),  # a whole message naming a country
        ("nice", []),  # but not a whole message naming a city that is an everyday word
        ("I want a medium in blue", []),
    ],
)
def test_places_in_messages(gazetteer: Gazetteer, text: str, expected: Found) -> None:
    assert found(gazetteer, text) == expected


@pytest.mark.parametrize(
    ("name", "label", "kind"),
    [
        ("Vancouver", "British Columbia, Canada", "city"),
        ("BC", "British Columbia, Canada", "region"),
        ("ca", "Canada", "country"),  # a code: the country wins over California
        ("OR", "Oregon, United States", "region"),
        ("USA", "United States", "country"),
        ("the Netherlands", "Netherlands", "country"),
        ("Oregon, United States", "Oregon, United States", "region"),
        ("Portland, Maine", "Maine, United States", "region"),  # the named state wins over the city
        ("Honolulu", "Hawaii, United States", "city"),
        ("Moscow", "Russian Federation", "city"),
    ],
)
def test_lookup_of_a_whole_name(session: Session, name: str, label: str, kind: str) -> None:
    place = resolve_place(session, name)
    assert place is not None and (place.label, place.kind) == (label, kind)


def test_unknown_names_and_empty_text_resolve_to_nothing(session: Session) -> None:
    assert resolve_place(session, "Atlantis") is None
    assert resolve_place(session, "ok") is None  # not Oklahoma
    assert resolve_place(session, "   ") is None


def test_the_place_knows_its_name_and_kind(gazetteer: Gazetteer) -> None:
    (hit,) = gazetteer.find("how long to Calgary")
    assert (hit.start, hit.end) == (12, 19)
    assert hit.place == Place("CA", "Canada", "AB", "Alberta", "Calgary", "city")


def test_only_the_first_characters_are_read(gazetteer: Gazetteer) -> None:
    padding = "x " * (MAX_TEXT_CHARS // 2)
    assert gazetteer.find("ship to Ohio " + padding) != []
    assert gazetteer.find(padding + "ship to Ohio") == []


def test_a_region_with_its_own_zone_gets_that_zones_prices(session: Session) -> None:
    place = resolve_place(session, "Honolulu")
    assert place is not None
    options = delivery_estimate(session, country=place.country_code, region=place.region_code)
    assert {o.zone for o in options} == {"Alaska, Hawaii & Puerto Rico"}


def test_a_zone_added_to_the_store_is_understood_at_once(session: Session) -> None:
    """No model and no restart: the next gazetteer built from the store prefers the new country."""
    before = load_gazetteer(session)
    assert before.lookup("Osaka") == Place("JP", "Japan", None, None, "Osaka", "city")
    assert "JP" not in before.shipped_countries
    assert load_gazetteer(session) is before  # the same countries: built once, kept
    session.add(Country(code="JP", name="Japan", aliases=["Nippon"], regions={}))
    zone = ShippingZone(name="Japan", position=99, countries=["JP"], regions=[], postal_prefixes=[])
    method = ShippingMethod(code="standard", name="Standard", price=Decimal("20.00"), cutoff="14:00")
    method.transit_min_days, method.transit_max_days, method.position = 5, 8, 0
    zone.methods.append(method)
    session.add(zone)
    session.flush()
    after = load_gazetteer(session)
    assert "JP" in after.shipped_countries
    assert [(f.text, f.place.country_name) for f in after.find("send it to Nippon")] == [("Nippon", "Japan")]
    assert [o.zone for o in delivery_estimate(session, country="JP")] == ["Japan"]
