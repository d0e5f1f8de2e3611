"""Reminders in the room: what an update nudge, an SLA warning and a breach say, which buttons they carry,
how discreet the leadership alert is, and what `/escalate status` reports for each clock."""

from datetime import datetime, timedelta

import pytest

from blocks import limits
from blocks.clocks.nudges import (
    SNOOZE,
    ClockFacts,
    build_clock_status,
    build_leadership_alert,
    build_nudge,
    nudge_text,
)
from blocks.escalations.triage_card import ACKNOWLEDGE, CUSTOMER_UPDATED, POST_UPDATE
from blocks.text import slack_date
from bot.clocks.schedule import CLOCKS, SLA_CLOCKS, Reminder, cadence_of, sla_window
from bot.escalations.read_model import EscalationSnapshot
from bot.policy.model import default_policy
from bot.sandbox.block_kit_rules import validate_message_blocks
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


def buttons(blocks: list[dict]) -> list[tuple[str, str, str]]:
    """(label, action_id, value) of every button."""
    return [
        (e["text"]["text"], e["action_id"], e["value"])
        for b in blocks
        if b["type"] == "actions"
        for e in b["elements"]
    ]


INTERNAL_DUE = CREATED + timedelta(minutes=30)
CUSTOMER_DUE = CREATED + timedelta(hours=2)
FIRST_DUE = CREATED + timedelta(minutes=15)
RESOLUTION_DUE = CREATED + timedelta(hours=4)


# ---------------------------------------------------------------------------------------------------------
# Internal update nudges
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stage", "now", "expected"),
    [
        (
            "warning",
            INTERNAL_DUE - timedelta(minutes=5),
            "⏰ Internal update due in 5 min (SEV-1: every 30 min).",
        ),
        ("due", INTERNAL_DUE, "⏰ Internal update due now (SEV-1: every 30 min)."),
        ("due", INTERNAL_DUE + timedelta(seconds=30), "⏰ Internal update due now"),
        (
            "overdue:2",
            INTERNAL_DUE + timedelta(hours=1),
            "🚨 Internal update overdue by 1 h (SEV-1: every 30 min).",
        ),
        ("overdue:1", INTERNAL_DUE + timedelta(minutes=30), "🚨 Internal update overdue by 30 min"),
    ],
)
def test_internal_nudge_says_when_the_update_is_due(stage, now, expected):
    text = nudge_text(make_esc(), reminder("internal", INTERNAL_DUE, stage), facts("internal"), now)
    assert text.startswith("<@U0IC> ")
    assert expected in text


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, "No update yet since ESC-2026-007 opened 30 min ago."),
        (
            {"last_internal_update_at": CREATED + timedelta(minutes=10), "last_internal_update_by": "U0ENG"},
            "Last update 20 min ago by <@U0ENG>.",
        ),
    ],
)
def test_internal_nudge_says_when_the_room_last_heard(changes, expected):
    text = nudge_text(
        make_esc(**changes), reminder("internal", INTERNAL_DUE, "due"), facts("internal"), INTERNAL_DUE
    )
    assert text.endswith(expected)


# ---------------------------------------------------------------------------------------------------------
# Customer update nudges
# ---------------------------------------------------------------------------------------------------------


def test_customer_nudge_for_a_promised_time_names_the_promise():
    promised = CREATED + timedelta(minutes=90)
    esc = make_esc(customer_update_promised_at=promised, customer_update_due_at=promised)
    text = nudge_text(esc, reminder("customer", promised, "due"), facts("customer"), promised)
    assert f"(promised to Okafor Analytics for {slack_date(promised, '{time}')})" in text
    assert "every 2 h" not in text


def test_customer_nudge_without_a_promise_gives_the_cadence():
    text = nudge_text(make_esc(), reminder("customer", CUSTOMER_DUE, "due"), facts("customer"), CUSTOMER_DUE)
    assert "⏰ Customer update due now (SEV-1: every 2 h)." in text
    assert "promised" not in text


def test_a_stale_promise_does_not_count_for_a_later_due_time():
    promised = CREATED + timedelta(minutes=90)
    esc = make_esc(customer_update_promised_at=promised)
    text = nudge_text(esc, reminder("customer", CUSTOMER_DUE, "due"), facts("customer"), CUSTOMER_DUE)
    assert "promised" not in text
    assert "(SEV-1: every 2 h)" in text


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, "Okafor Analytics has not had an update from us yet."),
        ({"customer": "Smith & Sons <3"}, "Smith &amp; Sons &lt;3 has not had an update from us yet."),
        (
            {"last_customer_update_at": CREATED, "last_customer_update_by": "U0CSM"},
            "Last customer update 2 h ago by <@U0CSM>.",
        ),
    ],
)
def test_customer_nudge_says_when_the_customer_last_heard(changes, expected):
    text = nudge_text(
        make_esc(**changes), reminder("customer", CUSTOMER_DUE, "due"), facts("customer"), CUSTOMER_DUE
    )
    assert text.endswith(expected)


