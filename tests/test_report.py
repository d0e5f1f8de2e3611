"""The post-incident report: seed 001's sections in order, the real timeline with times and names, prompts
where the record knows nothing yet, user text that stays literal, and a size that holds whatever happens."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.escalations.read_model import TimelineEntry
from bot.followups.model import FollowUpView
from bot.reports.report import (
    NARRATIVE_HEADING,
    REPORT_LIMIT,
    build_report,
    md,
    report_filename,
    report_title,
)
from tests.factories import CREATED, make_snapshot

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
# Seed 001's "Post-Incident Report Template", section by section.
SEED_SECTIONS = [
    "Summary",
    "Timeline",
    "Root Cause",
    "Resolution",
    "Customer Impact",
    "Prevention Actions",
    "Lessons Learned",
    "Recovery Actions Taken",
]
NAMES = {
    "U0CALLER": "Ben Okoro",
    "U0IC": "Ana Lopez",
    "U0LIA": "Chloe Diaz",
    "U0ENG": "Eli Park",
}
RESOLVED = CREATED + timedelta(hours=3, minutes=20)  # 17:25
CONFIRMED = CREATED + timedelta(hours=3, minutes=55)  # 18:00
NOW = datetime(2026, 3, 5, 10, 0, tzinfo=UTC)


def at(minutes: int) -> datetime:
    return CREATED + timedelta(minutes=minutes)


def entry(minutes: int, kind: str, text: str, actor: str | None, **data: object) -> TimelineEntry:
    return TimelineEntry(at=at(minutes), kind=kind, text=text, actor_user_id=actor, data=dict(data))


def scripted_timeline() -> list[TimelineEntry]:
    """Seed 000's escalation from the report to the customer's confirmation, with the noise in between."""
    return [
        entry(0, "created", "ESC-2026-007 opened as SEV-1", "U0CALLER", severity="SEV-1", suggested="SEV-1"),
        entry(0, "role_assigned", "Incident commander: <@U0IC>", "U0CALLER", role="ic"),
        entry(7, "acknowledged", "First response by <@U0IC>", "U0IC", late=False),
        entry(15, "role_assigned", "Customer liaison: <@U0LIA>", "U0IC", role="liaison"),
        entry(25, "snoozed", "<@U0IC> snoozed the internal update reminder for 10 min", "U0IC"),
        entry(35, "internal_update", "Rollback of the migration started", "U0ENG"),
        entry(
            65,
            "status_changed",
            "Investigating → Identified",
            "U0ENG",
            **{"from": "investigating", "to": "identified"},
        ),
        entry(85, "customer_update", "Told David the rollback is under way", "U0LIA"),
        entry(100, "draft", "Draft update by template", "U0LIA"),
        entry(
            200,
            "status_changed",
            "Identified → Resolved: Restored the reports from the pre-migration backup",
            "U0ENG",
            **{"from": "identified", "to": "resolved"},
        ),
        entry(
            235,
            "customer_confirmed",
            "Okafor Analytics confirmed the resolution: by phone with David",
            "U0LIA",
        ),
        entry(235, "status_changed", "Resolved → Closed", "U0LIA", **{"from": "resolved", "to": "closed"}),
        entry(240, "archive_failed", "The war room could not be archived (Slack said `ratelimited`)", None),
    ]


def closed_escalation(**changes: object):
    values: dict[str, object] = {
        "status": "closed",
        "tier": "enterprise",
        "arr_at_risk": 180_000,
        "users_affected": 1_200,
        "description": "Six months of historical reports are corrupted after the migration",
        "acknowledged_at": at(7),
        "acknowledged_by": "U0IC",
        "liaison_user_id": "U0LIA",
        "engineering_user_id": "U0ENG",
        "resolved_at": RESOLVED,
        "resolved_by": "U0ENG",
        "resolution_summary": "Restored the reports from the pre-migration backup",
        "confirmed_at": CONFIRMED,
        "confirmed_by": "U0LIA",
        "closed_at": CONFIRMED,
        "closed_by": "U0LIA",
        "promises_made": 2,
        "promises_kept": 1,
    }
    return make_snapshot(**(values | changes))


def follow_up(n: int, kind: str, text: str, **changes: object) -> FollowUpView:
    values: dict[str, object] = {
        "id": n,
        "escalation_id": 7,
        "kind": kind,
        "text": text,
        "status": "open",
        "created_at": CONFIRMED,
    }
    return FollowUpView(**(values | changes))  # type: ignore[arg-type]


def section(doc: str, heading: str) -> str:
    """The text of `## heading` up to the next `## `."""
    start = doc.index(f"\n## {heading}\n") + len(heading) + 5
    end = doc.find("\n## ", start)
    return doc[start : end if end >= 0 else len(doc)]


def table_rows(text: str) -> list[list[str]]:
    """The body rows of the Markdown tables in `text`, cells split on unescaped pipes."""
    rows = []
    for line in text.splitlines():
        if line.startswith("| ") and not line.startswith(("| Time |", "| Action |")):
            rows.append([cell.strip() for cell in re.split(r"(?<!\\)\|", line)[1:-1]])
    return rows


# Markdown where every special character is backslash-escaped: text only, no syntax.
ONLY_LITERALS = re.compile(r"(?:\\.|[^\\`*_\[\]<>#|!~\n])*")


def literal(markdown: str) -> str:
    """What a Markdown viewer shows for text that only holds backslash escapes."""
    return re.sub(r"\\(.)", r"\1", markdown)


def test_the_timeline_is_the_real_one_in_order_with_times_names_and_seed_milestones():
    doc = build_report(closed_escalation(), scripted_timeline(), [], NAMES, now=NOW)

    assert table_rows(section(doc, "Timeline")) == [
        ["2026-03-02 14:05 UTC", "Ben Okoro", "Issue first reported"],
        ["2026-03-02 14:05 UTC", "Ben Okoro", "Escalation triggered: ESC-2026-007 opened as SEV-1"],
        ["2026-03-02 14:05 UTC", "Ben Okoro", "Incident commander: @Ana Lopez"],
        ["2026-03-02 14:12 UTC", "Ana Lopez", "First response by @Ana Lopez"],
        ["2026-03-02 14:20 UTC", "Ana Lopez", "Customer liaison: @Chloe Diaz"],
        ["2026-03-02 14:40 UTC", "Eli Park", "Internal update: Rollback of the migration started"],
        ["2026-03-02 15:10 UTC", "Eli Park", "Root cause identified"],
        ["2026-03-02 15:30 UTC", "Chloe Diaz", "Customer update: Told David the rollback is under way"],
        [
            "2026-03-02 17:25 UTC",
            "Eli Park",
            "Resolution implemented: Restored the reports from the pre-migration backup",
        ],
        ["2026-03-02 18:00 UTC", "Chloe Diaz", "Customer confirmed resolution: by phone with David"],
        ["2026-03-02 18:00 UTC", "Chloe Diaz", "Escalation closed"],
    ]


def test_times_are_in_the_readers_zone_and_warroom_is_who_acted_alone():
    timeline = [
        entry(0, "created", "ESC-2026-007 opened as SEV-1", "U0CALLER"),
        entry(20, "sla_breach", "First response SLA breached (SEV-1)", None),
    ]
    doc = build_report(make_snapshot(), timeline, [], NAMES, now=NOW, tz=ZoneInfo("Europe/Berlin"))

    rows = table_rows(section(doc, "Timeline"))
    assert rows[0][:2] == ["2026-03-02 15:05 CET", "Ben Okoro"]  # 14:05 UTC is 15:05 in Berlin in March
    assert rows[-1] == ["2026-03-02 15:25 CET", "warroom", "First response SLA breached (SEV-1)"]


def test_sections_follow_the_seed_template_in_order():
    doc = build_report(
        closed_escalation(), scripted_timeline(), [], NAMES, now=NOW, narrative="It went well."
    )

    assert doc.startswith("# Post-Incident Report: ESC-2026-007\n")
    headings = re.findall(r"^## (.+)$", doc, re.MULTILINE)
    in_seed_order = [h for h in headings if h in SEED_SECTIONS]
    assert in_seed_order == SEED_SECTIONS
    # The narrative is the last section, marked as Claude's; Process Review sits where workflow 5 has it.
    assert headings[-1] == NARRATIVE_HEADING == "Draft narrative (written by Claude, check before sharing)"
    assert (
        headings.index("Customer Impact")
        < headings.index("Process Review")
        < headings.index("Prevention Actions")
    )


def test_the_section_list_is_the_seed_templates_own():
    seed = next(iter(SEEDS.glob("001_*.txt")), None) if SEEDS.is_dir() else None
    if seed is None:
        pytest.skip("../shared/seeds is not beside the repository")
    template = seed.read_text().split("## Post-Incident Report Template", 1)[1]
    assert re.findall(r"^## (.+)$", template, re.MULTILINE) == SEED_SECTIONS


def test_summary_gives_customer_issue_severity_duration_and_impact():
    doc = build_report(closed_escalation(), scripted_timeline(), [], NAMES, now=NOW)
    summary = section(doc, "Summary")

    assert "- **Customer**: Okafor Analytics" in summary
    assert "- **Issue**: Migration corrupted 6 months of historical reports" in summary
    assert "- **Severity**: SEV-1 (Critical)" in summary
    assert "- **Duration**: 2026-03-02 14:05 UTC to 2026-03-02 17:25 UTC (3 h 20 min)" in summary
    assert "1,200 users affected" in summary


def test_an_open_escalation_is_ongoing():
    doc = build_report(make_snapshot(), [], [], NAMES, now=CREATED + timedelta(hours=2, minutes=30))

    assert "- **Duration**: 2026-03-02 14:05 UTC to now: ongoing (2 h 30 min so far)" in doc
    assert "No event recorded" in section(doc, "Timeline")


def test_an_unknown_root_cause_asks_the_five_whys_and_seed_001s_questions():
    doc = build_report(closed_escalation(), scripted_timeline(), [], NAMES, now=NOW)
    root_cause = section(doc, "Root Cause")

    assert "Not recorded yet" in root_cause
    for n in range(1, 6):
        assert re.search(rf"^{n}\. Why did", root_cause, re.MULTILINE)
    for question in (
        "Why didn't we prevent it?",
        "Why didn't we detect it earlier?",
        "What made resolution difficult?",
    ):
        assert question in root_cause
    lessons = section(doc, "Lessons Learned")
    assert "What we learned: not recorded yet" in lessons


def test_a_known_root_cause_shows_category_description_and_factors_without_prompts():
    esc = closed_escalation(
        root_cause_category="product",
        root_cause="The migration skipped rows with null timestamps",
        contributing_factors=("No row-count check after migrations", "Alerts only on errors"),
        lessons=("Count rows before and after every migration",),
    )
    root_cause = section(build_report(esc, scripted_timeline(), [], NAMES, now=NOW), "Root Cause")

    assert "**Category**: Product" in root_cause
    assert "The migration skipped rows with null timestamps" in root_cause
    assert "- No row-count check after migrations" in root_cause
    assert "- Alerts only on errors" in root_cause
    assert "Five whys" not in root_cause
    lessons = section(build_report(esc, [], [], NAMES, now=NOW), "Lessons Learned")
    assert "- Count rows before and after every migration" in lessons


def test_process_review_puts_the_records_facts_beside_seed_001s_questions():
    esc = closed_escalation(resolution_breached=True)
    review = section(build_report(esc, scripted_timeline(), [], NAMES, now=NOW), "Process Review")

    assert "**Did triage work correctly?** Suggested SEV-1, opened as SEV-1." in review
    # Acknowledged 7 minutes in, against seed 001's 15-minute SEV-1 first response.
    assert "First response after 7 min (SLA 15 min: met)." in review
    assert "1 internal update and 1 customer update posted." in review
    assert "1 of 2 promised update times kept." in review
    assert "Customer liaison: Chloe Diaz" in review
    assert "SLA breached: resolution." in review
    assert "**What would we do differently?**" in review


def test_closing_without_confirmation_is_called_a_premature_closure():
    esc = closed_escalation(
        confirmed_at=None,
        confirmed_by=None,
        closed_without_confirmation=True,
        close_reason="Customer stopped answering",
        closed_by="U0IC",
    )
    doc = build_report(esc, scripted_timeline(), [], NAMES, now=NOW)

    assert "closed by Ana Lopez without it: Customer stopped answering" in section(doc, "Resolution")
    assert "premature closure" in section(doc, "Process Review")


def test_prevention_actions_are_a_table_with_owner_due_date_and_status():
    follow_ups = [
        follow_up(
            1,
            "prevention",
            "Add row counts to migrations",
            owner_user_id="U0ENG",
            due_at=NOW + timedelta(days=9),
        ),
        follow_up(
            2, "prevention", "Page on silent data loss", owner_user_id="U0IC", due_at=NOW - timedelta(days=2)
        ),
        follow_up(
            3,
            "prevention",
            "Migration playbook",
            horizon="long_term",
            status="done",
            due_at=NOW - timedelta(days=3),
            done_at=NOW - timedelta(days=1),
        ),
        follow_up(4, "recovery", "Service credit (1 month)", status="done", done_at=NOW - timedelta(days=1)),
        follow_up(5, "check_in", "Call David", owner_user_id="U0LIA", due_at=NOW + timedelta(days=5)),
    ]
    doc = build_report(closed_escalation(), scripted_timeline(), follow_ups, NAMES, now=NOW)

    assert table_rows(section(doc, "Prevention Actions")) == [  # earliest due first
        ["Migration playbook (long term)", "unassigned", "2026-03-02", "Done 2026-03-04"],
        ["Page on silent data loss", "Ana Lopez", "2026-03-03", "**Overdue**"],
        ["Add row counts to migrations", "Eli Park", "2026-03-14", "Open"],
    ]
    recovery = section(doc, "Recovery Actions Taken")
    assert "- **Check-in**: Call David (Chloe Diaz): Open, due 2026-03-10" in recovery
    assert "- **Recovery gesture**: Service credit (1 month): Done 2026-03-04" in recovery
    assert "Add row counts" not in recovery


def test_no_follow_ups_say_that_none_was_recorded():
    doc = build_report(closed_escalation(), scripted_timeline(), [], NAMES, now=NOW)

    assert "No prevention action was recorded." in section(doc, "Prevention Actions")
    assert "- No recovery action was recorded." in section(doc, "Recovery Actions Taken")
    assert NARRATIVE_HEADING not in doc  # no narrative given, no section


HOSTILE = "<!channel> see [link](http://x) | *bold* _it_ `code` # ~s~ ![img](http://y)\nsecond line"


def test_user_text_stays_literal_and_tables_do_not_break():
    esc = closed_escalation(customer="Acme <!channel>", title=HOSTILE, root_cause=HOSTILE)
    timeline = [*scripted_timeline(), entry(240, "internal_update", HOSTILE, "U0ENG")]
    follow_ups = [follow_up(1, "prevention", HOSTILE, owner_user_id="U0ENG", due_at=NOW)]
    names = NAMES | {"U0ENG": "Eli | *the fixer*"}
    doc = build_report(esc, timeline, follow_ups, names, now=NOW, narrative="- " + HOSTILE)

    for raw in ("<!channel>", "[link](http://x)", "*bold*", "_it_", "`code`", "![img]", "~s~"):
        assert raw not in doc
    assert "- **Customer**: Acme \\<\\!channel\\>" in doc
    timeline_rows_ = table_rows(section(doc, "Timeline"))
    assert all(len(row) == 3 for row in timeline_rows_)
    last = timeline_rows_[-1]
    assert literal(last[1]) == "Eli | *the fixer*"
    flattened = " ".join(HOSTILE.split())
    assert literal(last[2]) == f"Internal update: {flattened}"
    # Every Markdown special character in the cell is escaped, so none can open a link or formatting.
    assert ONLY_LITERALS.fullmatch(last[2])
    prevention = table_rows(section(doc, "Prevention Actions"))
    assert len(prevention) == 1 and len(prevention[0]) == 4
    assert literal(prevention[0][0]) == flattened
    # A narrative line starting like a list stays a paragraph.
    assert section(doc, NARRATIVE_HEADING).strip().startswith("\\- \\<\\!channel\\>")


def test_a_huge_record_stays_under_the_limit_and_keeps_the_latest_events():
    huge = "word " * 8_000  # 40,000 characters
    esc = closed_escalation(title=huge, description=huge, root_cause=huge, resolution_summary=huge)
    timeline = [entry(0, "created", "ESC-2026-007 opened as SEV-1", "U0CALLER")]
    timeline += [
        entry(n, "internal_update", f"update number {n} " + "x" * 280, "U0ENG") for n in range(1, 501)
    ]
    doc = build_report(esc, timeline, [], NAMES, now=NOW, narrative=huge)

    assert len(doc) < REPORT_LIMIT
    rows = table_rows(section(doc, "Timeline"))
    assert rows[-1][2].startswith("Internal update: update number 500 ")
    shown = len(rows)
    total = 2 + 500  # the created event reads as two rows (first reported, triggered)
    assert shown < total
    assert f"_{total - shown} earlier events are left out" in doc
    numbers = [int(row[2].split()[4]) for row in rows]
    assert numbers == list(range(501 - shown, 501))  # the latest ones, in order


def test_escaping_that_doubles_every_character_still_fits():
    stars = "*" * 40_000
    esc = closed_escalation(
        customer=stars,
        title=stars,
        description=stars,
        root_cause=stars,
        resolution_summary=stars,
        close_reason=stars,
        customer_satisfaction=stars,
        contributing_factors=(stars,) * 40,
        lessons=(stars,) * 40,
    )
    follow_ups = [follow_up(n, kind, stars) for n in range(60) for kind in ("prevention", "recovery")]
    timeline = [entry(n, "internal_update", stars, "U0ENG") for n in range(500)]
    doc = build_report(esc, timeline, follow_ups, NAMES | {"U0ENG": stars}, now=NOW, narrative=stars)

    assert len(doc) < REPORT_LIMIT
    assert table_rows(section(doc, "Timeline"))  # the latest events still have room


def test_file_name_and_title():
    esc = make_snapshot(customer="Acme <!channel> & Co")

    assert report_filename(esc) == "ESC-2026-007-post-incident-report.md"
    assert report_title(esc) == "Post-incident report: ESC-2026-007 · Acme !channel & Co"


@given(st.text(max_size=200))
def test_any_user_text_reads_back_as_itself_on_one_line(text):
    out = md(text, limit=1_000)

    assert ONLY_LITERALS.fullmatch(out)
    assert literal(out) == " ".join(text.split())
    assert not re.match(r"[-+=]|\d{1,9}[.)]", out)  # cannot open a list or a rule (CommonMark: 9 digits)


def test_a_pinned_message_reads_as_its_authors_and_a_removed_one_is_gone():
    timeline = [
        entry(30, "message_captured", "DB restore is at 40%", "U0IC", author="U0ENG"),
        entry(31, "message_captured", "wrong channel, sorry", "U0IC", author="U0LIA", removed=True),
    ]
    doc = build_report(make_snapshot(), timeline, [], NAMES, now=NOW)

    assert table_rows(section(doc, "Timeline")) == [
        ["2026-03-02 14:35 UTC", "Eli Park", "Message pinned to the timeline: “DB restore is at 40%”"],
    ]
