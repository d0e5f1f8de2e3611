"""What people do while an escalation runs: updates, customer updates, snoozes, severity and status.

Every change is recorded on the timeline, re-times the clocks in the same transaction, then shows in
Slack: the card and topic are edited, and updates are posted where the escalation is worked.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from blocks.text import escape, slack_date
from bot.clocks.sweep import retime
from bot.core.vocabulary import SETTABLE_STATUSES, SEVERITIES, UPDATE_CLOCKS, Status, label_of
from bot.escalations.read_model import EscalationSnapshot
from bot.escalations.service import Outcome, locked_escalation
from bot.policy.model import Policy
from bot.rooms.setup import WarRoomFlow
from storage import repository as repo
from storage.db import Database, utcnow
from storage.models import Escalation


class InvalidChange(ValueError):
    """A change that cannot be made (unknown severity, a promise in the past...); the message says why."""


@dataclass
class RoomService:
    """Records what happens in a room and keeps the clocks, card and topic in step."""

    db: Database
    flow: WarRoomFlow
    policy: Policy
    clock: Callable[[], datetime] = field(default=utcnow)

    def find(self, channel_id: str | None, public_id: str | None = None) -> EscalationSnapshot | None:
        """The escalation named by id, else the one whose room (or card channel) this is."""
        with self.db.session() as session:
            row = repo.find_by_public_id(session, public_id) if public_id else None
            if row is None and channel_id:
                row = repo.find_by_room(session, channel_id)
            return EscalationSnapshot.of(row, self.policy) if row else None

    def post_update(self, escalation_id: int, user_id: str, text: str, status: str | None = None) -> Outcome:
        """An internal update: posted in the room, on the card and timeline; restarts the internal clock."""
        text = text.strip()
        if not text:
            raise InvalidChange("Write the update first: what changed, what is next.")
        with self.db.session() as session:
            row, now = locked_escalation(session, escalation_id), self.clock()
            row.last_internal_update_at, row.last_internal_update_by = now, user_id
            row.last_internal_update_text = text
            row.internal_snoozed_until = None
            repo.add_event(session, row.id, "internal_update", text, user_id, at=now)
            if status and status != row.status:
                self._set_status(session, row, status, user_id, now)
            retime(session, row, self.policy, now)
            esc = EscalationSnapshot.of(row, self.policy)
        self.flow.say(esc, f"📣 *Update* from <@{user_id}> ({esc.status_label}): {escape(text)}")
        return Outcome(self.flow.refresh(escalation_id), changed=True)

    def customer_updated(
        self, escalation_id: int, user_id: str, text: str, promised_at: datetime | None = None
    ) -> Outcome:
        """A customer update was sent; `promised_at` (the next update promised) then drives the clock."""
        now = self.clock()
        if promised_at is not None and promised_at <= now:
            raise InvalidChange("The next update you promised is in the past; pick a later time.")
        with self.db.session() as session:
            row = locked_escalation(session, escalation_id)
            row.last_customer_update_at, row.last_customer_update_by = now, user_id
            row.customer_update_promised_at = promised_at
            row.customer_snoozed_until = None
            data = {"promised_at": promised_at.isoformat()} if promised_at else {}
            repo.add_event(
                session, row.id, "customer_update", text.strip() or "Customer updated", user_id, data, at=now
            )
            retime(session, row, self.policy, now)
            esc = EscalationSnapshot.of(row, self.policy)
        promise = f" Next update promised {slack_date(promised_at)}." if promised_at else ""
        said = f": {escape(text.strip())}" if text.strip() else ""
        self.flow.say(esc, f"📨 <@{user_id}> updated {escape(esc.customer)}{said}.{promise}")
        return Outcome(self.flow.refresh(escalation_id), changed=True)

    def snooze(self, escalation_id: int, clock: str, user_id: str, minutes: int = 10) -> Outcome:
        """Hold an update clock's reminders for `minutes`, recording who asked."""
        if clock not in UPDATE_CLOCKS:
            raise InvalidChange(f"Only update reminders can be snoozed, not {clock}.")
        with self.db.session() as session:
            row, now = locked_escalation(session, escalation_id), self.clock()
            until = now + timedelta(minutes=minutes)
            setattr(row, f"{clock}_snoozed_until", until)
            what = "internal update" if clock == "internal" else "customer update"
            repo.add_event(
                session,
                row.id,
                "snoozed",
                f"<@{user_id}> snoozed the {what} reminder for {minutes} min",
                user_id,
                {"clock": clock, "until": until.isoformat()},
                at=now,
            )
            retime(session, row, self.policy, now)
            esc = EscalationSnapshot.of(row, self.policy)
        self.flow.say(
            esc, f"😴 <@{user_id}> snoozed the {what} reminder until {slack_date(until, '{time}')}."
        )
        return Outcome(esc, changed=True)

    def change_severity(self, escalation_id: int, severity: str, user_id: str, reason: str = "") -> Outcome:
        """Set the severity; the clocks re-time at once (de-escalation lengthens them)."""
        severity = severity.strip().upper().replace("SEV", "SEV-").replace("--", "-")
        severity = f"SEV-{severity}" if severity.isdigit() else severity
        if severity not in SEVERITIES:
            raise InvalidChange(f"Severity must be one of {', '.join(SEVERITIES)}.")
        with self.db.session() as session:
            row, now = locked_escalation(session, escalation_id), self.clock()
            if row.severity == severity:
                return Outcome(EscalationSnapshot.of(row, self.policy), changed=False)
            previous, row.severity = row.severity, severity
            why = f": {reason.strip()}" if reason.strip() else ""
            row.severity_reasons = [
                f"Changed from {previous} to {severity} by <@{user_id}>{why}",
                *row.severity_reasons,
            ]
            repo.add_event(
                session,
                row.id,
                "severity_changed",
                f"{previous} → {severity}{why}",
                user_id,
                {"from": previous, "to": severity},
                at=now,
            )
            retime(session, row, self.policy, now)
            needs_room = row.room_kind == "thread" and self.policy.room_kind(severity) == "channel"
            if needs_room:  # a SEV-3/4 moved up to SEV-1/2 gets its war room now
                row.room_kind, row.provisioned_at = "channel", None
            esc = EscalationSnapshot.of(row, self.policy)
        direction = "Escalated" if SEVERITIES.index(severity) < SEVERITIES.index(previous) else "De-escalated"
        moving = " Opening a war room for it now." if needs_room else ""
        self.flow.say(
            esc,
            f"{direction} from {previous} to *{severity}* by <@{user_id}>{escape(why)}. "
            f"Update and SLA clocks follow the new severity.{moving}",
        )
        if needs_room:
            self.flow.provision(escalation_id)
        return Outcome(self.flow.refresh(escalation_id), changed=True)

    def change_status(self, escalation_id: int, status: str, user_id: str) -> Outcome:
        """Move through investigating → identified → monitoring → resolved; resolved stops the clocks."""
        status = status.strip().lower()
        if status not in SETTABLE_STATUSES:
            raise InvalidChange(f"Status must be one of {', '.join(SETTABLE_STATUSES)}.")
        with self.db.session() as session:
            row, now = locked_escalation(session, escalation_id), self.clock()
            if row.status == status:
                return Outcome(EscalationSnapshot.of(row, self.policy), changed=False)
            self._set_status(session, row, status, user_id, now)
            retime(session, row, self.policy, now)
            esc = EscalationSnapshot.of(row, self.policy)
        stopped = " The update and SLA clocks have stopped." if status == "resolved" else ""
        self.flow.say(esc, f"Status is now *{Status(status).label}* (set by <@{user_id}>).{stopped}")
        return Outcome(self.flow.refresh(escalation_id), changed=True)

    def _set_status(
        self, session: Session, row: Escalation, status: str, user_id: str, now: datetime
    ) -> None:
        previous, row.status = row.status, status
        row.resolved_at = now if status == "resolved" else None
        repo.add_event(
            session,
            row.id,
            "status_changed",
            f"{label_of(Status, previous)} → {Status(status).label}",
            user_id,
            {"from": previous, "to": status},
            at=now,
        )
