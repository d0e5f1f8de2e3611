"""Keep an escalation's due times on its row: recomputed in the same transaction as every change."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.clocks.schedule import ClockInputs, FollowUpDue, Plan, due_times, follow_up_last_due, plan
from bot.core.vocabulary import Clock
from bot.policy.model import Policy
from storage import follow_ups
from storage.models import Escalation
from storage.models import Reminder as ReminderRow


def clock_inputs(row: Escalation, follow_ups_due: tuple[FollowUpDue, ...] = ()) -> ClockInputs:
    """What the clock math needs from a row (and its open follow-ups)."""
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
    inputs = clock_inputs(row, _follow_ups_due(session, row.id, policy, now))
    dues = due_times(inputs, policy)
    if dues.first_response is not None:
        row.first_response_due_at = dues.first_response
    row.internal_update_due_at = dues.internal
    row.customer_update_due_at = dues.customer
    row.resolution_due_at = dues.resolution
    row.confirmation_due_at = dues.confirmation
    owed = plan(inputs, dues, policy, now, claimed_keys(session, row.id))
    row.next_reminder_at = now if owed.send else owed.next_at
    return owed


def claimed_keys(session: Session, escalation_id: int) -> set[tuple[str, datetime, str]]:
    """The reminders already claimed for an escalation."""
    rows = session.execute(
        select(ReminderRow.clock, ReminderRow.due_at, ReminderRow.stage).where(
            ReminderRow.escalation_id == escalation_id
        )
    )
    return {(clock, due_at, stage) for clock, due_at, stage in rows}


def _follow_ups_due(
    session: Session, escalation_id: int, policy: Policy, now: datetime
) -> tuple[FollowUpDue, ...]:
    # Only follow-ups still owed a reminder: once the last overdue one is past, the card and the digest
    # keep showing it, but its owner is not told again (and a pruned claim cannot make it say it twice).
    oldest_due = follow_up_last_due(now, policy)
    rows = follow_ups.open_with_due_dates(session, escalation_id, oldest_due)
    return tuple(FollowUpDue(row.id, row.due_at, row.created_at) for row in rows if row.due_at is not None)
