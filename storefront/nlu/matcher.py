"""Finds catalog entities and sizes in a message with spaCy's PhraseMatcher and Matcher.

Matching works on a normalised form of each token (lower case, lemma from spaCy's lookup tables,
then a plural rule), so "Hoodies", "hoodie" and "HOODIE" all match the category "Hoodies".
Only a blank English tokenizer is needed: no pretrained pipeline can be downloaded here, and
catalog matching needs no vectors.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterable, List, Mapping, Optional, Set, Tuple

import spacy
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from core.text import scan_window
from storefront.nlu.measurements import TakenSpans, parse_measurements
from storefront.nlu.sizes import SIZE_PATTERNS, size_context_ok, size_value
from storefront.nlu.vocabulary import CatalogTerms

# When one phrase names both, the more general reading wins ("hoodie" is the category even if a
# product is called "Hoodie").
_PRIORITY = {"size": 0, "category": 1, "product": 2, "color": 3}


@dataclass(frozen=True)
class FoundEntity:
    """An entity found in a message, in Rasa's terms (character offsets, canonical value)."""

    entity: str
    start: int
    end: int
    text: str
    value: str
    additional_info: Optional[Dict[str, Any]] = field(default=None, compare=False)


def _plural_rule(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("sses", "xes", "ches", "shes", "zes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def build_lemma_map(phrases: Iterable[str]) -> Dict[str, str]:
    """Inflected form -> lemma for the lemmas that occur in ``phrases``.

    Uses the English lookup table of spacy-lookups-data (only needed at training time); the result
    is small enough to persist with the model so that inference needs no lookup tables.
    """
    import spacy_lookups_data
    import srsly

    # spaCy's Table keys are hashes, so the inflected forms are read from the package's own file.
    path = Path(spacy_lookups_data.__file__).parent / "data" / "en_lemma_lookup.json.gz"
    table: Dict[str, str] = srsly.read_gzip_json(path)
    words = {w for phrase in phrases for w in re.findall(r"[a-z0-9'-]+", phrase.lower())}
    lemmas = {table.get(w, _plural_rule(w)) for w in words}
    lemma_map = {w: table.get(w, _plural_rule(w)) for w in words}
    for form, lemma in table.items():
        if lemma in lemmas:
            lemma_map[form] = lemma
    # The table's lemma of a plural can differ from the singular's own entry ("hoodies" -> "hoody",
    # "hoodie" -> "hoodie"): a catalog word's regular plurals share its norm. When two words claim
    # the same plural ("hoody" -> "hoodies", "hoodie" -> "hoodies"), plain "+s" wins; the order is
    # fixed so that the result does not depend on set iteration.
    for suffix_rank in (0, 1, 2):
        for word in sorted(words):
            plurals = (word[:-1] + "ies" if word.endswith("y") else None, word + "es", word + "s")
            plural = plurals[suffix_rank]
            if plural and plural not in words:
                lemma_map[plural] = lemma_map[word]
    return lemma_map


class CatalogMatcher:
    """Recognises products, categories, colors, sizes and body measurements in text."""

    def __init__(self, terms: CatalogTerms, lemma_map: Optional[Mapping[str, str]] = None) -> None:
        """Build the matchers.

        Args:
            terms: the catalog phrases (from :func:`storefront.nlu.vocabulary.load_catalog_terms`).
            lemma_map: inflected form -> lemma; ``None`` builds it from spacy-lookups-data.
        """
        self.terms = terms
        self.lemma_map = dict(lemma_map) if lemma_map is not None else build_lemma_map(self._all_phrases())
        self.nlp = spacy.blank("en")
        self.phrases = PhraseMatcher(self.nlp.vocab, attr="NORM")
        self._values: Dict[str, Tuple[str, str]] = {}
        self._catalog_norms: Set[str] = set()
        group_phrases = {phrase: [phrase] for phrase in terms.groups}
        for alias, group in terms.group_aliases.items():
            group_phrases.setdefault(group, [group]).append(alias)
        tables = (
            ("product", terms.products),
            ("group", group_phrases),
            ("category", terms.categories),
            ("color", terms.colors),
        )
        for label, table in tables:
            for canonical, phrases in table.items():
                key = f"{label}::{canonical}"
                self._values[key] = ("product" if label == "group" else label, canonical)
                docs = [self._doc(p) for p in phrases if p.strip()]
                self.phrases.add(key, docs)
                if label != "product":
                    # Kinds of product and colors: a size word before them is a size ("a medium
                    # hoodie"); full product titles would add ordinary words ("one", "work").
                    self._catalog_norms.update(t.norm_ for d in docs for t in d)
        store_sizes = [s for s in terms.sizes if not re.fullmatch(r"[A-Za-z0-9./ -]{1,4}", s)]
        for size in store_sizes:
            # Odd store labels ("One Size", "2T-3T") are matched literally.
            key = f"size::{size}"
            self._values[key] = ("size", size)
            self.phrases.add(key, [self._doc(size.lower())])
        self.sizes = Matcher(self.nlp.vocab)
        for name, patterns in SIZE_PATTERNS.items():
            self.sizes.add(name, patterns)

    def _all_phrases(self) -> List[str]:
        tables = (self.terms.products, self.terms.categories, self.terms.colors)
        return [p for table in tables for ps in table.values() for p in ps] + [
            *self.terms.groups,
            *self.terms.group_aliases,
        ]

    def norm(self, word: str) -> str:
        """The form both patterns and messages are compared in."""
        lower = word.lower()
        return self.lemma_map.get(lower) or _plural_rule(lower)

    def _doc(self, text: str) -> Doc:
        doc = self.nlp.make_doc(text)
        for token in doc:
            token.norm_ = self.norm(token.text)
        return doc

    def find(self, text: str) -> List[FoundEntity]:
        """Every entity in ``text``, without overlaps, in text order.

        Measurements are parsed first (a "32" followed by "waist" is a waist, not a size), then
        sizes and catalog phrases; among overlapping candidates the longest wins.
        """
        text = scan_window(text)
        found: List[FoundEntity] = []
        for m in parse_measurements(text):
            found.append(
                FoundEntity(
                    m.entity,
                    m.start,
                    m.end,
                    m.text,
                    m.normalized,
                    {
                        "value": m.value,
                        "unit": m.unit,
                        "source_value": m.source_value,
                        "source_unit": m.source_unit,
                    },
                )
            )
        taken = TakenSpans(sorted((f.start, f.end) for f in found))
        doc = self._doc(text)
        candidates: List[Tuple[Span, str, str]] = []
        for key, start, end in self.phrases(doc):
            label, canonical = self._values[self.nlp.vocab.strings[key]]
            candidates.append((doc[start:end], label, canonical))
        for match_id, start, end in self.sizes(doc):
            span = doc[start:end]
            name = self.nlp.vocab.strings[match_id]
            if not size_context_ok(name, span, self._catalog_norms):
                continue
            value = size_value(name, span)
            if value is not None:
                candidates.append((span, "size", value))
        chosen = self._resolve(candidates)
        for span, label, value in chosen:
            start, end = span.start_char, span.end_char
            if taken.overlaps(start, end):
                continue
            info = (
                {"candidates": self.terms.groups[value]}
                if label == "product" and value in self.terms.groups
                else None
            )
            found.append(FoundEntity(label, start, end, span.text, value, info))
        return sorted(found, key=lambda f: f.start)

    @staticmethod
    def _resolve(candidates: List[Tuple[Span, str, str]]) -> List[Tuple[Span, str, str]]:
        best: Dict[Tuple[int, int], Tuple[Span, str, str]] = {}
        for span, label, value in candidates:
            key = (span.start, span.end)
            if key not in best or _PRIORITY[label] < _PRIORITY[best[key][1]]:
                best[key] = (span, label, value)
        kept = {(s.start, s.end) for s in filter_spans([c[0] for c in best.values()])}
        return [c for k, c in best.items() if k in kept]
