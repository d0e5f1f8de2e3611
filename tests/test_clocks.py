"""The clock math: due times, reminder schedules, and what a sweep owes at a given moment."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.clocks.schedule import ClockInputs, DueTimes, add_business_time, due_times, plan, schedule
from bot.policy.model import default_policy

POLICY = default_policy()
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday
MIN = timedelta(minutes=1)


def _inputs(**changes: object) -> ClockInputs:
    return replace(ClockInputs(severity="SEV-1", status="investigating", created_at=T0), **changes)


@pytest.mark.parametrize(
    ("severity", "first_response", "internal", "customer", "resolution"),
    [
        ("SEV-1", 15, 30, 120, 240),
        ("SEV-2", 60, 120, 240, 480),
        ("SEV-3", 240, 1440, 1440, 2880),
        ("SEV-4", 1440, None, None, 10080),
    ],
)
def test_due_times_follow_seed_001(severity, first_response, internal, customer, resolution):
    dues = due_times(_inputs(severity=severity), POLICY)
    assert dues.first_response == T0 + first_response * MIN
    assert dues.internal == (T0 + internal * MIN if internal else None)
    assert dues.customer == (T0 + customer * MIN if customer else None)
    assert dues.resolution == T0 + resolution * MIN


def test_an_update_restarts_its_clock_and_acknowledging_stops_first_response():
    dues = due_times(
        _inputs(
            acknowledged_at=T0 + 5 * MIN,
            last_internal_update_at=T0 + 20 * MIN,
            last_customer_update_at=T0 + 40 * MIN,
        ),
        POLICY,
    )
    assert dues.first_response is None
    assert dues.internal == T0 + 50 * MIN
    assert dues.customer == T0 + 160 * MIN


def test_a_promised_time_wins_until_the_next_customer_update():
    promised = T0 + 75 * MIN
    dues = due_times(
        _inputs(last_customer_update_at=T0 + 10 * MIN, customer_update_promised_at=promised), POLICY
    )
    assert dues.customer == promised
    later = due_times(
        _inputs(last_customer_update_at=T0 + 80 * MIN, customer_update_promised_at=promised), POLICY
    )
    assert later.customer == T0 + 200 * MIN


def test_resolved_and_closed_stop_every_clock():
    assert due_times(_inputs(status="resolved"), POLICY) == DueTimes()
    assert due_times(_inputs(status="closed"), POLICY) == DueTimes()


def test_de_escalation_lengthens_the_clocks():
    sev1, sev3 = due_times(_inputs(), POLICY), due_times(_inputs(severity="SEV-3"), POLICY)
    for clock in ("first_response", "internal", "customer", "resolution"):
        assert sev3.of(clock) > sev1.of(clock)


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (datetime(2026, 3, 2, 9, tzinfo=UTC), 1, datetime(2026, 3, 3, 9, tzinfo=UTC)),  # Mon → Tue
        (datetime(2026, 3, 6, 9, tzinfo=UTC), 1, datetime(2026, 3, 9, 9, tzinfo=UTC)),  # Fri → Mon
        (datetime(2026, 3, 5, 9, tzinfo=UTC), 2, datetime(2026, 3, 9, 9, tzinfo=UTC)),  # Thu → Mon
        (datetime(2026, 3, 7, 9, tzinfo=UTC), 1, datetime(2026, 3, 9, 9, tzinfo=UTC)),  # Sat → Mon
    ],
)
def test_business_days_skip_weekends(start, days, expected):
    assert add_business_time(start, timedelta(days=days)) == expected


def test_sev3_customer_updates_count_business_days():
    friday = datetime(2026, 3, 6, 16, 0, tzinfo=UTC)
    dues = due_times(_inputs(severity="SEV-3", created_at=friday), POLICY)
    assert dues.customer == datetime(2026, 3, 9, 16, 0, tzinfo=UTC)


def test_an_update_clock_warns_then_is_due_then_repeats_at_its_cadence():
    due = T0 + 30 * MIN
    stages = [(r.stage, r.fire_at) for r in schedule("internal", due, "SEV-1", POLICY)][:4]
    assert stages == [
        ("warning", due - 5 * MIN),
        ("due", due),
        ("overdue:1", due + 30 * MIN),
        ("overdue:2", due + 60 * MIN),
    ]


def test_an_sla_warns_at_80_percent_then_breaches():
    due = T0 + 15 * MIN
    stages = [(r.stage, r.fire_at) for r in schedule("first_response", due, "SEV-1", POLICY)]
    assert stages == [("warning", T0 + 12 * MIN), ("breach", due)]


def _owed(inputs: ClockInputs, now: datetime, claimed: set | None = None):
    return plan(inputs, due_times(inputs, POLICY), POLICY, now, claimed or set())


def test_only_the_latest_reminder_of_each_clock_is_owed_after_downtime():
    owed = _owed(_inputs(), T0 + 2 * 60 * MIN)  # two hours after opening, nothing ever sent
    by_clock = {r.clock: r.stage for r in owed.send}
    assert by_clock == {"first_response": "breach", "internal": "overdue:3", "customer": "due"}
    assert owed.next_at == T0 + 2 * 60 * MIN + 30 * MIN  # the next internal repeat


def test_a_claimed_reminder_is_not_owed_again():
    now = T0 + 26 * MIN
    first = _owed(_inputs(acknowledged_at=T0 + MIN), now)
    assert [(r.clock, r.stage) for r in first.send] == [("internal", "warning")]
    again = _owed(_inputs(acknowledged_at=T0 + MIN), now + MIN, {r.key for r in first.send})
    assert again.send == ()
    assert again.next_at == T0 + 30 * MIN


def test_a_snoozed_clock_waits_then_sends_its_latest_reminder():
    now = T0 + 31 * MIN
    snoozed = _inputs(acknowledged_at=T0 + MIN, snoozed_until={"internal": now + 10 * MIN})
    during = _owed(snoozed, now)
    assert during.send == () and during.next_at == now + 10 * MIN
    after = _owed(snoozed, now + 10 * MIN)
    assert [r.clock for r in after.send] == ["internal"]
    assert after.send[0].stage.startswith("snooze:") and after.send[0].fire_at == now + 10 * MIN
    settled = _owed(snoozed, now + 11 * MIN, {r.key for r in after.send})
    assert settled.send == () and settled.next_at == T0 + 60 * MIN  # then the cadence resumes


def test_snoozing_after_a_reminder_reminds_again_when_the_snooze_ends():
    due_nudge = _owed(_inputs(acknowledged_at=T0 + MIN), T0 + 30 * MIN).send
    assert [r.stage for r in due_nudge] == ["due"]
    snoozed = _inputs(acknowledged_at=T0 + MIN, snoozed_until={"internal": T0 + 41 * MIN})
    claimed = {r.key for r in due_nudge}
    assert _owed(snoozed, T0 + 35 * MIN, claimed).send == ()
    again = _owed(snoozed, T0 + 41 * MIN, claimed).send
    assert [r.clock for r in again] == ["internal"]


def test_sev4_on_change_clocks_owe_nothing_but_the_slas():
    owed = _owed(_inputs(severity="SEV-4", acknowledged_at=T0 + MIN), T0 + 3 * 24 * 60 * MIN)
    assert owed.send == ()
    assert owed.next_at == T0 + 7 * 24 * 60 * MIN - timedelta(days=7) * 0.2
