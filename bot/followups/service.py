"""Follow-ups through the one door: added and marked done as changes to their escalation (so the timeline,
the clocks and the card follow), listed for the people who may see them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.core.vocabulary import FollowUpKind
from bot.escalations.access import Permission
from bot.escalations.changes import Actor, ChangePipeline, Outcome
from bot.escalations.read_model import EscalationSnapshot
from bot.escalations.record import InvalidChange, Record
from bot.followups.model import FollowUpView
from storage import follow_ups as store

# `/escalate actions` outside a room reads at most this many open follow-ups (soonest due first).
LIST_LIMIT = 500


@dataclass(frozen=True)
class FollowUpListing:
    """Open follow-ups a person may see, each with its escalation, and how many private ones are hidden."""

    items: list[tuple[FollowUpView, EscalationSnapshot]]
    hidden: int
    total: int  # every open one, those past the read limit too (counted, never named)


@dataclass
class FollowUpService:
    """Prevention actions, recovery gestures and check-ins."""

    changes: ChangePipeline

    def add(
        self,
        escalation_id: int,
        actor: Actor,
        kind: FollowUpKind,
        text: str,
        owner_user_id: str | None,
        due_at: datetime | None,
        horizon: str | None = None,
    ) -> Outcome:
        """Add a follow-up (by someone who may change the escalation)."""
        return self.changes.change(
            escalation_id,
            actor,
            lambda record: record.add_follow_up(kind, text, owner_user_id, due_at, horizon=horizon),
        )

    def complete(self, follow_up_id: int, actor: Actor) -> tuple[bool, EscalationSnapshot]:
        """Mark a follow-up done (its owner, whoever added it, or anyone who may change the escalation):
        whether this click did it, and the escalation after."""
        with self.changes.db.session() as session:
            row = store.get(session, follow_up_id)
            if row is None:
                raise InvalidChange("That follow-up no longer exists.")
            escalation_id = row.escalation_id
            own = actor.user_id in (row.owner_user_id, row.created_by)
        done: list[bool] = []

        def mark(record: Record) -> None:
            if not own:
                record.require(Permission.CHANGE)
            done.append(record.complete_follow_up(follow_up_id))

        outcome = self.changes.change(escalation_id, actor, mark, permission=Permission.VIEW)
        return bool(done and done[0]), outcome.escalation

    def of_escalation(self, escalation_id: int) -> list[FollowUpView]:
        """Every follow-up of one escalation, soonest due first (no permission check: the caller's)."""
        with self.changes.db.session() as session:
            return [FollowUpView.of(row) for row in store.of_escalation(session, escalation_id)]

    def open_for(self, actor: Actor) -> FollowUpListing:
        """Open follow-ups everywhere that `actor` may see; private ones they may not see are counted."""
        with self.changes.db.session() as session:
            pairs = [
                (FollowUpView.of(follow_up), EscalationSnapshot.of(escalation, self.changes.policy))
                for follow_up, escalation in store.open_everywhere(session, LIST_LIMIT)
            ]
            total = store.count_open(session)
        seen: dict[int, bool] = {}
        items, hidden = [], 0
        for follow_up, esc in pairs:
            if esc.id not in seen:
                seen[esc.id] = self.changes.may_see(actor, esc)
            if seen[esc.id]:
                items.append((follow_up, esc))
            else:
                hidden += 1
        return FollowUpListing(items, hidden, total)
