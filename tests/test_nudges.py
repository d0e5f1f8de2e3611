"""Reminders in the room: what an update nudge, an SLA warning and a breach say, which buttons they carry,
and that every nudge stays within Slack's limits.

The leadership alert and `/escalate status` are covered in test_leadership_alert_and_clock_status.py."""

from datetime import timedelta

import pytest

from blocks import limits
from blocks.clocks.nudges import SNOOZE, ClockFacts, build_nudge, nudge_text
from blocks.escalations.triage_card import ACKNOWLEDGE, CUSTOMER_UPDATED, DRAFT_UPDATE, POST_UPDATE
from blocks.text import slack_date
from bot.clocks.schedule import CLOCKS, SLA_CLOCKS
from bot.sandbox.block_kit_rules import validate_message_blocks
from tests.factories import CREATED
from tests.nudge_samples import (
    CUSTOMER_DUE,
    FIRST_DUE,
    INTERNAL_DUE,
    LONG_NAME,
    LONG_TITLE,
    RESOLUTION_DUE,
    facts,
    make_esc,
    reminder,
)


def buttons(blocks: list[dict]) -> list[tuple[str, str, str]]:
    """(label, action_id, value) of every button."""
    return [
        (e["text"]["text"], e["action_id"], e["value"])
        for b in blocks
        if b["type"] == "actions"
        for e in b["elements"]
    ]


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


def test_an_overdue_customer_nudge_says_a_draft_offers_a_new_time():
    now = CUSTOMER_DUE + timedelta(minutes=12)
    text = nudge_text(make_esc(), reminder("customer", CUSTOMER_DUE, "overdue:1"), facts("customer"), now)
    assert "The time has passed: *Draft customer update* writes one now" in text
    assert "offers a new time for the next" in text
    on_time = nudge_text(
        make_esc(), reminder("customer", CUSTOMER_DUE, "due"), facts("customer"), CUSTOMER_DUE
    )
    assert "The time has passed" not in on_time


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
            [
                ("Customer updated", CUSTOMER_UPDATED, "7"),
                ("Draft customer update", DRAFT_UPDATE, "7"),
                ("Snooze 10 min", SNOOZE, "7:customer"),
            ],
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
