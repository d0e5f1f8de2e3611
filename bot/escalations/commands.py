"""`/escalate` subcommands: parsing what was typed (pure)."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from bot.core.text import clean, readable
from bot.core.vocabulary import Role, Severity, Status

SUBCOMMANDS = (
    "help",
    "list",
    "status",
    "severity",
    "update",
    "customer-update",
    "role",
    "timeline",
    "resolve",
    "confirm",
    "close",
    "reopen",
    "recovery",
    "action",
    "actions",
    "report",
    "export",
    "metrics",
)
# What each subcommand looks like, for help and for "did you mean".
EXAMPLES = {
    "help": "/escalate help",
    "list": "/escalate list",
    "status": "/escalate status [ESC-2026-007] [identified|monitoring]",
    "severity": "/escalate severity SEV-2 [why]",
    "update": "/escalate update Rolled back the deploy; errors falling",
    "customer-update": "/escalate customer-update Called David, next update at 14:30",
    "role": "/escalate role liaison|engineering|csm|ic @person",
    "timeline": "/escalate timeline",
    "resolve": "/escalate resolve Restored the reports from the 2 May backup",
    "confirm": "/escalate confirm [David confirmed by phone]",
    "close": "/escalate close Duplicate of ESC-2026-004",
    "reopen": "/escalate reopen The reports broke again after the sync",
    "recovery": "/escalate recovery",
    "action": "/escalate action Alert on bulk deletes in the sync @ana 2026-12-20",
    "actions": "/escalate actions",
    "report": "/escalate report",
    "export": "/escalate export [ESC-2026-007]",
    "metrics": "/escalate metrics [7d|30d|90d|quarter]",
}
# Subcommands whose words after the name are free text (an empty one gets its usage line).
FREE_TEXT = ("update", "customer-update", "resolve", "close", "reopen", "confirm", "action")
# Subcommands that take nothing after them (an escalation id aside).
NO_ARGUMENTS = ("help", "list", "timeline", "recovery", "actions", "report", "export")
# Words people reach for that live elsewhere in warroom, and where.
ELSEWHERE = {
    "summarize": "mention me in the room: `@warroom summarize`",
    "summary": "mention me in the room: `@warroom summarize`",
    "brief": "mention me in the room: `@warroom brief [engineering|product|security|leadership]`",
    "draft": "mention me in the room: `@warroom draft update` (or ack, resolution, apology…)",
}
_LEVEL_LIKE = re.compile(r"^(?:sev[-\s]?)?\d+$", re.I)
# The person a `role` names: Slack's escaped mention `<@U0123|ana>` (or `<@W…>`), or a bare user id.
_PERSON = re.compile(r"<@([UW][A-Z0-9]{2,20})(?:\|[^<>]*)?>|\b([UW](?=[A-Z0-9]{0,20}\d)[A-Z0-9]{8,20})\b")
_PUBLIC_ID = re.compile(r"(ESC-\d{4}-\d{3,})\b", re.I)
# "Update from Hooli: their SSO is broken" is the headline of a new report, not an update to post.
_REPORT_HEADLINE = re.compile(r"^(?:from|for|on|about|regarding|re)\b[^:]{1,60}:", re.I)
# "…, next update at 14:30" at the end of what was typed. Matched from the last "next update" onwards
# (never by scanning for the separator before it, which backtracks quadratically on a run of spaces).
_PROMISE = re.compile(
    r"next update (?:at |by )?(?P<hour>\d{1,2})(?::(?P<minute>\d{2}))?\s*(?P<ampm>am|pm)?\)?[.!]?\s*",
    re.I,
)
_BEFORE_PROMISE = " \t\n\r\f\v,;.(-"


@dataclass(frozen=True)
class Subcommand:
    """`/escalate <name> [ESC-YYYY-NNN] <rest>`.

    `name` is "" for free text (the intake form). `reads_as_report` marks an update whose words read as
    a new report ("update from Hooli: …"): it is an update only where the target is certain (typed in a
    war room, or naming an id). `suggestion` is the subcommand closest to a single unknown word.
    """

    name: str
    rest: str
    public_id: str | None = None
    reads_as_report: bool = False
    suggestion: str | None = None
    user_id: str | None = None  # the person `role` names
    # `rest` with Slack's markup kept (`action` reads its owner's mention from it): derived, not compared.
    raw_rest: str = field(default="", compare=False)

    @property
    def is_single_word(self) -> bool:
        """True for free text of one word (`/escalate timeline`): help, not a form, inside a room."""
        return self.name == "" and bool(self.rest) and len(self.rest.split()) == 1


def parse_subcommand(text: str) -> Subcommand:
    """A subcommand when the first word names one and the rest parses as its arguments; else intake.
    Slack's markup (`<@U1|ana>`, links, `&amp;`) becomes plain words; `role` keeps the person's id."""
    raw = clean(text).strip()
    person = _PERSON.search(raw)
    stripped = readable(raw)
    first, _, rest = stripped.partition(" ")
    name = first.lower().replace("_", "-")
    if name not in SUBCOMMANDS:
        return Subcommand("", stripped, suggestion=closest_subcommand(stripped))
    # The id names the escalation only right after the subcommand: further on it is part of what was said
    # ("close Duplicate of ESC-2026-001" closes this room's escalation, not ESC-2026-001).
    rest = rest.strip()
    match = _PUBLIC_ID.match(rest)
    public_id = match.group(1).upper() if match else None
    if match:
        rest = rest[match.end() :].strip()
    if not _arguments_fit(name, rest):
        return Subcommand("", stripped)
    user_id = (person.group(1) or person.group(2)) if name == "role" and person else None
    raw_rest = raw.partition(" ")[2].strip()
    if public_id:
        raw_rest = _PUBLIC_ID.sub("", raw_rest, count=1).strip()
    return Subcommand(
        name,
        rest,
        public_id,
        reads_as_report=bool(_REPORT_HEADLINE.match(rest)),
        user_id=user_id,
        raw_rest=raw_rest,
    )


def _arguments_fit(name: str, rest: str) -> bool:
    words = rest.split()
    if name in NO_ARGUMENTS:
        return not words
    if name == "metrics":  # anything else after it gets the periods to choose from
        return True
    if name == "role":  # "role liaison @ben"; "role of the database…" is prose
        return not words or Role.parse(words[0]) is not None
    if name == "status":  # the clocks, or exactly one status word
        return len(words) <= 1 and (not words or Status.parse(words[0]) is not None)
    if (
        name == "severity"
    ):  # "severity SEV-9" is a mistyped level (said so), "severity of the outage…" is prose
        return not words or Severity.parse(words[0]) is not None or _LEVEL_LIKE.match(words[0]) is not None
    return True  # update, customer-update: free text (empty gets the usage line)


def closest_subcommand(text: str) -> str | None:
    """The subcommand a single mistyped word most likely meant (`stauts` → `status`), or None."""
    words = text.split()
    if len(words) != 1:
        return None
    close = difflib.get_close_matches(words[0].lower(), SUBCOMMANDS, n=1, cutoff=0.75)
    return close[0] if close else None


def split_promise(text: str) -> tuple[str, tuple[int, int] | None]:
    """`Sent the workaround, next update at 14:30` → (`Sent the workaround`, (14, 30))."""
    at = text.lower().rfind("next update")
    match = _PROMISE.fullmatch(text, at) if at >= 0 else None
    if not match:
        return text.strip(), None
    hour, minute = int(match.group("hour")), int(match.group("minute") or 0)
    ampm = (match.group("ampm") or "").lower()
    if ampm == "pm" and hour < 12:
        hour += 12
    if ampm == "am" and hour == 12:
        hour = 0
    if hour > 23 or minute > 59 or (ampm and int(match.group("hour")) > 12):
        return text.strip(), None
    return text[:at].rstrip(_BEFORE_PROMISE).strip(), (hour, minute)


def next_local_time(hour: int, minute: int, now: datetime, utc_offset_seconds: int) -> datetime:
    """The next `hour:minute` on the person's own clock after `now`, as a UTC-aware datetime."""
    local_zone = timezone(timedelta(seconds=utc_offset_seconds))
    local_now = now.astimezone(local_zone)
    candidate = local_now.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if candidate <= local_now:
        candidate += timedelta(days=1)
    return candidate.astimezone(now.tzinfo)