def test_customer_overdue_nudge():
    now = CUSTOMER_DUE + timedelta(hours=2, minutes=10)
    text = nudge_text(make_esc(), reminder("customer", CUSTOMER_DUE, "overdue:1"), facts("customer"), now)
    assert "🚨 Customer update overdue by 2 h 10 min" in text


# ---------------------------------------------------------------------------------------------------------
# SLA warnings and breaches
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("clock", "due", "left", "expected"),
    [
        (
            "first_response",
            FIRST_DUE,
            timedelta(minutes=5),
            "⏳ First response SLA: 5 min left (SEV-1: 15 min). Acknowledge on the card",
        ),
        (
            "resolution",
            RESOLUTION_DUE,
            timedelta(hours=1),
            "⏳ Resolution target SLA: 1 h left (SEV-1: 4 h). Escalate for help now",
        ),
    ],
)
def test_sla_warning_says_how_long_is_left(clock, due, left, expected):
    text = nudge_text(make_esc(), reminder(clock, due, "warning"), facts(clock), due - left)
    assert text.startswith(f"<@U0IC> {expected}")
    assert "breached" not in text


@pytest.mark.parametrize(
    ("clock", "severity", "due", "name", "window", "owner"),
    [
        ("first_response", "SEV-1", FIRST_DUE, "First response", "15 min", "executive"),
        ("resolution", "SEV-1", RESOLUTION_DUE, "Resolution target", "4 h", "executive"),
        ("first_response", "SEV-2", CREATED + timedelta(hours=1), "First response", "1 h", "director"),
        ("resolution", "SEV-3", CREATED + timedelta(days=2), "Resolution target", "2 days", "manager"),
        ("resolution", "SEV-4", CREATED + timedelta(weeks=1), "Resolution target", "1 week", "team lead"),
    ],
)
def test_breach_names_the_sla_and_the_owner_level(clock, severity, due, name, window, owner):
    esc = make_esc(severity=severity)
    text = nudge_text(esc, reminder(clock, due, "breach"), facts(clock, severity), due + timedelta(minutes=5))
    assert text.startswith(
        f"🚨 {name} SLA breached for *ESC-2026-007*: {window} ({severity}) passed 5 min ago."
    )
    assert f"Owner level for this severity: *{owner}*." in text
    assert text.endswith("IC <@U0IC>.")


def test_breach_without_a_known_window_says_the_sla():
    text = nudge_text(
        make_esc(),
        reminder("resolution", RESOLUTION_DUE, "breach"),
        ClockFacts(cadence=None, window=None, owner_level="executive"),
        RESOLUTION_DUE,
    )
    assert "Resolution target SLA breached for *ESC-2026-007*: the SLA (SEV-1) passed just now." in text


# ---------------------------------------------------------------------------------------------------------
# Buttons
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("clock", "stage", "changes", "expected"),
    [
        (
            "internal",
            "due",
            {},
            [("Post update", POST_UPDATE, "7"), ("Snooze 10 min", SNOOZE, "7:internal")],
        ),
        (
            "customer",
            "overdue:1",
            {},
            [("Customer updated", CUSTOMER_UPDATED, "7"), ("Snooze 10 min", SNOOZE, "7:customer")],
        ),
        ("first_response", "warning", {}, [("Acknowledge", ACKNOWLEDGE, "7")]),
        ("first_response", "breach", {}, [("Acknowledge", ACKNOWLEDGE, "7")]),
        ("first_response", "warning", {"acknowledged_at": CREATED, "acknowledged_by": "U0ENG"}, []),
        ("resolution", "warning", {}, []),
        ("resolution", "breach", {}, []),
    ],
)
def test_nudge_buttons_per_clock(clock, stage, changes, expected):
    due = {"internal": INTERNAL_DUE, "customer": CUSTOMER_DUE, "first_response": FIRST_DUE}.get(
        clock, RESOLUTION_DUE
    )
    text, blocks = build_nudge(make_esc(**changes), reminder(clock, due, stage), facts(clock), due)
    assert buttons(blocks) == expected
    assert blocks[0]["text"]["text"] == text
    assert validate_message_blocks(blocks) == []
    primary = [e for b in blocks if b["type"] == "actions" for e in b["elements"] if e.get("style")]
    assert [e["style"] for e in primary] == (["primary"] if expected else [])


