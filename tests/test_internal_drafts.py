"""The internal drafts (seed 003's brief, the catch-up summary) tell what a reader needs: the real updates
rather than warroom's draft bookkeeping, who raised it, and how long the customer has waited."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.drafting.context import DraftContext, placeholder
from bot.drafting.internal_templates import brief, summary
from bot.drafting.lint_rules import LENGTHS
from bot.drafting.story import since_label, story_lines, wait_in_words
from bot.escalations.read_model import TimelineEntry
from tests.factories import make_snapshot

NOW = datetime(2026, 3, 3, 13, 0, tzinfo=UTC)  # a Tuesday


def at(minutes_ago: int) -> datetime:
    return NOW - timedelta(minutes=minutes_ago)


# What the room did, with warroom's bookkeeping in between: drafts made, a draft sent, a snooze.
TIMELINE = (
    TimelineEntry(at(90), "created", "ESC-2026-010 opened as SEV-2", "U0CALLER"),
    TimelineEntry(at(90), "role_assigned", "Incident commander: <@U0IC>", "U0CALLER", {"role": "ic"}),
    TimelineEntry(at(80), "draft", "Drafted a catch-up summary (template)", "U0IC", {"draft_id": 1}),
    TimelineEntry(at(70), "internal_update", "DB team found pre-migration backups for all 6 months", "U0IC"),
    TimelineEntry(at(65), "draft", "Drafted a progress update (template)", "U0IC", {"draft_id": 2}),
    TimelineEntry(
        at(60),
        "customer_update",
        "Told David the backups exist and a restore is next",
        "U0IC",
        {"channel": "email"},
    ),
    TimelineEntry(
        at(50),
        "status_changed",
        "Investigating → Identified: the migration skipped archived rows",
        "U0IC",
        {"from": "investigating", "to": "identified"},
    ),
    TimelineEntry(
        at(45),
        "severity_changed",
        "SEV-2 → SEV-1: every report since September is affected",
        "U0IC",
        {"from": "SEV-2", "to": "SEV-1"},
    ),
    TimelineEntry(
        at(40), "message_captured", "Restore of March looks clean", "U3", {"author": "U3", "how": "reaction"}
    ),
    TimelineEntry(at(30), "draft_sent", "Sent the escalation brief: ESCALATION: reports corrupted", "U0IC"),
    TimelineEntry(at(20), "snoozed", "<@U0IC> snoozed the internal update reminder for 30 min", "U0IC"),
    TimelineEntry(at(10), "draft", "Drafted a escalation brief (template)", "U0IC", {"draft_id": 3}),
)

BASE = DraftContext(
    escalation=make_snapshot(
        public_id="ESC-2026-010",
        customer="Northwind Analytics",
        contact_name="David Okafor",
        severity="SEV-1",
        severity_label="Critical",
        status="identified",
        title="6 months of historical reports corrupted in the server migration",
        description="The server migration corrupted 6 months of David's historical reports.",
        created_at=at(90),
    ),
    ic_name="Maya Chen",
    reported_by_name="Priya Nair",
    timeline=TIMELINE,
    now=NOW,
)


def with_escalation(ctx: DraftContext, **changes: object) -> DraftContext:
    return replace(ctx, escalation=replace(ctx.escalation, **changes))


def section(body: str, heading: str) -> str:
    """The lines of one `*heading*` section of a draft."""
    return body.split(f"*{heading}*", 1)[1].split("\n\n", 1)[0]


def line(body: str, label: str) -> str:
    return next(text for text in body.splitlines() if label in text)


# --- the story, not the bookkeeping ------------------------------------------------------------------------


def test_the_summary_tells_the_updates_not_the_drafts():
    done = section(summary(BASE).body, "What's been done")
    assert "Internal update: DB team found pre-migration backups for all 6 months" in done
    assert "Customer update (email): Told David the backups exist and a restore is next" in done
    assert "Status: Investigating → Identified: the migration skipped archived rows" in done
    assert "Severity: SEV-2 → SEV-1" in done
    assert "Restore of March looks clean" in done
    body = summary(BASE).body
    assert "Drafted" not in body and "Drafting" not in body
    assert "snoozed" not in body and "Sent the escalation brief" not in body


def test_the_story_is_in_time_order_with_clock_times():
    shuffled = replace(BASE, timeline=TIMELINE[5:] + TIMELINE[:5])
    lines = story_lines(shuffled, 20)
    assert lines == story_lines(BASE, 20)
    assert lines[0] == "11:30 UTC: ESC-2026-010 opened as SEV-2"
    assert lines[-1] == "12:20 UTC: From the room: “Restore of March looks clean”"


def test_only_drafts_on_the_timeline_leave_a_visible_gap():
    drafts_only = replace(BASE, timeline=tuple(e for e in TIMELINE if e.kind == "draft"))
    done = section(summary(drafts_only).body, "What's been done")
    assert placeholder("nothing on the timeline yet") in done
    assert "Drafted" not in done


def test_the_brief_context_has_the_updates_and_a_status_change():
    body = brief(BASE).body
    context = section(body, "Supporting context")
    assert "Status: Investigating → Identified" in context
    assert "Customer update (email)" in context
    assert "Drafted" not in body and "Drafting" not in body


def test_a_removed_captured_message_is_not_told():
    removed = TimelineEntry(at(5), "message_captured", "", "U3", {"removed": True})
    ctx = replace(BASE, timeline=(*TIMELINE, removed))
    assert story_lines(ctx, 20) == story_lines(BASE, 20)


def test_last_update_to_customer_is_the_customer_update_not_a_draft():
    body = brief(BASE).body
    assert line(body, "Last update to customer:") == (
        "• Last update to customer: 12:00 UTC (email): Told David the backups exist and a restore is next"
    )
    no_update = replace(BASE, timeline=tuple(e for e in TIMELINE if e.kind != "customer_update"))
    assert placeholder("date and what was communicated") in line(brief(no_update).body, "Last update")


# --- who raised it -----------------------------------------------------------------------------------------


def test_reported_by_names_who_raised_it_and_the_contact_not_the_ic():
    reported = line(brief(BASE).body, "Reported by:")
    assert (
        reported == "Reported by: Priya Nair (Slack), for David Okafor at Northwind Analytics (ESC-2026-010)"
    )
    assert "Maya Chen" not in reported


def test_reported_by_is_the_ic_only_when_the_ic_raised_it():
    ic_raised = replace(BASE, reported_by_name="Maya Chen")
    assert line(brief(ic_raised).body, "Reported by:").startswith("Reported by: Maya Chen (Slack)")


def test_reported_by_unknown_is_a_placeholder_not_the_ic():
    unknown = with_escalation(replace(BASE, reported_by_name=None), contact_name=None)
    reported = line(brief(unknown).body, "Reported by:")
    assert reported == "Reported by: [your name], for Northwind Analytics (ESC-2026-010)"


# --- how long the customer has waited --------------------------------------------------------------------


def test_a_problem_from_three_weeks_ago_shows_three_weeks_in_queue():
    just_opened = with_escalation(BASE, started="three weeks ago", created_at=NOW)
    queue = line(brief(just_opened).body, "Time in queue:")
    assert queue == "• Time in queue: 3 weeks (since 10 Feb)"
    assert "0 min" not in brief(just_opened).body
    assert "waiting 3 weeks (since 10 Feb)" in summary(just_opened).body


def test_the_context_start_wins_and_shows_the_day_and_time():
    ctx = replace(BASE, waiting_since=NOW - timedelta(days=2, hours=4), contacts_so_far=3)
    queue = line(brief(ctx).body, "Time in queue:")
    assert queue == "• Time in queue: 2 d 4 h (since Sun 09:00 UTC); 3 contacts with support"


def test_an_unknown_start_counts_from_the_escalation_and_leaves_a_gap():
    queue = line(brief(BASE).body, "Time in queue:")
    assert queue.startswith("• Time in queue: 1 h 30 min since it was escalated (11:30 UTC)")
    assert placeholder("how long this has been an issue") in queue
    opened_now = with_escalation(BASE, created_at=NOW)
    queue = line(brief(opened_now).body, "Time in queue:")
    assert "escalated just now" in queue and "0 min" not in queue
    assert "waiting" not in summary(BASE).body


def test_an_answer_that_names_no_time_is_quoted_as_typed():
    vague = with_escalation(BASE, started="after the big deploy", created_at=NOW)
    assert "waiting before that: “after the big deploy”" in line(brief(vague).body, "Time in queue:")


def test_one_contact_is_singular():
    queue = line(brief(replace(BASE, contacts_so_far=1)).body, "Time in queue:")
    assert queue.endswith("; 1 contact with support")


@pytest.mark.parametrize(
    ("delta", "words"),
    [
        (timedelta(seconds=20), "under a minute"),
        (timedelta(minutes=45), "45 min"),
        (timedelta(hours=3, minutes=20), "3 h 20 min"),
        (timedelta(days=2, hours=4), "2 d 4 h"),
        (timedelta(days=10), "10 days"),
        (timedelta(weeks=3), "3 weeks"),
        (timedelta(days=23), "3 weeks 2 d"),
        (timedelta(days=120), "about 4 months"),
        (timedelta(days=800), "over 2 years"),
    ],
)
def test_waits_in_words(delta, words):
    assert wait_in_words(delta) == words


def test_since_labels():
    assert since_label(at(200), NOW) == "09:40 UTC"
    assert since_label(NOW - timedelta(days=2), NOW) == "Sun 13:00 UTC"
    assert since_label(NOW - timedelta(weeks=3), NOW) == "10 Feb"
    assert since_label(datetime(2025, 11, 13, tzinfo=UTC), NOW) == "13 Nov 2025"


# --- short enough to read ----------------------------------------------------------------------------------


def test_a_long_story_stays_within_the_length_limits():
    chatter = "The restore job is still running on the reporting cluster and we are checking each month " * 5
    long_story = tuple(
        TimelineEntry(at(600 - 10 * n), kind, f"{n}: {chatter}", "U0IC", {"channel": "call"})
        for n, kind in enumerate(["internal_update", "customer_update", "message_captured"] * 15)
    )
    ctx = replace(BASE, timeline=long_story, recent_messages=(chatter,) * 5, contacts_so_far=8)
    ctx = with_escalation(ctx, started="three weeks ago", tried="Re-ran the rebuild; restored from backup")
    for draft in (brief(ctx), summary(ctx)):
        assert len(draft.body.split()) <= LENGTHS[draft.kind][1], draft.kind
        assert "44: The restore job" in draft.body  # the latest is always told
