"""Shared by the Block Kit builder tests (triage card, intake modal, messages): the `esc` and `extreme`
escalation snapshots, as fixtures, and helpers that pick blocks apart.

Import the fixtures into a test module with
`from tests.block_samples import esc_fixture as esc_fixture` (the redundant alias marks a re-export).
"""

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.escalations.read_model import EscalationSnapshot

CREATED = datetime(2026, 3, 2, 14, 5, tzinfo=UTC)
DUE = CREATED + timedelta(minutes=15)


@pytest.fixture(name="esc")
def esc_fixture() -> EscalationSnapshot:
    """A public SEV-1 for Okafor Analytics with a channel room, every fact known."""
    return EscalationSnapshot(
        id=7,
        public_id="ESC-2026-007",
        customer="Okafor Analytics",
        title="Migration corrupted 6 months of historical reports",
        severity="SEV-1",
        severity_label="Critical",
        suggested_severity="SEV-1",
        severity_reasons=(
            "Production down, data loss or security breach (“corrupted”)",
            "Strategic account: Enterprise tier, $180,000 ARR at risk (≥ $100,000)",
        ),
        escalation_type="technical",
        status="investigating",
        ic_user_id="U0IC",
        caller_user_id="U0CALLER",
        created_at=CREATED,
        first_response_due_at=DUE,
        room_kind="channel",
        is_private=False,
        tier="enterprise",
        arr_at_risk=180_000,
        users_affected=1_200,
        description="Three weeks ago we migrated his data to a new server and corrupted his reports.",
        tried="Restored last night's backup into staging; the reports are still wrong.",
        responder_user_ids=("U0ENG", "U0CSM"),
        room_channel_id="C0ROOM",
        room_channel_name="esc-2026-007-okafor-analytics-migration-corrupted",
        source_channel_id="C0SUPPORT",
        source_permalink="https://warroom-sandbox.slack.com/archives/C0SUPPORT/p1772460300000100",
    )


@pytest.fixture(name="extreme")
def extreme_fixture(esc: EscalationSnapshot) -> EscalationSnapshot:
    """A private SEV-2 whose every text is far too long and full of Slack control sequences."""
    return replace(
        esc,
        id=8,
        public_id="ESC-2026-008",
        customer="Ünïcødé Grüße & Söhne 株式会社 🚀 " * 8,  # well over 200 characters
        title="Everything is on fire 🔥 " * 40,
        severity="SEV-2",
        severity_label="High",
        severity_reasons=tuple(f"Reason {i}: " + "because " * 60 for i in range(20)),
        escalation_type="security",
        is_private=True,
        arr_at_risk=12_345_678_901,
        users_affected=9_876_543,
        description="Exfiltrated <@U0EVIL> & records " * 120,  # > 3000 characters
        tried="Rotated keys, blocked IPs, <!channel> paged everyone. " * 70,
        public_exposure=True,
        regulatory=True,
        responder_user_ids=tuple(f"U{i:010d}" for i in range(20)),
    )


def texts(blocks: list[dict]) -> str:
    """Everything a reader sees in the blocks, as one string."""
    return json.dumps(blocks, ensure_ascii=False)


def block(blocks: list[dict], block_id: str) -> dict:
    return next(b for b in blocks if b.get("block_id") == block_id)
