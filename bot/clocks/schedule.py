"""Clock math (pure): when each update and SLA is due, and which reminder, if any, is owed now.

While an escalation is open:
- `first_response` (SLA) until someone acknowledges;
- `internal` update cadence (seed 001: SEV-1 every 30 min ...), restarted by each internal update;
- `customer` update cadence (seed 003), or the time actually promised to the customer;
- `resolution` (SLA) target;
- `roles`: a SEV-1/2 still without a customer liaison after the policy's `roles_nudge`.
A reopened escalation runs its update clocks and resolution target again from the reopen.
Then, to close the loop:
- `confirmation`: resolved, the liaison is reminded to get the customer's confirmation, every
  `confirmation_reminder` until it comes;
- `archive`: closed, the war room is archived after the quiet period (`room.archive_after`).
And, whatever the status, each open follow-up (a prevention action, an accepted recovery gesture, a
check-in) with a due date: its owner is reminded `follow_ups.reminder_lead` before, at the due time, and a
few times while overdue (clock `follow_up:<id>`).

Each clock has a schedule of reminders. Update clocks: a warning `reminder_lead` before the due time,
one at the due time, then one per cadence interval while overdue. SLA clocks: a warning when
`sla_warning_fraction` of the window has passed, and the breach at the due time. A sweep sends only the
latest reminder whose time has come, so after downtime each overdue clock fires once, not once per
missed interval.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.core.vocabulary import CLOCKS, OPEN_STATUSES, SLA_CLOCKS, UPDATE_CLOCKS, Clock, Status
from bot.policy.model import Policy

# Enough overdue repeats for any real outage; past this the room has heard it.
MAX_OVERDUE_REPEATS = 500
# A missing liaison is said a few times, not all night: the card keeps showing the empty role.
MAX_ROLE_NUDGES = 3
FOLLOW_UP_CLOCK = "follow_up:"


@dataclass(frozen=True)
class ClockInputs:
    """What the clocks depend on, read from the escalation record."""

    severity: str
    status: str
    created_at: datetime
    acknowledged_at: datetime | None = None
    last_internal_update_at: datetime | None = None
    last_customer_update_at: datetime | None = None
    customer_update_promised_at: datetime | None = None
    snoozed_until: dict[str, datetime] = field(default_factory=dict)
    liaison_missing: bool = False
    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    reopened_at: datetime | None = None
    archivable: bool = False  # closed with a war-room channel that is not archived yet
    follow_ups: tuple[FollowUpDue, ...] = ()


@dataclass(frozen=True)
class FollowUpDue:
    """An open follow-up with a due date, as its reminders need it."""

    id: int
    due_at: datetime
    created_at: datetime

    @property
    def clock(self) -> str:
        """The reminder clock of this follow-up: `follow_up:42`."""
        return f"{FOLLOW_UP_CLOCK}{self.id}"


@dataclass(frozen=True)
class DueTimes:
    """When each clock is next due; None when it is stopped or runs "on change"."""

    first_response: datetime | None = None
    internal: datetime | None = None
    customer: datetime | None = None
    resolution: datetime | None = None
    roles: datetime | None = None
    confirmation: datetime | None = None
    archive: datetime | None = None

    def of(self, clock: str) -> datetime | None:
        """The due time of `clock`."""
        return getattr(self, clock)


@dataclass(frozen=True)
class Reminder:
    """One reminder: which clock, for which due time, which stage, and when it fires."""

    clock: str
    due_at: datetime
    # "warning", "due", "overdue:<n>" or "snooze:<epoch>" for update clocks; "warning", "breach" for SLAs
    stage: str
    fire_at: datetime

    @property
    def key(self) -> tuple[str, datetime, str]:
        """What makes this reminder unique per escalation: claimed once, sent once."""
        return (self.clock, self.due_at, self.stage)


@dataclass(frozen=True)
class Plan:
    """What a sweep should send now, and when this escalation next needs a look."""

    send: tuple[Reminder, ...]
    next_at: datetime | None


def add_business_time(start: datetime, span: timedelta) -> datetime:
    """`start + span`, counting whole days as business days (Saturday and Sunday do not count)."""
    moment = start
    for _ in range(span.days):
        moment += timedelta(days=1)
        while moment.weekday() >= 5:
            moment += timedelta(days=1)
    moment += span - timedelta(days=span.days)
    while moment.weekday() >= 5:
        moment += timedelta(days=1)
    return moment


def due_times(inputs: ClockInputs, policy: Policy) -> DueTimes:
    """The due time of every clock. Resolved: only the confirmation reminder runs; closed: only the
    archiving of the room."""
    rules = policy.for_severity(inputs.severity)
    if inputs.status == Status.RESOLVED:
        confirmation = inputs.resolved_at + rules.confirmation_reminder if inputs.resolved_at else None
        return DueTimes(confirmation=confirmation)
    if inputs.status not in OPEN_STATUSES:
        archive = (
            inputs.closed_at + policy.room.archive_after if inputs.archivable and inputs.closed_at else None
        )
        return DueTimes(archive=archive)
    first_response = None if inputs.acknowledged_at else inputs.created_at + rules.first_response
    # A reopened escalation is worked again from the reopen: updates and the resolution target restart.
    started = _latest(inputs.created_at, inputs.reopened_at)
    internal = None
    if rules.internal_update is not None:
        internal = _latest(started, inputs.last_internal_update_at) + rules.internal_update
    roles = None
    if inputs.liaison_missing and rules.roles_nudge is not None:
        roles = started + rules.roles_nudge
    return DueTimes(
        first_response=first_response,
        internal=internal,
        customer=_customer_due(inputs, policy, started),
        resolution=started + rules.resolution_target,
        roles=roles,
    )


def _latest(moment: datetime, other: datetime | None) -> datetime:
    return max(moment, other) if other is not None else moment


def _customer_due(inputs: ClockInputs, policy: Policy, started: datetime) -> datetime | None:
    promised = inputs.customer_update_promised_at
    last = inputs.last_customer_update_at
    if promised is not None and (last is None or promised > last):
        return promised  # what the customer was actually told wins over the policy's cadence
    cadence = policy.for_severity(inputs.severity).customer_update
    if cadence is None:
        return None
    start = last or inputs.acknowledged_at or inputs.created_at
    start = _latest(start, inputs.reopened_at)
    return add_business_time(start, cadence.default) if cadence.business_days else start + cadence.default


def cadence_of(clock: str, severity: str, policy: Policy) -> timedelta | None:
    """How often a clock's reminder repeats while overdue (None for SLA clocks, archiving and "on
    change")."""
    rules = policy.for_severity(severity)
    if clock == Clock.INTERNAL:
        return rules.internal_update
    if clock == Clock.CUSTOMER:
        return rules.customer_update.default if rules.customer_update else None
    if clock == Clock.ROLES:
        return rules.roles_nudge
    if clock == Clock.CONFIRMATION:
        return rules.confirmation_reminder
    return None


