"""Marketing consent in the chat, against the real servers (REST channel, the session's store).

After a yes to a back-in-stock alert the assistant asks once whether the shopper would also like
offers at that address; the answer is in the consent ledger with the exact words the shopper got;
a later alert to the same address does not ask again; "stop sending me offers" withdraws it.
"""

from __future__ import annotations

import json
import uuid
from typing import Iterator

import pytest
from sqlalchemy.engine import Engine

from store.consent import Channel, history
from store.db import make_engine, session_scope
from tests.support.chat import Turn, chat
from tools.launcher import Stack

pytestmark = pytest.mark.integration

SOLD_OUT = "is the Harbor Rain Shell in XL black in stock?"


@pytest.fixture
def store(store_db_url: str) -> Iterator[Engine]:
    engine = make_engine(store_db_url)
    yield engine
    engine.dispose()


def ledger(store: Engine, email: str) -> list:
    with session_scope(store) as session:
        return [
            (row.purpose, row.source, row.wording, row.withdrawn_at is not None, row.withdrawal_source)
            for row in history(session, channel=Channel.EMAIL, address=email)
        ]


def alert_until_the_offers_question(stack: Stack, sender: str, email: str) -> Turn:
    sold_out = chat(stack, sender, SOLD_OUT)
    [subscribe] = [b["payload"] for b in sold_out.buttons() if '"stock_alert":"subscribe"' in b["payload"]]
    assert json.loads(subscribe[len("/product_stock") :])["stock_alert"] == "subscribe"
    chat(stack, sender, subscribe)
    assert chat(stack, sender, email).responses == ["utter_ask_alert_consent"]
    return chat(stack, sender, "yes")


def test_a_typed_yes_is_kept_with_the_words_shown_and_stop_withdraws_it(stack: Stack, store: Engine) -> None:
    sender, email = f"offers-{uuid.uuid4().hex[:8]}", f"nora.{uuid.uuid4().hex[:8]}@example.com"
    question = alert_until_the_offers_question(stack, sender, email)
    assert question.responses == ["utter_ask_marketing_consent"]
    assert [b["title"] for b in question.buttons()] == ["Yes, send offers", "No thanks"]
    assert email in question.text and "At most 2 a week" in question.text
    done = chat(stack, sender, "sure")
    assert done.responses == ["utter_back_in_stock_subscribed", "utter_marketing_consent_recorded"]
    assert ledger(store, email) == [("marketing", "chat", question.text, False, None)]

    stopped = chat(stack, sender, "please stop sending me offers")
    assert stopped.actions[:1] == ["action_withdraw_marketing_consent"]
    assert stopped.responses == ["utter_marketing_withdrawn"]
    assert ledger(store, email) == [("marketing", "chat", question.text, True, "chat")]


def test_after_a_no_the_next_alert_does_not_ask_again(stack: Stack, store: Engine) -> None:
    sender, email = f"offers-{uuid.uuid4().hex[:8]}", f"omar.{uuid.uuid4().hex[:8]}@example.com"
    question = alert_until_the_offers_question(stack, sender, email)
    assert question.responses == ["utter_ask_marketing_consent"]
    assert chat(stack, sender, "no thanks").responses == ["utter_back_in_stock_subscribed"]
    assert ledger(store, email) == [("marketing", "chat", question.text, True, "chat")]

    # another day, another conversation, the same address: the alert is stored without the question
    again = alert_until_the_offers_question(stack, f"offers-{uuid.uuid4().hex[:8]}", email)
    assert again.responses == ["utter_back_in_stock_subscribed"]
    assert len(ledger(store, email)) == 1
