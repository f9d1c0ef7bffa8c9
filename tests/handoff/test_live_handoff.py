"""Live-agent handoff end to end: real Rasa and action servers, a socket.io shopper, the console API."""

from __future__ import annotations

import asyncio
import concurrent.futures
import uuid
from datetime import datetime

import pytest
import requests

from tests.handoff.console_client import ApiClient, Console, Shopper
from tests.support.chat import chat, rest_id, say, settled_turn, tracker
from tools.launcher import Stack

pytestmark = pytest.mark.integration


def shopper_lines(transcript: list) -> list:
    return [(line["text"], line["intent"]) for line in transcript if line["sender"] == "shopper"]


async def test_two_fallbacks_then_an_agent_talks_on_the_shoppers_socket_and_hands_back(stack: Stack) -> None:
    session = uuid.uuid4().hex
    sam, kim = Console(stack, "Sam"), Console(stack, "Kim")
    shopper = await Shopper(stack, session).connect()
    try:
        await shopper.say(
            "/nlu_fallback", {"page": {"product": "trail-jacket"}, "cart": [{"sku": "TJ-M", "quantity": 1}]}
        )
        (first,) = await shopper.receive()
        assert settled_turn(stack, session, messages=1).responses == ["utter_fallback_rephrase"]
        assert first["quick_replies"][0]["payload"] == "/human_handoff"

        await shopper.say("/nlu_fallback")
        await shopper.receive(2)
        handing_off = settled_turn(stack, session, messages=2)
        assert handing_off.responses == ["utter_fallback_handing_off", "utter_handoff_queued"]
        queued = next(
            e for e in handing_off.events if e["event"] == "bot" and e["metadata"].get("wait_minutes")
        )

        item = sam.handoff_for(session)
        waiting = [h["id"] for h in sam.get("api/handoffs", status="queued").json()["handoffs"]]
        # HANDOFF_MINUTES_PER_SHOPPER (5) for each shopper in the queue up to this one
        assert queued["metadata"]["wait_minutes"] == 5 * (waiting.index(item["id"]) + 1)
        assert (item["reason"], item["channel"], item["status"], item["offline"]) == (
            "nlu_fallback",
            "socketio",
            "queued",
            False,
        )
        assert item["claimed_at"] is None and item["created_at"]
        detail = sam.detail(item["id"])
        assert detail["paused"] is True
        assert shopper_lines(detail["transcript"]) == [("/nlu_fallback", "nlu_fallback")] * 2
        context = detail["context"]
        assert context["conversation_id"] == session and context["reason"] == "nlu_fallback"
        assert context["page"] == {"product": "trail-jacket"} and context["cart"] == [
            {"sku": "TJ-M", "quantity": 1}
        ]
        assert [t["confidence"] for t in context["transcript"] if t["sender"] == "shopper"] == [1.0, 1.0]
        assert context["next_step"] and context["summary"].startswith("Assistant did not understand")

        # While paused the shopper's words reach the console and the assistant stays silent.
        await shopper.say("hello? is anyone there?")
        # (in a thread: the socket.io client sends from this event loop, which must keep running)
        await asyncio.to_thread(
            sam.wait_for_transcript,
            item["id"],
            lambda t: "hello? is anyone there?" in [s for s, _ in shopper_lines(t)],
        )
        await asyncio.sleep(1.0)
        assert shopper.pending() == []

        claimed = sam.post(f"api/handoffs/{item['id']}/claim")
        assert claimed.status_code == 200 and claimed.json()["delivered"] is True
        (joined,) = await shopper.receive()
        assert joined["custom"] == {"handoff": "agent_joined", "agent": "Sam"} and "Sam" in joined["text"]
        late = kim.post(f"api/handoffs/{item['id']}/claim")
        assert late.status_code == 409 and late.json()["claimed_by"] == "Sam"
        assert kim.post(f"api/handoffs/{item['id']}/messages", {"text": "Me too!"}).status_code == 409

        sent = sam.post(
            f"api/handoffs/{item['id']}/messages", {"text": "Hi, I'm Sam. What can I do for you?"}
        )
        assert sent.status_code == 200 and sent.json() == {"delivered": True, "channel": "socketio"}
        (agent_says,) = await shopper.receive()
        assert agent_says == {
            "text": "Hi, I'm Sam. What can I do for you?",
            "custom": {"handoff": "agent_message", "agent": "Sam"},
        }
        detail = sam.detail(item["id"])
        assert {"sender": "agent:Sam", "text": "Hi, I'm Sam. What can I do for you?"}.items() <= detail[
            "transcript"
        ][-1].items()

        back = sam.post(f"api/handoffs/{item['id']}/handback")
        assert back.status_code == 200 and back.json() == {
            "status": "resolved",
            "delivered": True,
            "rating_asked": False,
        }
        (resumed,) = await shopper.receive()
        assert resumed["custom"] == {"handoff": "bot_resumed", "agent": "Sam"} and "Sam" in resumed["text"]
        assert [q["payload"] for q in resumed["quick_replies"]] == ["/order_status", "/human_handoff"]

        finished = sam.detail(item["id"])
        assert finished["status"] == "resolved" and finished["paused"] is False
        # the wait is the time until Sam claimed it (from the record's own timestamps), not until now
        waited = datetime.fromisoformat(finished["claimed_at"]) - datetime.fromisoformat(
            finished["created_at"]
        )
        assert waited.total_seconds() >= 1  # the shopper waited through the pause above
        assert finished["wait_seconds"] == int(waited.total_seconds())
        assert [(m["sender"], m["text"]) for m in finished["messages"]] == [
            ("shopper", "hello? is anyone there?"),
            ("bot", joined["text"]),
            ("agent:Sam", "Hi, I'm Sam. What can I do for you?"),
        ]
        assert all(h["conversation_id"] != session for h in sam.get("api/handoffs").json()["handoffs"])

        await shopper.say("/greet")
        await shopper.receive()
        assert settled_turn(stack, session, messages=4).responses == ["utter_greet"]
    finally:
        await shopper.close()


