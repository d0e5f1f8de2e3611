"""The weekly digest's claims: one row per ISO week, so replicas post it once."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from bot.core.vocabulary import Status
from storage.db import insert_ignoring_conflict
from storage.models import OPEN_STATUSES, Digest, Escalation


def claim_week(session: Session, week: str, worker: str, now: datetime, lease: timedelta) -> bool:
    """Take the week's digest: True for the one replica that inserts the row, or that finds an older claim
    never posted and lapsed (its replica died between the claim and the post)."""
    if insert_ignoring_conflict(
        session,
        Digest.__table__,
        {"week": week, "claimed_by": worker, "claimed_at": now},
        ["week"],
        returning=Digest.week,
    ):
        return True
    taken = session.execute(
        update(Digest)
        .where(Digest.week == week, Digest.message_ts.is_(None), Digest.claimed_at < now - lease)
        .values(claimed_by=worker, claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    return taken.rowcount == 1


def release_week(session: Session, week: str, worker: str) -> None:
    """Give back a claim that did not post (Slack failed): the next look takes the week again."""
    session.execute(
        delete(Digest).where(Digest.week == week, Digest.claimed_by == worker, Digest.message_ts.is_(None))
    )


def mark_posted(session: Session, week: str, channel_id: str, ts: str) -> None:
    """The week's digest is in Slack."""
    session.execute(update(Digest).where(Digest.week == week).values(channel_id=channel_id, message_ts=ts))


def worth_flagging(session: Session, since: datetime, limit: int) -> list[Escalation]:
    """Escalations whose red flags the digest reads: every one not closed, and those closed since `since`."""
    not_closed = Escalation.status.in_([*OPEN_STATUSES, Status.RESOLVED])
    stmt = (
        select(Escalation)
        .where(or_(not_closed, Escalation.closed_at >= since))
        .order_by(Escalation.severity, Escalation.created_at)
        .limit(limit)
    )
    return list(session.execute(stmt).scalars())
