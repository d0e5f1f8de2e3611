"""The escalation service: creates escalations, finds what a command refers to, and answers queries.

Creation is the one write outside the change pipeline (there is nothing to lock yet); every later
change goes through `bot.escalations.changes`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from blocks.escalations.intake_modal import IntakeSource
from bot.clocks.recompute import retime
from bot.core.vocabulary import Role, RoomKind, Status
from bot.escalations.changes import Actor, ChangePipeline
from bot.escalations.intake import Intake
from bot.escalations.read_model import EscalationSnapshot, TimelineEntry, timeline_entries
from bot.escalations.record_core import Event
from bot.escalations.severity import SeveritySuggestion
from bot.escalations.similarity import issue_words, similarity
from bot.escalations.triage import IntakeTriage
from bot.policy.model import Policy
from storage import patterns as pattern_store
from storage import repository as repo
from storage.db import Database
from storage.models import Escalation

log = logging.getLogger(__name__)
LIST_PAGE = 200
# Open escalations the intake form compares a summary with (newest first), and how many it shows.
SIMILAR_CANDIDATES = 500
SIMILAR_SHOWN = 3
# The form's workaround answer as stored (None: not answered).
WORKAROUND_STORED: dict[bool | None, str | None] = {True: "yes", False: "no", None: None}


class RoomBuilder(Protocol):
    """Builds an escalation's room or card thread (the war-room flow)."""

    def new_lease(self, now: datetime) -> tuple[str, datetime]: ...

    def provision(
        self,
        escalation_id: int,
        now: datetime | None = None,
        *,
        claimed: tuple[str, EscalationSnapshot] | None,
    ) -> EscalationSnapshot | None: ...


class PatternWatch(Protocol):
    """Looks for the same issue from several customers once an escalation is open (`bot.patterns`)."""

    def after_opened(self, escalation_id: int) -> object: ...


@dataclass(frozen=True)
class Target:
    """What a command typed somewhere refers to: one escalation, several to choose from, or none."""

    escalation: EscalationSnapshot | None = None
    choices: tuple[EscalationSnapshot, ...] = ()


@dataclass(frozen=True)
class Listing:
    """Open escalations a person may see, how many there are, and how many private ones are hidden."""

    shown: list[EscalationSnapshot]
    total: int
    hidden: int


