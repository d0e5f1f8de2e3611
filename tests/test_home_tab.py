"""The App Home tab, pure: the next due clock and the SLA state of an escalation, the order most urgent
first, and the builder (within Slack's 100 blocks however many are open; user text inert)."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import timedelta

from blocks import limits
from blocks.home.home_tab import MINE_SHOWN, build_home_tab, clock_phrase, sla_tag
from bot.core.vocabulary import Clock, Role
from bot.escalations.read_model import EscalationSnapshot
from bot.home.service import Dashboard, DashboardEntry, DueClock, most_urgent_first, next_due, sla_state
from bot.policy.model import default_policy
from bot.sandbox.block_kit_rules import validate_view
from tests.factories import CREATED, make_snapshot

POLICY = default_policy()
NOW = CREATED + timedelta(minutes=10)
VIEWER = "U0VIEWER"
SEVERITIES = ("SEV-1", "SEV-2", "SEV-3", "SEV-4")
LABELS = {"SEV-1": "Critical", "SEV-2": "High", "SEV-3": "Medium", "SEV-4": "Low"}
# A "<" that starts a Slack control sequence warroom did not write: only our user, channel and date
# sequences may appear.
FOREIGN_SEQUENCE = re.compile(r"<(?!@U0[A-Z0-9]+>|#C[A-Z0-9]+>|!date\^)")


def _open(i: int, severity: str = "SEV-1", **changes: object) -> EscalationSnapshot:
    """An open escalation, created `i` minutes before CREATED, with every update clock running."""
    created = CREATED - timedelta(minutes=i)
    base = make_snapshot(
        id=i + 1,
        public_id=f"ESC-2026-{i + 1:03d}",
        customer=f"Customer {i}",
        severity=severity,
        severity_label=LABELS[severity],
        created_at=created,
        first_response_due_at=created + POLICY.for_severity(severity).first_response,
        acknowledged_at=created + timedelta(minutes=1),
        internal_update_due_at=NOW + timedelta(hours=1, minutes=i),
        customer_update_due_at=NOW + timedelta(hours=2, minutes=i),
        resolution_due_at=NOW + timedelta(days=1, minutes=i),
        room_channel_id=f"C0ROOM{i}",
    )
    return replace(base, **changes)


def _entry(esc: EscalationSnapshot) -> DashboardEntry:
    return DashboardEntry.of(esc, VIEWER, NOW, POLICY)


def _dashboard(escs: list[EscalationSnapshot], **changes: object) -> Dashboard:
    entries = [_entry(esc) for esc in escs]
    return Dashboard(
        viewer_id=VIEWER,
        now=NOW,
        mine=most_urgent_first([e for e in entries if e.roles]),
        open=most_urgent_first([e for e in entries if e.escalation.is_open]),
        awaiting=most_urgent_first([e for e in entries if e.escalation.awaiting_confirmation]),
        **changes,
    )


def _texts(view: dict) -> str:
    return json.dumps(view["blocks"], ensure_ascii=False)


def _block_ids(view: dict, prefix: str) -> list[str]:
    return [b["block_id"] for b in view["blocks"] if b.get("block_id", "").startswith(prefix)]


def _shown_ids(view: dict, prefix: str = "esc_") -> list[int]:
    return [int(block_id.removeprefix(prefix)) for block_id in _block_ids(view, prefix)]


def _block(view: dict, block_id: str) -> dict:
    return next(b for b in view["blocks"] if b.get("block_id") == block_id)


def _text(view: dict, block_id: str) -> str:
    block = _block(view, block_id)
    return block["text"]["text"] if "text" in block else block["elements"][0]["text"]


# --- the next due clock ------------------------------------------------------------------------------


def test_the_next_due_clock_is_the_earliest_running_one():
    esc = _open(0, internal_update_due_at=NOW + timedelta(minutes=12))
    due = next_due(esc)
    assert due == DueClock(Clock.INTERNAL, NOW + timedelta(minutes=12))
    assert clock_phrase(due, NOW).startswith("⏰ Internal update due in 12 min (<!date^")


def test_an_unanswered_first_response_counts_until_acknowledged_and_reads_breached_once_past():
    esc = _open(0, acknowledged_at=None, first_response_due_at=NOW - timedelta(minutes=25))
    due = next_due(esc)
    assert due is not None and due.clock == Clock.FIRST_RESPONSE
    assert clock_phrase(due, NOW) == "🚨 First response breached 25 min ago"
    answered = replace(esc, acknowledged_at=NOW)
    assert next_due(answered).clock == Clock.INTERNAL  # type: ignore[union-attr]


def test_an_overdue_update_says_by_how_much():
    due = DueClock(Clock.CUSTOMER, NOW - timedelta(hours=1, minutes=5))
    assert clock_phrase(due, NOW) == "🚨 Customer update overdue by 1 h 5 min"
    assert clock_phrase(DueClock(Clock.INTERNAL, NOW + timedelta(seconds=20)), NOW).startswith(
        "⏰ Internal update due now"
    )
    assert clock_phrase(DueClock(Clock.RESOLUTION, NOW - timedelta(days=3, hours=2, minutes=7)), NOW) == (
        "🚨 Resolution breached 3 days 2 h ago"
    )


def test_every_clock_on_change_means_no_clock_and_resolved_ones_wait_for_the_confirmation():
    quiet = _open(0, severity="SEV-4", internal_update_due_at=None, customer_update_due_at=None)
    assert next_due(quiet).clock == Clock.RESOLUTION  # type: ignore[union-attr]
    assert next_due(replace(quiet, resolution_due_at=None)) is None
    assert clock_phrase(None, NOW) == "No clock running (updates on change)"
    resolved = replace(quiet, status="resolved", resolved_at=NOW, confirmation_due_at=NOW + timedelta(days=2))
    assert next_due(resolved) == DueClock(Clock.CONFIRMATION, NOW + timedelta(days=2))
    assert next_due(replace(resolved, status="closed")) is None


# --- the SLA state -----------------------------------------------------------------------------------


def test_sla_state_reads_the_flags_and_the_due_times():
    assert sla_state(_open(0), NOW, POLICY).breached == ()
    flagged = _open(0, resolution_breached=True)
    assert sla_state(flagged, NOW, POLICY).breached == (Clock.RESOLUTION,)
    # Past due before the sweep has flagged it: already breached.
    passed = _open(0, acknowledged_at=None, first_response_due_at=NOW - timedelta(seconds=1))
    assert sla_state(passed, NOW, POLICY).breached == (Clock.FIRST_RESPONSE,)
    # Answered, but after the deadline: the SLA was missed all the same.
    late = _open(0, acknowledged_at=CREATED + timedelta(hours=1), first_response_due_at=CREATED)
    assert sla_state(late, NOW, POLICY).breached == (Clock.FIRST_RESPONSE,)


def test_an_sla_past_the_warning_fraction_is_at_risk():
    window = POLICY.for_severity("SEV-1").resolution_target
    almost = _open(0, resolution_due_at=NOW + window * (1 - POLICY.sla_warning_fraction) / 2)
    state = sla_state(almost, NOW, POLICY)
    assert state.at_risk == (Clock.RESOLUTION,) and not state.is_breached
    assert sla_tag(_entry(almost), NOW) == "⏳ SLA at risk: resolution"
    assert sla_tag(_entry(_open(0)), NOW) == "🟢 SLA on track"


def test_the_sla_tag_does_not_repeat_what_the_clock_says():
    esc = _open(0, acknowledged_at=None, first_response_due_at=NOW - timedelta(minutes=5))
    assert sla_tag(_entry(esc), NOW) is None  # "🚨 First response breached 5 min ago" says it
    both = replace(esc, resolution_breached=True)
    assert sla_tag(_entry(both), NOW) == "🚨 SLA breached: resolution"


# --- most urgent first -------------------------------------------------------------------------------


def test_most_urgent_first_is_severity_then_a_breach_then_the_earliest_due():
    calm_sev1 = _open(1, internal_update_due_at=NOW + timedelta(minutes=5))
    breached_sev1 = _open(2, resolution_breached=True, internal_update_due_at=NOW + timedelta(hours=3))
    soon_sev1 = _open(3, internal_update_due_at=NOW + timedelta(minutes=1))
    breached_sev2 = _open(4, "SEV-2", resolution_breached=True)
    resolved_sev1 = _open(5, status="resolved", confirmation_due_at=NOW - timedelta(hours=1))
    order = most_urgent_first(
        [_entry(e) for e in (resolved_sev1, breached_sev2, calm_sev1, soon_sev1, breached_sev1)]
    )
    assert [entry.escalation.id for entry in order] == [
        breached_sev1.id,
        soon_sev1.id,
        calm_sev1.id,
        breached_sev2.id,
        resolved_sev1.id,
    ]


# --- the view ----------------------------------------------------------------------------------------


def _three_hundred() -> list[EscalationSnapshot]:
    escs = []
    for i in range(300):
        severity = SEVERITIES[i % 4]
        escs.append(_open(i, severity, resolution_breached=i % 7 == 0, is_private=i % 11 == 0))
    return escs


def test_three_hundred_open_escalations_fit_in_100_blocks_most_urgent_first_then_a_count():
    escs = _three_hundred()
    dashboard = _dashboard(escs)
    view = build_home_tab(dashboard)
    assert validate_view(view) == []
    assert len(view["blocks"]) <= limits.VIEW_BLOCKS
    shown = _shown_ids(view)
    assert shown == [entry.escalation.id for entry in dashboard.open[: len(shown)]]
    assert len(shown) >= 60, "most of the blocks go to escalations, not chrome"
    first = next(e for e in escs if e.id == shown[0])
    assert first.severity == "SEV-1" and first.resolution_breached
    more = _text(view, "open_more")
    assert f"…and {300 - len(shown)} more open escalations" in more
    assert "SEV-4" in more  # the least severe are the ones counted
    assert _block_ids(view, "group_")[0] == "group_SEV-1"
    assert "*300 open escalations*" in _text(view, "home_summary")


def test_each_line_names_its_clock_sla_ic_and_room():
    view = build_home_tab(_dashboard([_open(0, resolution_breached=True)]))
    line = _text(view, "esc_1")
    assert line.startswith("*ESC-2026-001* · Customer 0: Migration corrupted")
    assert "Investigating · ⏰ Internal update due in 1 h" in line
    assert "🚨 SLA breached: resolution" in line
    assert "IC <@U0IC>" in line and "<#C0ROOM0>" in line
    assert "*🔴 SEV-1 · Critical* · 1 open · 🚨 1 breached" in _text(view, "group_SEV-1")


def test_my_escalations_list_the_roles_i_hold_and_count_past_the_ones_shown():
    mine = [_open(i, ic_user_id=VIEWER) for i in range(MINE_SHOWN + 3)]
    liaison = _open(50, "SEV-2", liaison_user_id=VIEWER, csm_user_id=VIEWER)
    caller_only = _open(60, caller_user_id=VIEWER)  # raised it, holds no role: not "mine"
    view = build_home_tab(_dashboard([*mine, liaison, caller_only]))
    assert validate_view(view) == []
    shown = _shown_ids(view, "mine_esc_")
    assert len(shown) == MINE_SHOWN and caller_only.id not in shown
    assert "…and 4 more of yours" in _text(view, "mine_more")
    assert _text(view, "mine_header") == f"Your escalations · {MINE_SHOWN + 4}"
    one = build_home_tab(_dashboard([liaison]))
    line = _text(one, f"mine_esc_{liaison.id}")
    assert line.startswith("🟠 SEV-2 *ESC-2026-051*") and "*You:* Liaison, CSM" in line


def test_nothing_of_mine_and_nothing_open_are_said_plainly():
    view = build_home_tab(_dashboard([]))
    assert validate_view(view) == []
    assert "Nothing on your plate" in _text(view, "mine_none")
    assert _text(view, "open_none") == "No open escalations. 🎉"
    hidden = build_home_tab(_dashboard([], hidden=2))
    assert _text(hidden, "open_none") == "No open escalations you can see."
    assert _text(hidden, "open_private").startswith("🔒 2 private escalations not shown")


def test_the_buttons_start_an_escalation_and_refresh():
    actions = _block(build_home_tab(_dashboard([])), "home_actions")["elements"]
    assert [(b["text"]["text"], b["action_id"]) for b in actions] == [
        ("Start an escalation", "home_start_escalation"),
        ("Refresh", "home_refresh"),
    ]
    assert actions[0]["style"] == "primary"


def test_awaiting_confirmation_has_its_own_group_after_the_open_ones():
    resolved = _open(
        1,
        status="resolved",
        resolved_at=NOW - timedelta(hours=1),
        confirmation_due_at=NOW + timedelta(hours=3),
        resolution_due_at=None,
    )
    view = build_home_tab(_dashboard([_open(0, "SEV-4"), resolved]))
    assert _block_ids(view, "group_") == ["group_SEV-4", "group_awaiting"]
    line = _text(view, f"esc_{resolved.id}")
    assert "✅ Resolved <!date^" in line and "⏰ Confirmation reminder due in 3 h" in line
    assert "SLA" not in line
    assert "✅ 1 awaiting the customer's confirmation" in _text(view, "home_summary")


def test_escalations_past_the_read_limit_are_counted_with_the_rest():
    view = build_home_tab(_dashboard([_open(0)], unread_open={"SEV-4": 40}, unread_awaiting=3))
    assert "*41 open escalations*" in _text(view, "home_summary")
    assert _text(view, "open_more") == (
        "…and 40 more open escalations (🔵 40 SEV-4) and 3 more awaiting the customer's confirmation, "
        "less urgent than these."
    )


def test_hostile_customer_names_and_titles_stay_inert_text():
    hostile = "<!channel> <@U123> <https://evil|x> & <#C999|general>"
    esc = _open(0, customer=hostile, title=hostile * 20, ic_user_id=VIEWER, is_private=True)
    view = build_home_tab(_dashboard([esc]))
    assert validate_view(view) == []
    said = _texts(view)
    assert FOREIGN_SEQUENCE.search(said) is None
    assert "&lt;!channel&gt; &lt;@U123&gt; &lt;https://evil|x&gt; &amp;" in said
    assert "<!channel>" not in said and "<@U123>" not in said and "<https://evil" not in said
    assert len(_text(view, "esc_1")) < limits.SECTION_TEXT
    assert "🔒 *ESC-2026-001*" in _text(view, "esc_1")


def test_a_role_on_many_escalations_still_leaves_the_view_within_its_blocks():
    escs = [
        _open(i, SEVERITIES[i % 4], ic_user_id=VIEWER, status="resolved" if i % 5 == 0 else "investigating")
        for i in range(300)
    ]
    view = build_home_tab(_dashboard(escs, hidden=7))
    assert validate_view(view) == []
    assert len(view["blocks"]) <= limits.VIEW_BLOCKS
    assert "7 private escalations not shown" in _text(view, "open_private")
    assert "awaiting the customer's confirmation" in _text(view, "open_more")
    assert len(_shown_ids(view, "mine_esc_")) == MINE_SHOWN
    assert f"*You:* {Role.IC.short_label}" in _text(view, _block_ids(view, "mine_esc_")[0])
