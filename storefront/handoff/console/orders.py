"""Order actions from the context panel: the assistant's own changes, done by the claiming agent.

* ``GET /api/handoffs/<id>/orders/<number>``: the order and what may be done (cancel or change
  the address while nothing shipped; which items can be returned, and why not);
* ``POST .../cancel`` ``{"confirm": true}``;
* ``POST .../address`` ``{"address1", "address2"?, "city", "region"?, "postal_code", "country",
  "confirm": true}``;
* ``POST .../return`` ``{"items": [{"line_item_id", "quantity"}], "reason", "resolution",
  "exchange_sku"?, "confirm": true}``.

The same rules as the assistant, by the same code: only an order listed as verified in the
handoff's context, with the contact the shopper proved (the conversation's ``order_contact`` or
the channel-verified email or phone), which the store checks again; the changes are
:mod:`integrations.order_changes` (Shopify first when connected) and
:func:`store.returns.create_return`. A write without ``"confirm": true`` is refused (the console
asks the agent first, as the assistant asks the shopper). A refusal is a 409 with its code; each
done change leaves a private note for the team.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from functools import partial
from typing import Any, Dict, List, Tuple

from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from integrations import order_changes
from store.handoff_claims import touch_claim
from store.handoff_notes import add_note
from store.handoffs import HandoffView
from store.order_options import order_options
from store.orders import Address, OrderChangeResult
from store.returns import create_return
from storefront.handoff.console.auth import AgentIdentity, requires_agent
from storefront.handoff.console.conversations import owned
from storefront.handoff.console.feed import feed_of
from storefront.handoff.console.queue import desk
from storefront.handoff.console.responses import NO_STORE, ConsoleError, json_errors, json_object
from storefront.handoff.console.runner import run_store

ADDRESS_FIELDS = ("address1", "address2", "city", "region", "postal_code", "country")
REQUIRED_ADDRESS = ("address1", "city", "postal_code", "country")
_dumps = partial(json.dumps, default=str)


async def _target(
    request: Request, agent: AgentIdentity, handoff_id: int, number: str
) -> Tuple[HandoffView, str]:
    """The claimed handoff and the contact that proves the shopper owns order ``number``."""
    handoff = await owned(agent, handoff_id)
    number = number.lstrip("#")
    verified = {
        str(o.get("number", "")).lstrip("#")
        for o in handoff.context.get("orders") or []
        if isinstance(o, dict) and o.get("verified")
    }
    if number not in verified:
        raise ConsoleError(403, f"order #{number} was not verified in this conversation")
    tracker = await desk(request).tracker(handoff.conversation_id)
    shopper = handoff.context.get("shopper") or {}
    proved = [shopper.get("email"), shopper.get("phone")] if shopper.get("verified") else []
    contact = next((c for c in [tracker.get_slot("order_contact"), *proved] if c), None)
    if contact is None:
        raise ConsoleError(409, "the shopper has not proved an email or phone for this order")
    return handoff, str(contact)


def _confirmed(body: Dict[str, Any]) -> None:
    if body.get("confirm") is not True:
        raise ConsoleError(400, 'confirm the change: send "confirm": true')


async def _done(request: Request, agent: AgentIdentity, handoff: HandoffView, note: str) -> None:
    await run_store(add_note, handoff_id=handoff.id, agent=agent.name, text=note)
    await run_store(touch_claim, handoff_id=handoff.id, agent=agent.name)
    feed_of(request).publish("changed", {"ids": [handoff.id]})


def _changed(result: OrderChangeResult) -> HTTPResponse:
    if not result.ok:
        reason = str(result.reason) if result.reason else "refused"
        raise ConsoleError(409, f"the store refused: {reason.replace('_', ' ')}", reason=reason)
    return response.json(
        {"done": True, "order": asdict(result.order) if result.order else None}, dumps=_dumps
    )


@json_errors
@requires_agent()
async def options(request: Request, agent: AgentIdentity, handoff_id: int, number: str) -> HTTPResponse:
    """The order and the changes it still allows."""
    _, contact = await _target(request, agent, handoff_id, number)
    found = await run_store(order_options, order_number=number.lstrip("#"), contact=contact)
    if found is None:
        raise ConsoleError(404, f"order #{number} does not belong to this shopper")
    return response.json(asdict(found), headers=NO_STORE, dumps=_dumps)


@json_errors
@requires_agent(write=True)
async def cancel(request: Request, agent: AgentIdentity, handoff_id: int, number: str) -> HTTPResponse:
    """Cancel the order (refunded and restocked by the store's rules)."""
    _confirmed(json_object(request))
    handoff, contact = await _target(request, agent, handoff_id, number)
    answer = _changed(await order_changes.cancel(order_number=number.lstrip("#"), contact=contact))
    await _done(request, agent, handoff, f"Cancelled order #{number.lstrip('#')}.")
    return answer


def _address(body: Dict[str, Any]) -> Address:
    values = {name: body.get(name) for name in ADDRESS_FIELDS}
    if any(v is not None and not isinstance(v, str) for v in values.values()):
        raise ConsoleError(400, "address fields must be strings")
    missing = [name for name in REQUIRED_ADDRESS if not (values[name] or "").strip()]
    if missing:
        raise ConsoleError(400, f"missing {', '.join(missing)}")
    return Address(**{k: (v or "").strip() or None for k, v in values.items()})  # type: ignore[arg-type]


@json_errors
@requires_agent(write=True)
async def change_address(
    request: Request, agent: AgentIdentity, handoff_id: int, number: str
) -> HTTPResponse:
    """Send the unshipped order to a new address (same country unless the store allows otherwise)."""
    body = json_object(request)
    _confirmed(body)
    address = _address(body)
    handoff, contact = await _target(request, agent, handoff_id, number)
    result = await order_changes.change_address(
        order_number=number.lstrip("#"), contact=contact, address=address
    )
    answer = _changed(result)
    where = f"{address.address1}, {address.postal_code} {address.city}, {address.country}"
    await _done(request, agent, handoff, f"Changed the address of order #{number.lstrip('#')} to {where}.")
    return answer


def _items(body: Dict[str, Any]) -> List[Tuple[int, int]]:
    items = body.get("items")
    if not isinstance(items, list) or not items:
        raise ConsoleError(400, "items must be a list of {line_item_id, quantity}")
    wanted: List[Tuple[int, int]] = []
    for item in items:
        if not isinstance(item, dict):
            raise ConsoleError(400, "each item is {line_item_id, quantity}")
        line, quantity = item.get("line_item_id"), item.get("quantity", 1)
        whole = all(isinstance(v, int) and not isinstance(v, bool) for v in (line, quantity))
        if not whole or quantity < 1:
            raise ConsoleError(400, "line_item_id and quantity must be positive whole numbers")
        wanted.append((int(line), int(quantity)))  # type: ignore[arg-type]
    return wanted


@json_errors
@requires_agent(write=True)
async def start_return(request: Request, agent: AgentIdentity, handoff_id: int, number: str) -> HTTPResponse:
    """Open a return for the chosen items (the policy's window, final-sale and reason rules apply)."""
    body = json_object(request)
    _confirmed(body)
    items = _items(body)
    reason, resolution = body.get("reason"), body.get("resolution")
    if not isinstance(reason, str) or not isinstance(resolution, str):
        raise ConsoleError(400, "reason and resolution must be strings")
    sku = body.get("exchange_sku")
    if sku is not None and not isinstance(sku, str):
        raise ConsoleError(400, "exchange_sku must be a string")
    handoff, contact = await _target(request, agent, handoff_id, number)
    result = await run_store(
        create_return, order_number=number.lstrip("#"), contact=contact, items=items,
        reason=reason, resolution=resolution, exchange_sku=sku,
    )  # fmt: skip
    if not result.ok:
        code = str(result.reason)
        raise ConsoleError(409, f"the store refused: {code.replace('_', ' ')}", reason=code)
    await _done(request, agent, handoff, f"Started return {result.rma} for order #{number.lstrip('#')}.")
    return response.json({"done": True, "rma": result.rma, "created": result.created, "items": result.items})
