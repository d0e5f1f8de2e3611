"""Durations as people write them in the policy file and in Slack: `90s`, `30m`, `2h`, `1d`, `1w`, `1h30m`."""

from __future__ import annotations

import re
from datetime import timedelta

ACCEPTED_FORMS = "write it like 90s, 30m, 2h or 1d"

_UNIT_SECONDS: dict[str, int] = {"w": 604_800, "d": 86_400, "h": 3_600, "m": 60, "s": 1}
_UNIT_ORDER = tuple(_UNIT_SECONDS)
_HUMAN_UNITS: tuple[tuple[int, str, str], ...] = (
    (604_800, " week", " weeks"),
    (86_400, " day", " days"),
    (3_600, " h", " h"),
    (60, " min", " min"),
    (1, " s", " s"),
)
_WHOLE = re.compile(r"\s*(?:\d+\s*[wdhms]\s*)+", re.IGNORECASE)
_PART = re.compile(r"(\d+)\s*([wdhms])", re.IGNORECASE)
_NUMBER = re.compile(r"\s*[-+]?\d+(?:\.\d*)?\s*")
_NEGATIVE = re.compile(r"\s*-\s*(?:\d+\s*[wdhms]\s*)+", re.IGNORECASE)


def parse_duration(text: str | int | float | timedelta) -> timedelta:
    """The positive, whole-second duration written in `text`; `ValueError` says how to write it otherwise."""
    if isinstance(text, timedelta):
        return _checked(text, repr(text))
    # A bare number could mean seconds, minutes or hours; refusing it beats guessing wrong about an SLA.
    bare_number = isinstance(text, int | float) and not isinstance(text, bool)
    if bare_number or (isinstance(text, str) and _NUMBER.fullmatch(text)):
        raise ValueError(f"{text!r} is not a duration: a bare number is ambiguous; {ACCEPTED_FORMS}")
    if not isinstance(text, str):
        raise ValueError(f"{text!r} is not a duration: {ACCEPTED_FORMS}")
    if _NEGATIVE.fullmatch(text):
        raise ValueError(f"{text!r} is not a duration: it must be longer than zero")
    if not _WHOLE.fullmatch(text):
        raise ValueError(f"{text!r} is not a duration: {ACCEPTED_FORMS}")
    parts = [(int(amount), unit.lower()) for amount, unit in _PART.findall(text)]
    positions = [_UNIT_ORDER.index(unit) for _, unit in parts]
    if positions != sorted(set(positions)):
        raise ValueError(
            f"{text!r} is not a duration: give each unit once, largest first, like 1h30m or 1d12h"
        )
    try:
        total = timedelta(seconds=sum(amount * _UNIT_SECONDS[unit] for amount, unit in parts))
    except OverflowError:
        raise ValueError(f"{text!r} is too long to be a duration") from None
    return _checked(total, repr(text))


def format_duration(td: timedelta) -> str:
    """The compact canonical form that `parse_duration` reads back: `30m`, `1d`, `1h30m`, `1w2d`."""
    _checked(td, repr(td))
    remaining = int(td.total_seconds())
    parts: list[str] = []
    for unit, seconds in _UNIT_SECONDS.items():
        amount, remaining = divmod(remaining, seconds)
        if amount:
            parts.append(f"{amount}{unit}")
    return "".join(parts)


def humanize_duration(td: timedelta) -> str:
    """The duration for people: `30 min`, `2 h`, `1 day`, `1 week`, `1 h 30 min`.

    The sign is dropped (callers say "ago" or "overdue by") and so are fractions of a second.
    """
    remaining = abs(int(td.total_seconds()))
    if remaining == 0:
        return "0 s"
    parts: list[str] = []
    for seconds, singular, plural in _HUMAN_UNITS:
        amount, remaining = divmod(remaining, seconds)
        if amount:
            parts.append(f"{amount}{singular if amount == 1 else plural}")
    return " ".join(parts)


_WORD_UNITS: tuple[tuple[int, str], ...] = (
    (604_800, "week"),
    (86_400, "day"),
    (3_600, "hour"),
    (60, "minute"),
)
_EVERY_ONE = {604_800: "weekly", 86_400: "daily", 3_600: "every hour", 60: "every minute"}


def cadence_in_words(td: timedelta, *, business_days: bool = False) -> str:
    """How often, as a customer reads it: `daily`, `every 2 hours`, `every 30 minutes`, `weekly`, `every
    business day`, `every 2 business days` (never "every 1 day" or "2 h")."""
    seconds = abs(int(td.total_seconds()))
    if business_days and seconds % 86_400 == 0 and seconds:
        days = seconds // 86_400
        return "every business day" if days == 1 else f"every {days} business days"
    if seconds in _EVERY_ONE:
        return _EVERY_ONE[seconds]
    parts = []
    for unit, word in _WORD_UNITS:
        amount, seconds = divmod(seconds, unit)
        if amount:
            parts.append(f"{amount} {word}{'' if amount == 1 else 's'}")
    return "every " + " ".join(parts) if parts else "continuously"


def _checked(td: timedelta, shown: str) -> timedelta:
    if td <= timedelta(0):
        raise ValueError(f"{shown} is not a duration: it must be longer than zero")
    if td.microseconds:
        raise ValueError(f"{shown} is not a duration: it must be a whole number of seconds")
    return td
