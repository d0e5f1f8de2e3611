"""The record as plain data (pure): the timeline as people read it, and seed 004's `escalation_report`
as a dict, as YAML and, one row per escalation, as CSV.

The timeline rows are shared with the post-incident report (bot.reports.report), so both say the same
thing in the same words: noise left out, `<@U…>` mentions made names, seed 001's milestones named.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import yaml

from bot.core.durations import format_duration
from bot.core.vocabulary import OPEN_STATUSES, SEVERITIES, FollowUpKind, Severity, Status, label_of
from bot.escalations.read_model import EscalationSnapshot, TimelineEntry
from bot.followups.model import FollowUpView

WARROOM = "warroom"  # who did what warroom did by itself
HIDDEN_KINDS = frozenset({"snoozed", "draft", "archive_failed"})  # noise in a record read weeks later
COMMUNICATION_KINDS = frozenset({"customer_update", "draft_sent"})
DEFAULT_CHANNEL = "email"
SEVERITY_WORDS = ("critical", "high", "medium", "low")  # seed 004, SEV-1 .. SEV-4
# A spreadsheet runs a cell starting with one of these as a formula (tab and CR too, in some of them).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_COLUMNS = (
    "id",
    "date_opened",
    "date_resolved",
    "customer.id",
    "customer.name",
    "customer.tier",
    "customer.arr",
    "customer.health_score",
    "escalation.summary",
    "escalation.severity",
    "escalation.category",
    "impact.business_impact",
    "impact.revenue_at_risk",
    "impact.users_affected",
    "impact.sla_breach",
    "timeline_events",
    "root_cause.category",
    "root_cause.description",
    "root_cause.contributing_factors",
    "resolution.action_taken",
    "resolution.owner",
    "resolution.time_to_resolve",
    "resolution.customer_satisfaction",
    "prevention_actions",
    "prevention.owner",
    "prevention.due_date",
    "communications",
)
_COUNTED = {
    "timeline_events": ("timeline",),
    "prevention_actions": ("prevention.immediate_actions", "prevention.long_term_improvements"),
    "communications": ("communication_log",),
}
_USER_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|([^<>|]*))?>")
_PREFIXES = {
    "internal_update": "Internal update",
    "customer_update": "Customer update",
    "draft_sent": "Draft sent",
    "severity_changed": "Severity changed",
}


@dataclass(frozen=True)
class TimelineRow:
    """One line of the timeline as people read it: plain text (mentions made names), not escaped."""

    at: datetime
    who: str
    event: str


def readable_mentions(text: str, names: Mapping[str, str]) -> str:
    """warroom's `<@U…>` mentions as `@name` plain text; everything else in `text` stays as it was."""
    return _USER_MENTION.sub(lambda m: "@" + (names.get(m[1]) or m[2] or m[1]), text)


def person(user_id: str | None, names: Mapping[str, str], nobody: str = WARROOM) -> str:
    """A user id as the person's name (the id itself if the name is unknown)."""
    return (names.get(user_id) or user_id) if user_id else nobody


def timeline_rows(
    esc: EscalationSnapshot, timeline: Sequence[TimelineEntry], names: Mapping[str, str]
) -> list[TimelineRow]:
    """The real timeline in order, without the noise, its milestones worded as seed 001 words them."""
    rows: list[TimelineRow] = []
    for entry in sorted(timeline, key=lambda e: e.at):
        if entry.kind in HIDDEN_KINDS or entry.data.get("removed"):  # a captured message since deleted
            continue
        author = entry.data.get("author") if entry.kind == "message_captured" else None
        who = person(author or entry.actor_user_id, names)
        rows.extend(TimelineRow(entry.at, who, event) for event in _events_of(esc, entry, names))
    return rows