@dataclass
class EscalationService:
    """Orchestrates escalations over the database and Slack."""

    changes: ChangePipeline
    rooms: RoomBuilder
    triage: IntakeTriage
    patterns: PatternWatch | None = None

    @property
    def db(self) -> Database:
        """The database the pipeline writes."""
        return self.changes.db

    @property
    def policy(self) -> Policy:
        """The policy in force."""
        return self.changes.policy

    def clock(self) -> datetime:
        """The service clock."""
        return self.changes.clock()

    # --- creation -------------------------------------------------------------------------------

    def create(
        self,
        intake: Intake,
        caller_user_id: str,
        source: IntakeSource,
        lease: tuple[str, datetime] | None = None,
    ) -> tuple[EscalationSnapshot, bool]:
        """The escalation for this intake, created unless this intake already made one (idempotent).

        `lease` (owner, until) claims its room set-up in the same transaction, saving the set-up a round
        trip to claim it."""
        # The suggestion for what was submitted, read before the write (it asks the directory).
        suggestion = self.triage.suggest(intake, self.triage.recognise(intake.customer), source.opinion)
        try:
            with self.db.session() as session:
                row = self._insert(session, intake, caller_user_id, source, suggestion)
                if lease is not None:
                    row.provisioning_owner, row.provisioning_lease_until = lease
                return EscalationSnapshot.of(row, self.policy), True
        except IntegrityError:
            # This intake already made one (a resubmitted modal, a retry, a concurrent double submit).
            with self.db.session() as session:
                existing = repo.find_by_intake_key(session, source.intake_key)
                if existing is None:
                    raise
                return EscalationSnapshot.of(existing, self.policy), False

    def _insert(
        self,
        session: Session,
        intake: Intake,
        caller: str,
        source: IntakeSource,
        suggestion: SeveritySuggestion,
    ) -> Escalation:
        now = self.clock()
        severity = intake.severity or suggestion.severity
        reasons = list(suggestion.reasons)
        if severity != suggestion.severity:
            reasons.insert(0, f"Set to {severity} by <@{caller}>; warroom suggested {suggestion.severity}")
        private = self.policy.is_private(intake.escalation_type)
        # Private escalations never sit in a public thread: they get a private room whatever the severity.
        room_kind = RoomKind.CHANNEL if private else self.policy.room_kind(severity)
        number, public_id = repo.allocate_public_id(session, now.year)
        customer = repo.upsert_customer(session, intake.customer, intake.tier, intake.arr)
        row = Escalation(
            public_id=public_id,
            year=now.year,
            number=number,
            intake_key=source.intake_key,
            customer=customer,
            contact_name=intake.contact_name,
            contact_email=intake.contact_email,
            contact_timezone=intake.contact_timezone,
            customer_wording=intake.customer_wording or None,
            customer_mood=intake.customer_mood,
            title=intake.summary,
            description=intake.description,
            tried=intake.tried,
            started=intake.started,
            affected=intake.affected,
            business_impact=intake.business_impact,
            workaround=WORKAROUND_STORED[intake.workaround],
            csm_user_id=intake.csm_user_id,
            escalation_type=intake.escalation_type,
            severity=severity,
            suggested_severity=suggestion.severity,
            severity_reasons=reasons,
            status=Status.INVESTIGATING.value,
            tier=intake.tier,
            arr_at_risk=intake.arr,
            users_affected=intake.users_affected,
            public_exposure=intake.public_exposure,
            regulatory=intake.regulatory,
            is_private=private,
            caller_user_id=caller,
            ic_user_id=intake.ic_user_id or caller,
            responder_user_ids=list(intake.responder_user_ids),
            source_channel_id=source.channel_id,
            source_message_ts=source.message_ts,
            source_permalink=source.permalink,
            room_kind=room_kind.value,
            created_at=now,
            updated_at=now,
            first_response_due_at=now + self.policy.for_severity(severity).first_response,
        )
        session.add(row)
        session.flush()
        retime(session, row, self.policy, now)  # creation is the one write before the pipeline exists
        opened = {"severity": severity, "suggested": suggestion.severity}
        events = [Event("created", f"{public_id} opened as {severity}", opened)]
        for role in (Role.IC, Role.CSM):
            if holder := getattr(row, role.column):
                events.append(Event("role_assigned", f"{role.label}: <@{holder}>", {"role": role.value}))
        for event in events:
            repo.add_event(session, row.id, event, caller, at=now)
        return row

    def open(self, intake: Intake, caller_user_id: str, source: IntakeSource) -> EscalationSnapshot:
        """Create the escalation (once per intake), build its room or card thread, then look for the same
        issue from other customers (after the room, so the pattern alert can link it)."""
        owner, until = self.rooms.new_lease(self.clock())
        esc, created = self.create(intake, caller_user_id, source, (owner, until))
        try:
            esc = self.rooms.provision(esc.id, claimed=(owner, esc) if created else None) or esc
        except Exception:  # it is saved: the set-up resumes on its own (and says so) once its lease lapses
            log.exception("setting up the room of %s failed; it will be resumed", esc.public_id)
        if self.patterns is not None:
            try:  # a resubmitted intake looks again: joining a pattern is once-only, so nothing doubles
                self.patterns.after_opened(esc.id)
            except Exception:  # a pattern is a courtesy: the escalation is open whatever happens here
                log.exception("looking for a pattern around %s failed", esc.public_id)
        return esc

    # --- queries --------------------------------------------------------------------------------

    def get(self, escalation_id: int) -> EscalationSnapshot:
        """One escalation by database id (no permission check)."""
        return self.changes.get(escalation_id)

    def target(
        self, actor: Actor, public_id: str | None, thread_ts: str | None = None, *, single_card: bool = True
    ) -> Target:
        """The escalation a command means: the one named by id, the card whose thread it is in, the war
        room it is typed in, or (`single_card`) the only open card in the channel. Several cards and
        no id give `choices`, and nothing is guessed. Escalations the actor may not see do not exist."""
        channel = actor.channel_id
        with self.db.session() as session:
            if public_id:
                found = repo.find_by_public_id(session, public_id)
                rows = [found] if found else []
            elif channel and thread_ts and (card := repo.find_by_card(session, channel, thread_ts)):
                rows = [card]  # a card's thread, even a SEV-3/4 card posted inside another war room
            elif channel and (room := repo.find_by_room_channel(session, channel)):
                rows = [room]
            elif channel and single_card:
                rows = repo.open_cards_in(session, channel)
            else:
                rows = []
            candidates = [EscalationSnapshot.of(row, self.policy) for row in rows]
        seen = [esc for esc in candidates if self.changes.may_see(actor, esc)]
        if len(seen) == 1:
            return Target(seen[0])
        return Target(None, tuple(seen))

    def timeline(self, escalation_id: int) -> list[TimelineEntry]:
        """What happened to the escalation, oldest first."""
        with self.db.session() as session:
            return timeline_entries(session, escalation_id)

    def list_open(self, actor: Actor, limit: int = 48) -> Listing:
        """Open escalations `actor` may see (most severe, then oldest, first); private ones they may not
        see are only counted."""
        with self.db.session() as session:
            rows = [EscalationSnapshot.of(row, self.policy) for row in repo.list_open(session, LIST_PAGE)]
            total = repo.count_open(session)
        shown = [esc for esc in rows if self.changes.may_see(actor, esc)]
        hidden = len(rows) - len(shown)
        return Listing(shown[:limit], total - hidden, hidden)

    def open_for_customer(self, customer: str | None, actor: Actor) -> list[EscalationSnapshot]:
        """Open escalations of that customer that `actor` may see, to show before a second one is opened
        (a private one they may not see is neither shown nor hinted at)."""
        if not customer:
            return []
        with self.db.reading() as session:
            rows = [
                EscalationSnapshot.of(row, self.policy) for row in repo.open_for_customer(session, customer)
            ]
        return [esc for esc in rows if self.changes.may_see(actor, esc)]

    def similar_open(
        self, summary: str, customer: str | None, actor: Actor, limit: int = SIMILAR_SHOWN
    ) -> list[EscalationSnapshot]:
        """Open escalations of other customers whose summary is very similar to `summary` (the policy's
        `patterns.similarity`), most similar first, that `actor` may see: a private one they may not see is
        neither shown nor hinted at. The customer's own are `open_for_customer`."""
        words = issue_words(summary, customer or "")
        if not words:
            return []
        key = repo.customer_name_key(customer) if customer else None
        with self.db.reading() as session:
            rows = [
                EscalationSnapshot.of(row, self.policy)
                for row in pattern_store.open_except_customer(session, key, SIMILAR_CANDIDATES)
            ]
        threshold = self.policy.patterns.similarity
        scored = [(similarity(words, issue_words(esc.title, esc.customer)), esc) for esc in rows]
        ranked = sorted(
            ((score, esc) for score, esc in scored if score >= threshold), key=lambda pair: -pair[0]
        )
        shown: list[EscalationSnapshot] = []
        for _, esc in ranked:  # who may see is asked only of the few alike enough to show
            if len(shown) == limit:
                break
            if self.changes.may_see(actor, esc):
                shown.append(esc)
        return shown
