"""Seed 001's red flags, read from the record (pure): delayed acknowledgment, under-severity, communication
gaps, blame language, premature closure, no follow-through, missing RCA and pattern blindness.

Each rule is one small function that returns what a reader needs to see the flag (its detail), or None.
A detail is Slack mrkdwn safe to post as it is: any text a person wrote is made readable and escaped in
it, and it never names the customer, so a flag can travel wherever the escalation itself may be shown.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from itertools import pairwise

from blocks.text import escape, escape_within
from bot.clocks.schedule import add_business_time
from bot.core.durations import humanize_duration
from bot.core.text import readable
from bot.core.vocabulary import FollowUpKind, RootCause, Severity, Status
from bot.drafting.lint import check_blame
from bot.escalations.read_model import EscalationSnapshot, TimelineEntry
from bot.followups.model import FollowUpView
from bot.policy.model import Policy

INTERNAL_UPDATE_KINDS = frozenset({"internal_update"})
# A customer-facing draft marked as sent is recorded as a customer update; `draft_sent` is an internal one.
CUSTOMER_UPDATE_KINDS = frozenset({"customer_update"})
POSTED_UPDATE_KINDS = ("internal_update", "customer_update")  # what people wrote and posted themselves
KEPT_PROMISE_KINDS = (FollowUpKind.RECOVERY, FollowUpKind.CHECK_IN)  # what "follow-through" is about
# Around the blamed words, this many characters of context each side: enough to read, short enough for a card.
EXCERPT_CONTEXT = 40
FOLLOW_UP_SHOWN = 100
REASON_SHOWN = 200


class RedFlagKind(StrEnum):
    """Seed 001's red flags, in the order the seed lists them."""

    DELAYED_ACKNOWLEDGMENT = "delayed_acknowledgment"
    UNDER_SEVERITY = "under_severity"
    COMMUNICATION_GAPS = "communication_gaps"
    BLAME_LANGUAGE = "blame_language"
    PREMATURE_CLOSURE = "premature_closure"
    NO_FOLLOW_THROUGH = "no_follow_through"
    MISSING_RCA = "missing_rca"
    PATTERN_BLINDNESS = "pattern_blindness"

    @property
    def label(self) -> str:
        """`Delayed acknowledgment`, `Under-severity`, `Missing RCA`...: as the seed writes them."""
        return _LABELS[self]

    @property
    def meaning(self) -> str:
        """What the seed says the flag is: `Customer waiting without response`..."""
        return _MEANINGS[self]


_LABELS = {
    RedFlagKind.DELAYED_ACKNOWLEDGMENT: "Delayed acknowledgment",
    RedFlagKind.UNDER_SEVERITY: "Under-severity",
    RedFlagKind.COMMUNICATION_GAPS: "Communication gaps",
    RedFlagKind.BLAME_LANGUAGE: "Blame language",
    RedFlagKind.PREMATURE_CLOSURE: "Premature closure",
    RedFlagKind.NO_FOLLOW_THROUGH: "No follow-through",
    RedFlagKind.MISSING_RCA: "Missing RCA",
    RedFlagKind.PATTERN_BLINDNESS: "Pattern blindness",
}
_MEANINGS = {
    RedFlagKind.DELAYED_ACKNOWLEDGMENT: "Customer waiting without response",
    RedFlagKind.UNDER_SEVERITY: "Classifying lower to avoid effort",
    RedFlagKind.COMMUNICATION_GAPS: "Long silences during active escalation",
    RedFlagKind.BLAME_LANGUAGE: "Pointing fingers at customer or other teams",
    RedFlagKind.PREMATURE_CLOSURE: "Marking resolved before customer confirms",
    RedFlagKind.NO_FOLLOW_THROUGH: "Recovery promises not kept",
    RedFlagKind.MISSING_RCA: "Closing without understanding cause",
    RedFlagKind.PATTERN_BLINDNESS: "Same issues escalating repeatedly",
}


@dataclass(frozen=True)
class RedFlag:
    """One red flag raised on an escalation; `detail` is mrkdwn, escaped, and names no customer."""

    kind: RedFlagKind
    detail: str


