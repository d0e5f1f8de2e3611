"""Seed 001's red flags (pure): each rule raises its flag when a reader would, and only then; flags come
once each, in the seed's order; quoted text is escaped; the card block and digest line fit Slack.

The escalation is the factories' SEV-1 opened at 14:05 (first response due 14:20). The built-in policy:
SEV-1 internal updates every 30 min and customer updates every 2 h, a gap past twice the cadence."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from blocks import limits
from blocks.reports.red_flags import build_red_flags_block, red_flags_line
from bot.escalations.read_model import TimelineEntry
from bot.followups.model import FollowUpView
from bot.policy.model import load_policy
from bot.reports.red_flags import RedFlag, RedFlagKind, detect_red_flags
from bot.sandbox.block_kit_rules import validate_message_blocks
from tests.factories import CREATED, make_snapshot

POLICY = load_policy(None)
K = RedFlagKind


def at(minutes: float) -> datetime:
    """`minutes` after the escalation was opened (14:05)."""
    return CREATED + timedelta(minutes=minutes)


def event(minutes: float, kind: str, text: str = "", **data: object) -> TimelineEntry:
    return TimelineEntry(at(minutes), kind, text, "U0ANA", dict(data))


def follow_up(kind: str, due_minutes: float, status: str = "open", text: str = "Call David") -> FollowUpView:
    return FollowUpView(
        id=1, escalation_id=7, kind=kind, text=text, status=status, created_at=CREATED, due_at=at(due_minutes)
    )


OPENED = event(0, "created", "ESC-2026-007 opened as SEV-1", severity="SEV-1", suggested="SEV-1")
ACKED = {"acknowledged_at": at(10)}  # inside the 15 min SLA
DAY = 24 * 60


def internal_every(minutes: int, until: int) -> list[TimelineEntry]:
    return [event(m, "internal_update", f"Update {m}") for m in range(minutes, until + 1, minutes)]


# (flag, escalation changes, timeline, follow-ups, minutes after opening that "now" is, in a pattern, raised)
CASES = [
    # Delayed acknowledgment: late against first_response_due_at (15 min), or not yet and past it.
    ("late ack", K.DELAYED_ACKNOWLEDGMENT, {"acknowledged_at": at(57)}, [OPENED], [], 60, False, True),
    ("ack in time", K.DELAYED_ACKNOWLEDGMENT, {"acknowledged_at": at(14)}, [OPENED], [], 60, False, False),
    ("no ack, past due", K.DELAYED_ACKNOWLEDGMENT, {}, [OPENED], [], 16, False, True),
    ("no ack, not due yet", K.DELAYED_ACKNOWLEDGMENT, {}, [OPENED], [], 14, False, False),
    # Under-severity: the rules read more severe than it is filed, now or when it was opened.
    ("filed lower", K.UNDER_SEVERITY, {"severity": "SEV-2"}, [OPENED], [], 5, False, True),
    (
        "opened lower, raised since",
        K.UNDER_SEVERITY,
        {},
        [
            event(0, "created", severity="SEV-3"),
            event(30, "severity_changed", **{"from": "SEV-3", "to": "SEV-1"}),
        ],
        [],
        40,
        False,
        True,
    ),
    (
        "opened lower, known from the first change",
        K.UNDER_SEVERITY,
        {},
        [event(30, "severity_changed", **{"from": "SEV-2", "to": "SEV-1"})],
        [],
        40,
        False,
        True,
    ),
    ("filed as suggested", K.UNDER_SEVERITY, {}, [OPENED], [], 5, False, False),
    (
        "lowered by the IC, with a reason",
        K.UNDER_SEVERITY,
        {"severity": "SEV-3"},
        [
            OPENED,
            event(
                20,
                "severity_changed",
                "SEV-1 → SEV-3: a workaround holds",
                **{"from": "SEV-1", "to": "SEV-3"},
            ),
        ],
        [],
        30,
        False,
        False,
    ),
    (
        "lowered with no reason given",
        K.UNDER_SEVERITY,
        {"severity": "SEV-3"},
        [OPENED, event(20, "severity_changed", "SEV-1 → SEV-3", **{"from": "SEV-1", "to": "SEV-3"})],
        [],
        30,
        False,
        True,
    ),
    (
        # Told at 30 min "next update in 6 h" (past 2 × 2 h), and it came at 5 h 50 min later: kept.
        "a customer silence that was promised",
        K.COMMUNICATION_GAPS,
        ACKED,
        [
            OPENED,
            *internal_every(30, 410),
            event(30, "customer_update", "Told David", promised_at=at(390).isoformat()),
            event(380, "customer_update", "Restore finished"),
        ],
        [],
        410,
        False,
        False,
    ),
    (
        "filed more severe than read",
        K.UNDER_SEVERITY,
        {"suggested_severity": "SEV-2"},
        [OPENED],
        [],
        5,
        False,
        False,
    ),
    # Communication gaps: more than 2 × 30 min between internal updates (or 2 × 2 h for customers) while open.
    (
        "internal silence of 70 min between updates",
        K.COMMUNICATION_GAPS,
        ACKED,
        [OPENED, event(20, "internal_update", "Looking"), event(90, "internal_update", "Found it")],
        [],
        100,
        False,
        True,
    ),
    ("silent since opening, 65 min and counting", K.COMMUNICATION_GAPS, ACKED, [OPENED], [], 65, False, True),
    (
        "internal updates every 30 min",
        K.COMMUNICATION_GAPS,
        ACKED,
        [OPENED, *internal_every(30, 90)],
        [],
        100,
        False,
        False,
    ),
    (
        "silence after the resolution does not count",
        K.COMMUNICATION_GAPS,
        {**ACKED, "status": "resolved", "resolved_at": at(50)},
        [
            OPENED,
            event(30, "internal_update", "Rolled back"),
            event(50, "status_changed", **{"from": "investigating", "to": "resolved"}),
        ],
        [],
        10 * 60,
        False,
        False,
    ),
    (
        "a reopen restarts the measure",
        K.COMMUNICATION_GAPS,
        {**ACKED, "reopened_at": at(600)},
        [
            OPENED,
            event(30, "internal_update", "Rolled back"),
            event(50, "status_changed", **{"from": "investigating", "to": "resolved"}),
            event(600, "status_changed", **{"from": "resolved", "to": "investigating"}),
        ],
        [],
        650,
        False,
        False,
    ),
    (
        "customer silence of 4 h 30 min while internal updates flow",
        K.COMMUNICATION_GAPS,
        ACKED,
        [
            OPENED,
            *internal_every(30, 300),
            event(30, "customer_update", "Told David"),
            event(300, "draft_sent"),
        ],
        [],
        300,
        False,
        True,
    ),
    (
        "SEV-4 updates on change: no cadence",
        K.COMMUNICATION_GAPS,
        {**ACKED, "severity": "SEV-4", "suggested_severity": "SEV-4"},
        [],
        [],
        3 * DAY,
        False,
        False,
    ),
    # Blame language in a posted update, as the drafting lint reads it.
    (
        "blame in an internal update",
        K.BLAME_LANGUAGE,
        ACKED,
        [OPENED, event(10, "internal_update", "Honestly this is user error on their side")],
        [],
        20,
        False,
        True,
    ),
    (
        "ownership in an internal update",
        K.BLAME_LANGUAGE,
        ACKED,
        [OPENED, event(10, "internal_update", "We broke the export in the migration; fixing it now")],
        [],
        20,
        False,
        False,
    ),
    (
        "blame in a captured message is not an update",
        K.BLAME_LANGUAGE,
        ACKED,
        [OPENED, event(10, "message_captured", "Customer says it is not our fault")],
        [],
        20,
        False,
        False,
    ),
    # Premature closure: closed without the customer's confirmation.
    (
        "closed without confirmation",
        K.PREMATURE_CLOSURE,
        {"status": "closed", "closed_without_confirmation": True},
        [OPENED],
        [],
        60,
        False,
        True,
    ),
    (
        "closed once confirmed",
        K.PREMATURE_CLOSURE,
        {"status": "closed", "confirmed_at": at(50)},
        [OPENED],
        [],
        60,
        False,
        False,
    ),
    # No follow-through: a recovery gesture or check-in still open past its due date.
    ("check-in overdue", K.NO_FOLLOW_THROUGH, ACKED, [], [follow_up("check_in", 60)], 61, False, True),
    (
        "recovery gesture overdue",
        K.NO_FOLLOW_THROUGH,
        ACKED,
        [],
        [follow_up("recovery", 60)],
        61,
        False,
        True,
    ),
    ("check-in not due yet", K.NO_FOLLOW_THROUGH, ACKED, [], [follow_up("check_in", 60)], 59, False, False),
    (
        "check-in done late",
        K.NO_FOLLOW_THROUGH,
        ACKED,
        [],
        [follow_up("check_in", 60, "done")],
        61,
        False,
        False,
    ),
    (
        "prevention action overdue",
        K.NO_FOLLOW_THROUGH,
        ACKED,
        [],
        [follow_up("prevention", 60)],
        61,
        False,
        False,
    ),
    # Missing RCA: closed without a root cause and its category.
    ("closed with no root cause", K.MISSING_RCA, {"status": "closed"}, [], [], 60, False, True),
    (
        "closed with a cause but no category",
        K.MISSING_RCA,
        {"status": "closed", "root_cause": "Bad index"},
        [],
        [],
        60,
        False,
        True,
    ),
    (
        "closed with cause and category",
        K.MISSING_RCA,
        {"status": "closed", "root_cause": "Bad index", "root_cause_category": "product"},
        [],
        [],
        60,
        False,
        False,
    ),
    ("open, no root cause yet", K.MISSING_RCA, {}, [], [], 60, False, False),
    # Pattern blindness: the caller knows the escalation belongs to a pattern alert.
    ("in a pattern", K.PATTERN_BLINDNESS, {}, [], [], 5, True, True),
    ("not in a pattern", K.PATTERN_BLINDNESS, {}, [], [], 5, False, False),
]


@pytest.mark.parametrize(
    ("kind", "changes", "timeline", "follow_ups", "now", "in_pattern", "raised"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_each_flag_is_raised_when_a_reader_would_and_only_then(
    kind, changes, timeline, follow_ups, now, in_pattern, raised
):
    flags = detect_red_flags(
        make_snapshot(**changes), timeline, follow_ups, POLICY, at(now), in_pattern=in_pattern
    )
    assert (kind in {flag.kind for flag in flags}) is raised


def test_every_flag_kind_has_a_raising_and_a_clean_case():
    for kind in RedFlagKind:
        outcomes = {case[-1] for case in CASES if case[1] == kind}
        assert outcomes == {True, False}, kind


def _detail(flags: tuple[RedFlag, ...], kind: RedFlagKind) -> str:
    return next(flag.detail for flag in flags if flag.kind == kind)


def test_details_say_how_late_how_long_and_how_it_was_filed():
    timeline = [OPENED, event(20, "internal_update", "Looking"), event(90, "internal_update", "Found it")]
    flags = detect_red_flags(make_snapshot(acknowledged_at=at(57)), timeline, [], POLICY, at(100))
    # Acknowledged at 15:02, due 14:20: 57 min after opening, 42 min past the 15 min SLA.
    assert (
        _detail(flags, K.DELAYED_ACKNOWLEDGMENT) == "First response after 57 min, 42 min past the 15 min SLA"
    )
    # Silences: 20 min, then 20 → 90 = 70 min (over 2 × 30 min), then 10 min up to now.
    assert (
        _detail(flags, K.COMMUNICATION_GAPS) == "Internal updates silent for 1 h 10 min (SEV-1: every 30 min)"
    )
    filed_lower = detect_red_flags(make_snapshot(severity="SEV-2"), [OPENED], [], POLICY, at(5))
    assert _detail(filed_lower, K.UNDER_SEVERITY) == "Rules read SEV-1; filed as SEV-2"
    raised = [
        event(0, "created", severity="SEV-3"),
        event(30, "severity_changed", **{"from": "SEV-3", "to": "SEV-1"}),
    ]
    opened_lower = detect_red_flags(make_snapshot(), raised, [], POLICY, at(40))
    assert _detail(opened_lower, K.UNDER_SEVERITY) == "Rules read SEV-1; opened as SEV-3 (SEV-1 now)"


def test_an_ongoing_silence_says_it_is_still_counting_and_names_the_longest_gap():
    # Customer: told at 30 min, then nothing: 30 → 330 = 5 h, past 2 × 2 h, still open. Internal: fine.
    timeline = [OPENED, *internal_every(30, 330), event(30, "customer_update", "Told David")]
    flags = detect_red_flags(make_snapshot(**ACKED), timeline, [], POLICY, at(330))
    assert (
        _detail(flags, K.COMMUNICATION_GAPS)
        == "Customer updates silent for 5 h and counting (SEV-1: every 2 h)"
    )


def test_a_severity_change_judges_each_stretch_by_its_own_cadence():
    # Opened SEV-3 (daily updates), raised to SEV-1 after 10 h: the 10 quiet hours were fine for a SEV-3,
    # and 40 min at SEV-1 is inside 2 × 30 min.
    timeline = [
        event(0, "created", severity="SEV-3"),
        event(600, "severity_changed", **{"from": "SEV-3", "to": "SEV-1"}),
        event(610, "customer_update", "Told David"),
    ]
    esc = make_snapshot(acknowledged_at=at(5), first_response_due_at=at(240), suggested_severity="SEV-3")
    assert K.COMMUNICATION_GAPS not in {f.kind for f in detect_red_flags(esc, timeline, [], POLICY, at(640))}
    # 70 min at SEV-1 without an internal update is a gap, measured from the change.
    flags = detect_red_flags(esc, timeline, [], POLICY, at(670))
    assert (
        _detail(flags, K.COMMUNICATION_GAPS)
        == "Internal updates silent for 11 h 10 min and counting (SEV-1: every 30 min)"
    )


def test_blame_is_quoted_escaped_and_short():
    text = (
        "<!channel> <@U0BOB> looked & the vendor logs are clean: this is user error, they imported the wrong "
        "file <https://evil.example|click here> and then ran the job twice over the whole weekend again"
    )
    timeline = [
        OPENED,
        event(10, "internal_update", text),
        event(20, "customer_update", "Per our policy, no"),
    ]
    detail = _detail(detect_red_flags(make_snapshot(**ACKED), timeline, [], POLICY, at(25)), K.BLAME_LANGUAGE)
    assert "user error" in detail and "(and 1 more update)" in detail
    assert "<!channel>" not in detail and "<@U0BOB>" not in detail and "<https" not in detail
    assert "&amp;" in detail and "<" not in detail
    # 40 characters each side of "user error" end inside "looked" and "here": the quote keeps whole words.
    assert detail == (
        "An internal update says “…&amp; the vendor logs are clean: this is user error, they imported the "
        "wrong file click…” (and 1 more update)"
    )


def test_premature_closure_and_follow_through_quote_what_people_wrote_escaped():
    closed = make_snapshot(
        status="closed", closed_without_confirmation=True, close_reason="<!here> gone quiet"
    )
    overdue = [follow_up("check_in", 60, text="Call <@U0DAVID> & ask"), follow_up("recovery", 90)]
    flags = detect_red_flags(closed, [], overdue, POLICY, at(60 + 2 * DAY))
    assert (
        _detail(flags, K.PREMATURE_CLOSURE)
        == "Closed without the customer's confirmation: &lt;!here&gt; gone quiet"
    )
    # The check-in was due 2 days before now, the oldest of the two.
    assert (
        _detail(flags, K.NO_FOLLOW_THROUGH)
        == "Check-in “Call &lt;@U0DAVID&gt; &amp; ask” overdue by 2 days (and 1 more)"
    )


def test_all_eight_flags_come_once_each_in_the_seed_order():
    esc = make_snapshot(
        severity="SEV-2",  # rules read SEV-1
        acknowledged_at=at(90),  # due 14:20
        status="closed",
        closed_at=at(8 * 60),
        closed_without_confirmation=True,  # and no root cause
    )
    timeline = [
        OPENED,
        event(100, "internal_update", "Not our fault, the other team deployed it"),
        event(200, "internal_update", "As I already told you, not our problem"),
        event(8 * 60, "premature_closure", "Closed without the customer's confirmation: quiet"),
    ]
    follow_ups = [follow_up("check_in", 9 * 60), follow_up("recovery", 10 * 60)]
    flags = detect_red_flags(esc, timeline, follow_ups, POLICY, at(3 * DAY), in_pattern=True)
    assert [flag.kind for flag in flags] == [
        K.DELAYED_ACKNOWLEDGMENT,
        K.UNDER_SEVERITY,
        K.COMMUNICATION_GAPS,
        K.BLAME_LANGUAGE,
        K.PREMATURE_CLOSURE,
        K.NO_FOLLOW_THROUGH,
        K.MISSING_RCA,
        K.PATTERN_BLINDNESS,
    ]


def test_labels_are_the_seeds_words():
    assert [kind.label for kind in RedFlagKind] == [
        "Delayed acknowledgment",
        "Under-severity",
        "Communication gaps",
        "Blame language",
        "Premature closure",
        "No follow-through",
        "Missing RCA",
        "Pattern blindness",
    ]


def test_the_card_block_shows_each_flag_within_slack_limits():
    assert build_red_flags_block(()) is None
    flags = [RedFlag(kind, "&amp; " * 200 + "x" * 2_000) for kind in RedFlagKind]
    block = build_red_flags_block(flags)
    assert block is not None and validate_message_blocks([block]) == []
    texts = [element["text"] for element in block["elements"]]
    assert len(texts) == 8 and len(texts) <= limits.CONTEXT_ELEMENTS
    assert sum(len(text) for text in texts) <= limits.CONTEXT_TEXT
    assert all(text.endswith("…") and not text[:-1].endswith(("&", "&a", "&am", "&amp")) for text in texts)
    assert texts[0].startswith("🚩 *Delayed acknowledgment*: &amp; ")


def test_the_digest_line_names_the_flags_not_their_details():
    flags = [
        RedFlag(K.DELAYED_ACKNOWLEDGMENT, "First response after 57 min"),
        RedFlag(K.MISSING_RCA, "secret"),
    ]
    assert red_flags_line(flags) == "🚩 2 red flags: Delayed acknowledgment · Missing RCA"
    assert red_flags_line(flags[:1]) == "🚩 1 red flag: Delayed acknowledgment"
    assert red_flags_line([]) == ""


def test_a_customer_cadence_in_business_days_skips_the_weekend():
    # SEV-3: customers every business day, a gap past 2 business days. Opened Monday 2 March 14:05; the last
    # customer update is Friday 14:05 (day 4), so the silence may last until Tuesday 14:05.
    esc = make_snapshot(severity="SEV-3", suggested_severity="SEV-3", acknowledged_at=at(10))
    timeline = [
        event(0, "created", severity="SEV-3"),
        *internal_every(DAY, 9 * DAY),
        *[event(day * DAY, "customer_update", f"Day {day}") for day in range(1, 5)],
    ]
    monday = detect_red_flags(esc, timeline, [], POLICY, at(7 * DAY - 5))  # three calendar days later
    assert K.COMMUNICATION_GAPS not in {flag.kind for flag in monday}
    wednesday = detect_red_flags(esc, timeline, [], POLICY, at(9 * DAY + 5))  # Fri 14:05 → Wed 14:10
    assert _detail(wednesday, K.COMMUNICATION_GAPS) == (
        "Customer updates silent for 5 days 5 min and counting (SEV-3: every 1 day)"
    )
