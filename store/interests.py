"""What a vague need is asked about: whether it names a use, and the uses the catalog can answer.

"A present for my dad" names no kind of product and no use or activity, so ranking it would only
find gift-friendly products that share nothing else with the need. The finder asks one question
instead, with quick replies drawn from ``interests`` in ``store/needs.yaml``: only those that
in-stock products suiting the need's audience actually have, most common first.
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy.orm import Session

from store.recommend import best_for, catalog_index, needs_vocabulary, parse_need, suits, tag_text, tokens

GIFT_ATTRIBUTE = "gift-friendly"


def use_words() -> frozenset[str]:
    """The stemmed words of every attribute tag that says what a product is for (not "gift")."""
    vocabulary = needs_vocabulary()
    return frozenset(
        word for tag in vocabulary.attributes if tag != GIFT_ATTRIBUTE for word in tokens(tag_text(tag))
    )


def names_a_use(need: str) -> bool:
    """Whether the need names a kind of product ("boots") or a use or activity ("for hiking")."""
    parsed = parse_need(need)
    return bool(parsed.categories) or bool(parsed.wanted & use_words())


def interest_choices(session: Session, *, need: str, limit: int) -> list[str]:
    """The interests (attribute tags) of in-stock products that suit the need's audience, most
    common first (ties in ``needs.yaml`` order), at most ``limit``."""
    interests = needs_vocabulary().interests
    audience = parse_need(need).audience
    counts: Counter[str] = Counter({tag: 0 for tag in interests})
    for product in catalog_index(session).candidates:
        if suits(product, audience) and any(offer.in_stock > 0 for offer in product.offers):
            counts.update(tag for tag in best_for(product.tags) if tag in counts)
    return [tag for tag, count in counts.most_common() if count > 0][:limit]
