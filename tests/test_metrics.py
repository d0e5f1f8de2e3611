"""Seed 001's escalation metrics: the period, every figure over a hand-built history on SQLite and on
PostgreSQL (each expected value worked out below from the history's times), private customers never
named, shares with nothing to divide, and the Block Kit message within Slack's limits."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from blocks import limits
from blocks.reports.metrics import build_metrics, metrics_text
from bot.core.vocabulary import FollowUpKind
from bot.policy.loop import MetricsPolicy
from bot.policy.model import load_policy
from bot.reports.metrics import (
    CustomerCount,
    Metrics,
    MetricsInputs,
    Period,
    SeverityInputs,
    Share,
    compute_metrics,
    parse_period,
)
from bot.sandbox.block_kit_rules import validate_message_blocks
from storage.db import Database
from storage.metrics import metrics_for
from storage.models import Customer, Escalation, FollowUp
from storage.repository import customer_name_key

POLICY = load_policy(None)  # SEV-1 15 min / 4 h, SEV-2 1 h / 8 h, SEV-3 4 h / 2 days, SEV-4 1 day / 1 week
NOW = datetime(2026, 3, 31, 12, 0, tzinfo=UTC)
START = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)  # the default period: the 30 days up to NOW
MIN, HOUR, DAY = timedelta(minutes=1), timedelta(hours=1), timedelta(days=1)
EVIL = "<!channel> Evil Corp"
PRIVATE_CUSTOMER = "Umbrella"


def _at(month: int, day: int, hour: int = 12, minute: int = 0, second: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


ACME, GLOBEX, HOOLI, INITECH, UMBRELLA = "Acme Corp", "Globex", "Hooli", "Initech", PRIVATE_CUSTOMER
# name: customer, severity, opened, then after opening: acknowledged, first customer update, resolved,
# closed; status, private, ARR at risk, promises made and kept.
# fmt: off
HISTORY: dict[str, tuple[Any, ...]] = {
    # Before the period: not counted, but earlier escalations for the repeats, and open ones for the ARR.
    "g0":  (GLOBEX,   "SEV-3", _at(1, 20, 10),               HOUR,      None,      10 * HOUR,  DAY,       "closed",        False, 60_000,  0, 0),  # noqa: E501
    "a11": (ACME,     "SEV-2", _at(12, 10, 8, 59, 59, 2025), 30 * MIN,  None,      2 * HOUR,   DAY,       "closed",        False, 90_000,  0, 0),  # noqa: E501
    "e14": (EVIL,     "SEV-4", _at(12, 2, year=2025),        HOUR,      None,      DAY,        2 * DAY,   "closed",        False, 10_000,  0, 0),  # noqa: E501
    "h13": (HOOLI,    "SEV-2", _at(3, 1, 11, 59, 59),        10 * MIN,  None,      3 * HOUR,   DAY,       "closed",        False, 100_000, 0, 0),  # noqa: E501
    "g15": (GLOBEX,   "SEV-3", _at(10, 1, 9, year=2025),     HOUR,      None,      None,       None,      "monitoring",    False, 200_000, 0, 0),  # noqa: E501
    # In the period (from START, included, to NOW).
    "a1":  (ACME,     "SEV-1", _at(3, 10, 9),                10 * MIN,  30 * MIN,  3 * HOUR,   DAY,       "closed",        False, 150_000, 2, 2),  # noqa: E501
    "a2":  (ACME,     "SEV-1", _at(3, 20, 9),                20 * MIN,  HOUR,      5 * HOUR,   DAY,       "closed",        False, 150_000, 3, 1),  # noqa: E501
    "g3":  (GLOBEX,   "SEV-2", _at(3, 5, 10),                30 * MIN,  2 * HOUR,  6 * HOUR,   DAY,       "closed",        False, 60_000,  1, 1),  # noqa: E501
    "u4":  (UMBRELLA, "SEV-2", _at(3, 12, 8),                90 * MIN,  None,      7 * HOUR,   DAY,       "closed",        True,  25_000,  0, 0),  # noqa: E501
    "u5":  (UMBRELLA, "SEV-3", _at(3, 25, 8),                2 * HOUR,  None,      None,       None,      "investigating", True,  30_000,  1, 0),  # noqa: E501
    "i6":  (INITECH,  "SEV-3", _at(3, 30, 12),               None,      None,      None,       None,      "investigating", False, 50_000,  0, 0),  # noqa: E501
    "i7":  (INITECH,  "SEV-4", _at(3, 31, 6),                None,      None,      None,       None,      "investigating", False, 80_000,  0, 0),  # noqa: E501
    "h8":  (HOOLI,    "SEV-3", _at(3, 15, 12),               HOUR,      3 * HOUR,  50 * HOUR,  None,      "resolved",      False, 120_000, 2, 2),  # noqa: E501
    "h9":  (HOOLI,    "SEV-4", _at(3, 16, 12),               30 * HOUR, 26 * HOUR, 100 * HOUR, 5 * DAY,   "closed",        True,  100_000, 0, 0),  # noqa: E501
    # Closed without ever being resolved, 10 h after opening: its work ended then.
    "e10": (EVIL,     "SEV-4", _at(3, 2, 12),                2 * HOUR,  None,      None,       10 * HOUR, "closed",        False, 10_000,  0, 0),  # noqa: E501
    "g12": (GLOBEX,   "SEV-3", START,                        4 * HOUR,  5 * HOUR,  48 * HOUR,  3 * DAY,   "closed",        False, 60_000,  0, 0),  # noqa: E501
}
# fmt: on
# (escalation, kind, done)
FOLLOW_UPS = [
    ("a1", FollowUpKind.PREVENTION, True),
    ("a1", FollowUpKind.PREVENTION, False),
    ("a1", FollowUpKind.RECOVERY, True),  # not a prevention action
    ("a2", FollowUpKind.PREVENTION, True),
    ("h8", FollowUpKind.PREVENTION, False),
    ("g0", FollowUpKind.PREVENTION, True),  # opened before the period
    ("e10", FollowUpKind.CHECK_IN, False),
]


def _load_history(db: Database) -> None:
    with db.session() as session:
        customers: dict[str, Customer] = {}
        for number, (name, row) in enumerate(HISTORY.items(), start=1):
            customer, severity, opened, ack, update, resolved, closed, status, private, arr, made, kept = row
            if customer not in customers:
                customers[customer] = Customer(name=customer, name_key=customer_name_key(customer))
                session.add(customers[customer])
            session.add(
                Escalation(
                    public_id=f"ESC-2026-{number:03d}",
                    year=2026,
                    number=number,
                    intake_key=name,
                    customer=customers[customer],
                    title=f"Escalation {name}",
                    escalation_type="security" if private else "technical",
                    severity=severity,
                    suggested_severity=severity,
                    status=status,
                    is_private=private,
                    arr_at_risk=arr,
                    caller_user_id="U0BEN",
                    ic_user_id="U0ANA",
                    room_kind="channel",
                    created_at=opened,
                    first_response_due_at=opened + POLICY.for_severity(severity).first_response,
                    acknowledged_at=opened + ack if ack else None,
                    first_customer_update_at=opened + update if update else None,
                    resolved_at=opened + resolved if resolved else None,
                    closed_at=opened + closed if closed else None,
                    closed_without_confirmation=closed is not None and resolved is None,
                    promises_made=made,
                    promises_kept=kept,
                )
            )
        session.flush()
        ids = dict(session.query(Escalation.intake_key, Escalation.id).all())
        for name, kind, done in FOLLOW_UPS:
            session.add(
                FollowUp(
                    escalation_id=ids[name],
                    kind=kind.value,
                    text="Add a checksum to the migration",
                    status="done" if done else "open",
                    created_at=NOW - DAY,
                )
            )


def _metrics(db: Database, period: Period | None = None) -> Metrics:
    with db.reading() as session:
        return metrics_for(session, period or parse_period(None, NOW, POLICY), POLICY, NOW)


# --- every figure, on both backends ------------------------------------------------------------------


def test_figures_of_a_hand_built_history(db: Database) -> None:
    _load_history(db)
    metrics = _metrics(db)
    sev1, sev2, sev3, sev4 = (metrics.by_severity[s] for s in ("SEV-1", "SEV-2", "SEV-3", "SEV-4"))
    overall = metrics.overall

    # In the period: a1 a2 (SEV-1), g3 u4 (SEV-2), g12 u5 i6 h8 (SEV-3), i7 h9 e10 (SEV-4). g12 was opened
    # on START exactly (included); h13, one second before it, is not. u4, u5 and h9 are private.
    assert [sev1.escalations, sev2.escalations, sev3.escalations, sev4.escalations] == [2, 2, 4, 3]
    assert overall.escalations == 2 + 2 + 4 + 3 == 11
    assert overall.private == 3

    # First response. SEV-1: 10 and 20 min; within 15 min: one of two.
    assert sev1.first_response_median == 15 * MIN  # (10 + 20) / 2
    assert sev1.first_response_p90 == 20 * MIN  # nearest rank: ceil(0.9 × 2) = 2nd
    assert sev1.first_response_sla == Share(1, 2)
    # SEV-2: 30 and 90 min; within 1 h: g3 only.
    assert (sev2.first_response_median, sev2.first_response_p90) == (60 * MIN, 90 * MIN)
    assert sev2.first_response_sla == Share(1, 2)
    # SEV-3: h8 1 h, u5 2 h, g12 4 h (on the dot: within); i6 unacknowledged for 24 h > 4 h: missed.
    assert (sev3.first_response_median, sev3.first_response_p90) == (2 * HOUR, 4 * HOUR)  # 3rd of 3
    assert sev3.first_response_sla == Share(3, 3 + 1)
    # SEV-4: e10 2 h, h9 30 h > 1 day; i7 unacknowledged but only 6 h old (< 1 day): not counted yet.
    assert (sev4.first_response_median, sev4.first_response_p90) == (16 * HOUR, 30 * HOUR)
    assert sev4.first_response_sla == Share(1, 2)
    # Overall, in minutes: 10 20 30 60 90 120 120 240 1800 → the 5th of 9, and the ceil(8.1) = 9th.
    assert (overall.first_response_median, overall.first_response_p90) == (90 * MIN, 1800 * MIN)
    assert overall.first_response_sla == Share(1 + 1 + 3 + 1, 2 + 2 + 4 + 2)

    # First customer update: SEV-1 30 and 60 min, SEV-2 2 h, SEV-3 3 and 5 h, SEV-4 26 h.
    assert [f.first_update_median for f in (sev1, sev2, sev3, sev4)] == [
        45 * MIN,
        2 * HOUR,
        4 * HOUR,
        26 * HOUR,
    ]
    assert overall.first_update_median == 150 * MIN  # 30 60 120 180 300 1560: (120 + 180) / 2

    # Resolution. SEV-1: 3 h (within 4 h) and 5 h.
    assert sev1.resolution_median == 4 * HOUR
    assert sev1.resolution_sla == Share(1, 2)
    # SEV-2: 6 h and 7 h, both within 8 h.
    assert (sev2.resolution_median, sev2.resolution_sla) == (6 * HOUR + 30 * MIN, Share(2, 2))
    # SEV-3: g12 48 h (on the dot), h8 50 h (still awaiting confirmation; resolved is what counts), and u5
    # open for 6 days 4 h > 2 days: missed. i6, open for 1 day, is still inside its 2 days.
    assert (sev3.resolution_median, sev3.resolution_sla) == (49 * HOUR, Share(1, 3))
    # SEV-4: e10 closed without resolution after 10 h, h9 100 h, both within a week; i7 inside it.
    assert (sev4.resolution_median, sev4.resolution_sla) == (55 * HOUR, Share(2, 2))
    assert overall.resolution_median == 8 * HOUR + 30 * MIN  # 3 5 6 7 10 48 50 100 h: (7 + 10) / 2
    assert overall.resolution_sla == Share(1 + 2 + 1 + 2, 2 + 2 + 3 + 2)

    # Update promises kept: a1 2/2 and a2 1/3 (SEV-1), g3 1/1, u5 0/1 and h8 2/2 (SEV-3), none for SEV-4.
    assert [f.promises_kept for f in (sev1, sev2, sev3)] == [Share(3, 5), Share(1, 1), Share(2, 3)]
    assert sev4.promises_kept == Share(0, 0) and sev4.promises_kept.ratio is None
    assert overall.promises_kept == Share(6, 9)

    # Repeats, the customer's previous escalation within 90 days before: a2 (a1, 10 days), g3 (g12, 4 days),
    # g12 (g0 on Jan 20, before the period), u5 (u4), h8 (h13, 1 s before the period), h9 (h8), i7 (i6), and
    # e10 (e14, 90 days to the second). Not a1 (a11: 90 days and 1 s), u4, i6.
    assert [f.repeats for f in (sev1, sev2, sev3, sev4)] == [
        Share(1, 2),
        Share(1, 2),
        Share(3, 4),
        Share(3, 3),
    ]
    assert overall.repeats == Share(8, 11)

    # Prevention actions of escalations in the period: a1 one of two done, a2 done, h8 open. Not a1's
    # recovery gesture, e10's check-in, nor g0's action (opened before the period).
    assert [f.prevention_done for f in (sev1, sev2, sev3)] == [Share(2, 3), Share(0, 0), Share(0, 1)]
    assert overall.prevention_done == Share(2, 4)

    # Customers: Acme, Globex, Umbrella, Initech, Hooli and Evil: 11 escalations over 6.
    assert metrics.customers == 6
    assert metrics.per_customer == pytest.approx(11 / 6)
    # Named by their non-private escalations: Hooli's private h9 does not count, Umbrella is not named.
    assert metrics.top_customers == (
        CustomerCount("Acme Corp", 2),
        CustomerCount("Globex", 2),
        CustomerCount("Initech", 2),
        CustomerCount(EVIL, 1),
        CustomerCount("Hooli", 1),
    )

    # ARR at risk now, whatever the period: not closed are g15 (Globex, 200k, opened last October), u5
    # (Umbrella 30k), i6 and i7 (Initech: the larger, 80k, once) and h8 (Hooli 120k, awaiting confirmation).
    assert metrics.arr_at_risk == 200_000 + 30_000 + 80_000 + 120_000
    assert metrics.arr_customers == 4


def test_a_shorter_period_counts_only_its_own_escalations(db: Database) -> None:
    _load_history(db)
    metrics = _metrics(db, parse_period("7d", NOW, POLICY))  # from March 24, 12:00
    # u5 (Mar 25), i6 (Mar 30), i7 (Mar 31): all repeats or not as before, whatever lies outside.
    assert metrics.overall.escalations == 3
    assert metrics.overall.repeats == Share(2, 3)  # u5 after u4 (Mar 12), i7 after i6
    assert metrics.overall.first_response_sla == Share(1, 2)  # u5 within 4 h; i6 missed; i7 too young
    assert metrics.top_customers == (CustomerCount("Initech", 2),)  # Umbrella's are private
    assert metrics.customers == 2
    assert metrics.arr_at_risk == 430_000  # the same: it is about now


# --- the period --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "start", "label"),
    [
        ("7d", NOW - 7 * DAY, "last 7 days"),
        ("30d", NOW - 30 * DAY, "last 30 days"),
        (" 90D ", NOW - 90 * DAY, "last 90 days"),
        ("quarter", datetime(2026, 1, 1, tzinfo=UTC), "this quarter"),
        (None, NOW - 30 * DAY, "last 30 days"),  # the policy's metrics.default_period
        ("", NOW - 30 * DAY, "last 30 days"),
    ],
)
def test_each_period_choice(text: str | None, start: datetime, label: str) -> None:
    period = parse_period(text, NOW, POLICY)
    assert (period.start, period.end, period.label) == (start, NOW, label)


@pytest.mark.parametrize(
    ("now", "quarter_start"),
    [
        (datetime(2026, 4, 1, 0, 0, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC)),  # Q2 has just begun
        (datetime(2026, 3, 31, 23, 59, 59, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC)),
        # 01:30 in Berlin on April 1 is still March 31 in UTC: the quarter is a UTC one.
        (datetime(2026, 4, 1, 1, 30, tzinfo=timezone(timedelta(hours=2))), datetime(2026, 1, 1, tzinfo=UTC)),
        (datetime(2026, 12, 31, 18, 0, tzinfo=UTC), datetime(2026, 10, 1, tzinfo=UTC)),
    ],
)
def test_quarter_at_its_boundaries(now: datetime, quarter_start: datetime) -> None:
    period = parse_period("quarter", now, POLICY)
    assert period.start == quarter_start
    assert period.end == now


def test_the_default_period_comes_from_the_policy() -> None:
    weekly = POLICY.model_copy(update={"metrics": MetricsPolicy(default_period=7 * DAY)})
    period = parse_period(None, NOW, weekly)
    assert (period.start, period.label) == (NOW - 7 * DAY, "last 7 days")


@pytest.mark.parametrize("text", ["yesterday", "14d", "7", "month"])
def test_a_bad_period_says_what_to_write(text: str) -> None:
    with pytest.raises(ValueError) as raised:
        parse_period(text, NOW, POLICY)
    message = str(raised.value)
    assert f"{text!r} is not a period" in message
    for choice in ("7d", "30d", "90d", "quarter"):
        assert choice in message


# --- what Slack sees ---------------------------------------------------------------------------------


def _everything_said(metrics: Metrics) -> str:
    fallback, blocks = build_metrics(metrics)
    return fallback + json.dumps(blocks, ensure_ascii=False) + metrics_text(metrics)


def test_private_customers_are_counted_never_named(db: Database) -> None:
    _load_history(db)
    metrics = _metrics(db)
    _fallback, blocks = build_metrics(metrics)
    said = _everything_said(metrics)
    assert PRIVATE_CUSTOMER not in said
    assert all(c.name != PRIVATE_CUSTOMER for c in metrics.top_customers)
    notes = next(b for b in blocks if b.get("block_id") == "metrics_notes")["elements"][0]["text"]
    assert "3 private escalations are counted in these figures but not named" in notes
    assert "3 private escalations are counted" in metrics_text(metrics)


def test_the_message_shows_the_figures_and_escapes_customer_names(db: Database) -> None:
    _load_history(db)
    metrics = _metrics(db)
    fallback, blocks = build_metrics(metrics)
    by_id = {b.get("block_id"): b for b in blocks}
    assert by_id["metrics_header"]["text"]["text"] == "Escalation metrics · last 30 days"
    overall = by_id["metrics_overall"]["text"]["text"]
    assert "11 escalations from 6 customers (1.8 per customer), 3 private" in overall
    assert "First response: median 1 h 30 min, p90 1 day 6 h · within SLA 60% (6 of 10)" in overall
    assert "Resolution: median 8 h 30 min · within target 67% (6 of 9)" in overall
    assert "Repeat escalations (same customer within 90 days): 73% (8 of 11)" in overall
    assert "ARR at risk now: $430,000 across 4 customers" in overall
    fields = [f["text"] for f in by_id["metrics_by_severity"]["fields"]]
    assert len(fields) == 4 and "SEV-1" in fields[0] and "SEV-4" in fields[3]
    assert "Within SLA (15 min): 50% (1/2)" in fields[0]
    assert "promises kept —" in fields[3]  # SEV-4: no promise was made
    customers = by_id["metrics_customers"]["text"]["text"]
    assert "1. Acme Corp · 2 escalations" in customers
    assert "4. &lt;!channel&gt; Evil Corp · 1 escalation" in customers
    assert "<!channel>" not in json.dumps(blocks) + fallback
    assert fallback.startswith("Escalation metrics · last 30 days: 11 escalations")
    assert validate_message_blocks(blocks) == []


def _inputs(**severity: SeverityInputs) -> MetricsInputs:
    return MetricsInputs(by_severity={key.replace("_", "-"): value for key, value in severity.items()})


def test_shares_are_none_with_nothing_to_divide() -> None:
    period = parse_period("7d", NOW, POLICY)
    metrics = compute_metrics(MetricsInputs(by_severity={}), POLICY, period, NOW)
    figures = [metrics.overall, *metrics.by_severity.values()]
    assert list(metrics.by_severity) == ["SEV-1", "SEV-2", "SEV-3", "SEV-4"]
    for f in figures:
        assert f.escalations == 0
        shares = (f.first_response_sla, f.resolution_sla, f.promises_kept, f.repeats, f.prevention_done)
        assert [s.ratio for s in shares] == [None] * 5
        assert (f.first_response_median, f.first_response_p90, f.resolution_median) == (None, None, None)
    assert metrics.per_customer is None
    fallback, blocks = build_metrics(metrics)
    assert fallback == "Escalation metrics · last 7 days: no escalations opened."
    assert "No escalations were opened in the last 7 days." in blocks[1]["text"]["text"]
    assert validate_message_blocks(blocks) == []
    # One escalation, still young and unacknowledged: counted, but no SLA share to show yet.
    young = compute_metrics(
        _inputs(
            SEV_1=SeverityInputs(escalations=1, unacknowledged_age_ms=[60_000], unresolved_age_ms=[60_000])
        ),
        POLICY,
        period,
        NOW,
    )
    assert young.overall.escalations == 1
    assert young.overall.first_response_sla == Share(0, 0)
    assert "· within SLA —\n" in build_metrics(young)[1][1]["text"]["text"]


def test_the_message_stays_within_block_kit_limits_with_extreme_names() -> None:
    hostile = "<!here> & <@U0ANA> " * 40  # 800 characters that grow when escaped
    inputs = MetricsInputs(
        by_severity={
            s: SeverityInputs(
                escalations=10**6,
                private=10**5,
                first_response_ms=list(range(1, 2000)),
                first_update_ms=[7 * 86_400_000],
                resolution_ms=[3 * 86_400_000 * 365],
                promises_made=10**6,
                promises_kept=999_999,
                repeats=10**5,
            )
            for s in ("SEV-1", "SEV-2", "SEV-3", "SEV-4")
        },
        customers=10**6,
        top_customers=[CustomerCount(f"{hostile}{n}", 10**5 - n) for n in range(8)],
        arr_at_risk=10**12,
        arr_customers=10**6,
    )
    metrics = compute_metrics(inputs, POLICY, parse_period("quarter", NOW, POLICY), NOW)
    fallback, blocks = build_metrics(metrics)
    assert validate_message_blocks(blocks) == []
    assert len(blocks) <= limits.MESSAGE_BLOCKS
    assert len(metrics.top_customers) == 5
    text = json.dumps(blocks)
    assert "<!here>" not in text and "<@U0ANA>" not in text
    assert len(fallback) <= limits.MESSAGE_TEXT


def test_a_promise_whose_time_has_not_come_is_neither_kept_nor_broken(db: Database) -> None:
    _load_history(db)
    with db.session() as session:  # h8 (SEV-3, 2 of 2 kept) has just promised a third update, due later
        row = session.query(Escalation).filter(Escalation.intake_key == "h8").one()
        row.promises_made, row.customer_update_promised_at = 3, NOW + HOUR
    assert _metrics(db).by_severity["SEV-3"].promises_kept == Share(2, 3), "2 kept of the 2 due, u5's 0 of 1"
    with db.session() as session:  # its time passed with no update: now it is broken
        session.query(Escalation).filter(Escalation.intake_key == "h8").one().customer_update_promised_at = (
            NOW - HOUR
        )
    assert _metrics(db).by_severity["SEV-3"].promises_kept == Share(2, 4)
