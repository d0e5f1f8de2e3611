"""The escalation inside a unit of work: the locked row, and the domain methods that change it.

`Record` is `RecordCore` (the row, the actor, what the change did) with every domain method: the card's,
updates, roles, severity and status here; resolving, confirming, closing, reopening and archiving in
`bot.escalations.closing`; follow-ups, the recovery plan and the review in
`bot.escalations.follow_through`. The change pipeline commits, re-times and posts after each.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from blocks.text import escape, slack_date
from bot.core.vocabulary import (
    SETTABLE_STATUSES,
    UPDATE_CLOCKS,
    Clock,
    DraftKind,
    Role,
    RoomKind,
    Severity,
    Status,
    label_of,
)
from bot.drafting.lint_rules import CUSTOMER_FACING
from bot.escalations.access import Permission
from bot.escalations.closing import ClosingTheLoop
from bot.escalations.follow_through import FollowThrough
from bot.escalations.record_core import (
    CLOSE_USAGE,
    RESOLVE_USAGE,
    Event,
    InvalidChange,
    NotAllowed,
)
from storage import repository as repo

__all__ = ["Event", "InvalidChange", "NotAllowed", "Record"]


class Record(ClosingTheLoop, FollowThrough):
    """One locked escalation and its domain methods."""

    # --- the card -----------------------------------------------------------------------------------

    def acknowledge(self) -> None:
        """The first response; only the first click counts, even from two replicas at once."""
        user = self.actor
        self.require_open()
        if not repo.set_once(self.session, self.row, "acknowledged_at", self.now, acknowledged_by=user):
            return
        late = self.now > self.row.first_response_due_at
        self.record(
            "acknowledged", f"First response by <@{user}>" + (" (after the SLA)" if late else ""), late=late
        )

    def take_command(self, user_id: str) -> None:
        """Make `user_id` the incident commander."""
        self.assign_role(Role.IC, user_id)

    # --- roles --------------------------------------------------------------------------------------

    def assign_role(self, role: Role, user_id: str, *, claim: bool = False) -> None:
        """Give `role` to `user_id`, who is invited to the room; the card and topic show them. Command (the
        IC) changes hands only by its owners or a manager. A `claim` (the card's *Be the …* button) takes
        an empty role only: it never takes one from someone who holds it."""
        row = self.row
        previous = getattr(row, role.column)
        if previous == user_id:
            return
        self.require_open(or_resolved=True)
        if claim and previous is not None:
            raise InvalidChange(
                f"<@{previous}> is already the {role.label.lower()} of *{row.public_id}*. To hand it over: "
                f"`/escalate role {role.value} @person`."
            )
        if role == Role.IC:
            self.require(Permission.HAND_OVER)
        setattr(row, role.column, user_id)
        was = f" (was <@{previous}>)" if previous else ""
        self.record("role_assigned", f"{role.label}: <@{user_id}>{was}", role=role.value, previous=previous)
        self.invite(user_id)
        by = "" if self.actor in (None, user_id) else f" (set by <@{self.actor}>)"
        took = "took the role of" if self.actor == user_id else "is now the"
        self.say(f"👤 <@{user_id}> {took} *{role.label.lower()}*{was}{by}.")

    # --- updates ------------------------------------------------------------------------------------

    def post_update(self, text: str, status: str | None = None) -> None:
        """An internal update; restarts the internal clock (and may move the status)."""
        text = text.strip()
        if not text:
            raise InvalidChange("Write the update first: what changed, what is next.")
        self.require_open(or_resolved=True)
        row = self.row
        row.last_internal_update_at, row.last_internal_update_by = self.now, self.actor
        row.last_internal_update_text, row.internal_snoozed_until = text, None
        self.record("internal_update", text)
        if status and status != row.status:
            self.change_status(status, announce=False)
        label = label_of(Status, row.status)
        self.say(f"📣 *Update* from <@{self.actor}> ({label}): {escape(text)}")

    def customer_updated(
        self, text: str, promised_at: datetime | None = None, *, channel: str | None = None
    ) -> None:
        """The customer was updated (`channel`: email, call…, when known); `promised_at` (the next update
        promised) then drives its clock."""
        if promised_at is not None and promised_at <= self.now:
            raise InvalidChange("The next update you promised is in the past; pick a later time.")
        self.require_open(or_resolved=True)
        row, text = self.row, text.strip()
        if row.customer_update_promised_at is not None and self.now <= row.customer_update_promised_at:
            row.promises_kept += 1  # the update came by the time the customer was promised it
        if promised_at is not None:
            row.promises_made += 1
        row.first_customer_update_at = row.first_customer_update_at or self.now
        row.last_customer_update_at, row.last_customer_update_by = self.now, self.actor
        row.customer_update_promised_at, row.customer_snoozed_until = promised_at, None
        data = {"promised_at": promised_at.isoformat()} if promised_at else {}
        if channel:
            data["channel"] = channel
        self.record("customer_update", text or "Customer updated", **data)
        promise = f" Next update promised {slack_date(promised_at)}." if promised_at else ""
        said = f": {escape(text)}" if text else ""
        self.say(f"📨 <@{self.actor}> updated {escape(row.customer.name)}{said}.{promise}")

    def draft_sent(
        self,
        draft_id: int,
        summary: str,
        kind: str,
        *,
        promised_at: datetime | None = None,
        channel: str | None = None,
    ) -> bool:
        """A person sent a draft (or, for a phone guide, made the call): recorded once however many clicks.
        What it records follows what it was: an acknowledgment is also the first response; a phone guide
        is a call with the customer; an email-like draft is a customer update (its clock restarts); a
        social post is a public statement, not an update to the account; an internal one is just sent.
        `promised_at` is the next update the draft promised, `channel` where it went (email unless said).
        False if it was already marked."""
        if not repo.mark_draft_sent(self.session, draft_id, self.actor or "", self.now):
            return False
        if kind == DraftKind.ACK and self.row.acknowledged_at is None and Status(self.row.status).is_open:
            self.acknowledge()
        if kind == DraftKind.SOCIAL:
            self.record("social_posted", summary, draft_id=draft_id)
        elif kind in CUSTOMER_FACING:
            sent_by = "call" if kind == DraftKind.PHONE else channel or "email"
            self.customer_updated(summary, promised_at, channel=sent_by)
        else:
            self.record("draft_sent", summary, draft_id=draft_id)
        return True

    def snooze(self, clock: str, minutes: int) -> datetime:
        """Hold an update clock's reminders for `minutes`; when they resume."""
        if clock not in UPDATE_CLOCKS:
            raise InvalidChange(f"Only update reminders can be snoozed, not {clock}.")
        self.require_open()
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

    # --- the timeline -------------------------------------------------------------------------------

    def add_message(self, channel: str, ts: str, author: str | None, text: str, how: str) -> None:
        """Put a Slack message on the timeline (a 📌 reaction, "Add to timeline"); once per message."""
        if repo.captured_message(self.session, self.row.id, ts) is not None:
            return
        data = {"author": author, "how": how}
        self.events.append(Event("message_captured", text, data, message_channel_id=channel, message_ts=ts))
        self.shows_on_card = False

    def follow_message(self, ts: str, text: str | None, *, unpinned: bool = False) -> None:
        """A captured message was edited (its new `text`) or deleted (None): the timeline follows, and a
        deleted one drops out of it. `unpinned`: its last 📌 was taken off, which removes only what a
        reaction added (not what someone added with the shortcut)."""
        captured = repo.captured_message(self.session, self.row.id, ts)
        if captured is None or captured.data.get("removed"):
            return
        if unpinned and captured.data.get("how") != "reaction":
            return
        if text is None:
            captured.data = {**captured.data, "removed": True, "removed_at": self.now.isoformat()}
            captured.text = ""  # its author took it back: warroom keeps no copy
        elif text != captured.text:
            captured.text = text
            captured.data = {**captured.data, "edited_at": self.now.isoformat()}
        else:
            return
        self.touched, self.shows_on_card = True, False

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
        self.require_open()
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
            # A SEV-3/4 moved up gets its room, with the person who moved it in it.
            row.room_kind, row.provisioned_at = RoomKind.CHANNEL.value, None
            if self.actor and self.actor not in row.responder_user_ids:
                row.responder_user_ids = [*row.responder_user_ids, self.actor]
            self.provision, moving = True, " Opening a war room for it now."
        else:
            self.invite(self.actor)
        direction = "Escalated" if severity.rank < previous.rank else "De-escalated"
        self.say(
            f"{direction} from {previous} to *{severity}* by <@{self.actor}>{escape(why)}. "
            f"Update and SLA clocks follow the new severity.{moving}"
        )

    def change_status(self, text: str, *, announce: bool = True) -> None:
        """investigating → identified → monitoring while open. Resolving says what fixed it
        (`resolve`); closing comes with the customer's confirmation (`confirm`) or a reason (`close`)."""
        status = Status.parse(text)
        if status in (Status.RESOLVED, Status.CLOSED):
            raise InvalidChange(RESOLVE_USAGE if status == Status.RESOLVED else CLOSE_USAGE)
        if status is None or status not in SETTABLE_STATUSES:
            raise InvalidChange(f"Status must be one of {', '.join(SETTABLE_STATUSES)}.")
        if self.row.status == status:
            return
        self.require_open()
        self.set_status(status)
        if announce:
            self.say(f"Status is now *{status.label}* (set by <@{self.actor}>).")

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
