"""Patterns (seed 001 "pattern blindness", seed 003 "same issue reported by 3+ customers"): escalations opened
through the escalation service, in-process against the fake Slack (`tests/in_process.py`), on SQLite and
PostgreSQL. Three customers with the same issue raise one alert in the escalations channel, a fourth edits
it; anything less raises none; concurrent reports on two replicas raise one; private reports are counted,
never named; user text stays inert; a Slack failure loses nothing."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import select

from blocks import limits
from blocks.escalations.intake_modal import IntakeSource
from blocks.escalations.patterns import ALERT_BLOCK, build_pattern_alert
from bot.app import Warroom, build_warroom
from bot.escalations.intake import Intake
from bot.escalations.read_model import EscalationSnapshot
from bot.policy.model import default_policy
from bot.sandbox.block_kit_rules import validate_message_blocks
from bot.sandbox.in_memory import IN_MEMORY_API_URL, InMemoryWebClient
from bot.settings import load_settings
from storage.db import Database
from storage.models import Pattern, PatternMember
from tests.block_samples import esc_fixture as esc_fixture
from tests.block_samples import extreme_fixture as extreme_fixture
from tests.in_process import CALLER, IC, InProcess
from tests.in_process import in_process_fixture as in_process_fixture

ESCALATIONS = "C0ESCALATIONS"
SSO = {
    "Acme Corp": "Acme: SSO login loop after the update",
    "Globex": "Globex — SSO login loop since this morning",
    "Initech": "Users stuck in an SSO login loop",
    "Hooli": "SSO login loop for all Hooli users",
    "Umbrella": "SSO login loop again",
    "Stark Industries": "Stark: SSO login loop since the release",
}
LIVE = ("<!channel>", "<!here>", "<!everyone>", "<https://evil.example", "<@U0ANA>")


def _open(
    warroom: Warroom,
    customer: str,
    summary: str,
    severity: str = "SEV-3",
    escalation_type: str = "technical",
) -> EscalationSnapshot:
    """Submit an intake for `customer` and let the service open it, as the modal's submission does."""
    intake = Intake(
        customer=customer,
        summary=summary,
        escalation_type=escalation_type,
        severity=severity,
        ic_user_id=IC,
    )
    return warroom.service.open(intake, CALLER, IntakeSource(uuid.uuid4().hex, channel_id="C0SUPPORT"))


def _report(
    in_process: InProcess, customer: str, summary: str | None = None, **options: Any
) -> EscalationSnapshot:
    in_process.clock.advance(minutes=5)  # reports arrive over time: the earliest is the anchor
    return _open(in_process.warroom, customer, summary or SSO[customer], **options)


def _posted_alerts(in_process: InProcess) -> list[Any]:
    """chat.postMessage calls that posted a pattern alert."""
    return [
        c
        for c in in_process.fake.calls_to("chat.postMessage")
        if c.ok and ALERT_BLOCK in json.dumps(c.params)
    ]


def _alert(in_process: InProcess) -> dict[str, Any]:
    """The one pattern alert in the escalations channel, as it reads now."""
    alerts = [
        m
        for m in in_process.fake.messages(ESCALATIONS)
        if any(b.get("block_id") == ALERT_BLOCK for b in m.get("blocks") or [])
    ]
    assert len(alerts) == 1, f"{len(alerts)} pattern alerts"
    return alerts[0]


def _said(message: dict[str, Any]) -> str:
    return json.dumps(message, ensure_ascii=False)


def _patterns(db: Database) -> list[tuple[int, int, list[int]]]:
    """(pattern id, anchor id, member ids) of every pattern."""
    with db.session() as session:
        return [
            (
                pattern.id,
                pattern.anchor_escalation_id,
                sorted(
                    session.execute(
                        select(PatternMember.escalation_id).where(PatternMember.pattern_id == pattern.id)
                    ).scalars()
                ),
            )
            for pattern in session.execute(select(Pattern)).scalars()
        ]


# --- one alert for three customers, edited for the fourth -----------------------------------------------


