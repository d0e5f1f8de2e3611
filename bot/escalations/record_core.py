"""What every domain method of an escalation stands on: the locked row, who is acting, and what the
change did (timeline events, lines to post, people to invite, a room to set up or bring back).

A domain method changes the row and says what happened. It never commits, posts or re-times: the change
pipeline (`bot.escalations.changes`) does that after every method, so no caller can forget a step.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.core.vocabulary import Status, label_of
from bot.escalations.access import Decision, Permission, Viewer, decide
from bot.escalations.read_model import EscalationSnapshot
from bot.policy.model import Policy
from storage.models import Escalation

RESOLVE_USAGE = "Resolving says what fixed it: `/escalate resolve &lt;what fixed it&gt;`."
CLOSE_USAGE = (
    "Closing without the customer's confirmation needs a reason: `/escalate close &lt;why&gt;`. "
    "Seed 001: don't close until the customer confirms (`/escalate confirm`)."
)
REOPEN_COMMAND = "/escalate reopen &lt;why&gt;"
REOPEN_USAGE = f"Say why it is back: `{REOPEN_COMMAND}`."
AWAITING = (
    "`/escalate confirm` once the customer confirms, or `/escalate reopen &lt;why&gt;` if it is not fixed."
)


class InvalidChange(ValueError):
    """A change that cannot be made (unknown severity, a promise in the past...); the message says why."""


class NotAllowed(PermissionError):
    """The person may not do this; `decision.reason` says who can (or that it does not exist)."""

    def __init__(self, decision: Decision) -> None:
        super().__init__(decision.reason)
        self.decision = decision


@dataclass(frozen=True)
class Event:
    """A timeline entry the change adds; a captured Slack message carries its channel and ts."""

    kind: str
    text: str
    data: dict[str, Any] = field(default_factory=dict)
    message_channel_id: str | None = None
    message_ts: str | None = None


@dataclass
class RecordCore:
    """One locked escalation and what the current change did to it."""

    row: Escalation
    session: Session
    policy: Policy
    now: datetime
    viewer: Viewer | None  # None: warroom itself (the clocks), which needs no permission
    events: list[Event] = field(default_factory=list)
    said: list[str] = field(default_factory=list)
    # People to invite to the war room once the change is committed.
    invited: list[str] = field(default_factory=list)
    provision: bool = False  # the room must be set up (a SEV-3/4 moved up, a reopen after the archive)
    # False for a change the card does not show (a message added to the timeline): no card refresh.
    shows_on_card: bool = True
    # True when the change edited what is already recorded (a captured message's text) without an event.
    touched: bool = False

    @property
    def actor(self) -> str | None:
        """Who is making the change (None for warroom itself)."""
        return self.viewer.user_id if self.viewer else None

    @property
    def changed(self) -> bool:
        """True once the change recorded anything."""
        return bool(self.events) or self.touched

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

    def invite(self, user_id: str | None) -> None:
        """Invite `user_id` to the war room once the change is committed (a thread room has no members)."""
        if user_id and user_id not in self.invited:
            self.invited.append(user_id)

    def require_open(self, *, or_resolved: bool = False) -> None:
        """Refuse a change that a closed escalation (or, unless `or_resolved`, one resolved and awaiting
        the customer's confirmation) does not take: it says what to do instead."""
        status, public_id = Status(self.row.status), self.row.public_id
        if status == Status.CLOSED:
            raise InvalidChange(f"*{public_id}* is closed. {REOPEN_USAGE}")
        if status == Status.RESOLVED and not or_resolved:
            raise InvalidChange(
                f"*{public_id}* is resolved, awaiting the customer's confirmation: {AWAITING}"
            )

    def set_status(self, status: Status, note: str = "") -> None:
        """Move to `status`, on the timeline with `note` (what fixed it, why it is back). Resolved records
        when; an open status clears it."""
        previous, self.row.status = self.row.status, status.value
        if status == Status.RESOLVED:
            self.row.resolved_at = self.now
        elif status.is_open:
            self.row.resolved_at = None
        said = f"{label_of(Status, previous)} → {status.label}" + (f": {note}" if note else "")
        self.record("status_changed", said, **{"from": previous, "to": status.value})
