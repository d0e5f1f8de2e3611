"""The escalation inside a unit of work: the locked row, and the domain methods that change it.

A domain method changes the row and says what happened (`events`, the lines to post in the room, whether
the room must be set up again). It never commits, posts or re-times: the change pipeline
(`bot.escalations.changes`) does that after every method, so no caller can forget a step.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from blocks.text import escape, slack_date
from bot.core.vocabulary import SETTABLE_STATUSES, UPDATE_CLOCKS, Clock, RoomKind, Severity, Status, label_of
from bot.escalations.access import Decision, Permission, Viewer, decide
from bot.escalations.read_model import EscalationSnapshot
from bot.policy.model import Policy
from storage import repository as repo
from storage.models import Escalation


class InvalidChange(ValueError):
    """A change that cannot be made (unknown severity, a promise in the past...); the message says why."""


class NotAllowed(PermissionError):
    """The person may not do this; `decision.reason` says who can (or that it does not exist)."""

    def __init__(self, decision: Decision) -> None:
        super().__init__(decision.reason)
        self.decision = decision


@dataclass(frozen=True)
class Event:
    """A timeline entry the change adds."""

    kind: str
    text: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class Record:
    """One locked escalation and what the current change did to it."""

    row: Escalation
    session: Session
    policy: Policy
    now: datetime
    viewer: Viewer | None  # None: warroom itself (the clocks), which needs no permission
    events: list[Event] = field(default_factory=list)
    said: list[str] = field(default_factory=list)
    provision: bool = False

    @property
    def actor(self) -> str | None:
        """Who is making the change (None for warroom itself)."""
        return self.viewer.user_id if self.viewer else None

    @property
    def changed(self) -> bool:
        """True once the change recorded anything."""
        return bool(self.events)

    def view(self) -> EscalationSnapshot:
        """The escalation as it stands now, inside the transaction."""
        return EscalationSnapshot.of(self.row, self.policy)

    def require(self, permission: Permission) -> None:
        """Raise `NotAllowed` unless the person may do `permission`."""
        if self.viewer is None:
            return
        decision = decide(self.viewer, self.view(), permission)
        if not decision.allowed:
            raise NotAllowed(decision)

    def record(self, kind: str, text: str, **data: Any) -> None:
        """Add a timeline event."""
        self.events.append(Event(kind, text, data))

    def say(self, text: str) -> None:
        """Post `text` where the escalation is worked, once the change is committed."""
        self.said.append(text)

    # --- the card -----------------------------------------------------------------------------------

    def acknowledge(self) -> None:
        """The first response; only the first click counts, even from two replicas at once."""
        user = self.actor
        if not repo.set_once(self.session, self.row, "acknowledged_at", self.now, acknowledged_by=user):
            return
        late = self.now > self.row.first_response_due_at
        self.record(
            "acknowledged", f"First response by <@{user}>" + (" (after the SLA)" if late else ""), late=late
        )

    def take_command(self, user_id: str) -> None:
        """Make `user_id` the incident commander."""
        previous = self.row.ic_user_id
        if previous == user_id:
            return
        self.row.ic_user_id = user_id
        self.record("ic_assigned", f"<@{user_id}> took command from <@{previous}>", previous=previous)

    # --- updates ------------------------------------------------------------------------------------

    def post_update(self, text: str, status: str | None = None) -> None:
        """An internal update; restarts the internal clock (and may move the status)."""
        text = text.strip()
        if not text:
            raise InvalidChange("Write the update first: what changed, what is next.")
        row = self.row
        row.last_internal_update_at, row.last_internal_update_by = self.now, self.actor
        row.last_internal_update_text, row.internal_snoozed_until = text, None
        self.record("internal_update", text)
        if status and status != row.status:
            self._set_status(status)
        label = label_of(Status, row.status)
        self.say(f"📣 *Update* from <@{self.actor}> ({label}): {escape(text)}")

    def customer_updated(self, text: str, promised_at: datetime | None = None) -> None:
        """The customer was updated; `promised_at` (the next update promised) then drives its clock."""
        if promised_at is not None and promised_at <= self.now:
            raise InvalidChange("The next update you promised is in the past; pick a later time.")
        row, text = self.row, text.strip()
        row.last_customer_update_at, row.last_customer_update_by = self.now, self.actor
        row.customer_update_promised_at, row.customer_snoozed_until = promised_at, None
        data = {"promised_at": promised_at.isoformat()} if promised_at else {}
        self.record("customer_update", text or "Customer updated", **data)
        promise = f" Next update promised {slack_date(promised_at)}." if promised_at else ""
        said = f": {escape(text)}" if text else ""
        self.say(f"📨 <@{self.actor}> updated {escape(row.customer.name)}{said}.{promise}")

    def draft_sent(self, draft_id: int, summary: str, customer_facing: bool) -> bool:
        """A person sent a draft: recorded once however many clicks; a customer-facing one is a customer
        update. False if it was already marked as sent."""
        if not repo.mark_draft_sent(self.session, draft_id, self.actor or "", self.now):
            return False
        if customer_facing:
            self.customer_updated(summary)
        else:
            self.record("draft_sent", summary, draft_id=draft_id)
        return True

    def snooze(self, clock: str, minutes: int) -> datetime:
        """Hold an update clock's reminders for `minutes`; when they resume."""
        if clock not in UPDATE_CLOCKS:
            raise InvalidChange(f"Only update reminders can be snoozed, not {clock}.")
        until = self.now + timedelta(minutes=minutes)
        setattr(self.row, f"{clock}_snoozed_until", until)
        what = Clock(clock).label.lower()
        self.record(
            "snoozed",
            f"<@{self.actor}> snoozed the {what} reminder for {minutes} min",
            clock=clock,
            until=until.isoformat(),
        )
        self.say(f"😴 <@{self.actor}> snoozed the {what} reminder until {slack_date(until, '{time}')}.")
        return until

    # --- severity and status --------------------------------------------------------------------------

    def change_severity(self, text: str, reason: str = "") -> None:
        """Set the severity; clocks re-time. Downgrading is for the IC, the caller or a manager."""
        severity = Severity.parse(text)
        if severity is None:
            raise InvalidChange(f"Severity must be one of {', '.join(Severity)}, not {text.strip()!r}.")
        row = self.row
        previous = Severity(row.severity)
        if previous == severity:
            return
        if severity.rank > previous.rank:
            self.require(Permission.DOWNGRADE)
        row.severity = severity.value
        why = f": {reason.strip()}" if reason.strip() else ""
        row.severity_reasons = [
            f"Changed from {previous} to {severity} by <@{self.actor}>{why}",
            *row.severity_reasons,
        ]
        self.record(
            "severity_changed",
            f"{previous} → {severity}{why}",
            **{"from": previous.value, "to": severity.value},
        )
        moving = ""
        if row.room_kind == RoomKind.THREAD and self.policy.room_kind(severity) == RoomKind.CHANNEL:
            row.room_kind, row.provisioned_at = (
                RoomKind.CHANNEL.value,
                None,
            )  # a SEV-3/4 moved up gets its room
            self.provision, moving = True, " Opening a war room for it now."
        direction = "Escalated" if severity.rank < previous.rank else "De-escalated"
        self.say(
            f"{direction} from {previous} to *{severity}* by <@{self.actor}>{escape(why)}. "
            f"Update and SLA clocks follow the new severity.{moving}"
        )

    def change_status(self, text: str) -> None:
        """investigating → identified → monitoring → resolved; resolved stops the clocks."""
        status = Status.parse(text)
        if status is None or status not in SETTABLE_STATUSES:
            raise InvalidChange(f"Status must be one of {', '.join(SETTABLE_STATUSES)}.")
        if self.row.status == status:
            return
        self._set_status(status)
        stopped = " The update and SLA clocks have stopped." if status == Status.RESOLVED else ""
        self.say(f"Status is now *{status.label}* (set by <@{self.actor}>).{stopped}")

    def _set_status(self, status: str) -> None:
        new = Status(status)
        previous, self.row.status = self.row.status, new.value
        self.row.resolved_at = self.now if new == Status.RESOLVED else None
        self.record(
            "status_changed",
            f"{label_of(Status, previous)} → {new.label}",
            **{"from": previous, "to": new.value},
        )

    # --- the clocks -----------------------------------------------------------------------------------

    def record_breach(self, clock: str, due_at: datetime) -> None:
        """An SLA clock ran out: flagged and on the timeline once, however many sweeps see it."""
        flag = "first_response_breached" if clock == Clock.FIRST_RESPONSE else "resolution_breached"
        if not repo.set_once(self.session, self.row, flag, True):
            return
        self.record(
            "sla_breach",
            f"{Clock(clock).label} SLA breached ({self.row.severity})",
            clock=clock,
            due_at=due_at.isoformat(),
        )
