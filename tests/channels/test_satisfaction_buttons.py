"""The rating question on each channel: widget buttons, WhatsApp reply buttons, numbered SMS."""

from __future__ import annotations

from typing import Any, Dict, List

import pytest
import yaml

from core.settings import PROJECT_ROOT
from storefront.channels import whatsapp_format as fmt

RESPONSES: List[Dict[str, Any]] = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text())["responses"][
    "utter_ask_satisfaction"
]


def _variant(channel: Any) -> Dict[str, Any]:
    return next(r for r in RESPONSES if r.get("channel") == channel)


def test_the_widget_offers_the_five_scores() -> None:
    payloads = [b["payload"] for b in _variant(None)["buttons"]]
    assert payloads == [f'/inform{{"csat_score":"{n}"}}' for n in range(1, 6)]


def test_whatsapp_shows_three_reply_buttons() -> None:
    options = fmt.options_from_buttons(_variant("whatsapp")["buttons"])
    assert fmt.choose_layout(options) == fmt.LAYOUT_BUTTONS
    assert [o.payload for o in options] == [
        '/inform{"csat_score":"5"}',
        '/inform{"csat_score":"3"}',
        '/inform{"csat_score":"1"}',
    ]


@pytest.mark.parametrize("score", range(1, 6))
def test_an_sms_answer_with_a_number_is_that_score(score: int) -> None:
    options = fmt.options_from_buttons(_variant(None)["buttons"])
    assert f"{score}. {score} - " in fmt.numbered_text("How did we do?", options)
    assert fmt.match_numbered_answer(str(score), options) == f'/inform{{"csat_score":"{score}"}}'
