"""The in-process warroom the one-door tests drive (test_one_door.py, test_one_door_access.py).

No HTTP server runs and FakeSlack is never started: `InMemoryWebClient(fake)` answers every Web API call
in the calling thread, and a `ControlledClock` stands still until a test moves it. The `in_process` fixture
builds one on the `db` fixture (so on SQLite and on PostgreSQL); import it into a test module with
`from tests.in_process import in_process_fixture as in_process_fixture`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from blocks.escalations.intake_modal import IntakeSource
from bot.app import Warroom, build_warroom
from bot.escalations.intake import Intake
from bot.escalations.read_model import EscalationSnapshot
from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.in_memory import IN_MEMORY_API_URL, InMemoryWebClient
from bot.sandbox.stack import ControlledClock
from bot.settings import load_settings
from storage.db import Database
from storage.models import Escalation

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
IC, CALLER, MEMBER = "U0ANA", "U0BEN", "U0CHLOE"  # CHLOE is a responder: invited to the room
STRANGER, MANAGER = "U0EVE", "U0MGR"


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


NOW = at(10)  # the changes under test happen 10 minutes after the SEV-1 was opened at T0


def dues(row: Escalation) -> tuple[datetime | None, ...]:
    """An escalation's due times: first response, internal update, customer update, resolution."""
    return (
        row.first_response_due_at,
        row.internal_update_due_at,
        row.customer_update_due_at,
        row.resolution_due_at,
    )


@dataclass
class InProcess:
    """A warroom wired to an unstarted FakeSlack through the in-memory seam, on a controlled clock."""

    warroom: Warroom
    fake: FakeSlack
    clock: ControlledClock
    managers_group: str

    def open(
        self,
        customer: str = "Okafor Analytics",
        severity: str = "SEV-1",
        escalation_type: str = "technical",
        summary: str = "Migration corrupted 6 months of historical reports",
        responders: tuple[str, ...] = (MEMBER,),
    ) -> EscalationSnapshot:
        """Create an escalation raised by CALLER with IC as incident commander, and build its room."""
        intake = Intake(
            customer=customer,
            summary=summary,
            escalation_type=escalation_type,
            severity=severity,
            ic_user_id=IC,
            responder_user_ids=responders,
        )
        esc, created = self.warroom.service.create(
            intake, CALLER, IntakeSource(uuid.uuid4().hex, channel_id="C0SUPPORT")
        )
        assert created
        provisioned = self.warroom.flow.provision(esc.id)
        assert provisioned is not None and provisioned.card_ts, "the room and its card exist in the fake"
        return provisioned

    def row(self, escalation_id: int) -> Escalation:
        with self.warroom.db.session() as session:
            row = session.get(Escalation, escalation_id)
            assert row is not None
            return row

    def kinds(self, escalation_id: int) -> list[str]:
        return [entry.kind for entry in self.warroom.service.timeline(escalation_id)]

    def card_updates(self, esc: EscalationSnapshot) -> int:
        """chat.update calls on the escalation's card."""
        return len(
            [
                call
                for call in self.fake.calls_to("chat.update")
                if call.params.get("channel") == esc.card_channel_id and call.params.get("ts") == esc.card_ts
            ]
        )


@pytest.fixture(name="in_process")
def in_process_fixture(db: Database) -> Iterator[InProcess]:
    """`build_warroom` over `InMemoryWebClient(FakeSlack())`, with a managers group and an outsider."""
    fake = FakeSlack()  # never started: no server, no port
    fake.add_user(STRANGER, "eve", "Eve Outsider", "Contractor")
    fake.add_user(MANAGER, "mgr", "Morgan Manager", "Head of Support")
    group = fake.add_usergroup("escalation-managers", [MANAGER])
    settings = load_settings(
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_SIGNING_SECRET="x",
        SLACK_API_URL=IN_MEMORY_API_URL,
        DATABASE_URL=db.url,
        WARROOM_ESCALATIONS_CHANNEL="C0ESCALATIONS",
        WARROOM_MANAGERS_GROUP=group,
        _env_file=None,
    )
    clock = ControlledClock(T0)
    warroom = build_warroom(settings, db=db, clock=clock, web_client=InMemoryWebClient(fake))
    try:
        yield InProcess(warroom, fake, clock, group)
    finally:
        warroom.close(dispose_db=False)
