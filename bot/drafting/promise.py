"""The next-update time a draft promises (pure): in the future, on a quarter hour, in the contact's zone.

A customer holds us to the time we write, so it is one they can read ("by 3:15 PM Berlin time today")
and one we can still keep: never already past, never "8:16 PM UTC" for a clock that went overdue at
8:16. The update being drafted is the one the clock asks for, so the time it promises is the next one,
a cadence from now; when this one is late, the draft says so and the time it offers is a new one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.core.zones import known_zone, zone_name

QUARTER = timedelta(minutes=15)
# The least time a person needs between the draft and the promised update: less, and a new time is due.
LEAD = timedelta(minutes=15)
# How far ahead a new time goes when the clock is already past: soon, but one the team can keep.
NEW_TIME_AHEAD = timedelta(minutes=30)


@dataclass(frozen=True)
class Promise:
    """The time a draft promises the next update, the zone it is written in, and whether this update
    itself is late."""

    at: datetime
    zone: str  # an IANA zone
    contacts_zone: bool  # False: the contact's zone is unknown, so this is the incident commander's
    owed_at: datetime | None = None  # when the update the draft is itself was due (clock or promise)
    late: bool = False  # that time has passed: the draft comes late, and the time it promises is new


def _floor(moment: datetime) -> datetime:
    return moment.replace(minute=moment.minute - moment.minute % 15, second=0, microsecond=0)


def _ceil(moment: datetime) -> datetime:
    floor = _floor(moment)
    return floor if floor == moment else floor + QUARTER


def next_promise(
    target: datetime | None,
    now: datetime,
    zone: str | None,
    contacts_zone: bool,
    owed_at: datetime | None = None,
) -> Promise | None:
    """The time to promise for the next update, due at `target` (sending this one now starts the clock
    again): the quarter hour at or before it when that still leaves LEAD to write it, else the one after,
    else NEW_TIME_AHEAD from now. `owed_at` is when this update was due; past, the draft is late. None
    when nothing tells when the next update is due."""
    if target is None:
        return None
    zone = known_zone(zone) or "UTC"
    late = owed_at is not None and owed_at < now
    earliest = now + LEAD
    for candidate in (_floor(target), _ceil(target)):
        if candidate >= earliest:
            return Promise(candidate, zone, contacts_zone, owed_at, late)
    return Promise(_ceil(now + NEW_TIME_AHEAD), zone, contacts_zone, owed_at, late)


def promise_clock(moment: datetime, zone: str) -> str:
    """The clock of a promise as written, without its day: `6:00 PM Berlin time`."""
    local = moment.astimezone(ZoneInfo(known_zone(zone) or "UTC"))
    return f"{local:%I:%M %p}".lstrip("0") + f" {zone_name(zone, moment)}"


def format_promise(moment: datetime, now: datetime, zone: str) -> str:
    """`3:15 PM Berlin time today`, `9:00 AM UTC tomorrow`, `10:00 AM London time on Monday 7 December`:
    the clock in `zone`, the zone named, and always the day."""
    tz = ZoneInfo(known_zone(zone) or "UTC")
    local, today = moment.astimezone(tz), now.astimezone(tz).date()
    clock = promise_clock(moment, zone)
    if local.date() == today:
        return f"{clock} today"
    if local.date() == today + timedelta(days=1):
        return f"{clock} tomorrow"
    return f"{clock} on {local:%A} {local.day} {local:%B}"