def detect_red_flags(
    esc: EscalationSnapshot,
    timeline: Sequence[TimelineEntry],
    follow_ups: Sequence[FollowUpView],
    policy: Policy,
    now: datetime,
    *,
    in_pattern: bool = False,
) -> tuple[RedFlag, ...]:
    """The red flags `esc` raises at `now`, each at most once, in the order seed 001 lists them.
    `in_pattern`: the escalation belongs to a pattern alert (the same issue from several customers)."""
    entries = sorted(timeline, key=lambda entry: entry.at)
    details = {
        RedFlagKind.DELAYED_ACKNOWLEDGMENT: _delayed_acknowledgment(esc, now),
        RedFlagKind.UNDER_SEVERITY: _under_severity(esc, entries),
        RedFlagKind.COMMUNICATION_GAPS: _communication_gaps(esc, entries, policy, now),
        RedFlagKind.BLAME_LANGUAGE: _blame_language(entries),
        RedFlagKind.PREMATURE_CLOSURE: _premature_closure(esc),
        RedFlagKind.NO_FOLLOW_THROUGH: _no_follow_through(follow_ups, now),
        RedFlagKind.MISSING_RCA: _missing_rca(esc),
        RedFlagKind.PATTERN_BLINDNESS: _pattern_blindness(in_pattern),
    }
    return tuple(RedFlag(kind, detail) for kind in RedFlagKind if (detail := details[kind]) is not None)


# --- the rules ----------------------------------------------------------------------------------------


def _delayed_acknowledgment(esc: EscalationSnapshot, now: datetime) -> str | None:
    due = esc.first_response_due_at
    sla = span(due - esc.created_at)
    if esc.acknowledged_at is not None:
        if esc.acknowledged_at <= due:
            return None
        waited = span(esc.acknowledged_at - esc.created_at)
        return f"First response after {waited}, {span(esc.acknowledged_at - due)} past the {sla} SLA"
    # Never acknowledged: the customer waited until now, or until it was fixed without a first response.
    waited_until = now if esc.is_open else (esc.resolved_at or esc.closed_at or now)
    if waited_until <= due:
        return None
    late = span(waited_until - due)
    if esc.is_open:
        return f"No first response yet: {late} past the {sla} SLA"
    return f"Never acknowledged: {late} past the {sla} SLA before it was resolved"


def _under_severity(esc: EscalationSnapshot, entries: Sequence[TimelineEntry]) -> str | None:
    """Filed or opened below what the rules read, or lowered below it with no reason given. A downgrade
    the IC explained (`/escalate severity SEV-3 customer has a workaround`) is a decision, not a flag."""
    suggested, filed = Severity.parse(esc.suggested_severity), Severity.parse(esc.severity)
    if suggested is None or filed is None:
        return None
    changes = [e for e in entries if e.kind == "severity_changed"]
    opened = _opened_at(entries)
    if not changes and filed.rank > suggested.rank:
        return f"Rules read {suggested}; filed as {filed}"
    if opened is not None and opened.rank > suggested.rank:
        return f"Rules read {suggested}; opened as {opened} ({filed} now)"
    for change in changes:
        lowered_to = Severity.parse(str(change.data.get("to") or ""))
        if lowered_to is not None and lowered_to.rank > suggested.rank and ": " not in change.text:
            return f"Rules read {suggested}; lowered to {lowered_to} with no reason given"
    return None


def _communication_gaps(
    esc: EscalationSnapshot, entries: Sequence[TimelineEntry], policy: Policy, now: datetime
) -> str | None:
    factor = policy.red_flags.communication_gap

    def internal(severity: str) -> _Cadence | None:
        every = policy.for_severity(severity).internal_update
        return _Cadence(every, factor) if every is not None else None

    def customer(severity: str) -> _Cadence | None:
        rule = policy.for_severity(severity).customer_update
        return _Cadence(rule.default, factor, rule.business_days) if rule is not None else None

    said = []
    for what, kinds, cadence_of in (
        ("internal updates", INTERNAL_UPDATE_KINDS, internal),
        ("customer updates", CUSTOMER_UPDATE_KINDS, customer),
    ):
        silence = _longest_gap(esc, entries, now, kinds, cadence_of)
        if silence is not None:
            counting = " and counting" if silence.ongoing else ""
            said.append(
                f"{what} silent for {span(silence.length)}{counting} "
                f"({silence.severity}: every {humanize_duration(silence.every)})"
            )
    if not said:
        return None
    text = "; ".join(said)
    return text[0].upper() + text[1:]


