"""When the customer's problem started, read from the intake's "When did it start?" answer (pure).

The answer is free text typed in a hurry ("three weeks ago", "Monday 09:40 after the deploy", "since 2 Nov"),
so this reads the few shapes people use and says None for the rest: a brief that shows the answer as typed
is better than one that shows a wrong date. Every moment is UTC (the intake has no time zone), and none is
after `reported_at`: a problem cannot have started after it was reported.

What a day without a time means: the start of a working day (09:00), or for a part of the day its usual
hour (morning 09:00, afternoon 13:00, evening 18:00, night 21:00), so the wait is never overstated by a
night. Slash dates ("3/11") are not read: they mean 3 November to some people and 11 March to others.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

from dateutil import parser as date_parser
from dateutil.relativedelta import relativedelta

_ONE_TO_TWENTY = (
    "one two three four five six seven eight nine ten "
    "eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty"
)
NUMBER_WORDS = {word: n for n, word in enumerate(_ONE_TO_TWENTY.split(), start=1)} | {
    "a": 1,
    "an": 1,
    "a couple of": 2,
    "a couple": 2,
    "couple of": 2,
}
# The hour a part of the day, or a day named without a time, is taken to start at.
DAY_START = time(9, 0)
PART_HOURS = {"morning": 9, "afternoon": 13, "evening": 18, "night": 21, "tonight": 18}
WEEKDAYS = {
    "monday": 0,
    "mon": 0,
    "tuesday": 1,
    "tues": 1,
    "tue": 1,
    "wednesday": 2,
    "wed": 2,
    "thursday": 3,
    "thurs": 3,
    "thur": 3,
    "thu": 3,
    "friday": 4,
    "fri": 4,
    "saturday": 5,
    "sunday": 6,
    "weekend": 5,  # "over the weekend": from its Saturday
}  # no "sat"/"sun": "the ticket sat for days" is not a Saturday

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|june?|july?|aug(?:ust)?|sept?(?:ember)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_CLOCK = r"(?:\s*,?\s*(?:at\s+)?\d{1,2}(?::\d{2})?\s*(?:am|pm)|\s*,?\s*(?:at\s+)?\d{1,2}:\d{2})?"
# A date dateutil can be trusted with: ISO, or a month by name ("may" only beside a day: it is also a verb).
_ABSOLUTE = re.compile(
    r"\b\d{4}-\d{1,2}-\d{1,2}(?:[t ]\d{1,2}:\d{2}(?::\d{2})?(?:z|[+-]\d{2}:?\d{2})?)?"
    rf"|\b{_DAY}\s+(?:of\s+)?(?:{_MONTH}|may)\b\.?(?:\s+\d{{4}})?{_CLOCK}"
    rf"|\b(?:{_MONTH}|may)\.?\s+{_DAY}\b(?:,?\s+\d{{4}})?{_CLOCK}"
    rf"|\b{_MONTH}\b(?:\s+\d{{4}})?"
)
_COUNT_WORDS = "|".join(sorted(map(re.escape, NUMBER_WORDS), key=len, reverse=True))
_UNIT = r"minutes?|mins?|hours?|hrs?|h|days?|d|weeks?|wks?|w|months?|mos?|years?|yrs?|y"
# "3 weeks", "48h", "six weeks", "a couple of days"; a number word needs a space before its unit ("ad").
_SPAN = re.compile(
    rf"(?<![\w.:])(?:(?P<digits>\d{{1,4}}(?:\.\d+)?)\s*|(?P<word>{_COUNT_WORDS})\s+)(?P<unit>{_UNIT})\b"
)
_SPAN_GAP = re.compile(r"\s*(?:,|and|,\s*and)?\s*")
_FUTURE_SPAN_BEFORE = re.compile(r"\bin\s*$")
_FUTURE_SPAN_AFTER = re.compile(r"^\s*(?:from now|later|time)\b")
_NEXT = re.compile(r"\bnext\s+(?:" + "|".join(WEEKDAYS) + r")\b")  # a weekday ahead is no start
_TIME_24 = re.compile(r"(?<![\d:.])(?P<h>[01]?\d|2[0-3]):(?P<m>[0-5]\d)(?:\s*(?P<ap>am|pm))?(?![\d:])")
_TIME_12 = re.compile(r"(?<![\d:.])(?P<h>1[0-2]|0?[1-9])\s*(?P<ap>am|pm)\b")
_WEEKDAY = re.compile(r"\b(?P<day>" + "|".join(sorted(WEEKDAYS, key=len, reverse=True)) + r")\b")
_YESTERDAY = re.compile(
    r"\b(?P<before>the day before )?yesterday(?:\s+(?P<part>morning|afternoon|evening|night))?\b"
)
_TODAY = re.compile(r"\b(?:this\s+(?P<part>morning|afternoon|evening)|(?P<tonight>tonight)|today)\b")
_LAST = re.compile(r"\blast\s+(?P<what>night|evening|week|month|year)\b")


def started_at(text: str, reported_at: datetime) -> datetime | None:
    """The moment `text` ("Monday 09:40", "three weeks ago", "since 2 Nov") names, on or before
    `reported_at`, in UTC; None when it names none, or names one after `reported_at`."""
    words = " ".join(text.lower().split())
    if not words or _NEXT.search(words):
        return None
    reported = (reported_at if reported_at.tzinfo else reported_at.replace(tzinfo=UTC)).astimezone(UTC)
    try:
        for read in (_absolute, _span, _named_day, _weekday, _time_alone):
            moment = read(words, reported)
            if moment is not None:
                return moment if moment <= reported else None
    except (ValueError, OverflowError):  # dateutil's refusals, and dates off the end of the calendar
        return None
    return None


# --- the readers, most precise first: each returns None when its shape is not in the text -------------------


def _absolute(words: str, reported: datetime) -> datetime | None:
    """ "2026-11-12", "since 2 Nov", "Nov 2 14:00", "November". A date without a year that would be after
    the report is last year's; a day named without a time that is the report's own day is clamped to it."""
    match = _ABSOLUTE.search(words)
    if match is None:
        return None
    fragment = match.group()
    default = datetime.combine(reported.date().replace(day=1), DAY_START, UTC)
    parsed = date_parser.parse(fragment, default=default, fuzzy=True)
    moment = (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)
    timed = bool(_TIME_24.search(fragment) or _TIME_12.search(fragment))
    if moment.date() > reported.date() and not re.search(r"\d{4}", fragment):
        moment -= relativedelta(years=1)
    if moment > reported and moment.date() == reported.date() and not timed:
        return reported
    return moment


def _span(words: str, reported: datetime) -> datetime | None:
    """ "three weeks ago", "for 3 weeks", "6 weeks", "2 weeks and 3 days": that long before the report."""
    groups: list[list[re.Match[str]]] = []
    for match in _SPAN.finditer(words):
        if _FUTURE_SPAN_BEFORE.search(words[: match.start()]) or _FUTURE_SPAN_AFTER.match(
            words[match.end() :]
        ):
            continue  # "in 3 days", "3 days from now": not a start
        gap = words[groups[-1][-1].end() : match.start()] if groups else ""
        if groups and _SPAN_GAP.fullmatch(gap):
            groups[-1].append(match)
        else:
            groups.append([match])
    if not groups:
        return None
    moment = reported
    for match in groups[0]:
        count = float(match["digits"]) if match["digits"] else float(NUMBER_WORDS[match["word"]])
        moment = _minus(moment, count, match["unit"])
    return moment


def _minus(moment: datetime, count: float, unit: str) -> datetime:
    if unit.startswith(("mo", "y")):
        months = count * (12 if unit.startswith("y") else 1)
        if months.is_integer():
            return moment - relativedelta(months=int(months))
        return moment - timedelta(days=months * 30.44)  # "1.5 months": calendar months don't split
    if unit.startswith("w"):
        return moment - timedelta(weeks=count)
    if unit.startswith("d"):
        return moment - timedelta(days=count)
    if unit.startswith("h"):
        return moment - timedelta(hours=count)
    return moment - timedelta(minutes=count)


def _named_day(words: str, reported: datetime) -> datetime | None:
    """ "yesterday", "yesterday 14:00", "this morning", "last night", "today", "last week"."""
    today = reported.date()
    if match := _YESTERDAY.search(words):
        day = today - timedelta(days=2 if match["before"] else 1)
        return _on(day, words, PART_HOURS.get(match["part"] or ""), reported)
    if match := _LAST.search(words):
        what = match["what"]
        if what in ("night", "evening"):
            return _on(today - timedelta(days=1), words, PART_HOURS[what], reported)
        return reported - {"week": relativedelta(weeks=1), "month": relativedelta(months=1)}.get(
            what, relativedelta(years=1)
        )
    if match := _TODAY.search(words):
        part = match["part"] or ("tonight" if match["tonight"] else "")
        moment = _on(today, words, PART_HOURS.get(part), reported)
        # "this morning" said at 08:00 is this morning all the same: it started at the latest by now.
        return min(moment, reported) if _time_of(words) is None else moment
    return None


def _weekday(words: str, reported: datetime) -> datetime | None:
    """ "since Monday", "Monday 09:40 after the deploy": the latest such day before the report. On the same
    weekday it is today only when a time is given and has passed; "since Monday" said on a Monday means a
    week ago (today would have been "this morning")."""
    match = _WEEKDAY.search(words)
    if match is None:
        return None
    back = (reported.weekday() - WEEKDAYS[match["day"]]) % 7
    clock = _time_of(words)
    if back == 0 and (clock is None or clock > reported.time()):
        back = 7
    return _on(reported.date() - timedelta(days=back), words, None, reported)


def _time_alone(words: str, reported: datetime) -> datetime | None:
    """ "since the 09:40 deploy", "at 9am": the latest such moment, today or else yesterday."""
    clock = _time_of(words)
    if clock is None:
        return None
    moment = datetime.combine(reported.date(), clock, UTC)
    return moment if moment <= reported else moment - timedelta(days=1)


# --- times of day ------------------------------------------------------------------------------------------


def _on(day: date, words: str, part_hour: int | None, reported: datetime) -> datetime:
    """`day` at the time `words` give, else at `part_hour`, else at the start of a working day."""
    clock = _time_of(words) or (time(part_hour) if part_hour is not None else DAY_START)
    return datetime.combine(day, clock, UTC)


def _time_of(words: str) -> time | None:
    """The clock time in `words` ("09:40", "2:15 pm", "9am", "noon"), or None."""
    match = _TIME_24.search(words) or _TIME_12.search(words)
    if match is None:
        return time(12) if re.search(r"\bnoon\b", words) else time(0) if "midnight" in words else None
    hour, minute = int(match["h"]), int(match.groupdict().get("m") or 0)
    if match["ap"] == "pm" and hour < 12:
        hour += 12
    elif match["ap"] == "am" and hour == 12:
        hour = 0
    return time(hour, minute)
