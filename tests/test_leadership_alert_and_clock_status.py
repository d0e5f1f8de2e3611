"""How discreet the leadership alert about an SLA breach is, and what `/escalate status` reports for each
clock: due, overdue, given, promised, on change or resolved, within Slack's limits.

What the nudges in the room say is covered in test_nudges.py."""

from datetime import datetime, timedelta

import pytest

from blocks import limits
from blocks.clocks.nudges import build_clock_status, build_leadership_alert
from blocks.text import slack_date
from bot.escalations.read_model import EscalationSnapshot
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


RESOLVED = CREATED + timedelta(hours=2)


def _resolved_esc():
    return make_esc(
        status="resolved",
        resolved_at=RESOLVED,
        acknowledged_at=CREATED + timedelta(minutes=3),
        acknowledged_by="U0ENG",
        internal_update_due_at=None,
        customer_update_due_at=None,
        resolution_due_at=None,
    )


def test_clock_status_once_resolved_says_resolved():
    resolved = RESOLVED
    text = status_text(_resolved_esc(), resolved + timedelta(hours=1))
    assert "Resolved" in text.splitlines()[0]
    clocks = lines_of(text)
    assert clocks["Resolution"] == f"resolved {slack_date(resolved)}"
    assert "Resolution target" not in clocks


def test_clock_status_once_resolved_does_not_call_stopped_clocks_on_change():
    assert "on change" not in status_text(_resolved_esc(), RESOLVED + timedelta(hours=1))


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
