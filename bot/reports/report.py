"""The post-incident report: seed 001's template, filled from the record and its real timeline (pure).

It goes into a Slack canvas (`document_content` markdown) or a `.md` file, so it uses only what both
render: headings h1-h2, bold, bullet and numbered lists, tables. People are plain `@name` text rather
than canvas mentions: `![](@U…)` is a broken image in any other viewer, and a report should ping nobody.
Every piece of user text is Markdown-escaped, flattened to one line and cut, so it can never become a
link, a mention, a heading, a list or a broken table; and the whole document stays under REPORT_LIMIT
whatever the record holds, by keeping the latest timeline rows.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta, tzinfo

from blocks.text import truncate
from bot.core.durations import humanize_duration
from bot.core.vocabulary import FollowUpKind, Role, RootCause, label_of
from bot.escalations.read_model import EscalationSnapshot, TimelineEntry
from bot.followups.model import FollowUpView
from bot.reports.export import person, timeline_rows

REPORT_LIMIT = 100_000
RECOVERY_KINDS = (FollowUpKind.RECOVERY, FollowUpKind.CHECK_IN)  # what "Recovery actions taken" lists
NARRATIVE_HEADING = "Draft narrative (written by Claude, check before sharing)"
# Seed 001 workflow 5's root cause analysis, as prompts to answer while the cause is unknown.
ROOT_CAUSE_PROMPTS = """**Not recorded yet.** Answer seed 001's root cause analysis before sharing this \
report, then record the category (product, process, people or external) and what went wrong.

**Five whys**: ask why it happened, then why of each answer; the fifth answer is the root cause.

1. Why did it happen?
2. Why did that happen?
3. Why did that happen?
4. Why did that happen?
5. Why did that happen? (the root cause)

**Then**:

- Why didn't we prevent it?
- Why didn't we detect it earlier?
- What made resolution difficult?"""

# Caps on user text, in characters before escaping, so the fixed sections can never crowd out the timeline.
SHORT = 300
CELL = 400
LONG = 3_000
NARRATIVE = 8_000
LIST_ITEMS = 10
FOLLOW_UP_ROWS = 25

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|!~])")
# A line opening like this would become a list or a rule even with the specials escaped.
_BLOCK_OPENING = re.compile(r"^(\d{1,9})([.)])|^([-+=])")


def md(text: str | None, limit: int = SHORT) -> str:
    """User text as literal Markdown on one line: whitespace collapsed, cut cleanly, specials escaped."""
    flat = truncate(" ".join((text or "").split()), limit)
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", flat)
    return _BLOCK_OPENING.sub(lambda m: f"{m[1]}\\{m[2]}" if m[1] else f"\\{m[3]}", escaped)


def md_paragraphs(text: str | None, limit: int) -> str:
    """Multi-paragraph user text: each paragraph literal (as `md`), blank lines between them."""
    paragraphs = re.split(r"\n\s*\n", truncate((text or "").strip(), limit))
    return "\n\n".join(md(p, limit) for p in paragraphs if p.strip())


def build_report(
    esc: EscalationSnapshot,
    timeline: Sequence[TimelineEntry],
    follow_ups: Sequence[FollowUpView],
    names: Mapping[str, str],
    *,
    now: datetime,
    tz: tzinfo = UTC,
    narrative: str | None = None,
) -> str:
    """The post-incident report as Markdown, sections in seed 001's order, under REPORT_LIMIT."""
    page = _Page(esc, timeline, follow_ups, names, now, tz)
    head = [
        f"# Post-Incident Report: {md(esc.public_id)}",
        f"_Written by warroom from the record on {page.when(now)}. Times are in {page.zone}._",
        page.summary(),
    ]
    tail = [
        page.root_cause(),
        page.resolution(),
        page.customer_impact(),
        page.process_review(),
        page.prevention(),
        page.lessons(),
        page.recovery(),
    ]
    if narrative and narrative.strip():
        tail.append(f"## {NARRATIVE_HEADING}\n\n{md_paragraphs(narrative, NARRATIVE)}")
    fixed = sum(len(part) + 2 for part in [*head, *tail])
    timeline_part = page.timeline(budget=REPORT_LIMIT - fixed - 1)
    return "\n\n".join([*head, timeline_part, *tail]) + "\n"


