"""Every store code the actions answer has a response, and every response it names exists.

The codes are ``str`` enums defined once in :mod:`store.codes`; each action keeps its answers in a
dict keyed by the enum. A code added to the store without an answer, or an answer naming a
response that ``domain.yml`` lacks, fails here rather than in a conversation.
"""

from __future__ import annotations

from typing import Dict, Set

import pytest
import yaml

from actions.catalog import STOCK_RESPONSES
from actions.discounts import REFUSALS as DISCOUNT_REFUSALS
from actions.handoff import HANDOFF_PREFACES
from actions.handoff_context import NEXT_STEPS, REASON_LABELS
from actions.order_changes import ADDRESS_REFUSALS, CANCEL_REFUSALS
from actions.orders import STATUS_RESPONSES
from actions.return_choices import REFUSAL_RESPONSES
from actions.returns import SUBMIT_FAILURES
from actions.sizing import SIZE_RESPONSES
from core.settings import PROJECT_ROOT
from store.codes import (
    DiscountReason,
    HandoffReason,
    OrderChangeRefusal,
    OrderStatus,
    ReturnFailure,
    ReturnRefusal,
    SizeReason,
    StockReason,
)

MAPPINGS = {
    "order status": (OrderStatus, STATUS_RESPONSES),
    "cancellation refusal": (OrderChangeRefusal, CANCEL_REFUSALS),
    "address change refusal": (OrderChangeRefusal, ADDRESS_REFUSALS),
    "size reason": (SizeReason, SIZE_RESPONSES),
    "stock reason": (StockReason, STOCK_RESPONSES),
    "discount reason": (DiscountReason, DISCOUNT_REFUSALS),
    "return item refusal": (ReturnRefusal, REFUSAL_RESPONSES),
    "return failure": (ReturnFailure, SUBMIT_FAILURES),
    "handoff preface": (HandoffReason, HANDOFF_PREFACES),
}


@pytest.fixture(scope="module")
def responses() -> Set[str]:
    domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
    return set(domain["responses"])


@pytest.mark.parametrize("name", sorted(MAPPINGS))
def test_every_member_has_an_answer(name: str) -> None:
    codes, mapping = MAPPINGS[name]
    assert set(mapping) == set(codes)


@pytest.mark.parametrize("name", sorted(MAPPINGS))
def test_every_answer_is_a_response_in_the_domain(name: str, responses: Set[str]) -> None:
    _, mapping = MAPPINGS[name]
    unknown = {code: response for code, response in mapping.items() if response and response not in responses}
    assert unknown == {}


@pytest.mark.parametrize("table", [REASON_LABELS, NEXT_STEPS], ids=["labels", "next steps"])
def test_every_handoff_reason_has_words_for_the_agent(table: Dict[HandoffReason, str]) -> None:
    assert set(table) == set(HandoffReason) and all(table.values())


def test_codes_are_their_plain_values() -> None:
    """Slots, database columns and dict look-ups see the plain value (``str()`` too, unlike Enum's)."""
    assert OrderStatus.DELAYED == "delayed" and str(OrderStatus.DELAYED) == "delayed"
    assert HANDOFF_PREFACES["frustration"] == "utter_frustration_sorry"  # type: ignore[index]
