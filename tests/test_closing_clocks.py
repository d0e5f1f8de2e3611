"""The clocks that run the room and close the loop (pure): the missing-liaison nudge, the customer
confirmation reminder while resolved, the archiving of a closed room, and a reopen restarting the clocks."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.clocks.schedule import MAX_ROLE_NUDGES, ClockInputs, DueTimes, due_times, plan, schedule
from bot.policy.model import default_policy

POLICY = default_policy()
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def _inputs(**changes: object) -> ClockInputs:
    return replace(ClockInputs(severity="SEV-1", status="investigating", created_at=T0), **changes)


@pytest.mark.parametrize(
    ("severity", "minutes"), [("SEV-1", 15), ("SEV-2", 60), ("SEV-3", None), ("SEV-4", None)]
)
def test_a_missing_liaison_is_due_after_the_policy_time_on_sev1_and_sev2_only(severity, minutes):
    dues = due_times(_inputs(severity=severity, liaison_missing=True), POLICY)
    assert dues.roles == (T0 + timedelta(minutes=minutes) if minutes else None)
    assert due_times(_inputs(severity=severity, liaison_missing=False), POLICY).roles is None


def test_the_liaison_nudge_repeats_a_few_times_not_all_night():
    due = T0 + timedelta(minutes=15)
    stages = [r.stage for r in schedule("roles", due, "SEV-1", POLICY)]
    assert stages == ["due", *(f"overdue:{n}" for n in range(1, MAX_ROLE_NUDGES + 1))]


def test_resolved_stops_every_update_and_sla_clock_and_runs_the_confirmation_reminder():
    resolved_at = T0 + 2 * HOUR
    dues = due_times(_inputs(status="resolved", resolved_at=resolved_at, liaison_missing=True), POLICY)
    assert dues == DueTimes(confirmation=resolved_at + 4 * HOUR)
    stages = [(r.stage, r.fire_at) for r in schedule("confirmation", dues.confirmation, "SEV-1", POLICY)][:3]
    assert stages == [
        ("due", resolved_at + 4 * HOUR),
        ("overdue:1", resolved_at + 8 * HOUR),
        ("overdue:2", resolved_at + 12 * HOUR),
    ]


def test_after_a_long_silence_one_confirmation_reminder_is_owed_not_one_per_missed_interval():
    resolved_at = T0
    inputs = _inputs(status="resolved", resolved_at=resolved_at)
    dues = due_times(inputs, POLICY)
    owed = plan(inputs, dues, POLICY, resolved_at + 30 * HOUR, claimed=set())
    assert [(r.clock, r.stage) for r in owed.send] == [("confirmation", "overdue:6")]
    assert owed.next_at == resolved_at + 32 * HOUR


def test_a_closed_room_is_archived_after_the_quiet_period_and_a_thread_never_is():
    closed_at = T0 + 3 * HOUR
    closed = _inputs(status="closed", closed_at=closed_at, archivable=True)
    assert due_times(closed, POLICY) == DueTimes(archive=closed_at + timedelta(days=7))
    assert due_times(replace(closed, archivable=False), POLICY) == DueTimes()
    [only] = list(schedule("archive", closed_at + timedelta(days=7), "SEV-1", POLICY))
    assert only.stage == "due", "archiving happens once; it does not repeat"


def test_a_reopen_restarts_the_update_clocks_and_the_resolution_target_from_the_reopen():
    reopened = T0 + 30 * HOUR
    dues = due_times(
        _inputs(
            acknowledged_at=T0 + 5 * timedelta(minutes=1),
            last_internal_update_at=T0 + HOUR,
            reopened_at=reopened,
        ),
        POLICY,
    )
    assert dues.first_response is None, "the first response was given before"
    assert dues.internal == reopened + timedelta(minutes=30)
    assert dues.customer == reopened + 2 * HOUR
    assert dues.resolution == reopened + 4 * HOUR
    later_update = reopened + HOUR
    assert due_times(
        _inputs(reopened_at=reopened, last_internal_update_at=later_update), POLICY
    ).internal == later_update + timedelta(minutes=30), "an update after the reopen restarts it again"