def test_rest_conversation_agent_message_is_stored_not_pushed(stack: Stack) -> None:
    sender = f"rest-{uuid.uuid4().hex[:8]}"
    assert chat(stack, sender, "/human_handoff").responses == ["utter_handoff_queued"]
    assert say(stack, sender, "my parcel never arrived") == []

    ana = Console(stack, "Ana")
    item = ana.handoff_for(rest_id(sender))
    assert (item["reason"], item["channel"]) == ("requested", "rest")
    assert ana.post(f"api/handoffs/{item['id']}/claim").json()["delivered"] is False
    assert ana.post(f"api/handoffs/{item['id']}/messages", {"text": "Let me look."}).json() == {
        "delivered": False,
        "channel": "rest",
    }
    bots = [e for e in tracker(stack, rest_id(sender))["events"] if e["event"] == "bot"]
    assert bots[-1]["text"] == "Let me look." and bots[-1]["metadata"]["handoff_agent"] == "Ana"

    assert ana.post(f"api/handoffs/{item['id']}/resolve").json() == {
        "status": "resolved", "delivered": False, "rating_asked": True,
    }  # fmt: skip
    events = tracker(stack, rest_id(sender))["events"]
    assert [e["event"] for e in events[-6:]] == ["resume", "bot", "action", "bot", "slot", "action"]
    assert events[-5]["metadata"]["handoff"] == "resolved" and "Ana" in events[-5]["text"]
    # then the one-tap rating, asked once (storefront/handoff/satisfaction.py)
    assert [b["payload"] for b in events[-3]["data"]["buttons"]] == [
        f'/inform{{"csat_score":"{n}"}}' for n in (1, 2, 3, 4, 5)
    ]
    assert events[-2]["name"] == "csat_asked_at"
    assert chat(stack, sender, "/greet").responses == ["utter_greet"]