def escalation_report(
    esc: EscalationSnapshot,
    timeline: Sequence[TimelineEntry],
    follow_ups: Sequence[FollowUpView],
    names: Mapping[str, str],
    *,
    customer_key: str | None = None,
    now: datetime,
) -> dict[str, Any]:
    """Seed 004's `escalation_report`: every key of its shape in its order, unknowns None. `now` is the
    moment of the export; nothing in seed 004's shape depends on it yet."""
    del now  # kept in the signature so the report and the export are called alike
    prevention = [f for f in follow_ups if f.kind == FollowUpKind.PREVENTION]
    never = datetime.max.replace(tzinfo=UTC)
    next_open = min(
        (f for f in prevention if f.is_open), key=lambda f: (f.due_at or never, f.created_at), default=None
    )
    resolved = esc.resolved_at
    owner = next_open.owner_user_id if next_open else None
    due = next_open.due_at if next_open else None
    report: dict[str, Any] = {
        "id": esc.public_id,
        "date_opened": iso(esc.created_at),
        "date_resolved": iso(resolved),
        "customer": {
            "id": customer_key,
            "name": esc.customer,
            "tier": esc.tier,
            "arr": dollars(esc.arr_at_risk),
            "health_score": None,  # warroom does not track a health score
        },
        "escalation": {
            "summary": esc.title,
            "severity": severity_word(esc.severity, esc.severity_label),
            "category": esc.escalation_type,
        },
        "impact": {
            # The record's business impact (intake), else what happened: seed 004 writes it `{description}`.
            "business_impact": _known(getattr(esc, "business_impact", None)) or _known(esc.description),
            "revenue_at_risk": dollars(esc.arr_at_risk),
            "users_affected": esc.users_affected,
            "sla_breach": bool(esc.first_response_breached or esc.resolution_breached),
        },
        "timeline": [
            {"timestamp": iso(row.at), "event": row.event, "owner": row.who}
            for row in timeline_rows(esc, timeline, names)
        ],
        "root_cause": {
            "category": esc.root_cause_category,
            "description": _known(esc.root_cause),
            "contributing_factors": [f for f in esc.contributing_factors if f.strip()],
        },
        "resolution": {
            "action_taken": _known(esc.resolution_summary),
            "owner": person(esc.resolved_by, names) if esc.resolved_by else None,
            "time_to_resolve": short_duration(resolved - esc.created_at) if resolved else None,
            "customer_satisfaction": _known(esc.customer_satisfaction),
        },
        "prevention": {
            "immediate_actions": [f.text for f in prevention if f.horizon in (None, "immediate")],
            "long_term_improvements": [f.text for f in prevention if f.horizon == "long_term"],
            "owner": person(owner, names) if owner else None,
            "due_date": due.astimezone(UTC).date().isoformat() if due else None,
        },
        "communication_log": _communication_log(timeline, names),
    }
    return {"escalation_report": report}


def export_yaml(report: Mapping[str, Any]) -> str:
    """The report as readable block-style YAML, keys in the seed's order; `yaml.safe_load` reads it back
    to an equal dict."""
    return yaml.safe_dump(
        dict(report), sort_keys=False, allow_unicode=True, default_flow_style=False, width=100
    )


def export_csv(reports: Iterable[Mapping[str, Any]]) -> str:
    """One row per escalation under a header row: nested keys flattened (`customer.name`), lists counted
    (`timeline_events`), and no cell a spreadsheet would run as a formula."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for wrapped in reports:
        report = wrapped.get("escalation_report", wrapped)
        writer.writerow(_defused(_cell(report, column)) for column in CSV_COLUMNS)
    return buffer.getvalue()


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 in UTC to the second: `2026-03-02T14:05:00Z`."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


def dollars(amount: int | None) -> str | None:
    """Seed 004's `$amount`: `$180,000`."""
    return f"${amount:,}" if amount is not None else None


def severity_word(severity: str, label: str) -> str:
    """Seed 004's word: the policy's label lower-cased when it is one (`Critical` → `critical`), else the
    word for the severity's rank (SEV-1 → critical)."""
    word = label.strip().lower()
    if word in SEVERITY_WORDS:
        return word
    member = Severity.parse(severity)
    return SEVERITY_WORDS[SEVERITIES.index(member)] if member else word


