"""Patterns of the same issue across customers, and the open escalations a new report may duplicate. Rows
only, like `storage.repository`: which escalations are similar is decided by `bot.escalations.similarity`.

Once-only writes: a pattern is unique on its anchor (the earliest escalation of the cluster) and an
escalation is in one pattern at most, so both inserts ignore a conflict, and the alert's ts is recorded
only while none is."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from storage.db import insert_ignoring_conflict
from storage.models import OPEN_STATUSES, Customer, Escalation, Pattern, PatternMember


def reported_between(
    session: Session, start: datetime, end: datetime, limit: int
) -> list[tuple[int, str, str, datetime, str]]:
    """Escalations opened from `start` to `end` (any status: a resolved report is still a report of the
    issue), newest first, at most `limit`: (id, customer name key, customer name, opened at, summary). Just
    those columns: a busy window holds many reports, and comparing needs no more."""
    stmt = (
        select(Escalation.id, Customer.name_key, Customer.name, Escalation.created_at, Escalation.title)
        .join(Customer)
        .where(Escalation.created_at >= start, Escalation.created_at <= end)
        .order_by(Escalation.created_at.desc(), Escalation.id.desc())
        .limit(limit)
    )
    return [tuple(found) for found in session.execute(stmt)]  # type: ignore[misc]


def open_except_customer(session: Session, customer_key: str | None, limit: int) -> list[Escalation]:
    """Open escalations of every customer but the one whose name key is `customer_key` (its own are
    shown apart), newest first, at most `limit`."""
    stmt = select(Escalation).join(Customer).where(Escalation.status.in_(OPEN_STATUSES))
    if customer_key:
        stmt = stmt.where(Customer.name_key != customer_key)
    stmt = stmt.order_by(Escalation.created_at.desc(), Escalation.id.desc()).limit(limit)
    return list(session.execute(stmt).scalars())


def lock_escalations(session: Session, ids: Iterable[int]) -> None:
    """Lock these escalations' rows until the transaction ends (PostgreSQL; SQLite's write lock already
    serialises writers). Taken in id order, so two detections over overlapping clusters queue instead of
    deadlocking, and the second then sees the first one's pattern. `FOR NO KEY UPDATE`: rows that only
    reference these (timeline events, reminders) are still written meanwhile."""
    wanted = sorted(set(ids))
    if wanted:
        session.execute(
            select(Escalation.id)
            .where(Escalation.id.in_(wanted))
            .order_by(Escalation.id)
            .with_for_update(key_share=True)
        ).all()


def memberships(session: Session, ids: Iterable[int]) -> dict[int, int]:
    """The pattern each of these escalations is in, by escalation id (absent: in none)."""
    wanted = list(set(ids))
    if not wanted:
        return {}
    rows = session.execute(
        select(PatternMember.escalation_id, PatternMember.pattern_id).where(
            PatternMember.escalation_id.in_(wanted)
        )
    )
    return {escalation_id: pattern_id for escalation_id, pattern_id in rows}


def raise_pattern(
    session: Session, anchor_escalation_id: int, alert_channel_id: str | None, now: datetime
) -> tuple[int, bool]:
    """The pattern anchored on that escalation, created unless it exists: (its id, True if this call
    created it)."""
    created = insert_ignoring_conflict(
        session,
        Pattern.__table__,
        {
            "anchor_escalation_id": anchor_escalation_id,
            "alert_channel_id": alert_channel_id,
            "created_at": now,
            "updated_at": now,
        },
        ["anchor_escalation_id"],
        returning=Pattern.id,
    )
    pattern_id = session.execute(
        select(Pattern.id).where(Pattern.anchor_escalation_id == anchor_escalation_id)
    ).scalar_one()
    return pattern_id, created


def add_members(session: Session, pattern_id: int, escalation_ids: Iterable[int], now: datetime) -> None:
    """Put escalations in the pattern; one already in a pattern stays where it is."""
    rows = [
        {"escalation_id": escalation_id, "pattern_id": pattern_id, "added_at": now}
        for escalation_id in sorted(set(escalation_ids))
    ]
    if rows:
        insert_ignoring_conflict(session, PatternMember.__table__, rows, ["escalation_id"])


def get_pattern(session: Session, pattern_id: int) -> Pattern | None:
    """The pattern with that id."""
    return session.get(Pattern, pattern_id)


def members_of(session: Session, pattern_id: int) -> list[Escalation]:
    """The escalations in the pattern, earliest first."""
    stmt = (
        select(Escalation)
        .join(PatternMember, PatternMember.escalation_id == Escalation.id)
        .where(PatternMember.pattern_id == pattern_id)
        .order_by(Escalation.created_at, Escalation.id)
    )
    return list(session.execute(stmt).scalars())


def claim_alert(session: Session, pattern_id: int, now: datetime, lapsed_before: datetime) -> bool:
    """Take over posting the pattern's alert when nobody has posted it and whoever was to post it last
    tried before `lapsed_before` (their post failed, or they crashed); False if it is not ours to post."""
    claimed = session.execute(
        update(Pattern)
        .where(
            Pattern.id == pattern_id,
            Pattern.alert_ts.is_(None),
            Pattern.alert_channel_id.is_not(None),
            Pattern.updated_at < lapsed_before,
        )
        .values(updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return claimed.rowcount == 1


def record_alert(session: Session, pattern_id: int, channel_id: str, ts: str, now: datetime) -> bool:
    """Record where the pattern's alert was posted; False if one was recorded already."""
    recorded = session.execute(
        update(Pattern)
        .where(Pattern.id == pattern_id, Pattern.alert_ts.is_(None))
        .values(alert_channel_id=channel_id, alert_ts=ts, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return recorded.rowcount == 1
