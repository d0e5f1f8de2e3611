"""Closing the loop (seed 001's resolution steps): resolved on our side, then awaiting the customer's
confirmation; confirmed and closed; closed without it (a reason, the owners only, and seed 001's
"premature closure" flag); reopened with its clocks; the war room archived after a quiet period.

`ClosingTheLoop` holds the domain methods; `Record` (bot.escalations.record) is built from it.
"""

from __future__ import annotations

from blocks.text import escape, slack_date
from bot.core.durations import humanize_duration
from bot.core.vocabulary import Status
from bot.escalations.access import Permission
from bot.escalations.record_core import (
    CLOSE_USAGE,
    REOPEN_COMMAND,
    REOPEN_USAGE,
    RESOLVE_USAGE,
    InvalidChange,
    RecordCore,
)
from storage import repository as repo

REPORT_COMMAND = "/escalate report"
RECOVERY_OFFER = (
    "🤝 *Recovery plan* on the card (or `/escalate recovery`) suggests how to rebuild the relationship, "
    "scaled to what they went through."
)


class ClosingTheLoop(RecordCore):
    """Resolve, confirm, close, reopen and archive."""

    def resolve(self, summary: str) -> None:
        """Fixed on our side: the clocks stop and the customer's confirmation is awaited (and reminded)."""
        summary = summary.strip()
        if not summary:
            raise InvalidChange(RESOLVE_USAGE)
        self.require_open()
        row = self.row
        row.resolution_summary, row.resolved_by = summary, self.actor
        row.confirmed_at = row.confirmed_by = None
        self.set_status(Status.RESOLVED, summary)
        chaser = row.liaison_user_id or row.ic_user_id
        every = humanize_duration(self.policy.for_severity(row.severity).confirmation_reminder)
        self.say(
            f"✅ <@{self.actor}> resolved *{row.public_id}*: {escape(summary)}\n"
            f"Now awaiting {escape(row.customer.name)}'s confirmation. <@{chaser}> will be reminded every "
            f"{every} to get it; press *Customer confirmed* (or `/escalate confirm`) once they have.\n"
            f"{RECOVERY_OFFER}"
        )

    def confirm(self, how: str = "") -> None:
        """The customer confirmed the fix (`how`, if said: "by phone with David"): recorded once however
        many clicks, and the escalation closes."""
        row = self.row
        if row.status != Status.RESOLVED:
            if row.status == Status.CLOSED:
                raise InvalidChange(f"*{row.public_id}* is already closed.")
            raise InvalidChange(f"*{row.public_id}* is not resolved yet. {RESOLVE_USAGE}")
        if not repo.set_once(self.session, row, "confirmed_at", self.now, confirmed_by=self.actor):
            return
        how = how.strip()
        said = f"{row.customer.name} confirmed the resolution" + (f": {how}" if how else "")
        self.record("customer_confirmed", said)
        self._close()
        self.say(
            f"🎉 {escape(row.customer.name)} confirmed the fix (recorded by <@{self.actor}>). "
            f"*{row.public_id}* is closed.{self._archive_note()}{self._review_note()}"
        )

    def close(self, reason: str) -> None:
        """Close without the customer's confirmation: for the IC, the person who raised it and managers,
        with a reason, and flagged as premature closure."""
        self.require(Permission.CLOSE)
        reason, row = reason.strip(), self.row
        if row.status == Status.CLOSED:
            raise InvalidChange(f"*{row.public_id}* is already closed.")
        if not reason:
            raise InvalidChange(CLOSE_USAGE)
        row.close_reason, row.closed_without_confirmation = reason, True
        self.record("premature_closure", f"Closed without the customer's confirmation: {reason}")
        self._close()
        self.say(
            f"🔒 <@{self.actor}> closed *{row.public_id}* without the customer's confirmation: "
            f"{escape(reason)}\n⚠️ Flagged as a *premature closure* (seed 001: don't close until the "
            f"customer confirms).{self._archive_note()}{self._review_note()}"
        )

    def reopen(self, why: str) -> None:
        """Back to investigating: the update clocks and the resolution target run again from now, and an
        archived room comes back."""
        self.require(Permission.REOPEN)
        why, row = why.strip(), self.row
        if Status(row.status).is_open:
            raise InvalidChange(f"*{row.public_id}* is open ({Status(row.status).label.lower()}).")
        if not why:
            raise InvalidChange(REOPEN_USAGE)
        row.reopened_at = self.now
        row.resolution_summary = row.resolved_by = row.confirmed_at = row.confirmed_by = None
        row.closed_at = row.closed_by = row.close_reason = None
        row.closed_without_confirmation = row.resolution_breached = False
        self.set_status(Status.INVESTIGATING, f"reopened: {why}")
        if row.archived_at is not None:  # its room is archived: it gets a new one (bot.rooms.setup)
            row.provisioned_at, self.provision = None, True
        self.say(
            f"↩️ <@{self.actor}> reopened *{row.public_id}*: {escape(why)}\n"
            "The update clocks and the resolution target run again from now."
        )

    def archived(self) -> None:
        """The war room was archived after its quiet period (once)."""
        if repo.set_once(self.session, self.row, "archived_at", self.now):
            self.record("archived", "War room archived after the quiet period")
            self.shows_on_card = False  # the room's card can no longer be edited

    def archive_failed(self, error: str) -> None:
        """Slack refused to archive the room; said on the timeline, not retried until the next close."""
        self.record("archive_failed", f"The war room could not be archived (Slack said `{error}`)")

    def _close(self) -> None:
        self.row.closed_at, self.row.closed_by = self.now, self.actor
        self.set_status(Status.CLOSED)

    def _review_note(self) -> str:
        note = f"\n📝 Next, the post-incident review: *Write the report* on the card (or `{REPORT_COMMAND}`)."
        if not self.row.root_cause:
            note += " No root cause is recorded yet: closing without one is seed 001's *missing RCA* flag."
        return note

    def _archive_note(self) -> str:
        if self.row.room_channel_id is None:
            return ""
        when = self.now + self.policy.room.archive_after
        after = humanize_duration(self.policy.room.archive_after)
        on = slack_date(when, "{date_short_pretty}")
        return (
            f"\nThis room will be archived {on} ({after} after closing); `{REOPEN_COMMAND}` brings it back."
        )
