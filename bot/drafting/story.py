"""What the internal drafts tell from the record (pure): the timeline lines worth reading, the last update
the customer got, and how long the customer has waited.

The timeline also holds warroom's bookkeeping (each draft made or sent, snoozes, archiving); a person
catching up or another team reading a brief needs what happened to the customer and the fix, so only the
kinds in `STORY` are told, and a kind added later stays out until it is given a line here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot.drafting.context import DraftContext, format_duration, placeholder
from bot.drafting.since import started_at
from bot.escalations.read_model import TimelineEntry

# The most a story line quotes of an entry, and the words the lines of one draft may take together: a few
# pasted logs must not push the brief (500 words) or the summary (400) past its length limit.
LINE_LIMIT = 140
STORY_WORDS = 160


# How each way of reaching the customer reads in a brief.
CHANNELS = {"email": "email", "call": "call", "slack_connect": "Slack Connect"}


def _customer_update(entry: TimelineEntry) -> str:
    channel = entry.data.get("channel")
    way = CHANNELS.get(str(channel), str(channel)) if channel else None
    return f"Customer update ({way}): {entry.text}" if way else f"Customer update: {entry.text}"


def _as_said(entry: TimelineEntry) -> str:
    return entry.text


def _labelled(label: str) -> Callable[[TimelineEntry], str]:
    return lambda entry: f"{label}: {entry.text.removeprefix(f'{label}: ')}"


# The kinds worth telling and how each reads. Not told: `draft`, `draft_sent` (an internal draft was
# sent: the brief itself, not news), `snoozed`, `archived`, `archive_failed`, `follow_up_*`.
STORY: dict[str, Callable[[TimelineEntry], str]] = {
    "created": _as_said,  # "ESC-2026-001 opened as SEV-1"
    "acknowledged": _as_said,  # "First response by <@U…>"
    "role_assigned": _as_said,  # "Incident commander: <@U…>"
    "internal_update": _labelled("Internal update"),
    "customer_update": _customer_update,
    "status_changed": _labelled("Status"),  # "Investigating → Identified: the paging bug"
    "severity_changed": _labelled("Severity"),  # "SEV-2 → SEV-1: all EU accounts now"
    "message_captured": lambda entry: f"From the room: “{entry.text}”",
    "sla_breach": _as_said,
    "social_posted": _as_said,
    "resolved": _as_said,
    "reopened": _as_said,
    "customer_confirmed": _as_said,
    "premature_closure": _as_said,
    "recovery_planned": _as_said,
    "root_cause_recorded": _as_said,
    "report_posted": _as_said,
}


def story_lines(ctx: DraftContext, limit: int, words: int = STORY_WORDS) -> list[str]:
    """The last `limit` timeline entries worth telling, oldest first, as `14:05 UTC: text`: fewer when
    long ones would take more than `words` words together (the latest always shows)."""
    told = [
        entry
        for entry in sorted(ctx.timeline, key=lambda entry: entry.at)
        if entry.kind in STORY and entry.text.strip() and not entry.removed
    ]
    lines: list[str] = []
    for entry in reversed(told[-limit:]):
        said = f"{ctx.clock(entry.at)}: {STORY[entry.kind](replace(entry, text=_clip(entry.text)))}"
        words -= len(said.split())
        if lines and words < 0:
            break
        lines.insert(0, said)
    return lines


def last_customer_update(ctx: DraftContext) -> str | None:
    """The latest update the customer got ("08:00 UTC (email): cause found"), or None."""
    sent = sorted((e for e in ctx.timeline if e.kind == "customer_update"), key=lambda e: e.at)
    if not sent:
        return None
    last = sent[-1]
    channel = last.data.get("channel")
    way = CHANNELS.get(str(channel), str(channel)) if channel else None
    return f"{ctx.clock(last.at)}{f' ({way})' if way else ''}: {_clip(last.text)}"


# --- how long the customer has waited --------------------------------------------------------------------


def waiting_since(ctx: DraftContext) -> datetime | None:
    """When the customer's problem started: the context's, else read from the intake's answer."""
    esc = ctx.escalation
    moment = ctx.waiting_since or (started_at(esc.started, esc.created_at) if esc.started.strip() else None)
    return moment if moment is not None and moment <= ctx.now else None


def waited(ctx: DraftContext) -> str | None:
    """ "3 weeks (since 12 Nov)" when the record knows when the problem started, else None."""
    since = waiting_since(ctx)
    if since is None:
        return None
    return f"{wait_in_words(ctx.now - since)} (since {since_label(since, ctx.now)})"


def time_in_queue(ctx: DraftContext) -> str:
    """The brief's "Time in queue": how long the customer has waited, and how often they contacted us.
    When the start is unknown, how long since it was escalated, never a bare "0 min" for a problem the
    customer may have had for weeks, and what is missing stays a visible gap."""
    esc = ctx.escalation
    said = " ".join(esc.started.split())
    queue = waited(ctx)
    if queue is None:
        age = ctx.now - esc.created_at
        escalated = (
            "escalated just now"
            if age < timedelta(minutes=1)
            else f"{wait_in_words(age)} since it was escalated ({since_label(esc.created_at, ctx.now)})"
        )
        before = f"“{_clip(said)}”" if said else placeholder("how long this has been an issue")
        queue = f"{escalated}; waiting before that: {before}"
    if ctx.contacts_so_far:
        n = ctx.contacts_so_far
        queue += f"; {n} contact{'s' if n != 1 else ''} with support"
    return queue


def wait_in_words(delta: timedelta) -> str:
    """ "under a minute", "45 min", "2 d 4 h", "10 days", "3 weeks", "3 weeks 2 d", "about 4 months"."""
    days = delta.days
    if delta < timedelta(minutes=1):
        return "under a minute"
    if days < 7:
        return format_duration(delta)
    if days < 14:
        return f"{days} days"
    if days < 61:
        weeks, rest = divmod(days, 7)
        return f"{weeks} weeks" + (f" {rest} d" if rest else "")
    if days < 730:
        return f"about {round(days / 30.44)} months"
    return f"over {days // 365} years"


def since_label(moment: datetime, now: datetime) -> str:
    """ "09:40 UTC" today, "Wed 09:40 UTC" this week, "12 Nov" (with the year when not this one) before."""
    moment, now = moment.astimezone(UTC), now.astimezone(UTC)
    if now - moment >= timedelta(days=7):
        return f"{moment.day} {moment:%b}" + (f" {moment.year}" if moment.year != now.year else "")
    if moment.date() == now.date():
        return f"{moment:%H:%M} UTC"
    return f"{moment:%a %H:%M} UTC"


def _clip(text: str) -> str:
    """`text` on one line, cut at a word boundary to at most LINE_LIMIT characters."""
    text = " ".join(text.split())
    if len(text) <= LINE_LIMIT:
        return text
    cut = text[: LINE_LIMIT - 1]
    return (cut.rsplit(" ", 1)[0] if " " in cut else cut).rstrip(" ,;:") + "…"