def short_duration(td: timedelta) -> str:
    """`3h 20m`, `2d 4h`: whole minutes, largest unit first (`45s` under a minute)."""
    seconds = max(int(td.total_seconds()), 0)
    whole = timedelta(minutes=seconds // 60) if seconds >= 60 else timedelta(seconds=seconds)
    if whole <= timedelta(0):
        return "0m"
    compact = format_duration(whole)  # `1w2d3h20m`: put a space after each unit
    return "".join(c + " " if c.isalpha() else c for c in compact).strip()


# --- the timeline's wording -------------------------------------------------------------------------------


def _events_of(esc: EscalationSnapshot, entry: TimelineEntry, names: Mapping[str, str]) -> list[str]:
    text = readable_mentions(entry.text, names).strip()
    kind = entry.kind
    if kind == "created":
        # `started` is the intake's answer to "when did it start?" (free text), when the record has it.
        started = " ".join(str(getattr(esc, "started", "") or "").split())
        reported = "Issue first reported" + (f" (started: {started})" if started else "")
        return [reported, _joined("Escalation triggered", text)]
    if kind in ("status_changed", "resolved", "reopened"):
        return [_status_event(kind, text, entry.data)]
    if kind == "customer_confirmed":
        return [_joined("Customer confirmed resolution", _after(text, " confirmed the resolution"))]
    if kind == "message_captured":
        return [_joined("Message pinned to the timeline", f"“{text}”" if text else "")]
    if kind in _PREFIXES:
        return [_joined(_PREFIXES[kind], text)]
    return [text or kind.replace("_", " ").capitalize()]


def _status_event(kind: str, text: str, data: Mapping[str, Any]) -> str:
    before, after = data.get("from"), data.get("to")
    said = f"{label_of(Status, str(before or ''))} → {label_of(Status, str(after or ''))}"
    note = _without(text, said) if text.startswith(said) else text
    if kind == "resolved" or after == Status.RESOLVED:
        return _joined("Resolution implemented", note)
    if kind == "reopened" or (before in (Status.RESOLVED, Status.CLOSED) and after in OPEN_STATUSES):
        return _joined("Reopened", _without(note, "reopened"))
    if after == Status.IDENTIFIED:
        return _joined("Root cause identified", note)
    if after == Status.CLOSED:
        return "Escalation closed"
    return _joined("Status", text)


def _joined(label: str, note: str) -> str:
    return f"{label}: {note}" if note else label


def _after(text: str, marker: str) -> str:
    at = text.find(marker)
    return text if at < 0 else _without(text[at + len(marker) :], "")


def _without(text: str, prefix: str) -> str:
    """`text` without `prefix` (any case) and the colon after it."""
    if text.lower().startswith(prefix.lower()):
        text = text[len(prefix) :]
    return text.strip().removeprefix(":").strip()


# --- the export's pieces ----------------------------------------------------------------------------------


def _known(text: str | None) -> str | None:
    return text.strip() if isinstance(text, str) and text.strip() else None


def _communication_log(timeline: Sequence[TimelineEntry], names: Mapping[str, str]) -> list[dict[str, Any]]:
    log: list[dict[str, Any]] = []
    for entry in sorted(timeline, key=lambda e: e.at):
        if entry.kind not in COMMUNICATION_KINDS and entry.kind != "customer_confirmed":
            continue
        said = readable_mentions(entry.text, names).strip()
        confirmed = entry.kind == "customer_confirmed"
        log.append(
            {
                "channel": entry.data.get("channel") or DEFAULT_CHANNEL,
                "date": iso(entry.at),
                "summary": "Customer confirmed the resolution" if confirmed else said,
                "customer_response": said if confirmed else entry.data.get("customer_response"),
            }
        )
    return log


def _cell(report: Mapping[str, Any], column: str) -> object:
    if column in _COUNTED:
        return sum(len(_at(report, path) or ()) for path in _COUNTED[column])
    value = _at(report, column)
    if isinstance(value, list):
        return "; ".join(str(item) for item in value)
    return value


def _at(report: Mapping[str, Any], path: str) -> Any:
    value: Any = report
    for key in path.split("."):
        value = value.get(key) if isinstance(value, Mapping) else None
    return value


def _defused(value: object) -> str:
    if value is None:
        return ""
    text = ("true" if value else "false") if isinstance(value, bool) else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
