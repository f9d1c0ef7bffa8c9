"""Who holds a handed-off conversation: transfer it, release it, notice a claim left idle.

A claim is one conditional UPDATE per change (as :func:`store.handoffs.claim_handoff`), so two
agents acting on one conversation at once never both win. A released conversation goes back to
the queue still paused: the shopper waits for the next person, not for the assistant.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import List, Optional

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from core import clock
from store.agent_sessions import SessionPolicy, signed_in_agents
from store.codes import HandoffStatus
from store.handoffs import HandoffView, get_handoff
from store.models import AgentSession, Handoff


def _held_by(handoff_id: int, agent: str):  # type: ignore[no-untyped-def]
    return (
        Handoff.id == handoff_id,
        Handoff.status == HandoffStatus.CLAIMED,
        func.lower(Handoff.claimed_by) == agent.lower(),
    )


def transfer_handoff(
    session: Session, *, handoff_id: int, agent: str, to_agent: str, now: Optional[datetime] = None
) -> bool:
    """Give ``agent``'s claim to ``to_agent``; False when ``agent`` does not hold it."""
    now = now or clock.now()
    result = session.execute(
        update(Handoff)
        .where(*_held_by(handoff_id, agent))
        .values(claimed_by=to_agent, claimed_at=now, agent_active_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def release_handoff(session: Session, *, handoff_id: int, agent: str) -> bool:
    """Put ``agent``'s claimed conversation back in the queue; False when ``agent`` does not hold it.

    It keeps its place (the queue is ordered by when the shopper asked, not when it was released).
    """
    result = session.execute(
        update(Handoff)
        .where(*_held_by(handoff_id, agent))
        .values(status=HandoffStatus.QUEUED, claimed_by=None, claimed_at=None, agent_active_at=None)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def touch_claim(session: Session, *, handoff_id: int, agent: str, now: Optional[datetime] = None) -> None:
    """Record that the claiming agent just acted on the conversation (it is not idle)."""
    session.execute(
        update(Handoff)
        .where(*_held_by(handoff_id, agent))
        .values(agent_active_at=now or clock.now())
        .execution_options(synchronize_session=False)
    )


def claims_of(session: Session, *, agent: str) -> List[HandoffView]:
    """The conversations ``agent`` holds, oldest first."""
    ids = session.execute(
        select(Handoff.id)
        .where(Handoff.status == HandoffStatus.CLAIMED, func.lower(Handoff.claimed_by) == agent.lower())
        .order_by(Handoff.created_at, Handoff.id)
    ).scalars()
    return [view for view in (get_handoff(session, handoff_id=i) for i in ids) if view is not None]


@dataclass(frozen=True)
class StaleClaim:
    """A claim to release: ``why`` is ``idle`` (the shopper waited too long) or ``signed_out``."""

    handoff: HandoffView
    why: str


def owed_reply_since(handoff: HandoffView, active_at: Optional[datetime]) -> Optional[datetime]:
    """Since when the shopper has been waiting for the claiming agent (None: the agent answered).

    The agent owes an answer from the claim until they first act, and from each message the
    shopper writes after the agent's latest action (reply, note, transfer, order action).
    """
    active = active_at or handoff.claimed_at
    if active is None:
        return None
    said = [m.at for m in handoff.messages if m.sender == "shopper"]
    if said and max(said) > active:
        return max(said)
    if handoff.claimed_at is not None and active <= handoff.claimed_at:
        return handoff.claimed_at
    return None


def stale_claims(
    session: Session,
    *,
    idle: timedelta,
    policy: SessionPolicy = SessionPolicy(),
    now: Optional[datetime] = None,
) -> List[StaleClaim]:
    """Console claims whose agent left: no longer signed in, or the shopper waited ``idle`` for them.

    Only claims of people who use the console (who ever had a console session) are judged: the
    API clients' name and a helpdesk's agents (``chatwoot:<name>``) answer from elsewhere, and
    their own system decides when they are done.
    """
    now = now or clock.now()
    console_people = {
        name.lower() for name in session.execute(select(AgentSession.agent).distinct()).scalars()
    }
    present = {name.lower() for name in signed_in_agents(session, now=now, policy=policy)}
    stale: List[StaleClaim] = []
    for handoff_id, active_at in session.execute(
        select(Handoff.id, Handoff.agent_active_at)
        .where(Handoff.status == HandoffStatus.CLAIMED)
        .order_by(Handoff.id)
    ):
        handoff = get_handoff(session, handoff_id=handoff_id)
        name = ((handoff.claimed_by if handoff else None) or "").lower()
        if handoff is None or name not in console_people:
            continue
        waiting_since = owed_reply_since(handoff, active_at)
        if name not in present:
            stale.append(StaleClaim(handoff, "signed_out"))
        elif waiting_since is not None and now - waiting_since >= idle:
            stale.append(StaleClaim(handoff, "idle"))
    return stale