def test_three_customers_with_the_same_issue_raise_one_alert_and_a_fourth_edits_it(
    in_process: InProcess,
) -> None:
    acme = _report(in_process, "Acme Corp", severity="SEV-1")
    globex = _report(in_process, "Globex")
    assert _posted_alerts(in_process) == [] and _patterns(in_process.warroom.db) == []

    initech = _report(in_process, "Initech", severity="SEV-2")

    assert len(_posted_alerts(in_process)) == 1
    alert = _alert(in_process)
    said = _said(alert)
    assert "Pattern #" in said and "the same issue from 3 customers" in said
    for esc in (acme, globex, initech):
        assert esc.public_id in said and esc.customer in said and esc.severity in said
    assert f"<#{acme.room_channel_id}>" in said and f"<#{initech.room_channel_id}>" in said
    assert "archives/C0SUPPORT/p" in said and "card thread" in said, "the SEV-3 links to its card"
    assert "SSO login loop after the update" in said, "the issue, in the earliest report's words"
    ((pattern_id, anchor, members),) = _patterns(in_process.warroom.db)
    assert anchor == acme.id and members == sorted([acme.id, globex.id, initech.id])

    hooli = _report(in_process, "Hooli")

    assert len(_posted_alerts(in_process)) == 1, "edited, never posted again"
    edits = [c for c in in_process.fake.calls_to("chat.update") if c.params.get("ts") == alert["ts"]]
    assert len(edits) == 1
    said = _said(_alert(in_process))
    assert hooli.public_id in said and "Hooli" in said and "the same issue from 4 customers" in said
    assert _patterns(in_process.warroom.db) == [(pattern_id, acme.id, sorted([*members, hooli.id]))]


def test_a_resubmitted_intake_changes_nothing(in_process: InProcess) -> None:
    for customer in ("Acme Corp", "Globex"):
        _report(in_process, customer)
    intake = Intake(customer="Initech", summary=SSO["Initech"], escalation_type="technical", severity="SEV-3")
    source = IntakeSource(uuid.uuid4().hex, channel_id="C0SUPPORT")
    first = in_process.warroom.service.open(intake, CALLER, source)
    again = in_process.warroom.service.open(intake, CALLER, source)
    assert again.id == first.id
    assert len(_posted_alerts(in_process)) == 1 and in_process.fake.calls_to("chat.update") == []
    assert len(_patterns(in_process.warroom.db)[0][2]) == 3


# --- what is not a pattern ------------------------------------------------------------------------------


def test_two_different_issues_raise_no_alert(in_process: InProcess) -> None:
    _report(in_process, "Acme Corp")
    _report(in_process, "Globex")
    _report(in_process, "Initech", "CSV export slow for large reports")
    _report(in_process, "Hooli", "CSV exports are slow")
    assert _posted_alerts(in_process) == [] and _patterns(in_process.warroom.db) == []


def test_two_customers_only_raise_no_alert_however_often_they_report(in_process: InProcess) -> None:
    for customer in ("Acme Corp", "Globex", "Acme Corp", "Globex"):
        _report(in_process, customer)
    assert _posted_alerts(in_process) == [] and _patterns(in_process.warroom.db) == []


def test_one_customer_three_times_raises_no_alert(in_process: InProcess) -> None:
    for summary in ("SSO login loop", "SSO login loop again", "Still an SSO login loop"):
        _report(in_process, "Acme Corp", summary)
    assert _posted_alerts(in_process) == [] and _patterns(in_process.warroom.db) == []


def test_reports_further_apart_than_the_window_are_not_one_pattern(in_process: InProcess) -> None:
    _report(in_process, "Acme Corp")
    in_process.clock.advance(days=2)
    _report(in_process, "Globex")
    in_process.clock.advance(days=6)  # 8 days after Acme's: outside the 7-day window, 6 after Globex's
    _report(in_process, "Initech")
    assert _posted_alerts(in_process) == []
    in_process.clock.advance(hours=1)
    hooli = _report(in_process, "Hooli")  # Globex, Initech and Hooli are within a week of each other
    said = _said(_alert(in_process))
    assert hooli.public_id in said and "Globex" in said and "Acme" not in said


# --- exactly once, whatever runs at once ----------------------------------------------------------------


@pytest.fixture
def second_replica(in_process: InProcess) -> Iterator[Warroom]:
    """Another warroom process on the same database and Slack workspace (its own engine and pool)."""
    db = Database(in_process.warroom.db.url)
    replica = build_warroom(
        in_process.warroom.settings,
        db=db,
        clock=in_process.clock,
        web_client=InMemoryWebClient(in_process.fake),
    )
    yield replica
    replica.close()


def _at_once(*work: Any) -> list[Any]:
    """Run the calls on threads released together; re-raise any failure."""
    start = threading.Barrier(len(work))

    def run(call: Any) -> Any:
        start.wait(timeout=30)
        return call()

    with ThreadPoolExecutor(max_workers=len(work)) as pool:
        return list(pool.map(run, work))


