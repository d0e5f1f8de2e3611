"""What the App Home tab shows a person: their own escalations, and every one still being worked that
they may see, most urgent first.

The clock reading (`next_due`, `sla_state`, `urgency`) is pure: the escalation's stored due times and
the policy in, no Slack and no database. The service reads every worked escalation in one query (a
second one counts them only when there are more than it reads) and asks Slack about room membership only
for private escalations, through the access rule every other surface uses.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bot.clocks.schedule import sla_warning_at
from bot.core.vocabulary import CLOCKS, OPEN_STATUSES, ROLES, SLA_CLOCKS, Clock, Role, Severity, Status
from bot.escalations.changes import Actor, ChangePipeline
from bot.escalations.read_model import EscalationSnapshot
from bot.followups.model import FollowUpView
from bot.policy.model import Policy
from storage import dashboard as queries
from storage import follow_ups as follow_up_store

# Enough rows for any real day. Past it the least urgent escalations of other people are counted, not read.
ROW_LIMIT = 1_000
FOLLOW_UPS_READ = 50  # of a person's own open follow-ups; the tab shows the soonest
# Sorts an escalation with no running clock (every clock "on change") after those with one.
NO_CLOCK = datetime.max.replace(tzinfo=UTC)
UNKNOWN_SEVERITY_RANK = len(Severity)


@dataclass(frozen=True)
class DueClock:
    """The clock that comes due next on an escalation, and when it is (or was) due."""

    clock: Clock
    due_at: datetime

    @property
    def is_sla(self) -> bool:
        """True for the first-response and resolution SLAs (which breach), False for update reminders."""
        return self.clock in SLA_CLOCKS

    def is_past(self, now: datetime) -> bool:
        """True once its due time has come."""
        return self.due_at <= now


@dataclass(frozen=True)
class SlaState:
    """Where an escalation stands against its SLAs: breached ones, and running ones close to their limit
    (past the policy's warning fraction of the window, when warroom warns the room)."""

    breached: tuple[Clock, ...] = ()
    at_risk: tuple[Clock, ...] = ()

    @property
    def is_breached(self) -> bool:
        """True if any SLA was missed."""
        return bool(self.breached)


def next_due(esc: EscalationSnapshot) -> DueClock | None:
    """The earliest due time among the escalation's running clocks (a breached first response stays the
    earliest until someone acknowledges); the confirmation reminder once resolved; None when closed or
    when every clock runs "on change"."""
    if esc.awaiting_confirmation:
        candidates = [(Clock.CONFIRMATION, esc.confirmation_due_at)]
    elif esc.is_open:
        candidates = [
            (Clock.FIRST_RESPONSE, esc.first_response_due_at if esc.acknowledged_at is None else None),
            (Clock.INTERNAL, esc.internal_update_due_at),
            (Clock.CUSTOMER, esc.customer_update_due_at),
            (Clock.RESOLUTION, esc.resolution_due_at),
        ]
    else:
        return None
    running = [DueClock(clock, due_at) for clock, due_at in candidates if due_at is not None]
    return min(running, key=lambda due: (due.due_at, CLOCKS.index(due.clock)), default=None)


def sla_state(esc: EscalationSnapshot, now: datetime, policy: Policy) -> SlaState:
    """Breached and at-risk SLAs. The stored flags are set by the reminder sweep when it posts a breach; the
    due times are read too, so a breach shows the moment it happens, not at the next sweep."""
    breached: list[Clock] = []
    at_risk: list[Clock] = []
    # Each SLA clock: did it breach, and is it still running (only a running clock can be at risk)?
    first_response_running = esc.is_open and esc.acknowledged_at is None
    answered_late = esc.acknowledged_at is not None and esc.acknowledged_at > esc.first_response_due_at
    resolution_running = esc.is_open and esc.resolution_due_at is not None
    clocks = [
        (
            Clock.FIRST_RESPONSE,
            esc.first_response_due_at,
            esc.first_response_breached or answered_late,
            first_response_running,
        ),
        (Clock.RESOLUTION, esc.resolution_due_at, esc.resolution_breached, resolution_running),
    ]
    for clock, due_at, flagged, running in clocks:
        if flagged or (running and due_at is not None and due_at <= now):
            breached.append(clock)
        elif running and due_at is not None and now >= sla_warning_at(clock, due_at, esc.severity, policy):
            at_risk.append(clock)
    return SlaState(tuple(breached), tuple(at_risk))


@dataclass(frozen=True)
class DashboardEntry:
    """One escalation on the dashboard, with its clocks read and the viewer's roles on it."""

    escalation: EscalationSnapshot
    next_due: DueClock | None
    sla: SlaState
    roles: tuple[Role, ...] = ()

    @classmethod
    def of(cls, esc: EscalationSnapshot, viewer_id: str, now: datetime, policy: Policy) -> DashboardEntry:
        """Read the escalation's clocks at `now` and the roles `viewer_id` holds on it."""
        roles = tuple(role for role in ROLES if esc.holder(role) == viewer_id)
        return cls(esc, next_due(esc), sla_state(esc, now, policy), roles)

    @property
    def urgency(self) -> tuple[int, int, int, datetime, datetime, int]:
        """Sort key, most urgent first: open before awaiting confirmation, then severity, then a breached
        SLA, then the earliest next due time (then the oldest)."""
        esc = self.escalation
        severity = Severity.parse(esc.severity)
        return (
            0 if esc.is_open else 1,
            severity.rank if severity else UNKNOWN_SEVERITY_RANK,
            0 if self.sla.is_breached else 1,
            self.next_due.due_at if self.next_due else NO_CLOCK,
            esc.created_at,
            esc.id,
        )


def most_urgent_first(entries: list[DashboardEntry]) -> tuple[DashboardEntry, ...]:
    """`entries` sorted by `DashboardEntry.urgency`."""
    return tuple(sorted(entries, key=lambda entry: entry.urgency))


@dataclass(frozen=True)
class Dashboard:
    """What one person's App Home shows, read at `now`.

    `open` and `awaiting` hold every escalation they may see (open; resolved and awaiting the customer's
    confirmation), most urgent first; `mine` those where they hold a role. `hidden` counts the private
    ones they may not see (never named). `unread_open` (by severity) and `unread_awaiting` count what was
    past the read's row limit: the least urgent escalations of other people, counted only."""

    viewer_id: str
    now: datetime
    mine: tuple[DashboardEntry, ...] = ()
    open: tuple[DashboardEntry, ...] = ()
    awaiting: tuple[DashboardEntry, ...] = ()
    hidden: int = 0
    unread_open: dict[str, int] = field(default_factory=dict)
    unread_awaiting: int = 0
    # Open follow-ups the viewer owns (prevention actions, recovery gestures, check-ins), soonest first.
    follow_ups: tuple[tuple[FollowUpView, EscalationSnapshot], ...] = ()

    @property
    def open_total(self) -> int:
        """Open escalations the viewer may see, and those counted past the row limit."""
        return len(self.open) + sum(self.unread_open.values())

    @property
    def awaiting_total(self) -> int:
        """Escalations awaiting the customer's confirmation, read and counted."""
        return len(self.awaiting) + self.unread_awaiting


@dataclass
class HomeDashboard:
    """Reads a person's dashboard: the database once (twice past `row_limit`), Slack only for private
    escalations (room membership, cached briefly by the gateway)."""

    changes: ChangePipeline
    row_limit: int = ROW_LIMIT

    def for_viewer(self, user_id: str) -> Dashboard:
        """The dashboard of `user_id`."""
        policy, now = self.changes.policy, self.changes.clock()
        with self.changes.db.reading() as session:
            rows = queries.worked_escalations(session, user_id, self.row_limit)
            read = [EscalationSnapshot.of(row, policy) for row in rows]
            counted = queries.count_worked_by_status(session) if len(rows) >= self.row_limit else None
            owned = [
                (FollowUpView.of(follow_up), EscalationSnapshot.of(row, policy))
                for follow_up, row in follow_up_store.open_owned_by(session, user_id, FOLLOW_UPS_READ)
            ]
        # Slack is asked (for private ones only) after the session is closed: no connection waits on it.
        actor = Actor(user_id)
        visible = [esc for esc in read if self.changes.may_see(actor, esc)]
        entries = [DashboardEntry.of(esc, user_id, now, policy) for esc in visible]
        awaiting = [entry for entry in entries if entry.escalation.awaiting_confirmation]
        unread_open, unread_awaiting = _unread(read, counted)
        return Dashboard(
            viewer_id=user_id,
            now=now,
            mine=most_urgent_first([entry for entry in entries if entry.roles]),
            open=most_urgent_first([entry for entry in entries if entry.escalation.is_open]),
            awaiting=most_urgent_first(awaiting),
            hidden=len(read) - len(visible),
            unread_open=unread_open,
            unread_awaiting=unread_awaiting,
            follow_ups=tuple((f, esc) for f, esc in owned if self.changes.may_see(actor, esc)),
        )


def _unread(
    read: list[EscalationSnapshot], counted: dict[tuple[str, str], int] | None
) -> tuple[dict[str, int], int]:
    """What the count found beyond the rows read: open ones by severity, and those awaiting confirmation."""
    if counted is None:
        return {}, 0
    seen = Counter((esc.status, esc.severity) for esc in read)
    open_statuses = {status.value for status in OPEN_STATUSES}
    unread_open: Counter[str] = Counter()
    unread_awaiting = 0
    for (status, severity), total in counted.items():
        beyond = max(total - seen[(status, severity)], 0)
        if status in open_statuses:
            unread_open[severity] += beyond
        elif status == Status.RESOLVED:
            unread_awaiting += beyond
    return {severity: n for severity, n in unread_open.items() if n}, unread_awaiting
