"""Drafts a person would send: for the labelled triage situations (tests/draft_situations.yaml names the
intake facts of each), every customer-facing template draft passes the lint with no findings, promises a
time that is still ahead in the contact's zone, greets a titled contact by title and family name, and
tells the problem in the customer's words rather than pasting the team's summary.

The escalation is built the way the product builds it: the prefill's summary (without the customer the
form names), the rules' wording when the person typed none (`validate_intake`), the case's labels for
severity and type, and its account facts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.core.zones import zone_name
from bot.drafting.checks import lint_of
from bot.drafting.context import DraftContext
from bot.drafting.grounding import build_context
from bot.drafting.lint import format_findings
from bot.drafting.lint_rules import CUSTOMER_FACING
from bot.drafting.promise import format_promise
from bot.drafting.templates import render_template
from bot.escalations.customer_words import WORDING_WORDS, in_customer_words
from bot.escalations.prefill import parse_free_text, without_customer
from bot.escalations.read_model import TimelineEntry
from bot.policy.model import default_policy
from tests.factories import make_snapshot

HERE = Path(__file__).parent
POLICY = default_policy()
KINDS = sorted(CUSTOMER_FACING)
# Two moments to draft at: a Tuesday afternoon in Europe, and a late evening in UTC, where a promise a
# couple of hours ahead lands on "tomorrow" in most zones east of London.
NOWS = (datetime(2026, 3, 3, 14, 20, tzinfo=UTC), datetime(2026, 3, 3, 22, 40, tzinfo=UTC))
# When the customer update is due, relative to now: ahead, already past (a new time is offered), and too
# close to send in time (also a new time).
DUE_IN = (timedelta(minutes=95), timedelta(minutes=-25), timedelta(minutes=5), timedelta(hours=-3))
# The incident commander's zone, used when the contact's zone is unknown.
IC_ZONES = ("Europe/Berlin", None, "America/New_York")
TITLES = {"dr", "mr", "mrs", "ms", "mx", "prof"}
PARTICLES = {"van", "von", "de", "da", "del", "di", "du", "le", "la", "bin", "al", "ter"}


def _cases() -> dict[str, dict[str, Any]]:
    cases: dict[str, dict[str, Any]] = {}
    for name in ("triage_cases.yaml", "triage_holdout.yaml"):
        for case in yaml.safe_load((HERE / name).read_text(encoding="utf-8")):
            cases[case["id"]] = case
    return cases


CASES = _cases()
SITUATIONS: list[dict[str, Any]] = yaml.safe_load((HERE / "draft_situations.yaml").read_text("utf-8"))


@dataclass(frozen=True)
class Built:
    """One situation, drafted: its context, the summary it was built from, the due time it was given."""

    situation: dict[str, Any]
    ctx: DraftContext
    summary: str
    due_at: datetime

    @property
    def situation_severity(self) -> str:
        return CASES[self.situation["id"]]["expected"]["severity"]


def build(index: int, situation: dict[str, Any]) -> Built:
    """The escalation of `situation`, as the intake would record it, and its draft context."""
    case = CASES[situation["id"]]
    customer = situation["customer"]
    now = NOWS[index % len(NOWS)]
    due_at = now + DUE_IN[index % len(DUE_IN)]
    prefill = parse_free_text(case["text"], POLICY)
    summary = without_customer(prefill.summary, customer)
    wording = situation.get("wording") or in_customer_words(summary, customer)
    severity, kind = case["expected"]["severity"], case["expected"]["type"]
    account = case["account"]
    created = now - timedelta(hours=3, minutes=10)
    public_id = f"ESC-2026-{index + 100:03d}"
    esc = make_snapshot(
        id=index + 100,
        public_id=public_id,
        customer=customer,
        title=summary,
        description=case["text"],
        severity=severity,
        severity_label=POLICY.for_severity(severity).label,
        suggested_severity=severity,
        escalation_type=kind,
        status=situation["status"],
        tier=account.get("tier"),
        arr_at_risk=account.get("arr"),
        users_affected=account.get("users_affected"),
        contact_name=situation.get("contact"),
        contact_timezone=situation.get("timezone"),
        customer_wording=wording,
        customer_mood=situation.get("mood"),
        public_exposure=prefill.public_exposure,
        regulatory=prefill.regulatory,
        created_at=created,
        first_response_due_at=created + timedelta(minutes=15),
        # A SEV-4 has no customer cadence: its clock is the time someone promised the customer.
        customer_update_promised_at=due_at if severity == "SEV-4" else None,
        customer_update_due_at=due_at,
    )
    timeline = [
        TimelineEntry(
            created, "created", f"{public_id} opened as {severity}", "U0CALLER", {"severity": severity}
        ),
        TimelineEntry(
            created + timedelta(minutes=2), "role_assigned", "<@U0IC> is incident commander", "U0IC"
        ),
    ]
    steps = {"investigating": [], "identified": ["identified"], "monitoring": ["identified", "monitoring"]}
    previous = "investigating"
    for minutes, status in zip((50, 110), steps[situation["status"]], strict=False):
        said, change = f"{previous.title()} → {status.title()}", {"from": previous, "to": status}
        timeline.append(
            TimelineEntry(created + timedelta(minutes=minutes), "status_changed", said, "U0IC", change)
        )
        previous = status
    ctx = build_context(
        esc,
        timeline,
        [],
        POLICY,
        now,
        ic_name="Maya Chen",
        ic_zone=IC_ZONES[index % len(IC_ZONES)],
        reported_by_name="Sam Ortiz",
        company_name="Acme Cloud",
    )
    return Built(situation, ctx, summary, due_at)


BUILT = [build(index, situation) for index, situation in enumerate(SITUATIONS)]
RENDERS = [(built, kind) for built in BUILT for kind in KINDS]


def _title_form(contact: str | None) -> str | None:
    """ "Dr. Nwosu" for "Dr. Amara Nwosu", "Ms. van Dijk" for "Ms. Jane van Dijk"; None without a title."""
    words = (contact or "").split()
    if len(words) < 2 or words[0].rstrip(".").lower() not in TITLES:
        return None
    family = next((i for i, word in enumerate(words[2:], 2) if word.lower() in PARTICLES), len(words) - 1)
    return f"{words[0].rstrip('.')}. {' '.join(words[family:])}"


def _shown(built: Built, kind: str) -> str:
    draft = render_template(kind, built.ctx)
    return f"{built.situation['id']} / {kind}\nSubject: {draft.subject}\n\n{draft.body}"


# --- the situations themselves ----------------------------------------------------------------------------


def test_the_situations_cover_every_severity_and_type() -> None:
    assert len(SITUATIONS) >= 44
    ids = [situation["id"] for situation in SITUATIONS]
    assert len(set(ids)) == len(ids), "a situation is listed twice"
    assert set(ids) <= set(CASES), f"unknown case ids: {sorted(set(ids) - set(CASES))}"
    labels = [CASES[i]["expected"] for i in ids]
    assert {label["severity"] for label in labels} == {"SEV-1", "SEV-2", "SEV-3", "SEV-4"}
    assert {label["type"] for label in labels} == {
        "technical",
        "security",
        "compliance",
        "billing",
        "service",
        "business",
        "relationship",
    }
    for situation in SITUATIONS:
        # The account's name exactly as the case's text writes it.
        assert situation["customer"] in CASES[situation["id"]]["text"], situation["id"]
        assert situation["status"] in ("investigating", "identified", "monitoring"), situation["id"]
    assert any(_title_form(situation.get("contact")) for situation in SITUATIONS)
    assert any("contact" not in situation for situation in SITUATIONS)
    assert any("timezone" not in situation for situation in SITUATIONS)
    assert sum("wording" not in situation for situation in SITUATIONS) > len(SITUATIONS) * 3 // 4
    assert any(built.due_at < built.ctx.now for built in BUILT)
    assert any(built.due_at > built.ctx.now for built in BUILT)


# --- every customer-facing draft, as the service lints it --------------------------------------------------


@pytest.mark.parametrize(("built", "kind"), RENDERS, ids=[f"{b.situation['id']}-{k}" for b, k in RENDERS])
def test_template_draft_passes_the_lint(built: Built, kind: str) -> None:
    draft = render_template(kind, built.ctx)
    findings = lint_of(draft, built.ctx)
    assert not findings, f"{format_findings(findings)}\n\n{_shown(built, kind)}"


@pytest.mark.parametrize(("built", "kind"), RENDERS, ids=[f"{b.situation['id']}-{k}" for b, k in RENDERS])
def test_template_draft_reads_right(built: Built, kind: str) -> None:
    ctx, draft = built.ctx, render_template(kind, built.ctx)
    shown = _shown(built, kind)
    if draft.subject is not None:
        assert len(draft.subject) < 78, shown
    # The promised time: ahead of now, in the contact's zone (else the IC's, else UTC), named.
    promise = ctx.promise
    assert promise is not None, shown  # late with no cadence (SEV-4) too: a new time soon
    assert promise.at >= ctx.now + timedelta(minutes=15), shown
    zone = built.situation.get("timezone") or IC_ZONES[BUILT.index(built) % len(IC_ZONES)] or "UTC"
    assert promise.zone == zone
    promised = format_promise(promise.at, ctx.now, zone)
    assert zone_name(zone, promise.at) in promised
    assert promised in draft.body, shown
    if built.due_at <= ctx.now + timedelta(minutes=15):
        # The update is late (or too close to keep): the draft offers a new time, never the old one.
        assert promise.at > built.due_at, shown
        assert format_promise(built.due_at, ctx.now, zone) not in draft.body, shown
    # The team's summary never goes to the customer word for word.
    if len(built.summary.split()) > 15:
        assert built.summary not in draft.body, shown
        assert built.summary.rstrip(".…") not in draft.body, shown
    # A titled contact is greeted "Dr. Nwosu", never "Dr." alone or by the given name.
    form = _title_form(built.situation.get("contact"))
    if form:
        assert form in draft.body, shown
        if kind in ("ack", "update", "resolution", "apology", "response"):
            greeting = next(line for line in draft.body.splitlines() if line and not line.startswith("["))
            assert form in greeting, shown


def test_both_moments_promise_today_and_tomorrow() -> None:
    promised = [built.ctx.next_update for built in BUILT]
    assert any(when.endswith(" today") for when in promised)
    assert any(when.endswith(" tomorrow") for when in promised)
    assert any("Berlin time" in when for when in promised)
    assert any(" UTC " in when for when in promised)


def test_the_wording_is_a_phrase_not_the_summary() -> None:
    for built in BUILT:
        if "wording" in built.situation:
            continue
        wording = built.ctx.issue
        assert wording, built.situation["id"]
        assert len(wording.split()) <= WORDING_WORDS, (built.situation["id"], wording)
        assert built.situation["customer"].lower() not in wording.lower(), (built.situation["id"], wording)


def test_title_form() -> None:
    assert _title_form("Dr. Amara Nwosu") == "Dr. Nwosu"
    assert _title_form("Ms. Jane van Dijk") == "Ms. van Dijk"
    assert _title_form("Prof. Lee Chang") == "Prof. Chang"
    assert _title_form("Lee Chang") is None
