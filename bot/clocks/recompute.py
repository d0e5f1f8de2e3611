"""Keep an escalation's due times on its row: recomputed in the same transaction as every change."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.clocks.schedule import ClockInputs, FollowUpDue, Plan, due_times, follow_up_last_due, plan
from bot.core.vocabulary import Clock
from bot.policy.model import Policy
from storage import claims, follow_ups
from storage.models import Escalation


def clock_inputs(row: Any, follow_ups_due: tuple[FollowUpDue, ...] = ()) -> ClockInputs:
    """What the clock math needs from a row (an entity or a plain row; and its open follow-ups)."""
    snoozes = {Clock.INTERNAL: row.internal_snoozed_until, Clock.CUSTOMER: row.customer_snoozed_until}
    return ClockInputs(
        severity=row.severity,
        status=row.status,
        created_at=row.created_at,
        acknowledged_at=row.acknowledged_at,
        last_internal_update_at=row.last_internal_update_at,
        last_customer_update_at=row.last_customer_update_at,
        customer_update_promised_at=row.customer_update_promised_at,
        snoozed_until={clock: until for clock, until in snoozes.items() if until is not None},
        liaison_missing=row.liaison_user_id is None,
        resolved_at=row.resolved_at,
        closed_at=row.closed_at,
        reopened_at=row.reopened_at,
        archivable=row.room_channel_id is not None and row.archived_at is None,
        follow_ups=follow_ups_due,
    )


def retime(session: Session, row: Escalation, policy: Policy, now: datetime) -> Plan:
    """Recompute the row's due times and when the sweep must next look at it (call after any change)."""
    return retime_all(session, [row], policy, now)[row.id]


def retime_all(session: Session, rows: list[Escalation], policy: Policy, now: datetime) -> dict[int, Plan]:
    """`retime` for many rows, with one query for their follow-ups and one for their claimed reminders;
    each row's plan by id."""
    timed = timings(session, rows, policy, now)
    for row in rows:
        for column, value in timed[row.id].columns.items():
            setattr(row, column, value)
    return {id_: timing.plan for id_, timing in timed.items()}


@dataclass(frozen=True)
class Timing:
    """An escalation's clocks worked out afresh: what to send now, and its clock columns as they should
    now read (the due times, and `next_reminder_at`: now if something is to be sent)."""

    plan: Plan
    columns: dict[str, datetime | None]


def timings(session: Session, rows: Sequence[Any], policy: Policy, now: datetime) -> dict[int, Timing]:
    """The `Timing` of each row (an entity, or a plain row from a sweep's read), by id, with one query for
    their follow-ups and one for their claimed reminders. Writes nothing."""
    ids = [row.id for row in rows]
    # Only follow-ups still owed a reminder: once the last overdue one is past, the card and the digest
    # keep showing it, but its owner is not told again (and a pruned claim cannot make it say it twice).
    follow_ups_due: dict[int, list[FollowUpDue]] = defaultdict(list)
    for follow_up in follow_ups.open_with_due_dates(session, ids, follow_up_last_due(now, policy)):
        if follow_up.due_at is not None:
            follow_ups_due[follow_up.escalation_id].append(
                FollowUpDue(follow_up.id, follow_up.due_at, follow_up.created_at)
            )
    claimed = claims.claimed_keys(session, ids)
    return {row.id: _timing(row, policy, now, tuple(follow_ups_due[row.id]), claimed[row.id]) for row in rows}


def _timing(
    row: Any,
    policy: Policy,
    now: datetime,
    follow_ups_due: tuple[FollowUpDue, ...],
    claimed: set[tuple[str, datetime, str]],
) -> Timing:
    inputs = clock_inputs(row, follow_ups_due)
    dues = due_times(inputs, policy)
    owed = plan(inputs, dues, policy, now, claimed)
    return Timing(
        owed,
        {
            "first_response_due_at": dues.first_response or row.first_response_due_at,
            "internal_update_due_at": dues.internal,
            "customer_update_due_at": dues.customer,
            "resolution_due_at": dues.resolution,
            "confirmation_due_at": dues.confirmation,
            "next_reminder_at": now if owed.send else owed.next_at,
        },
    )
