"""Follow-ups (prevention actions, recovery gestures, check-ins): queries and once-only writes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row, func, select, update
from sqlalchemy.orm import Session

from bot.followups.model import DONE, OPEN
from storage.models import Escalation, FollowUp


def add(
    session: Session,
    escalation_id: int,
    *,
    kind: str,
    text: str,
    owner_user_id: str | None,
    due_at: datetime | None,
    created_by: str | None,
    created_at: datetime,
    horizon: str | None = None,
) -> FollowUp:
    """A new open follow-up, flushed so it has its id."""
    row = FollowUp(
        escalation_id=escalation_id,
        kind=kind,
        text=text,
        owner_user_id=owner_user_id,
        due_at=due_at,
        created_by=created_by,
        created_at=created_at,
        horizon=horizon,
        status=OPEN,
    )
    session.add(row)
    session.flush()
    return row


def of_escalation(session: Session, escalation_id: int) -> list[FollowUp]:
    """Every follow-up of an escalation: the soonest due first, undated ones last."""
    return of_escalations(session, [escalation_id]).get(escalation_id, [])


def of_escalations(session: Session, escalation_ids: list[int]) -> dict[int, list[FollowUp]]:
    """Every follow-up of several escalations, by escalation id, in one query; each escalation's the
    soonest due first, undated ones last (absent: none)."""
    stmt = (
        select(FollowUp)
        .where(FollowUp.escalation_id.in_(escalation_ids))
        .order_by(FollowUp.due_at.is_(None), FollowUp.due_at, FollowUp.id)
    )
    found: dict[int, list[FollowUp]] = {}
    for row in session.execute(stmt).scalars():
        found.setdefault(row.escalation_id, []).append(row)
    return found


def open_with_due_dates(session: Session, escalation_ids: list[int], due_after: datetime) -> list[Row[Any]]:
    """The open, dated follow-ups of these escalations due at or after `due_after` (older ones have had
    every reminder: the clocks work out that bound), as plain rows of what the clocks read: `id`,
    `escalation_id`, `due_at`, `created_at`. Every change and every sweep batch asks."""
    stmt = (
        select(FollowUp.id, FollowUp.escalation_id, FollowUp.due_at, FollowUp.created_at)
        .where(
            FollowUp.escalation_id.in_(escalation_ids),
            FollowUp.status == OPEN,
            FollowUp.due_at.is_not(None),
            FollowUp.due_at >= due_after,
        )
        .order_by(FollowUp.id)
    )
    return list(session.execute(stmt))


def get(session: Session, follow_up_id: int) -> FollowUp | None:
    """One follow-up by id."""
    return session.get(FollowUp, follow_up_id)


def mark_done_once(session: Session, follow_up_id: int, user_id: str | None, at: datetime) -> bool:
    """Mark a follow-up done; False if it already was (a double click, two replicas)."""
    changed = session.execute(
        update(FollowUp)
        .where(FollowUp.id == follow_up_id, FollowUp.status == OPEN)
        .values(status=DONE, done_at=at, done_by=user_id)
        .execution_options(synchronize_session=False)
    )
    return changed.rowcount == 1


def open_everywhere(session: Session, limit: int) -> list[tuple[FollowUp, Escalation]]:
    """Open follow-ups of every escalation, the soonest due first, with their escalation."""
    stmt = (
        select(FollowUp, Escalation)
        .join(Escalation, Escalation.id == FollowUp.escalation_id)
        .where(FollowUp.status == OPEN)
        .order_by(FollowUp.due_at.is_(None), FollowUp.due_at, FollowUp.id)
        .limit(limit)
    )
    return [(follow_up, escalation) for follow_up, escalation in session.execute(stmt)]


def open_owned_by(session: Session, user_id: str, limit: int) -> list[tuple[FollowUp, Escalation]]:
    """The open follow-ups a person owns, soonest due first, with their escalation."""
    stmt = (
        select(FollowUp, Escalation)
        .join(Escalation, Escalation.id == FollowUp.escalation_id)
        .where(FollowUp.status == OPEN, FollowUp.owner_user_id == user_id)
        .order_by(FollowUp.due_at.is_(None), FollowUp.due_at, FollowUp.id)
        .limit(limit)
    )
    return [(follow_up, escalation) for follow_up, escalation in session.execute(stmt)]


def count_open(session: Session) -> int:
    """How many follow-ups are open in all (a listing reads only the soonest)."""
    return int(session.execute(select(func.count()).where(FollowUp.status == OPEN)).scalar_one())
