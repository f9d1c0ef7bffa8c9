"""The catalog words the entity extractor looks for, read from the store at training time.

The vocabulary is a plain, JSON-serialisable value so that it can be persisted inside the trained
model: the Rasa server then recognises product names without a database connection, and a catalog
change is picked up by the next ``rasa train`` (the extractor puts the vocabulary's fingerprint in
the model fingerprint) without any new training examples.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Tuple

LOAD_COMMAND = "python -m store load-sample"

# Colors shoppers ask for even when the store has none of them ("do you have it in purple?"), so
# that the assistant can say so instead of ignoring the color. Store colors are added to these.
BASE_COLORS: Mapping[str, Tuple[str, ...]] = {
    "Black": ("black",),
    "White": ("white", "off white", "off-white"),
    "Grey": ("grey", "gray", "light grey", "light gray", "dark grey", "dark gray"),
    "Charcoal": ("charcoal",),
    "Red": ("red",),
    "Burgundy": ("burgundy", "maroon", "wine"),
    "Blue": ("blue", "light blue", "sky blue", "royal blue", "dark blue"),
    "Navy": ("navy", "navy blue"),
    "Green": ("green", "dark green", "forest green", "light green"),
    "Olive": ("olive", "olive green", "khaki green"),
    "Yellow": ("yellow", "mustard"),
    "Orange": ("orange",),
    "Pink": ("pink", "light pink", "hot pink"),
    "Purple": ("purple", "lilac", "lavender", "violet"),
    "Brown": ("brown", "chocolate"),
    "Beige": ("beige", "sand", "tan", "camel", "khaki"),
    "Cream": ("cream", "ivory", "ecru", "natural"),
    "Teal": ("teal", "turquoise"),
    "Silver": ("silver",),
    "Gold": ("gold",),
    "Multicolor": ("multicolor", "multicolour", "multi colored", "rainbow"),
}

# Words shoppers use that a store's category names rarely contain, mapped to the word the catalog
# does use; each is attached to whatever that word resolves to in this store.
SHOPPER_WORDS: Mapping[str, str] = {
    "t-shirt": "tee",
    "t shirt": "tee",
    "tshirt": "tee",
    "tees": "tee",
    "jumper": "sweater",
    "pullover": "sweater",
    "trainers": "sneaker",
    "kicks": "sneaker",
    "hoody": "hoodie",
    "pants": "trousers",
    "swimsuit": "swimwear",
    "bathing suit": "swimwear",
    "coat": "coat",
}

# Last words of product titles that do not name a kind of product ("Runner One", "Tennis Classic").
_NOT_HEAD_NOUNS = {
    "one",
    "two",
    "classic",
    "original",
    "mid",
    "low",
    "high",
    "layer",
    "bottom",
    "top",
    "guard",
    "shell",
    "canvas",
    "print",
    "check",
    "wash",
    "edition",
    "set",
    "kit",
    "pack",
    "plus",
    "pro",
    "max",
    "mini",
    "lite",
    "light",
    "heavy",
    "new",
    "essential",
    "basic",
}

_GENERIC_WORDS = {
    "the",
    "a",
    "an",
    "and",
    "of",
    "for",
    "with",
    "in",
    "men",
    "mens",
    "women",
    "womens",
    "kids",
    "unisex",
    "classic",
    "new",
    "original",
    "essential",
    "everyday",
}


class CatalogUnavailableError(RuntimeError):
    """The store has no catalog to learn product names from (the database is empty or missing)."""


@dataclass(frozen=True)
class CatalogTerms:
    """Canonical catalog values and the phrases shoppers use for each.

    Attributes:
        products: product title -> lower-case phrases (title, short names, handle words).
        categories: category name -> phrases ("t-shirts", "tee", ...).
        colors: canonical color -> phrases.
        sizes: the store's size labels as stored on variants and size charts.
        brands: vendor names.
        groups: a phrase that names several products ("hoodie", "trucker jacket") -> their titles;
            found as a ``product`` entity whose value is the phrase.
        group_aliases: another word for a group ("hoody" -> "hoodie").
    """

    products: Dict[str, List[str]] = field(default_factory=dict)
    categories: Dict[str, List[str]] = field(default_factory=dict)
    colors: Dict[str, List[str]] = field(default_factory=dict)
    sizes: List[str] = field(default_factory=list)
    brands: List[str] = field(default_factory=list)
    groups: Dict[str, List[str]] = field(default_factory=dict)
    group_aliases: Dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> Dict[str, Any]:
        """A JSON-serialisable copy."""
        return {
            "products": self.products,
            "categories": self.categories,
            "colors": self.colors,
            "sizes": self.sizes,
            "brands": self.brands,
            "groups": self.groups,
            "group_aliases": self.group_aliases,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CatalogTerms:
        """Rebuild from :meth:`to_dict` output."""
        return cls(
            products={k: list(v) for k, v in data.get("products", {}).items()},
            categories={k: list(v) for k, v in data.get("categories", {}).items()},
            colors={k: list(v) for k, v in data.get("colors", {}).items()},
            sizes=list(data.get("sizes", [])),
            brands=list(data.get("brands", [])),
            groups={k: list(v) for k, v in data.get("groups", {}).items()},
            group_aliases=dict(data.get("group_aliases", {})),
        )

    def fingerprint(self) -> str:
        """A stable hash: equal for equal vocabularies, different after any catalog change."""
        blob = json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip().lower())


def _title_aliases(title: str, vendor_names: List[str], short_names: Tuple[str, ...]) -> List[str]:
    """Names a shopper may use for a product: its title, the store's short names, and the title
    without the brand or without its last (usually generic) word, when enough is left to be
    specific."""
    lowered = _clean(title)
    aliases = [lowered, *(_clean(s) for s in short_names)]
    for vendor in vendor_names:
        if vendor and lowered.startswith(_clean(vendor) + " "):
            aliases.append(lowered[len(vendor) + 1 :])
    words = lowered.split()
    if len(words) >= 3:
        aliases.append(" ".join(words[:-1]))
    kept = []
    for alias in dict.fromkeys(aliases):
        specific = [w for w in alias.split() if w not in _GENERIC_WORDS]
        if alias == lowered or len(specific) >= 2:
            kept.append(alias)
    return kept


def terms_from_store_vocabulary(vocabulary: Any) -> CatalogTerms:
    """Convert :class:`store.vocabulary.CatalogVocabulary` into :class:`CatalogTerms`.

    Args:
        vocabulary: the store's vocabulary (products with ``title``, ``handle`` and
            ``short_names``; ``categories`` with ``category_terms``; ``colors``; ``sizes``;
            ``brands``).

    Returns:
        The phrases to match, with aliases that would clash with categories or colors removed.
    """
    brands = [b for b in vocabulary.brands if b]
    categories: Dict[str, List[str]] = {}
    for name in vocabulary.categories:
        phrases = [_clean(name), *(_clean(t) for t in vocabulary.category_terms.get(name, ()))]
        # Drop fragments such as the "t" of "T-Shirts": one or two letters are never a category.
        categories[name] = [p for p in dict.fromkeys(phrases) if len(p.replace(" ", "")) > 2]
    colors: Dict[str, List[str]] = {name: list(phrases) for name, phrases in BASE_COLORS.items()}
    for color in vocabulary.colors:
        if not color:
            continue
        phrase = _clean(color)
        for canonical, phrases in colors.items():
            if canonical != color and phrase in phrases:
                # The store's own color ("Forest Green", "Tan") takes its phrase over from the
                # base color it was listed under; "green" alone stays "Green".
                phrases.remove(phrase)
        colors[color] = list(dict.fromkeys([*colors.get(color, []), phrase]))
    reserved = {p for ps in categories.values() for p in ps} | {p for ps in colors.values() for p in ps}
    alias_owners: Dict[str, List[str]] = {}
    for product in vocabulary.products:
        aliases = _title_aliases(product.title, brands, tuple(product.short_names))
        handle_words = _clean(product.handle.replace("-", " "))
        if len(handle_words.split()) >= 2:
            aliases.append(handle_words)
        head = _head_noun(product.title)
        if head:
            aliases.append(head)
        for alias in dict.fromkeys(aliases):
            if alias not in reserved or alias == _clean(product.title):
                alias_owners.setdefault(alias, []).append(product.title)
    products: Dict[str, List[str]] = {p.title: [] for p in vocabulary.products}
    groups: Dict[str, List[str]] = {}
    for alias, owners in alias_owners.items():
        if len(owners) == 1 and alias != _head_noun(owners[0]):
            products[owners[0]].append(alias)
        else:
            # A phrase several products share (or a bare noun such as "hoodie") names a group.
            groups[alias] = sorted(set(owners))
    group_aliases: Dict[str, str] = {}
    _attach_shopper_words(categories, groups, group_aliases)
    return CatalogTerms(
        products=products,
        categories=categories,
        colors=colors,
        sizes=[s for s in vocabulary.sizes if s],
        brands=brands,
        groups=groups,
        group_aliases=group_aliases,
    )


def _head_noun(title: str) -> str:
    """The noun a product title ends with ("Fleece Hoodie" -> "hoodie"), skipping pack counts."""
    words = [w for w in re.findall(r"[a-z][a-z-]*", title.lower()) if not re.fullmatch(r"\d+-pack|pack", w)]
    return words[-1] if len(words) >= 2 and words[-1] not in _NOT_HEAD_NOUNS else ""


def _attach_shopper_words(
    categories: Dict[str, List[str]], groups: Dict[str, List[str]], aliases: Dict[str, str]
) -> None:
    for word, target in SHOPPER_WORDS.items():
        owner = next(
            (c for c, phrases in categories.items() if target in phrases or target + "s" in phrases), None
        )
        if owner is not None and word not in categories[owner]:
            categories[owner].append(word)
        elif owner is None and target in groups and word not in groups:
            aliases[word] = target


def load_catalog_terms(database_url: Optional[str] = None) -> CatalogTerms:
    """Read the catalog vocabulary from the store database.

    Args:
        database_url: SQLAlchemy URL; ``None`` uses ``DATABASE_URL`` from the settings.

    Raises:
        CatalogUnavailableError: the database cannot be read or has no active products; the message
            names the database and the command that loads the sample store.
    """
    from sqlalchemy.exc import SQLAlchemyError

    from store.db import make_engine, session_scope
    from store.vocabulary import catalog_vocabulary

    engine = make_engine(database_url)
    where = engine.url.render_as_string(hide_password=True)
    try:
        with session_scope(engine) as session:
            vocabulary = catalog_vocabulary(session)
    except SQLAlchemyError as error:
        raise CatalogUnavailableError(
            f"Cannot read the store catalog from {where} ({error.__class__.__name__}). The catalog "
            f"entity extractor learns product names from the store at training time: load the store "
            f"first with `{LOAD_COMMAND}` (or import your Shopify export), then train again."
        ) from error
    finally:
        engine.dispose()
    if not vocabulary.products:
        raise CatalogUnavailableError(
            f"The store catalog at {where} has no active products. The catalog entity extractor "
            f"learns product names from the store at training time: load it with `{LOAD_COMMAND}` "
            f"(or import your Shopify export), then train again."
        )
    return terms_from_store_vocabulary(vocabulary)