CASES = [
    (clock, stage)
    for clock in CLOCKS
    for stage in (("warning", "breach") if clock in SLA_CLOCKS else ("warning", "due", "overdue:3"))
]


@pytest.mark.parametrize(("clock", "stage"), CASES)
def test_every_nudge_stays_within_slack_limits_with_extreme_input(clock, stage):
    esc = make_esc(
        customer=LONG_NAME,
        title=LONG_TITLE,
        id=2_147_483_647,
        public_id="ESC-2026-99999",
        ic_user_id="U" + "9" * 20,
        last_customer_update_by="W" + "8" * 20,
        last_customer_update_at=CREATED,
    )
    now = CREATED + timedelta(days=400)
    text, blocks = build_nudge(esc, reminder(clock, CREATED + timedelta(minutes=1), stage), facts(clock), now)
    assert validate_message_blocks(blocks) == []
    assert len(text) <= limits.SECTION_TEXT
    assert "<!channel>" not in text  # the customer's name cannot ping the room


# ---------------------------------------------------------------------------------------------------------
# Leadership alert
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["security", "compliance"])
def test_leadership_alert_for_a_private_escalation_is_discreet(kind):
    esc = make_esc(escalation_type=kind, is_private=True, customer="Secret Bank", title="Keys leaked")
    alert = build_leadership_alert(
        esc, reminder("first_response", FIRST_DUE, "breach"), facts("first_response")
    )
    assert "Secret Bank" not in alert
    assert "Keys leaked" not in alert
    assert "$180,000" not in alert
    assert "C0ROOM" not in alert
    assert f"a {kind} escalation (details in its private room)" in alert
    assert "*ESC-2026-007*" in alert
    assert "Owner level: *executive*" in alert
    assert "IC <@U0IC>" in alert


@pytest.mark.parametrize(
    ("clock", "missed"),
    [
        ("first_response", "The first response of 15 min was missed."),
        ("resolution", "The resolution target of 4 h was missed."),
    ],
)
def test_leadership_alert_for_an_open_escalation_is_complete(clock, missed):
    due = FIRST_DUE if clock == "first_response" else RESOLUTION_DUE
    alert = build_leadership_alert(make_esc(), reminder(clock, due, "breach"), facts(clock))
    assert alert.startswith("🚨 SLA breach · 🔴 SEV-1 *ESC-2026-007* · ")
    assert (
        "Okafor Analytics, $180,000 ARR at risk: Migration corrupted 6 months of historical reports." in alert
    )
    assert missed in alert
    assert "Owner level: *executive*." in alert
    assert alert.endswith("IC <@U0IC>. Room: <#C0ROOM>.")


def test_leadership_alert_escapes_and_fits_with_extreme_input():
    esc = make_esc(customer=LONG_NAME, title=LONG_TITLE, arr_at_risk=None)
    alert = build_leadership_alert(esc, reminder("resolution", RESOLUTION_DUE, "breach"), facts("resolution"))
    assert len(alert) <= limits.SECTION_TEXT
    assert "<!channel>" not in alert and "<@U0EVIL>" not in alert
    assert "— ARR at risk" in alert
    assert "Room: <#C0ROOM>." in alert  # short enough that nothing important is cut


# ---------------------------------------------------------------------------------------------------------
# Clock status
# ---------------------------------------------------------------------------------------------------------


def status_text(esc: EscalationSnapshot, now: datetime) -> str:
    blocks = build_clock_status(esc, now)
    assert validate_message_blocks(blocks) == []
    return blocks[0]["text"]["text"]


def lines_of(text: str) -> dict[str, str]:
    return {
        line.split(":*", 1)[0].removeprefix("• *"): line.split(":*", 1)[1].strip()
        for line in text.splitlines()[1:]
    }


def test_clock_status_lists_all_four_clocks():
    now = CREATED + timedelta(minutes=5)
    text = status_text(make_esc(), now)
    assert text.splitlines()[0] == "🔴 SEV-1 *ESC-2026-007* · Okafor Analytics · Investigating"
    clocks = lines_of(text)
    assert list(clocks) == ["First response", "Internal update", "Customer update", "Resolution target"]
    assert clocks["First response"] == f"{slack_date(FIRST_DUE)} (in 10 min)"
    assert clocks["Internal update"] == f"none yet; next {slack_date(INTERNAL_DUE)} (in 25 min)"
    assert clocks["Customer update"] == f"none yet; next {slack_date(CUSTOMER_DUE)} (in 1 h 55 min)"
    assert clocks["Resolution target"] == f"{slack_date(RESOLUTION_DUE)} (3 h 55 min left)"


