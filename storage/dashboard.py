"""The App Home dashboard's queries: every escalation still being worked, in one read.

`repository.list_open` reads open escalations only, most severe first, and stops at a page; the
dashboard also needs the ones awaiting the customer's confirmation, and must never cut off the viewer's
own escalations, so it reads them first.
"""

from __future__ import annotations

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session

from bot.core.vocabulary import OPEN_STATUSES, ROLES, Status
from storage.models import Escalation

# Open, or resolved and waiting for the customer to confirm the fix: both are still someone's work.
WORKED_STATUSES: tuple[Status, ...] = (*OPEN_STATUSES, Status.RESOLVED)


def worked_escalations(session: Session, user_id: str, limit: int) -> list[Escalation]:
    """Escalations open or awaiting confirmation, at most `limit`: those where `user_id` holds a role
    first, then the open ones before the resolved, each most severe and then oldest first. So a cut at
    `limit` drops only the least urgent escalations of other people."""
    holds_a_role = or_(*(getattr(Escalation, role.column) == user_id for role in ROLES))
    stmt = (
        select(Escalation)
        .where(Escalation.status.in_(WORKED_STATUSES))
        .order_by(
            case((holds_a_role, 0), else_=1),
            case((Escalation.status == Status.RESOLVED.value, 1), else_=0),
            Escalation.severity,
            Escalation.created_at,
            Escalation.id,
        )
        .limit(limit)
    )
    return list(session.execute(stmt).scalars())


def count_worked_by_status(session: Session) -> dict[tuple[str, str], int]:
    """How many escalations are in each worked (status, severity): asked only when the read above was
    cut off, so the rest can be counted."""
    stmt = (
        select(Escalation.status, Escalation.severity, func.count())
        .where(Escalation.status.in_(WORKED_STATUSES))
        .group_by(Escalation.status, Escalation.severity)
    )
    return {(str(status), str(severity)): int(count) for status, severity, count in session.execute(stmt)}