def test_the_console_token_claims_and_replies_as_the_integration(stack: Stack) -> None:
    sender = f"api-{uuid.uuid4().hex[:8]}"
    say(stack, sender, "/human_handoff")
    handoff_id = Console(stack, "Ana").handoff_for(rest_id(sender))["id"]
    assert (
        ApiClient(stack, **{"X-Agent-Name": "Ana"}).post(f"api/handoffs/{handoff_id}/claim").status_code
        == 403
    )

    bridge = ApiClient(stack)
    claimed = bridge.post(f"api/handoffs/{handoff_id}/claim")
    assert claimed.status_code == 200 and claimed.json()["handoff"]["claimed_by"] == "integration"
    assert bridge.post(f"api/handoffs/{handoff_id}/messages", {"text": "From the helpdesk."}).json() == {
        "delivered": False,
        "channel": "rest",
    }
    # a person cannot write into the integration's conversation, and it keeps its own name
    assert (
        Console(stack, "Ana").post(f"api/handoffs/{handoff_id}/messages", {"text": "Me?"}).status_code == 409
    )
    bots = [e for e in tracker(stack, rest_id(sender))["events"] if e["event"] == "bot"]
    assert bots[-1]["metadata"]["handoff_agent"] == "integration"
    assert bridge.post(f"api/handoffs/{handoff_id}/resolve").status_code == 200


def test_frustration_hands_off_with_its_reason(stack: Stack) -> None:
    sender = f"angry-{uuid.uuid4().hex[:8]}"
    assert chat(stack, sender, "/frustration").responses == [
        "utter_frustration_sorry",
        "utter_handoff_queued",
    ]
    assert Console(stack, "Ana").handoff_for(rest_id(sender))["reason"] == "frustration"


def test_two_agents_claiming_at_once_one_wins(stack: Stack) -> None:
    sender = f"race-{uuid.uuid4().hex[:8]}"
    say(stack, sender, "/human_handoff")
    handoff_id = Console(stack, "Ana").handoff_for(rest_id(sender))["id"]
    agents = [Console(stack, f"Agent {n}") for n in range(2)]
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        replies = list(pool.map(lambda c: c.post(f"api/handoffs/{handoff_id}/claim"), agents))
    assert sorted(r.status_code for r in replies) == [200, 409]
    winner = agents[[r.status_code for r in replies].index(200)].agent
    assert Console(stack, "Ana").detail(handoff_id)["claimed_by"] == winner
    loser = replies[[r.status_code for r in replies].index(409)].json()
    assert loser["claimed_by"] == winner


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", ""),
        ("get", "api/handoffs"),
        ("get", "api/handoffs/1"),
        ("get", "api/me"),
        ("post", "api/handoffs/1/claim"),
        ("post", "api/handoffs/1/messages"),
        ("post", "api/handoffs/1/handback"),
        ("post", "api/handoffs/1/resolve"),
    ],
)
def test_console_and_api_refuse_requests_without_the_token(stack: Stack, method: str, path: str) -> None:
    url = f"{stack.rasa_url}/webhooks/agent_console/{path}"
    assert getattr(requests, method)(url, timeout=30).status_code == 401
    wrong = {"Authorization": "Bearer not-the-token", "X-Agent-Name": "Eve"}
    assert getattr(requests, method)(url, headers=wrong, timeout=30).status_code == 401


def test_sign_in_sets_a_session_cookie_that_opens_the_console(stack: Stack) -> None:
    base = f"{stack.rasa_url}/webhooks/agent_console/"
    browser = requests.Session()
    page = browser.get(base, timeout=30)
    assert page.status_code == 401 and 'name="token"' in page.text
    refused = browser.post(base + "login", data={"agent": "Sam", "token": "nope"}, timeout=30)
    assert refused.status_code == 401 and "Wrong name or password" in refused.text
    signed_in = browser.post(base + "login", data={"agent": "Sam", "token": "test-agent-token"}, timeout=30)
    assert signed_in.status_code == 200 and 'id="queue"' in signed_in.text
    assert browser.get(base + "api/me", timeout=30).json() == {"agent": "Sam"}
    # a cookie alone cannot write: the console's header guards against cross-site requests
    assert browser.post(base + "api/handoffs/1/claim", timeout=30).status_code == 403
    # signing out ends the session on the server: the old cookie opens nothing any more
    cookie = browser.cookies["storefront_agent"]
    assert browser.post(base + "logout", allow_redirects=False, timeout=30).status_code == 303
    replayed = requests.get(base + "api/me", cookies={"storefront_agent": cookie}, timeout=30)
    assert replayed.status_code == 401