def _blame_language(entries: Sequence[TimelineEntry]) -> str | None:
    blamed = []
    for entry in entries:
        if entry.kind not in POSTED_UPDATE_KINDS or not entry.text:
            continue
        text = readable(entry.text)  # mentions and links become plain words before they are quoted
        findings = check_blame(text)
        if findings:
            blamed.append((entry, excerpt(text, findings[0].excerpt)))
    if not blamed:
        return None
    entry, quoted = blamed[0]
    where = "An internal update" if entry.kind == "internal_update" else "A customer update"
    more = f" (and {len(blamed) - 1} more update{'s' if len(blamed) > 2 else ''})" if len(blamed) > 1 else ""
    return f"{where} says “{escape(quoted)}”{more}"


def _premature_closure(esc: EscalationSnapshot) -> str | None:
    if not esc.closed_without_confirmation:
        return None
    why = f": {escape_within(esc.close_reason, REASON_SHOWN)}" if esc.close_reason else ""
    return f"Closed without the customer's confirmation{why}"


def _no_follow_through(follow_ups: Sequence[FollowUpView], now: datetime) -> str | None:
    overdue = sorted(
        (f for f in follow_ups if f.kind in KEPT_PROMISE_KINDS and f.is_overdue(now)),
        key=lambda f: f.due_at or now,
    )
    if not overdue:
        return None
    first = overdue[0]
    late = span(now - (first.due_at or now))
    more = f" (and {len(overdue) - 1} more)" if len(overdue) > 1 else ""
    return f"{first.kind_label} “{escape_within(first.text, FOLLOW_UP_SHOWN)}” overdue by {late}{more}"


def _missing_rca(esc: EscalationSnapshot) -> str | None:
    if esc.status != Status.CLOSED:
        return None
    cause, category = (esc.root_cause or "").strip(), (esc.root_cause_category or "").strip()
    if cause and category:
        return None
    if not cause and not category:
        return "Closed with no root cause recorded"
    if not category:
        return f"Closed with a root cause but no category ({', '.join(RootCause)})"
    return "Closed with a root-cause category but no explanation of the cause"


def _pattern_blindness(in_pattern: bool) -> str | None:
    if not in_pattern:
        return None
    return "The same issue came from several customers (a pattern alert): one root cause, one owner"


# --- communication gaps, step by step -----------------------------------------------------------------


@dataclass(frozen=True)
class _Cadence:
    """An update cadence and how far past it a silence becomes a gap."""

    every: timedelta
    factor: float
    business_days: bool = False

    def allows_until(self, start: datetime) -> datetime:
        """The end of the longest silence from `start` that is not yet a gap."""
        allowed = self.every * self.factor
        return add_business_time(start, allowed) if self.business_days else start + allowed


@dataclass(frozen=True)
class _Silence:
    length: timedelta
    severity: str
    every: timedelta
    ongoing: bool


def _longest_gap(
    esc: EscalationSnapshot,
    entries: Sequence[TimelineEntry],
    now: datetime,
    kinds: frozenset[str],
    cadence_of: Callable[[str], _Cadence | None],
) -> _Silence | None:
    """The longest silence between updates of `kinds` (the start of an open period counts as one, and so
    does its end) that outgrew its cadence. A severity change starts a new stretch judged by the new
    cadence: a room raised to SEV-1 is not faulted for the quiet it kept as a SEV-3."""
    changes = _severity_changes(entries)
    opened = _opened_at(entries)
    first = str(opened) if opened is not None else esc.severity
    periods = open_periods(esc, entries, now)
    worst: _Silence | None = None
    # "Next update at 09:00" told to the customer: the silence until then is what they were promised.
    promised = {entry.at: _promised(entry) for entry in entries if entry.kind in kinds}
    for number, (start, end) in enumerate(periods):
        updates = [entry.at for entry in entries if entry.kind in kinds and start < entry.at <= end]
        for quiet_from, quiet_to in pairwise([start, *updates, end]):
            promise = promised.get(quiet_from)
            cuts = [quiet_from, *(at for at, _ in changes if quiet_from < at < quiet_to), quiet_to]
            for stretch_from, stretch_to in pairwise(cuts):
                severity = _severity_at(stretch_from, first, changes)
                cadence = cadence_of(severity)
                if cadence is None or stretch_to <= cadence.allows_until(stretch_from):
                    continue
                if promise is not None and quiet_to <= promise:
                    continue
                if worst is None or quiet_to - quiet_from > worst.length:
                    ongoing = esc.is_open and number == len(periods) - 1 and quiet_to == end
                    worst = _Silence(quiet_to - quiet_from, severity, cadence.every, ongoing)
    return worst