def report_filename(esc: EscalationSnapshot) -> str:
    """`ESC-2026-007-post-incident-report.md`."""
    safe_id = re.sub(r"[^A-Za-z0-9-]+", "-", esc.public_id).strip("-") or "escalation"
    return f"{safe_id}-post-incident-report.md"


def report_title(esc: EscalationSnapshot) -> str:
    """The canvas title: `Post-incident report: ESC-2026-007 · Okafor Analytics`. A title is plain text,
    where an escaped `&amp;` would show as is; without angle brackets no mention or link can form."""
    customer = " ".join(re.sub(r"[<>]", "", esc.customer).split())
    return truncate(f"Post-incident report: {esc.public_id} · {customer}", 150)


def span(td: timedelta) -> str:
    """A duration in whole minutes for people: `3 h 20 min`, `2 days 1 h`; `under a minute`."""
    minutes = int(td.total_seconds()) // 60
    return humanize_duration(timedelta(minutes=minutes)) if minutes > 0 else "under a minute"


def _count(n: int, thing: str) -> str:
    return f"{n} {thing}{'' if n == 1 else 's'}"


# --- the sections -----------------------------------------------------------------------------------------


class _Page:
    """The sections of one report, each a Markdown string."""

    def __init__(
        self,
        esc: EscalationSnapshot,
        timeline: Sequence[TimelineEntry],
        follow_ups: Sequence[FollowUpView],
        names: Mapping[str, str],
        now: datetime,
        tz: tzinfo,
    ) -> None:
        self.esc, self.entries, self.names, self.now, self.tz = esc, timeline, names, now, tz
        never = datetime.max.replace(tzinfo=UTC)
        ordered = sorted(follow_ups, key=lambda f: (f.due_at or never, f.created_at))
        self.prevention_actions = [f for f in ordered if f.kind == FollowUpKind.PREVENTION]
        self.recovery_actions = [f for f in ordered if f.kind in RECOVERY_KINDS]
        self.zone = now.astimezone(tz).tzname() or "UTC"

    def when(self, moment: datetime) -> str:
        local = moment.astimezone(self.tz)
        return f"{local:%Y-%m-%d %H:%M} {local.tzname() or ''}".strip()

    def day(self, moment: datetime | None) -> str:
        return f"{moment.astimezone(self.tz):%Y-%m-%d}" if moment else "—"

    def who(self, user_id: str | None, nobody: str = "nobody yet") -> str:
        return md(person(user_id, self.names, nobody), 80)

    def duration(self) -> str:
        esc = self.esc
        start = self.when(esc.created_at)
        if esc.resolved_at is not None:
            return f"{start} to {self.when(esc.resolved_at)} ({span(esc.resolved_at - esc.created_at)})"
        if esc.closed_at is not None:
            took = span(esc.closed_at - esc.created_at)
            return f"{start} to {self.when(esc.closed_at)} ({took}; closed without being marked resolved)"
        return f"{start} to now: ongoing ({span(self.now - esc.created_at)} so far)"

    def impact_text(self) -> str | None:
        esc = self.esc
        return str(getattr(esc, "business_impact", "") or "").strip() or esc.description.strip() or None

    def summary(self) -> str:
        esc = self.esc
        impact = md(self.impact_text(), SHORT) if self.impact_text() else "Not recorded yet"
        if esc.users_affected is not None:
            impact += f"; {esc.users_affected:,} users affected"
        confirmed = ", customer confirmed" if esc.confirmed_at else ""
        premature = ", closed without the customer's confirmation" if esc.closed_without_confirmation else ""
        return "\n".join(
            [
                "## Summary",
                "",
                f"- **Customer**: {md(esc.customer)}",
                f"- **Issue**: {md(esc.title)}",
                f"- **Severity**: {md(esc.severity, 20)} ({md(esc.severity_label, 40)})",
                f"- **Duration**: {self.duration()}",
                f"- **Impact**: {impact}",
                f"- **Status**: {md(esc.status_label, 40)}{confirmed}{premature}",
            ]
        )

    def timeline(self, budget: int) -> str:
        rows = timeline_rows(self.esc, self.entries, self.names)
        table_head = "| Time | Who | Event |\n|------|-----|-------|"
        note_room = 120  # the "earlier events left out" line, should it be needed
        lines: list[str] = []
        size = len("## Timeline") + len(table_head) + note_room
        for row in reversed(rows):  # the latest rows are kept when they do not all fit
            line = f"| {self.when(row.at)} | {md(row.who, 80)} | {md(row.event, CELL)} |"
            if size + len(line) + 1 > budget:
                break
            lines.append(line)
            size += len(line) + 1
        parts = ["## Timeline"]
        if len(lines) < len(rows):
            parts.append(
                f"_{len(rows) - len(lines)} earlier events are left out to keep the report within its size; "
                f"the latest {len(lines)} are shown._"
            )
        body = "\n".join(reversed(lines)) if rows else "| — | — | No event recorded |"
        parts.append(f"{table_head}\n{body}")
        return "\n\n".join(parts)

    def root_cause(self) -> str:
        esc = self.esc
        category = md(label_of(RootCause, esc.root_cause_category, ""))
        lines = ["## Root Cause", ""]
        if esc.root_cause:
            lines += [
                f"**Category**: {category or 'not recorded yet'}",
                "",
                md_paragraphs(esc.root_cause, LONG),
            ]
        else:
            lines += [f"**Category**: {category}", ""] if category else []
            lines.append(ROOT_CAUSE_PROMPTS)
        factors = [f"- {md(f)}" for f in esc.contributing_factors[:LIST_ITEMS] if f.strip()]
        return "\n".join([*lines, "", "**Contributing factors**:", "", *(factors or ["- None recorded."])])

    def resolution(self) -> str:
        esc = self.esc
        lines = ["## Resolution", "", md_paragraphs(esc.resolution_summary, LONG) or "Not resolved yet.", ""]
        if esc.resolved_at is not None:
            lines.append(f"- **Resolved by**: {self.who(esc.resolved_by)} on {self.when(esc.resolved_at)}")
        if esc.confirmed_at is not None:
            confirmed = (
                f"confirmed on {self.when(esc.confirmed_at)} (recorded by {self.who(esc.confirmed_by)})"
            )
        elif esc.closed_without_confirmation:
            confirmed = (
                f"**not confirmed**: closed by {self.who(esc.closed_by)} without it: {md(esc.close_reason)} "
                "(seed 001 red flag: premature closure)"
            )
        elif esc.awaiting_confirmation:
            confirmed = "awaiting the customer's confirmation"
        else:
            confirmed = "not asked yet: the escalation is not resolved"
        lines.append(f"- **Customer confirmation**: {confirmed}")
        satisfaction = md(esc.customer_satisfaction, 80) if esc.customer_satisfaction else "not recorded yet"
        lines.append(f"- **Customer satisfaction**: {satisfaction}")
        return "\n".join(lines)

    def customer_impact(self) -> str:
        esc = self.esc
        affected = str(getattr(esc, "affected", "") or "").strip()
        users = [f"{esc.users_affected:,} users" if esc.users_affected is not None else "", md(affected)]
        account = [f"tier {md(esc.tier_label, 40)}" if esc.tier else ""]
        account.append(f"ARR at risk ${esc.arr_at_risk:,}" if esc.arr_at_risk is not None else "")
        flags = [
            "public exposure" if esc.public_exposure else "",
            "regulatory implications" if esc.regulatory else "",
        ]
        impact = md(self.impact_text(), LONG) if self.impact_text() else "not recorded yet"
        lines = [
            "## Customer Impact",
            "",
            f"- **Business impact**: {impact}",
            f"- **Duration of impact**: {self.duration()}",
            f"- **Users/systems affected**: {'; '.join(p for p in users if p) or 'not recorded yet'}",
        ]
        if any(account + flags):
            lines.append(f"- **Account**: {'; '.join(p for p in account + flags if p)}")
        return "\n".join(lines)

    def process_review(self) -> str:
        esc, kinds = self.esc, [e.kind for e in self.entries]
        opened = next((e.data.get("severity") for e in self.entries if e.kind == "created"), None)
        changes = kinds.count("severity_changed")
        triage = (
            f"Suggested {md(esc.suggested_severity, 20)}, opened as {md(str(opened or esc.severity), 20)}"
        )
        triage += (
            f", now {md(esc.severity, 20)} after {_count(changes, 'severity change')}." if changes else "."
        )
        sla = esc.first_response_due_at - esc.created_at
        if esc.acknowledged_at is not None:
            took = esc.acknowledged_at - esc.created_at
            met = "met" if esc.acknowledged_at <= esc.first_response_due_at else "missed"
            first = f"First response after {span(took)} (SLA {span(sla)}: {met})."
        else:
            first = f"No first response recorded (SLA {span(sla)})."
        internal, customer = kinds.count("internal_update"), kinds.count("customer_update")
        promises = (
            f"{esc.promises_kept} of {esc.promises_made} promised update times kept."
            if esc.promises_made
            else "No next-update time was promised to the customer."
        )
        updates = f"{_count(internal, 'internal update')} and {_count(customer, 'customer update')} posted"
        communication = f"{first} {updates}. {promises}"
        people = "; ".join(f"{role.label}: {self.who(esc.holder(role))}" for role in Role)
        people += f"; {_count(len(esc.responder_user_ids), 'responder')}."
        breached = {"first response": esc.first_response_breached, "resolution": esc.resolution_breached}
        breaches = [clock for clock, flagged in breached.items() if flagged]
        tools = f"SLA breached: {', '.join(breaches)}." if breaches else "No SLA breach recorded."
        if esc.closed_without_confirmation:
            tools += " Closed without the customer's confirmation (seed 001 red flag: premature closure)."
        return "\n".join(
            [
                "## Process Review",
                "",
                "From seed 001's post-incident review; the record's facts are beside each question.",
                "",
                f"- **Did triage work correctly?** {triage}",
                f"- **Was communication effective?** {communication}",
                f"- **Were the right people involved?** {people}",
                f"- **Did tools and processes help or hinder?** {tools}",
                "- **What would we do differently?** To answer.",
            ]
        )

    def follow_up_status(self, follow_up: FollowUpView) -> str:
        if not follow_up.is_open:
            return f"Done {self.day(follow_up.done_at)}" if follow_up.done_at else "Done"
        return "**Overdue**" if follow_up.is_overdue(self.now) else "Open"

    def prevention(self) -> str:
        lines = ["## Prevention Actions", ""]
        shown = self.prevention_actions[:FOLLOW_UP_ROWS]
        if not shown:
            lines.append(
                "No prevention action was recorded. Seed 001 looks for technical fixes (monitoring, testing, "
                "architecture), process improvements, training, documentation and customer communication."
            )
            return "\n".join(lines)
        lines += ["| Action | Owner | Due Date | Status |", "|--------|-------|----------|--------|"]
        for action in shown:
            horizon = " (long term)" if action.horizon == "long_term" else ""
            lines.append(
                f"| {md(action.text, CELL)}{horizon} | {self.who(action.owner_user_id, 'unassigned')} | "
                f"{self.day(action.due_at)} | {self.follow_up_status(action)} |"
            )
        if len(self.prevention_actions) > len(shown):
            lines += ["", f"_{len(self.prevention_actions) - len(shown)} more are not shown._"]
        return "\n".join(lines)

    def lessons(self) -> str:
        lessons = [md(lesson) for lesson in self.esc.lessons[:LIST_ITEMS] if lesson.strip()]
        if not lessons:
            lessons = ["What we learned: not recorded yet", "What we'll do differently: not recorded yet"]
        return "\n".join(["## Lessons Learned", "", *(f"- {lesson}" for lesson in lessons)])

    def recovery(self) -> str:
        shown = self.recovery_actions[:FOLLOW_UP_ROWS]
        lines = ["## Recovery Actions Taken", ""]
        for action in shown:
            due = f", due {self.day(action.due_at)}" if action.is_open and action.due_at else ""
            owner = f" ({self.who(action.owner_user_id)})" if action.owner_user_id else ""
            lines.append(
                f"- **{action.kind_label}**: {md(action.text, CELL)}{owner}: "
                f"{self.follow_up_status(action)}{due}"
            )
        if not shown:
            lines.append("- No recovery action was recorded.")
        if len(self.recovery_actions) > len(shown):
            lines.append(f"- _{len(self.recovery_actions) - len(shown)} more are not shown._")
        return "\n".join(lines)