def sla_window(clock: str, severity: str, policy: Policy) -> timedelta:
    """The length of an SLA clock's window (first response or resolution target)."""
    rules = policy.for_severity(severity)
    return rules.first_response if clock == Clock.FIRST_RESPONSE else rules.resolution_target


def sla_warning_at(clock: str, due_at: datetime, severity: str, policy: Policy) -> datetime:
    """When an SLA clock due at `due_at` warns: once `sla_warning_fraction` of its window has passed."""
    return due_at - sla_window(clock, severity, policy) * (1 - policy.sla_warning_fraction)


def schedule(clock: str, due_at: datetime, severity: str, policy: Policy) -> Iterator[Reminder]:
    """The reminders of one clock for one due time, in the order they fire."""
    if clock in SLA_CLOCKS:
        yield Reminder(clock, due_at, "warning", sla_warning_at(clock, due_at, severity, policy))
        yield Reminder(clock, due_at, "breach", due_at)
        return
    cadence = cadence_of(clock, severity, policy)
    lead = policy.reminder_lead
    if clock in UPDATE_CLOCKS and (cadence is None or lead < cadence):
        yield Reminder(clock, due_at, "warning", due_at - lead)
    yield Reminder(clock, due_at, "due", due_at)
    if cadence is None:
        return
    repeats = MAX_ROLE_NUDGES if clock == Clock.ROLES else MAX_OVERDUE_REPEATS
    for n in range(1, repeats + 1):
        yield Reminder(clock, due_at, f"overdue:{n}", due_at + n * cadence)


def follow_up_schedule(follow_up: FollowUpDue, policy: Policy) -> Iterator[Reminder]:
    """The reminders of one follow-up, in the order they fire. A warning whose time had already passed
    when the follow-up was added is skipped: an action due tomorrow is not reminded the moment it is made."""
    rules = policy.follow_ups
    clock, due_at = follow_up.clock, follow_up.due_at
    warning_at = due_at - rules.reminder_lead
    if warning_at > follow_up.created_at:
        yield Reminder(clock, due_at, "warning", warning_at)
    yield Reminder(clock, due_at, "due", due_at)
    for n in range(1, rules.overdue_reminders + 1):
        yield Reminder(clock, due_at, f"overdue:{n}", due_at + n * rules.overdue_every)


def follow_up_last_due(now: datetime, policy: Policy) -> datetime:
    """The earliest due time of a follow-up still owed a reminder at `now`: one whose last overdue reminder
    came, give or take one interval of grace (a sweep that was down then still sends it), is done with."""
    rules = policy.follow_ups
    return now - (rules.overdue_reminders + 1) * rules.overdue_every


def _latest_owed(reminders: Iterator[Reminder], now: datetime, upcoming: list[datetime]) -> Reminder | None:
    latest: Reminder | None = None
    for reminder in reminders:
        if reminder.fire_at > now:
            upcoming.append(reminder.fire_at)
            break
        latest = reminder
    return latest


def plan(
    inputs: ClockInputs,
    dues: DueTimes,
    policy: Policy,
    now: datetime,
    claimed: set[tuple[str, datetime, str]],
) -> Plan:
    """The reminders owed at `now` (the latest per clock, if not yet claimed) and the next time to look."""
    send: list[Reminder] = []
    upcoming: list[datetime] = []
    for clock in CLOCKS:
        due_at = dues.of(clock)
        if due_at is None:
            continue
        latest = _latest_owed(schedule(clock, due_at, inputs.severity, policy), now, upcoming)
        snoozed = inputs.snoozed_until.get(clock)
        if snoozed is not None and snoozed > now:
            upcoming.append(snoozed)  # nothing until the snooze ends, then one reminder
            continue
        if snoozed is not None and latest is not None and snoozed >= latest.fire_at:
            # "Snooze 10 min" means "remind me again in 10 min", even if no new stage came due meanwhile.
            latest = Reminder(clock, due_at, f"snooze:{int(snoozed.timestamp())}", snoozed)
        if latest is not None and latest.key not in claimed:
            send.append(latest)
    for follow_up in inputs.follow_ups:
        latest = _latest_owed(follow_up_schedule(follow_up, policy), now, upcoming)
        if latest is not None and latest.key not in claimed:
            send.append(latest)
    return Plan(tuple(send), min(upcoming) if upcoming else None)