def test_concurrent_third_and_fourth_reports_on_two_replicas_raise_one_alert(
    in_process: InProcess, second_replica: Warroom
) -> None:
    first = [_report(in_process, "Acme Corp"), _report(in_process, "Globex")]
    in_process.clock.advance(minutes=5)
    replicas = (in_process.warroom, second_replica, in_process.warroom, second_replica)
    customers = ("Initech", "Hooli", "Umbrella", "Stark Industries")

    opened = _at_once(
        *[
            (lambda warroom=warroom, customer=customer: _open(warroom, customer, SSO[customer]))
            for warroom, customer in zip(replicas, customers, strict=True)
        ]
    )

    assert len(_posted_alerts(in_process)) == 1
    ((_, anchor, members),) = _patterns(in_process.warroom.db)
    everyone = first + opened
    assert anchor == first[0].id and members == sorted(esc.id for esc in everyone)
    said = _said(_alert(in_process))
    assert all(esc.public_id in said for esc in everyone), "the alert ends up listing every report"
    assert "the same issue from 6 customers" in said


def test_the_same_detection_on_two_replicas_at_once_records_and_posts_once(
    in_process: InProcess, second_replica: Warroom
) -> None:
    for customer in ("Acme Corp", "Globex"):
        _report(in_process, customer)
    third, _ = in_process.warroom.service.create(
        Intake(customer="Initech", summary=SSO["Initech"], escalation_type="technical", severity="SEV-3"),
        CALLER,
        IntakeSource(uuid.uuid4().hex, channel_id="C0SUPPORT"),
    )
    detectors = [in_process.warroom.patterns, second_replica.patterns] * 3
    assert all(detector is not None for detector in detectors)

    found = _at_once(*[(lambda d=d: d.after_opened(third.id)) for d in detectors if d is not None])

    assert len(set(found)) == 1 and found[0] is not None
    assert len(_posted_alerts(in_process)) == 1 and len(_patterns(in_process.warroom.db)) == 1


ROUNDS = 12


def test_concurrent_reports_that_see_different_earliest_reports_still_make_one_pattern(
    in_process: InProcess, second_replica: Warroom
) -> None:
    # Similarity is not transitive: the Okta report is alike to Acme's and Globex's, the mobile one to
    # Umbrella's and Acme's. Each would anchor a pattern of its own on a different earliest report; they
    # share Acme's, so one waits for the other and joins its pattern. The race is run again and again, a
    # window apart, so each round is a pattern of its own.
    detectors = (in_process.warroom.patterns, second_replica.patterns)
    assert detectors[0] is not None and detectors[1] is not None
    expected = []
    for _ in range(ROUNDS):
        in_process.clock.advance(days=8)
        first = [
            _report(in_process, "Umbrella", "SSO login loop in the mobile app"),
            _report(in_process, "Acme Corp", "SSO login loop"),
            _report(in_process, "Globex", "SSO login loop with Okta"),
        ]
        okta, mobile = (
            in_process.warroom.service.create(
                Intake(customer=customer, summary=summary, escalation_type="technical", severity="SEV-3"),
                CALLER,
                IntakeSource(uuid.uuid4().hex, channel_id="C0SUPPORT"),
            )[0]
            for customer, summary in (
                ("Initech", "Okta SSO login loop"),
                ("Hooli", "Mobile app SSO login loop"),
            )
        )

        _at_once(
            lambda okta=okta: detectors[0].after_opened(okta.id),
            lambda mobile=mobile: detectors[1].after_opened(mobile.id),
        )

        expected.append(sorted(esc.id for esc in [*first, okta, mobile]))
    assert sorted(members for _, _, members in _patterns(in_process.warroom.db)) == expected
    assert len(_posted_alerts(in_process)) == ROUNDS


# --- privacy, hostile text, failures --------------------------------------------------------------------


def test_private_reports_are_counted_never_named(in_process: InProcess) -> None:
    hidden = _report(in_process, "Globex", "Globex: SSO login loop", escalation_type="security")
    assert hidden.is_private and hidden.room_channel_id
    _report(in_process, "Acme Corp")
    _report(in_process, "Initech")

    said = _said(_alert(in_process))
    assert "the same issue from 3 customers" in said
    assert "Plus 1 private escalation" in said
    assert "Globex" not in said and hidden.public_id not in said and hidden.room_channel_id not in said
    assert "SSO login loop after the update" in said, "the issue is quoted from a public report"


def test_hostile_customer_and_summary_stay_inert_in_the_alert(in_process: InProcess) -> None:
    _report(in_process, "<!channel>", "<!here> SSO login loop")
    _report(in_process, "<@U0ANA> Acme", "SSO login loop <!everyone>")
    _report(in_process, "<https://evil.example|Initech>", "SSO login loop again")

    alert = _alert(in_process)
    parsed = [alert["text"]] + [
        text
        for block in alert["blocks"]
        for text in [block.get("text", {}).get("text", "")]
        + [e.get("text", "") for e in block.get("elements", [])]
    ]
    assert not [marker for marker in LIVE for text in parsed if marker in text]
    said = _said(alert)
    assert "&lt;!channel&gt;" in said and "&lt;@U0ANA&gt; Acme" in said and "&lt;https://evil" in said