def test_clock_status_for_sev4_says_on_change():
    esc = make_esc(
        severity="SEV-4",
        internal_update_due_at=None,
        customer_update_due_at=None,
        resolution_due_at=CREATED + timedelta(weeks=1),
    )
    clocks = lines_of(status_text(esc, CREATED + timedelta(hours=1)))
    assert clocks["Internal update"] == "none yet; next on change (no fixed clock)"
    assert clocks["Customer update"] == "none yet; next on change (no fixed clock)"
    assert "on change" not in clocks["Resolution target"]


@pytest.mark.parametrize(
    ("now", "overdue"),
    [
        (CREATED + timedelta(minutes=14), []),
        (CREATED + timedelta(minutes=15), ["First response"]),
        (CREATED + timedelta(minutes=45), ["First response", "Internal update"]),
        (
            CREATED + timedelta(hours=5),
            ["First response", "Internal update", "Customer update", "Resolution target"],
        ),
    ],
)
def test_clock_status_marks_past_due_clocks_overdue(now, overdue):
    clocks = lines_of(status_text(make_esc(), now))
    assert [name for name, line in clocks.items() if "*overdue* since" in line] == overdue


def test_clock_status_after_updates_and_acknowledgment():
    esc = make_esc(
        acknowledged_at=CREATED + timedelta(minutes=3),
        acknowledged_by="U0ENG",
        last_internal_update_at=CREATED + timedelta(minutes=20),
        last_internal_update_by="U0ENG",
        last_customer_update_at=CREATED + timedelta(minutes=25),
        last_customer_update_by="U0CSM",
        customer_update_promised_at=CREATED + timedelta(hours=1),
        customer_update_due_at=CREATED + timedelta(hours=1),
    )
    clocks = lines_of(status_text(esc, CREATED + timedelta(minutes=30)))
    assert clocks["First response"] == f"given by <@U0ENG> {slack_date(CREATED + timedelta(minutes=3))}"
    assert clocks["Internal update"].startswith("last 10 min ago by <@U0ENG>; next ")
    assert clocks["Customer update"].startswith("last 5 min ago by <@U0CSM>; next ")
    assert clocks["Customer update"].endswith("(in 30 min) (promised)")


def test_clock_status_once_resolved_says_resolved():
    resolved = CREATED + timedelta(hours=2)
    esc = make_esc(
        status="resolved",
        resolved_at=resolved,
        acknowledged_at=CREATED + timedelta(minutes=3),
        acknowledged_by="U0ENG",
        internal_update_due_at=None,
        customer_update_due_at=None,
        resolution_due_at=None,
    )
    text = status_text(esc, resolved + timedelta(hours=1))
    assert "Resolved" in text.splitlines()[0]
    clocks = lines_of(text)
    assert clocks["Resolution"] == f"resolved {slack_date(resolved)}"
    assert "Resolution target" not in clocks


def test_clock_status_once_resolved_does_not_call_stopped_clocks_on_change():
    resolved = CREATED + timedelta(hours=2)
    esc = make_esc(
        status="resolved",
        resolved_at=resolved,
        acknowledged_at=CREATED + timedelta(minutes=3),
        acknowledged_by="U0ENG",
        internal_update_due_at=None,
        customer_update_due_at=None,
        resolution_due_at=None,
    )
    assert "on change" not in status_text(esc, resolved + timedelta(hours=1))


def test_clock_status_once_resolved_reports_nothing_overdue():
    resolved = CREATED + timedelta(hours=2)
    esc = make_esc(
        status="resolved",
        resolved_at=resolved,
        internal_update_due_at=None,
        customer_update_due_at=None,
        resolution_due_at=None,
    )
    assert "*overdue*" not in status_text(esc, resolved + timedelta(hours=1))


def test_clock_status_stays_within_limits_with_extreme_input():
    esc = make_esc(customer=LONG_NAME, public_id="ESC-2026-99999", acknowledged_by="U" + "1" * 20)
    text = status_text(esc, CREATED + timedelta(days=900))
    assert "<!channel>" not in text
    assert len(text) <= limits.SECTION_TEXT
    assert len(lines_of(text)) == 4