def open_periods(
    esc: EscalationSnapshot, timeline: Iterable[TimelineEntry], now: datetime
) -> list[tuple[datetime, datetime]]:
    """When the escalation was open (being worked): from its creation or a reopen to its resolution or
    closing, the last one up to `now` while it is still open."""
    periods: list[tuple[datetime, datetime]] = []
    start: datetime | None = esc.created_at
    for entry in sorted(timeline, key=lambda e: e.at):
        if start is not None and _stops_work(entry):
            periods.append((start, max(start, entry.at)))
            start = None
        elif start is None and _restarts_work(entry):
            start = entry.at
    if start is not None:
        end = now if esc.is_open else (esc.resolved_at or esc.closed_at or now)
        periods.append((start, max(start, end)))
    return periods


_STOPS = frozenset({"resolved", "customer_confirmed", "premature_closure"})
_CLOSED_STATES = frozenset({Status.RESOLVED.value, Status.CLOSED.value})


def _stops_work(entry: TimelineEntry) -> bool:
    if entry.kind == "status_changed":
        return entry.data.get("to") in _CLOSED_STATES
    return entry.kind in _STOPS


def _restarts_work(entry: TimelineEntry) -> bool:
    if entry.kind == "status_changed":
        return entry.data.get("from") in _CLOSED_STATES and entry.data.get("to") not in _CLOSED_STATES
    return entry.kind == "reopened"


def _promised(entry: TimelineEntry) -> datetime | None:
    promised_at = entry.data.get("promised_at")
    try:
        return datetime.fromisoformat(str(promised_at)) if promised_at else None
    except ValueError:
        return None


def _opened_at(entries: Sequence[TimelineEntry]) -> Severity | None:
    """The severity it was opened at: the `created` event says; else the first change says where from."""
    created = next((e for e in entries if e.kind == "created"), None)
    if created is not None and (opened := Severity.parse(str(created.data.get("severity") or ""))):
        return opened
    change = next((e for e in entries if e.kind == "severity_changed"), None)
    return Severity.parse(str(change.data.get("from") or "")) if change is not None else None


def _severity_changes(entries: Sequence[TimelineEntry]) -> list[tuple[datetime, str]]:
    changes = []
    for entry in entries:
        if entry.kind == "severity_changed" and (to := Severity.parse(str(entry.data.get("to") or ""))):
            changes.append((entry.at, str(to)))
    return changes


def _severity_at(moment: datetime, opened: str, changes: Sequence[tuple[datetime, str]]) -> str:
    current = opened
    for at, severity in changes:
        if at <= moment:
            current = severity
    return current


# --- wording ------------------------------------------------------------------------------------------


def span(duration: timedelta) -> str:
    """A duration for people, to the minute once it is a minute or more: `42 min`, `2 h 10 min`."""
    if duration >= timedelta(minutes=1):
        duration = timedelta(minutes=int(duration.total_seconds() // 60))
    return humanize_duration(duration)


def excerpt(text: str, hit: str, context: int = EXCERPT_CONTEXT) -> str:
    """The words around `hit` in `text` (whitespace folded), cut at word boundaries with ellipses; the
    caller escapes it."""
    flat, hit = " ".join(text.split()), " ".join(hit.split())
    at = max(flat.lower().find(hit.lower()), 0)
    hit_end = at + len(hit)
    start, end = max(0, at - context), min(len(flat), hit_end + context)
    if start > 0:
        space = flat.find(" ", start, at)
        start = space + 1 if space != -1 else at
    if end < len(flat):
        space = flat.rfind(" ", hit_end, end + 1)
        end = space if space != -1 else hit_end
    return ("…" if start > 0 else "") + flat[start:end].strip() + ("…" if end < len(flat) else "")
