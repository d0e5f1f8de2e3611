"""The next-update time a draft promises (pure): in the future, on a quarter hour, in the contact's zone.

A customer holds us to the time we write, so it is one they can read ("by 3:15 PM Berlin time today")
and one we can still keep: never already past, never "8:16 PM UTC" for a clock that went overdue at
8:16. When the clock is past (or too close to send in time), the draft offers a new time instead.
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
    """The time a draft promises the next update, and the zone it is written in."""

    at: datetime
    zone: str  # an IANA zone
    contacts_zone: bool  # False: the contact's zone is unknown, so this is the incident commander's
    due_at: datetime  # when the customer clock (or the last promise) said the update was due

    @property
    def new_time(self) -> bool:
        """True when the clock was already due (or too close to keep): the draft offers a new time."""
        return self.at > self.due_at


def _floor(moment: datetime) -> datetime:
    return moment.replace(minute=moment.minute - moment.minute % 15, second=0, microsecond=0)


def _ceil(moment: datetime) -> datetime:
    floor = _floor(moment)
    return floor if floor == moment else floor + QUARTER


def next_promise(
    due_at: datetime | None, now: datetime, zone: str | None, contacts_zone: bool
) -> Promise | None:
    """The time to promise for an update due at `due_at`: the quarter hour at or before it when that still
    leaves LEAD to send it, else the one after it; a new time NEW_TIME_AHEAD from now when both are too
    close or past. None when nothing is due."""
    if due_at is None:
        return None
    zone = known_zone(zone) or "UTC"
    earliest = now + LEAD
    for candidate in (_floor(due_at), _ceil(due_at)):
        if candidate >= earliest:
            return Promise(candidate, zone, contacts_zone, due_at)
    return Promise(_ceil(now + NEW_TIME_AHEAD), zone, contacts_zone, due_at)


def format_promise(moment: datetime, now: datetime, zone: str) -> str:
    """`3:15 PM Berlin time today`, `9:00 AM UTC tomorrow`, `10:00 AM London time on Monday 7 December`:
    the clock in `zone`, the zone named, and always the day."""
    tz = ZoneInfo(known_zone(zone) or "UTC")
    local, today = moment.astimezone(tz), now.astimezone(tz).date()
    clock = f"{local:%I:%M %p}".lstrip("0") + f" {zone_name(zone, moment)}"
    if local.date() == today:
        return f"{clock} today"
    if local.date() == today + timedelta(days=1):
        return f"{clock} tomorrow"
    return f"{clock} on {local:%A} {local.day} {local:%B}"
