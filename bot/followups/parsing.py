"""`/escalate action <what> @owner <date>`: what was typed, read (pure).

The owner is Slack's escaped mention (`<@U0123|ana>`, the manifest asks for escaping); the due date is
what follows it, or the last words ("by Friday", "due 2026-12-20", "in 2 weeks"). A date without a time
is due at the end of that working day on the clock of the person who typed it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from dateutil import parser as date_parser

from bot.core.text import readable

END_OF_DAY = time(17, 0)
DATE_EXAMPLES = "a date like `2026-12-20`, `Dec 20`, `friday`, `tomorrow` or `in 2 weeks`"
_MENTION = re.compile(r"<@([UW][A-Z0-9]{2,20})(?:\|[^<>]*)?>")
_LEAD_WORDS = re.compile(r"^(?:by|due|on|before|until)\s+", re.I)
_IN_SPAN = re.compile(r"^in\s+(\d{1,3})\s*(day|days|week|weeks|d|w)$", re.I)
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# Where a due date may start at the end, when no owner mention separates it: "… by Friday", "… due
# 2026-12-20", "… in 2 weeks". Only words that read as a date are one ("before each release" is not).
_DUE_WORD = re.compile(
    r"\s(?:by|due|before|until|on)\s+"
    r"|\s(?=in\s+\d|(?:today|tomorrow|next\s+week|(?:next\s+)?(?:mon|tues|wednes|thurs|fri|satur|sun)day)\s*$)",
    re.I,
)
_ENDS_IN_EMOJI = re.compile(r":[a-z0-9_+'-]+:\s*$")
_GROUP = re.compile(r"<!subteam\^[A-Z0-9]+(?:\|[^<>]*)?>")
# Punctuation around what was typed, but not the colons of an emoji code (`:fire:`).
_EDGES = " ,;-\t\n"
_TRAILING_WORDS = 30


@dataclass(frozen=True)
class ActionRequest:
    """What `/escalate action` was asked: the action in plain words, its owner, the due date as typed;
    `problem` says what cannot be right (two owners, a group as the owner)."""

    what: str
    owner_user_id: str | None
    due_text: str
    problem: str | None = None


def parse_action(raw: str, now: datetime) -> ActionRequest:
    """Split `Add sync-delete alerting <@U1|ana> 2026-12-20` into what, owner and due date; without a
    mention, the last words are the date only when they read as one ("… before each release by Friday"
    is due Friday; "… before each release" has no date)."""
    if len(_MENTION.findall(raw)) > 1:
        return ActionRequest("", None, "", "One owner per action: name one person.")
    if _GROUP.search(raw):
        return ActionRequest("", None, "", "A user group can't own an action: name one person.")
    mention = _MENTION.search(raw)
    if mention:
        what, due = raw[: mention.start()], raw[mention.end() :]
        owner: str | None = mention.group(1)
    else:
        what, due, owner = raw, "", None
    if not due.strip():
        what, due = _split_trailing_due(what, now)
    words = readable(what).strip(_EDGES)
    if not _ENDS_IN_EMOJI.search(words):
        words = words.rstrip(":")  # "Alert on deletes:" before the owner, not the end of `:fire:`
    if not any(ch.isalnum() for ch in words):  # a zero-width space, or punctuation alone, is no action
        words = ""
    return ActionRequest(words, owner, readable(due).strip(" ,;."))


def _split_trailing_due(text: str, now: datetime) -> tuple[str, str]:
    """(what, due) with the longest tail of `text` that reads as a date, or (text, "")."""
    tail_starts = [m for m in _DUE_WORD.finditer(text) if len(text) - m.end() <= _TRAILING_WORDS]
    for match in tail_starts:  # leftmost first: the longest tail that still reads as a date wins
        tail = text[match.end() :] if match.group().strip() else text[match.start() :]
        if tail.strip(" ,;.").isdigit():  # "plan the week by 5" is not the 5th of the month
            continue
        try:
            if parse_due(tail.strip(" ,;."), now) is not None:
                return text[: match.start()], tail
        except ValueError:
            continue
    return text, ""


def parse_due(text: str, now: datetime, utc_offset_seconds: int = 0) -> datetime | None:
    """The due time `text` names, as a UTC-aware datetime (None for no text); `ValueError` with a sentence
    saying what would work when it names no date."""
    words = _LEAD_WORDS.sub("", " ".join(text.split())).strip()
    if not words:
        return None
    zone = timezone(timedelta(seconds=utc_offset_seconds))
    today = now.astimezone(zone).date()
    try:
        day = _relative_day(words.lower(), today) or _absolute_day(words, today)
        return datetime.combine(day, END_OF_DAY, zone).astimezone(now.tzinfo)
    except (ValueError, OverflowError):  # dateutil's refusals, and dates at the edge of the calendar
        raise ValueError(f"I can't read {words!r} as a due date: use {DATE_EXAMPLES}.") from None


def _relative_day(words: str, today: date) -> date | None:
    if words == "today":
        return today
    if words == "tomorrow":
        return today + timedelta(days=1)
    if words in ("next week", "in a week"):
        return today + timedelta(days=7)
    weekday = words.removeprefix("next ")
    if weekday in _WEEKDAYS:  # the next such day, never today
        ahead = (_WEEKDAYS.index(weekday) - today.weekday() - 1) % 7 + 1
        return today + timedelta(days=ahead)
    span = _IN_SPAN.match(words)
    if span:
        days = int(span.group(1)) * (7 if span.group(2).lower().startswith("w") else 1)
        return today + timedelta(days=days)
    return None


def _absolute_day(words: str, today: date) -> date:
    # dateutil reads "2026-12-20", "Dec 20", "20 December 2026", "12/20"; a day with no year that has
    # already passed this year means next year's.
    default = datetime.combine(today, time()).replace(day=1)
    parsed = date_parser.parse(words, default=default, dayfirst=False).date()
    if not re.search(r"\d{4}", words) and parsed < today:
        parsed = parsed.replace(year=parsed.year + 1)
    return parsed
