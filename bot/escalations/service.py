"""The escalation service: creates escalations, runs their card buttons, and answers queries.

Handlers call this; it calls storage for rows, the war-room flow for Slack side effects, and pure
functions (policy, severity) for decisions.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from blocks.escalations.intake_modal import IntakeSource
from bot.clocks.sweep import retime
from bot.escalations.intake import Intake, IntakeDraft, account_of
from bot.escalations.read_model import EscalationSnapshot, TimelineEntry
from bot.escalations.severity import SeveritySuggestion, suggest_severity
from bot.policy.model import Policy
from bot.rooms.setup import WarRoomFlow
from storage import repository as repo
from storage.db import Database, utcnow
from storage.models import Escalation

log = logging.getLogger(__name__)


class EscalationNotFound(LookupError):
    """The escalation a button or command refers to does not exist (any more)."""


def locked_escalation(session: Session, escalation_id: int) -> Escalation:
    """The escalation, locked for this transaction; `EscalationNotFound` if it does not exist."""
    row = repo.get_escalation_for_update(session, escalation_id)
    if row is None:
        raise EscalationNotFound(escalation_id)
    return row


@dataclass(frozen=True)
class Outcome:
    """What an action did: the escalation after it, and whether anything changed."""

    escalation: EscalationSnapshot
    changed: bool


@dataclass
class EscalationService:
    """Orchestrates escalations over the database and Slack."""

    db: Database
    flow: WarRoomFlow
    policy: Policy
    clock: Callable[[], datetime] = field(default=utcnow)

    # --- creation -------------------------------------------------------------------------------

    def suggest(self, draft: IntakeDraft) -> SeveritySuggestion:
        """The severity warroom suggests for a prefilled intake, with its reasons."""
        return suggest_severity(draft.text, account_of(draft), self.policy)

    def create(
        self, intake: Intake, caller_user_id: str, source: IntakeSource
    ) -> tuple[EscalationSnapshot, bool]:
        """The escalation for this intake, created unless this intake already made one (idempotent)."""
        with self.db.session() as session:
            existing = repo.find_by_intake_key(session, source.intake_key)
            if existing is not None:
                return EscalationSnapshot.of(existing, self.policy), False
        try:
            with self.db.session() as session:
                row = self._insert(session, intake, caller_user_id, source)
                return EscalationSnapshot.of(row, self.policy), True
        except IntegrityError:
            # A concurrent submission of the same modal won the race: use its escalation.
            with self.db.session() as session:
                existing = repo.find_by_intake_key(session, source.intake_key)
                if existing is None:
                    raise
                return EscalationSnapshot.of(existing, self.policy), False

    def _insert(self, session: Session, intake: Intake, caller: str, source: IntakeSource) -> Escalation:
        now = self.clock()
        suggestion = suggest_severity(
            f"{intake.summary}\n{intake.description}", account_of(intake), self.policy
        )
        severity = intake.severity or suggestion.severity
        reasons = list(suggestion.reasons)
        if severity != suggestion.severity:
            reasons.insert(0, f"Set to {severity} by <@{caller}>; warroom suggested {suggestion.severity}")
        room_kind = (
            "channel" if self.policy.is_private(intake.escalation_type) else self.policy.room_kind(severity)
        )
        number, public_id = repo.allocate_public_id(session, now.year)
        customer = repo.upsert_customer(session, intake.customer, intake.tier, intake.arr)
        row = Escalation(
            public_id=public_id,
            year=now.year,
            number=number,
            intake_key=source.intake_key,
            customer=customer,
            contact_name=intake.contact_name,
            title=intake.summary,
            description=intake.description,
            tried=intake.tried,
            escalation_type=intake.escalation_type,
            severity=severity,
            suggested_severity=suggestion.severity,
            severity_reasons=reasons,
            status="investigating",
            tier=intake.tier,
            arr_at_risk=intake.arr,
            users_affected=intake.users_affected,
            public_exposure=intake.public_exposure,
            regulatory=intake.regulatory,
            is_private=self.policy.is_private(intake.escalation_type),
            caller_user_id=caller,
            ic_user_id=intake.ic_user_id or caller,
            responder_user_ids=list(intake.responder_user_ids),
            source_channel_id=source.channel_id,
            source_message_ts=source.message_ts,
            source_permalink=source.permalink,
            room_kind=room_kind,
            created_at=now,
            updated_at=now,
            first_response_due_at=now + self.policy.for_severity(severity).first_response,
        )
        session.add(row)
        session.flush()
        retime(session, row, self.policy, now)
        repo.add_event(
            session,
            row.id,
            "created",
            f"{public_id} opened as {severity}",
            caller,
            {"severity": severity, "suggested": suggestion.severity},
            at=now,
        )
        repo.add_event(
            session, row.id, "ic_assigned", f"<@{row.ic_user_id}> is incident commander", caller, at=now
        )
        return row

    def open(self, intake: Intake, caller_user_id: str, source: IntakeSource) -> EscalationSnapshot:
        """Create the escalation (once per intake) and build its room or card thread."""
        esc, _created = self.create(intake, caller_user_id, source)
        return self.flow.provision(esc.id) or esc

    # --- card buttons ---------------------------------------------------------------------------

    def acknowledge(self, escalation_id: int, user_id: str) -> Outcome:
        """Record the first response (once; later clicks change nothing)."""
        with self.db.session() as session:
            row = locked_escalation(session, escalation_id)
            if row.acknowledged_at is not None:
                return Outcome(EscalationSnapshot.of(row, self.policy), changed=False)
            now = self.clock()
            row.acknowledged_at = now
            row.acknowledged_by = user_id
            late = now > row.first_response_due_at
            repo.add_event(
                session,
                row.id,
                "acknowledged",
                f"First response by <@{user_id}>" + (" (after the SLA)" if late else ""),
                user_id,
                {"late": late},
                at=now,
            )
            retime(session, row, self.policy, now)
        return self._refreshed(escalation_id)

    def take_command(self, escalation_id: int, user_id: str) -> Outcome:
        """Make `user_id` the incident commander."""
        with self.db.session() as session:
            row = locked_escalation(session, escalation_id)
            if row.ic_user_id == user_id:
                return Outcome(EscalationSnapshot.of(row, self.policy), changed=False)
            previous = row.ic_user_id
            row.ic_user_id = user_id
            repo.add_event(
                session,
                row.id,
                "ic_assigned",
                f"<@{user_id}> took command from <@{previous}>",
                user_id,
                {"previous": previous},
                at=self.clock(),
            )
        return self._refreshed(escalation_id)

    def _refreshed(self, escalation_id: int) -> Outcome:
        return Outcome(self.flow.refresh(escalation_id), changed=True)

    # --- queries --------------------------------------------------------------------------------

    def get(self, escalation_id: int) -> EscalationSnapshot:
        """One escalation by database id."""
        with self.db.session() as session:
            row = repo.get_escalation(session, escalation_id)
            if row is None:
                raise EscalationNotFound(escalation_id)
            return EscalationSnapshot.of(row, self.policy)

    def timeline(self, escalation_id: int) -> list[TimelineEntry]:
        """What happened to the escalation, oldest first."""
        with self.db.session() as session:
            return [
                TimelineEntry(at=e.at, kind=e.kind, text=e.text, actor_user_id=e.actor_user_id)
                for e in repo.timeline(session, escalation_id)
            ]

    def list_open(self, limit: int = 48) -> tuple[list[EscalationSnapshot], int]:
        """Open escalations (most severe, then oldest, first) and how many there are in all."""
        with self.db.session() as session:
            rows = repo.list_open(session, limit)
            return [EscalationSnapshot.of(row, self.policy) for row in rows], repo.count_open(session)

    def open_for_customer(self, customer: str | None) -> list[EscalationSnapshot]:
        """Open escalations of that customer, to show before a second one is opened."""
        if not customer:
            return []
        with self.db.session() as session:
            return [
                EscalationSnapshot.of(row, self.policy) for row in repo.open_for_customer(session, customer)
            ]
