"""What people do while an escalation runs: acknowledge, take command and other roles, updates, customer
updates, snoozes, severity and status, then resolve, confirm, close and reopen. Each is one domain method
through the change pipeline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.core.vocabulary import Role
from bot.escalations.access import Permission
from bot.escalations.changes import Actor, ChangePipeline, Outcome
from bot.escalations.read_model import EscalationSnapshot


@dataclass
class RoomService:
    """Named entry points for the changes people make in a room."""

    changes: ChangePipeline

    def clock(self) -> datetime:
        """The service clock (the sandbox and tests control it)."""
        return self.changes.clock()

    def acknowledge(self, escalation_id: int, actor: Actor) -> Outcome:
        """Record the first response (once; later clicks change nothing)."""
        return self.changes.change(escalation_id, actor, lambda record: record.acknowledge())

    def take_command(self, escalation_id: int, actor: Actor) -> Outcome:
        """Make the actor the incident commander."""
        return self.changes.change(escalation_id, actor, lambda record: record.take_command(actor.user_id))

    def post_update(self, escalation_id: int, actor: Actor, text: str, status: str | None = None) -> Outcome:
        """An internal update: posted in the room, on the card and timeline; restarts the internal clock."""
        return self.changes.change(escalation_id, actor, lambda record: record.post_update(text, status))

    def customer_updated(
        self, escalation_id: int, actor: Actor, text: str, promised_at: datetime | None = None
    ) -> Outcome:
        """A customer update was sent; `promised_at` (the next update promised) then drives the clock."""
        return self.changes.change(
            escalation_id, actor, lambda record: record.customer_updated(text, promised_at)
        )

    def snooze(self, escalation_id: int, clock: str, actor: Actor, minutes: int = 10) -> Outcome:
        """Hold an update clock's reminders for `minutes`, recording who asked."""
        return self.changes.change(escalation_id, actor, lambda record: record.snooze(clock, minutes))

    def change_severity(self, escalation_id: int, severity: str, actor: Actor, reason: str = "") -> Outcome:
        """Set the severity; the clocks re-time at once. Downgrades need the IC, the caller or a manager."""
        return self.changes.change(
            escalation_id, actor, lambda record: record.change_severity(severity, reason)
        )

    def change_status(self, escalation_id: int, status: str, actor: Actor) -> Outcome:
        """Move through investigating → identified → monitoring → resolved; resolved stops the clocks."""
        return self.changes.change(escalation_id, actor, lambda record: record.change_status(status))

    def assign_role(self, escalation_id: int, role: Role, user_id: str, actor: Actor) -> Outcome:
        """Give `role` to `user_id` (invited to the room); the card and topic show them."""
        return self.changes.change(escalation_id, actor, lambda record: record.assign_role(role, user_id))

    def claim_role(self, escalation_id: int, role: Role, actor: Actor) -> Outcome:
        """The actor takes an empty role (a claim never takes a role from the person who holds it)."""
        return self.changes.change(
            escalation_id, actor, lambda record: record.assign_role(role, actor.user_id, claim=True)
        )

    def resolve(self, escalation_id: int, actor: Actor, summary: str) -> Outcome:
        """Fixed on our side: the clocks stop and the customer's confirmation is awaited."""
        return self.changes.change(escalation_id, actor, lambda record: record.resolve(summary))

    def confirm(self, escalation_id: int, actor: Actor, how: str = "") -> Outcome:
        """The customer confirmed the fix (`how`, if said): the escalation closes (once, however many
        clicks)."""
        return self.changes.change(escalation_id, actor, lambda record: record.confirm(how))

    def close(self, escalation_id: int, actor: Actor, reason: str) -> Outcome:
        """Close without the customer's confirmation (the owners only; flagged as premature closure)."""
        return self.changes.change(escalation_id, actor, lambda record: record.close(reason))

    def reopen(self, escalation_id: int, actor: Actor, why: str) -> Outcome:
        """Reopen a resolved or closed escalation; its clocks run again (the owners only)."""
        return self.changes.change(escalation_id, actor, lambda record: record.reopen(why))

    def may(self, escalation_id: int, actor: Actor, permission: Permission) -> EscalationSnapshot:
        """The escalation, if the actor may do `permission` to it (`NotAllowed` otherwise): checked before
        a modal opens, so nobody fills in a form that will be refused."""
        esc = self.changes.get(escalation_id)
        self.changes.check(actor, esc, permission)
        return esc
