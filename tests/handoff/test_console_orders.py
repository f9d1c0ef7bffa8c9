"""Order actions from the console's context panel, on servers with their own copy of the store
(they change orders; ``own_stack`` in tests/support/stacks.py): the assistant's rules, after the agent
confirms, with a note left behind."""

from __future__ import annotations

import pytest

from tests.conftest import TEST_WIDGET_SECRET
from tests.handoff.browser import CHROMIUM_ARGS, WAIT_MS, signed_in_page
from tests.handoff.console_client import Console, verified_shopper_hands_off
from tests.handoff.support import customer_with_unshipped_order
from tests.support.chat import tracker
from tools.launcher import Stack

pytestmark = pytest.mark.integration


async def test_an_agent_changes_the_address_of_a_verified_unshipped_order(
    own_stack: Stack, own_store: str
) -> None:
    found = customer_with_unshipped_order(own_store)
    shopper, handoff = await verified_shopper_hands_off(own_stack, found["email"], TEST_WIDGET_SECRET)
    try:
        robin = Console(own_stack, "Robin")
        base = f"api/handoffs/{handoff['id']}/orders/{found['order']}"
        assert robin.get(base).status_code == 409  # claim first
        assert robin.post(f"api/handoffs/{handoff['id']}/claim").status_code == 200

        options = robin.get(base).json()
        assert (options["order"]["number"], options["change_refusal"]) == (int(found["order"]), None)
        country = options["order"]["shipping_address"]["country"]
        new = {
            "address1": "12 Harbour Road",
            "city": "Springfield",
            "postal_code": "12345",
            "country": country,
        }
        assert robin.post(f"{base}/address", {**new, "confirm": False}).status_code == 400
        abroad = robin.post(
            f"{base}/address", {**new, "country": "ZZ" if country != "ZZ" else "YY", "confirm": True}
        )
        assert (abroad.status_code, abroad.json()["reason"]) == (409, "country_change_not_allowed")
        done = robin.post(f"{base}/address", {**new, "confirm": True})
        assert done.status_code == 200
        assert done.json()["order"]["shipping_address"]["address1"] == "12 Harbour Road"
        notes = [n["text"] for n in robin.detail(handoff["id"])["notes"]]
        where = f"12 Harbour Road, 12345 Springfield, {country}"
        assert notes == [f"Changed the address of order #{found['order']} to {where}."]
        assert all("Harbour" not in str(e) for e in tracker(own_stack, shopper.session_id)["events"])
        assert robin.post(f"api/handoffs/{handoff['id']}/resolve").status_code == 200
    finally:
        await shopper.close()


@pytest.mark.browser
async def test_an_order_is_cancelled_from_the_context_panel_after_confirming(
    own_stack: Stack, own_store: str, chromium: str
) -> None:
    from playwright.async_api import async_playwright, expect

    found = customer_with_unshipped_order(own_store)
    number = found["order"]
    shopper, handoff = await verified_shopper_hands_off(own_stack, found["email"], TEST_WIDGET_SECRET)
    try:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            try:
                page = await signed_in_page(browser, own_stack, "Robin")
                await page.locator(f'#queue li[data-id="{handoff["id"]}"]').click()
                await page.click("#claim")
                await expect(page.locator("#conv-status")).to_have_text("claimed by Robin", timeout=WAIT_MS)
                await page.click(f"text=Order actions #{number}")
                panel = page.locator("#order-panel")
                await expect(panel).to_contain_text(f"Order #{number}", timeout=WAIT_MS)
                await panel.locator("button", has_text="Cancel order").click()
                await expect(page.locator("#confirm-text")).to_contain_text(f"Cancel order #{number}?")
                await page.click("#confirm button[value=cancel]")  # the agent thinks again: nothing happens
                await expect(page.locator("#confirm")).not_to_be_visible()
                assert Console(own_stack, "observer").detail(handoff["id"])["notes"] == []
                await panel.locator("button", has_text="Cancel order").click()
                await page.click("#confirm-ok")
                await expect(page.locator("#notice")).to_have_text(
                    f"Order #{number} cancelled.", timeout=WAIT_MS
                )
                note = page.locator("#transcript li.note")
                await expect(note).to_contain_text(f"Cancelled order #{number}.", timeout=WAIT_MS)
                await page.click(f"text=Order actions #{number}")
                await expect(panel).to_contain_text("already cancelled", timeout=WAIT_MS)
            finally:
                await browser.close()
    finally:
        await shopper.close()
