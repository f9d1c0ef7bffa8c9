"""The review queue against a real Rasa server: the API's refusals, and a label given in Chromium.

The conversations are real REST conversations; the labels land in the session's
``REVIEW_DATA_DIR`` (tests/conftest.py), never in the project's ``data/``.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any, Dict, List

import pytest
import yaml

from tests.handoff.browser import CHROMIUM_ARGS, chromium_path, signed_in_page
from tests.handoff.console_client import ApiClient, Console
from tests.support.chat import say
from tools.launcher import Stack

pytestmark = [pytest.mark.integration]


@pytest.fixture
def chromium() -> str:
    """Debian's headless Chromium (skips without it, fails under ``CI=true``)."""
    return chromium_path()


def _tag() -> str:
    """A word no other message has (letters only: digits would be taken for an order number)."""
    return "".join(chr(97 + int(c, 16)) for c in uuid.uuid4().hex[:10])


def _handed_off_after(stack: Stack, text: str) -> str:
    sender = f"review-{uuid.uuid4().hex[:8]}"
    say(stack, sender, text)
    say(stack, sender, "/human_handoff")
    return sender


def _items(client: Any) -> List[Dict[str, Any]]:
    reply = client.get("api/review", days="1")
    assert reply.status_code == 200, reply.text
    return [item for group in reply.json()["groups"] for item in group]


def _item(client: Any, text: str) -> Dict[str, Any]:
    found = [item for item in _items(client) if item["text"] == text]
    assert len(found) == 1, f"{text!r} is not in the review queue once: {found}"
    return found[0]


def _review_dir(stack_env: Dict[str, str]) -> Path:
    return Path(stack_env["REVIEW_DATA_DIR"])


def test_the_api_needs_a_sign_in_and_refuses_bad_labels(stack: Stack) -> None:
    assert ApiClient(stack, token="wrong").get("api/review").status_code == 401
    api = ApiClient(stack)
    assert api.get("api/review", days="0").status_code == 400
    assert api.post("api/review/labels", {"message_id": "7", "label": "greet"}).status_code == 400
    assert api.post("api/review/labels", {"message_id": 1, "label": "Not An Intent!"}).status_code == 400
    assert api.post("api/review/labels", {"message_id": 10**9, "label": "greet"}).status_code == 404


def test_a_held_out_message_is_refused_with_a_reason_and_may_be_ignored(
    stack: Stack, stack_env: Dict[str, str]
) -> None:
    held_out = "any news on my parcel"  # tests/nlu/test_data.yml
    _handed_off_after(stack, held_out)
    api = ApiClient(stack)
    item = _item(api, held_out)

    refused = api.post("api/review/labels", {"message_id": item["message_id"], "label": "order_status"})

    assert refused.status_code == 409
    assert "held-out example 'any news on my parcel' in tests/nlu/test_data.yml" in refused.json()["error"]
    reviewed = _review_dir(stack_env) / "nlu" / "reviewed.yml"
    assert not reviewed.exists() or held_out not in reviewed.read_text()
    ignored = api.post("api/review/labels", {"message_id": item["message_id"], "label": "ignore"})
    assert ignored.status_code == 200 and ignored.json()["destination"] == "ignored"
    assert held_out not in [i["text"] for i in _items(api)]


def test_a_new_intent_name_goes_to_the_proposals(stack: Stack, stack_env: Dict[str, str]) -> None:
    text = f"can you wrap it as a {_tag()} present"
    _handed_off_after(stack, text)
    console = Console(stack, "Dana")
    item = _item(console, text)

    written = console.post("api/review/labels", {"message_id": item["message_id"], "label": "gift_wrapping"})

    assert written.status_code == 200 and written.json()["destination"] == "proposals"
    proposals = yaml.safe_load((_review_dir(stack_env) / "review" / "proposals.yml").read_text())
    assert {"intent": "gift_wrapping", "examples": f"- {text}\n"} in proposals["nlu"]


@pytest.mark.browser
async def test_a_designer_labels_a_message_in_the_browser(
    stack: Stack,
    stack_env: Dict[str, str],
    chromium: str,
    tmp_path: Path,
) -> None:
    from playwright.async_api import async_playwright, expect

    tag = _tag()
    _handed_off_after(stack, f"my {tag} parcel came soaked, ring me on 07700 900123")
    shown = f"my {tag} parcel came soaked, ring me on +1 555 010 0199"

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=chromium, args=CHROMIUM_ARGS, headless=True
        )
        try:
            page = await signed_in_page(browser, stack, "Robin")
            await page.click("text=Review queue")
            await expect(page).to_have_url(f"{stack.rasa_url}/webhooks/agent_console/review")

            item = page.locator("li.review-item", has_text=shown)
            await expect(item).to_have_count(1)
            await expect(item.locator(".badge")).to_contain_text("before a handoff")
            await item.locator("select.label-choice").select_option("order_status")
            await page.screenshot(path=str(tmp_path / "review-queue.png"), full_page=True)
            await item.locator("button.label-intent").click()
            await expect(page.locator("#notice")).to_contain_text("as order_status")
            await expect(page.locator("#notice")).to_contain_text("reviewed.yml")
            await expect(item).to_have_count(0)
        finally:
            await browser.close()

    training = (_review_dir(stack_env) / "nlu" / "reviewed.yml").read_text()
    assert f"    - my {tag} parcel came soaked, ring me on [+1 555 010 0199](phone)\n" in training
    assert "07700" not in training
    from rasa.shared.nlu.training_data.loading import load_data

    examples = load_data(str(_review_dir(stack_env) / "nlu" / "reviewed.yml")).intent_examples
    assert (shown, "order_status") in [(m.get("text"), m.get("intent")) for m in examples]