def test_a_slack_failure_posting_the_alert_fails_neither_the_escalation_nor_the_next_alert(
    in_process: InProcess,
) -> None:
    for customer in ("Acme Corp", "Globex"):
        _report(in_process, customer)
    in_process.clock.advance(minutes=5)
    intake = Intake(customer="Initech", summary=SSO["Initech"], escalation_type="technical", severity="SEV-3")
    source = IntakeSource(uuid.uuid4().hex, channel_id="C0SUPPORT")
    # The card is posted; then the submission is retried (a Slack retry) and Slack refuses the alert.
    third, _ = in_process.warroom.service.create(intake, CALLER, source)
    assert in_process.warroom.flow.provision(third.id) is not None
    in_process.fake.fail_next("chat.postMessage", error="channel_not_found")

    opened = in_process.warroom.service.open(intake, CALLER, source)

    assert opened.id == third.id and opened.card_ts, "the escalation is open, with its card"
    ((_, _, members),) = _patterns(in_process.warroom.db)
    assert third.id in members, "the pattern is recorded"
    assert _posted_alerts(in_process) == []

    in_process.clock.advance(minutes=3)  # the failed poster's claim has lapsed: the next report posts it
    _report(in_process, "Hooli")
    assert len(_posted_alerts(in_process)) == 1
    assert "the same issue from 4 customers" in _said(_alert(in_process))


def test_an_alert_slack_posted_without_answering_is_found_not_posted_again(in_process: InProcess) -> None:
    for customer in ("Acme Corp", "Globex"):
        _report(in_process, customer)
    in_process.clock.advance(minutes=5)
    intake = Intake(customer="Initech", summary=SSO["Initech"], escalation_type="technical", severity="SEV-3")
    source = IntakeSource(uuid.uuid4().hex, channel_id="C0SUPPORT")
    third, _ = in_process.warroom.service.create(intake, CALLER, source)
    assert in_process.warroom.flow.provision(third.id) is not None
    in_process.fake.drop_after_acting("chat.postMessage")  # Slack posts the alert; the answer is lost

    assert in_process.warroom.service.open(intake, CALLER, source).id == third.id
    assert len(_posted_alerts(in_process)) == 1

    in_process.clock.advance(minutes=3)
    hooli = _report(in_process, "Hooli")
    assert len(_posted_alerts(in_process)) == 1, "found in the channel and edited, not posted again"
    said = _said(_alert(in_process))
    assert hooli.public_id in said and "the same issue from 4 customers" in said


def test_the_alert_stays_within_slacks_limits_however_big_the_pattern(
    esc: EscalationSnapshot, extreme: EscalationSnapshot
) -> None:
    public = [
        replace(
            esc,
            id=n,
            public_id=f"ESC-2026-{100 + n}",
            customer=f"{extreme.customer} {n}",
            title=extreme.title,
        )
        for n in range(60)
    ]
    private = [replace(extreme, id=100 + n, customer=f"Secret {n}") for n in range(5)]
    text, blocks = build_pattern_alert(7, [*public, *private], default_policy().patterns.window)
    assert validate_message_blocks(blocks) == [] and len(blocks) <= limits.MESSAGE_BLOCKS
    said = _said({"text": text, "blocks": blocks})
    assert "the same issue from 65 customers" in said and "…and 35 more" in said
    assert "Plus 5 private escalations" in said and "Secret" not in said and "ESC-2026-008" not in said


def test_without_an_escalations_channel_the_pattern_is_recorded_not_announced(in_process: InProcess) -> None:
    settings = load_settings(
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_SIGNING_SECRET="x",
        SLACK_API_URL=IN_MEMORY_API_URL,
        DATABASE_URL=in_process.warroom.db.url,
        _env_file=None,
    )
    assert settings.escalations_channel is None
    quiet = build_warroom(
        settings,
        db=in_process.warroom.db,
        clock=in_process.clock,
        web_client=InMemoryWebClient(in_process.fake),
    )
    try:
        for customer in ("Acme Corp", "Globex", "Initech"):
            in_process.clock.advance(minutes=5)
            _open(quiet, customer, SSO[customer])
    finally:
        quiet.close(dispose_db=False)
    assert len(_patterns(in_process.warroom.db)) == 1
    assert _posted_alerts(in_process) == []
