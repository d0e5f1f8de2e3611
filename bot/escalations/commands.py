"""`/escalate` subcommands: parsing what was typed (pure)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

SUBCOMMANDS = ("help", "list", "status", "severity", "update", "customer-update")
_PUBLIC_ID = re.compile(r"\b(ESC-\d{4}-\d{3,})\b", re.I)
_PROMISE = re.compile(
    r"[\s,;.(-]*\(?next update (?:at |by )?"
    r"(?P<hour>\d{1,2})(?::(?P<minute>\d{2}))?\s*(?P<ampm>am|pm)?\)?[.!]?\s*$",
    re.I,
)


@dataclass(frozen=True)
class Subcommand:
    """`/escalate <name> [ESC-YYYY-NNN] <rest>`; name is "" for free text (the intake form)."""

    name: str
    rest: str
    public_id: str | None = None


def parse_subcommand(text: str) -> Subcommand:
    """Split the command text into a known subcommand, an optional escalation id, and the rest."""
    stripped = text.strip()
    first, _, rest = stripped.partition(" ")
    name = first.lower().replace("_", "-")
    if name not in SUBCOMMANDS:
        return Subcommand("", stripped)
    match = _PUBLIC_ID.search(rest)
    public_id = match.group(1).upper() if match else None
    if match:
        rest = " ".join((rest[: match.start()] + rest[match.end() :]).split())
    return Subcommand(name, rest.strip(), public_id)


def split_promise(text: str) -> tuple[str, tuple[int, int] | None]:
    """`Sent the workaround, next update at 14:30` → (`Sent the workaround`, (14, 30))."""
    match = _PROMISE.search(text)
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
    return text[: match.start()].strip(), (hour, minute)


def next_local_time(hour: int, minute: int, now: datetime, utc_offset_seconds: int) -> datetime:
    """The next `hour:minute` on the person's own clock after `now`, as a UTC-aware datetime."""
    local_zone = timezone(timedelta(seconds=utc_offset_seconds))
    local_now = now.astimezone(local_zone)
    candidate = local_now.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if candidate <= local_now:
        candidate += timedelta(days=1)
    return candidate.astimezone(now.tzinfo)
