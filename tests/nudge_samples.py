"""Shared by the reminder tests (test_nudges.py, test_leadership_alert_and_clock_status.py): an open SEV-1
with every clock running, the facts a nudge is built from, reminders, due times and extreme input."""

from datetime import datetime, timedelta

from blocks.clocks.nudges import ClockFacts
from bot.clocks.schedule import SLA_CLOCKS, Reminder, cadence_of, sla_window
from bot.escalations.read_model import EscalationSnapshot
from bot.policy.model import default_policy
from tests.factories import CREATED, make_snapshot

POLICY = default_policy()
LONG_NAME = ("Ünïcødé Grüße & Söhne 株式会社 🚀 <!channel> " * 6)[:200]
LONG_TITLE = ("Everything is on fire 🔥 & <@U0EVIL> " * 5)[:150]


def make_esc(**changes: object) -> EscalationSnapshot:
    defaults: dict[str, object] = {
        "severity_reasons": ("Production down",),
        "tier": "enterprise",
        "arr_at_risk": 180_000,
        "users_affected": 1_200,
        "room_channel_id": "C0ROOM",
        "room_channel_name": "esc-2026-007-okafor-analytics",
        "internal_update_due_at": CREATED + timedelta(minutes=30),
        "customer_update_due_at": CREATED + timedelta(hours=2),
        "resolution_due_at": CREATED + timedelta(hours=4),
    }
    return make_snapshot(**(defaults | changes))


def facts(clock: str, severity: str = "SEV-1") -> ClockFacts:
    rules = POLICY.for_severity(severity)
    return ClockFacts(
        cadence=cadence_of(clock, severity, POLICY),
        window=sla_window(clock, severity, POLICY) if clock in SLA_CLOCKS else None,
        owner_level=rules.owner_level,
    )


def reminder(clock: str, due_at: datetime, stage: str) -> Reminder:
    return Reminder(clock, due_at, stage, due_at)


INTERNAL_DUE = CREATED + timedelta(minutes=30)
CUSTOMER_DUE = CREATED + timedelta(hours=2)
FIRST_DUE = CREATED + timedelta(minutes=15)
RESOLUTION_DUE = CREATED + timedelta(hours=4)
