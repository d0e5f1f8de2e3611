"""Builders of plain domain objects for the pure tests."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot.escalations.read_model import EscalationSnapshot

CREATED = datetime(2026, 3, 2, 14, 5, tzinfo=UTC)


def make_snapshot(**changes: object) -> EscalationSnapshot:
    """A SEV-1 escalation for Okafor Analytics opened at CREATED, with `changes` applied."""
    esc = EscalationSnapshot(
        id=7,
        public_id="ESC-2026-007",
        customer="Okafor Analytics",
        title="Migration corrupted 6 months of historical reports",
        severity="SEV-1",
        severity_label="Critical",
        suggested_severity="SEV-1",
        severity_reasons=(),
        escalation_type="technical",
        status="investigating",
        ic_user_id="U0IC",
        caller_user_id="U0CALLER",
        created_at=CREATED,
        first_response_due_at=CREATED + timedelta(minutes=15),
        room_kind="channel",
        is_private=False,
    )
    return replace(esc, **changes)
