"""One door for every change to an escalation.

    load with a row lock → check who may do it → apply a domain method → append the timeline events →
    recompute the clocks → commit → post what the change says, set up the room if needed, and refresh
    the card and topic once, after the commit.

Nothing else writes an escalation after it is created, so none of these steps can be forgotten.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, TypeVar

from sqlalchemy.orm import Session

from bot.clocks.recompute import retime, retime_all
from bot.escalations.access import Permission, Viewer, decide
from bot.escalations.read_model import EscalationSnapshot
from bot.escalations.record import NotAllowed, Record
from bot.escalations.viewers import Viewers
from bot.policy.model import Policy
from storage import repository as repo
from storage.db import Database, utcnow
from storage.models import Escalation

log = logging.getLogger(__name__)
T = TypeVar("T")


class EscalationNotFound(LookupError):
    """The escalation a button or command refers to does not exist (any more)."""


class RoomEffects(Protocol):
    """What a committed change does in Slack (the war-room flow provides it)."""

    def say(self, esc: EscalationSnapshot, text: str) -> None: ...

    def invite(self, esc: EscalationSnapshot, users: list[str]) -> None: ...

    def refresh(self, escalation_id: int) -> EscalationSnapshot: ...

    def refresh_each(self, escalation_ids: list[int]) -> dict[int, EscalationSnapshot]: ...

    def provision(self, escalation_id: int) -> EscalationSnapshot | None: ...


@dataclass(frozen=True)
class Outcome:
    """What a change did: the escalation after it, and whether anything changed."""

    escalation: EscalationSnapshot
    changed: bool


@dataclass(frozen=True)
class Actor:
    """Who is acting, and from which channel (a request from inside the room proves membership)."""

    user_id: str
    channel_id: str | None = None


@dataclass
class ChangePipeline:
    """Runs domain methods on escalations, one unit of work each."""

    db: Database
    policy: Policy
    effects: RoomEffects
    viewers: Viewers
    clock: Callable[[], datetime] = field(default=utcnow)

    def get(self, escalation_id: int) -> EscalationSnapshot:
        """One escalation by database id (no permission check: for warroom's own use)."""
        with self.db.session() as session:
            row = repo.get_escalation(session, escalation_id)
            if row is None:
                raise EscalationNotFound(escalation_id)
            return EscalationSnapshot.of(row, self.policy)

    def viewer(self, actor: Actor, esc: EscalationSnapshot) -> Viewer:
        """The facts the access rule needs about `actor` and `esc`."""
        return self.viewers.of(actor.user_id, esc, actor.channel_id)

    def change(
        self,
        escalation_id: int,
        actor: Actor | None,
        act: Callable[[Record], object],
        permission: Permission = Permission.CHANGE,
    ) -> Outcome:
        """Apply `act` to the escalation as `actor` (None: warroom itself) through every step above."""
        # Who the person is comes from Slack (room members, the managers group): asked before the row is
        # locked, so no lock is held across a network call. The rule itself is checked under the lock.
        viewer = self.viewer(actor, self.get(escalation_id)) if actor is not None else None
        with self.db.session() as session:
            row = repo.get_escalation_for_update(session, escalation_id)
            if row is None:
                raise EscalationNotFound(escalation_id)
            record = self._apply(session, row, act, viewer, permission, self.clock())
            if not record.changed:
                return Outcome(record.view(), changed=False)
            retime(session, row, self.policy, record.now)
            esc = record.view()
        return Outcome(self._after_commit(record, esc), changed=True)

    def change_each(self, acts: dict[int, Callable[[Record], object]]) -> list[Outcome]:
        """Apply warroom's own changes to several escalations (escalation id → act) in one unit of work,
        every step above for each: what a sweep does to the escalations whose reminders it just posted
        (breaches flagged, rooms archived). Rows are locked in id order, so two callers cannot deadlock;
        one that no longer exists is left out. Slack follows, escalation by escalation, once committed."""
        with self.db.session() as session:
            now = self.clock()
            rows = repo.get_escalations_for_update(session, sorted(acts))
            records = [self._apply(session, row, acts[row.id], None, Permission.CHANGE, now) for row in rows]
            done = [record for record in records if record.changed]
            unchanged = [Outcome(record.view(), changed=False) for record in records if not record.changed]
            if done:
                retime_all(session, [record.row for record in done], self.policy, now)
            changed = [(record, record.view()) for record in done]
        # Each escalation's own steps in turn, then the cards (topics, announcements) of all at once.
        after = [(record, self._before_refresh(record, esc)) for record, esc in changed]
        stale = [esc.id for record, esc in after if record.shows_on_card]
        fresh = (self._effect("refresh", lambda: self.effects.refresh_each(stale)) or {}) if stale else {}
        return unchanged + [Outcome(fresh.get(esc.id, esc), changed=True) for _, esc in after]

    def _apply(
        self,
        session: Session,
        row: Escalation,
        act: Callable[[Record], object],
        viewer: Viewer | None,
        permission: Permission,
        now: datetime,
    ) -> Record:
        """Check, act, and put what happened on the timeline: the steps under the lock before the clocks."""
        record = Record(row, session, self.policy, now, viewer)
        record.require(permission)
        act(record)
        if record.changed:
            for event in record.events:
                repo.add_event(session, row.id, event, record.actor, at=record.now)
        return record

    def _after_commit(self, record: Record, esc: EscalationSnapshot) -> EscalationSnapshot:
        """What the committed change does in Slack. Each step stands alone: the change is saved, so a Slack
        failure here (even a dropped connection) is logged and never reported as the change failing; the
        card is refreshed whatever happened before it."""
        esc = self._before_refresh(record, esc)
        if not record.shows_on_card:
            return esc
        return self._effect("refresh", lambda: self.effects.refresh(esc.id)) or esc

    def _before_refresh(self, record: Record, esc: EscalationSnapshot) -> EscalationSnapshot:
        """The committed change's steps in Slack up to the card's refresh: the room set up, people invited,
        what it says said."""
        escalation_id = esc.id
        provision = record.provision
        if provision and (esc.archived_at or esc.worked_in[0] is None):
            # Nowhere to talk yet (a reopened escalation whose room is archived): the room comes first.
            esc = self._effect("set up the room", lambda: self.effects.provision(escalation_id)) or esc
            provision = False
        if record.invited and esc.room_channel_id:
            self._effect("invite", lambda: self.effects.invite(esc, record.invited))
        for line in record.said:
            self._effect("say", lambda line=line: self.effects.say(esc, line))
        if provision:  # a SEV-3/4 moved up: said under its card, then its room is set up
            self._effect("set up the room", lambda: self.effects.provision(escalation_id))
        return esc

    @staticmethod
    def _effect(what: str, step: Callable[[], T]) -> T | None:
        try:
            return step()
        except Exception:  # the change is committed; what Slack missed is logged, the person is not misled
            log.exception("after a committed change, %s failed", what)
            return None

    def may_see(self, actor: Actor, esc: EscalationSnapshot) -> bool:
        """Whether `actor` may see `esc` at all: anyone a public one; Slack is asked only for private ones."""
        return not esc.is_private or decide(self.viewer(actor, esc), esc, Permission.VIEW).allowed

    def check(self, actor: Actor, esc: EscalationSnapshot, permission: Permission) -> None:
        """Raise `NotAllowed` unless `actor` may do `permission` (for reads and for drafting)."""
        decision = decide(self.viewer(actor, esc), esc, permission)
        if not decision.allowed:
            raise NotAllowed(decision)
