"""The intake's "When did it start?" answer, read into the moment the customer's problem started."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from bot.drafting.since import started_at

REPORTED = datetime(2026, 12, 3, 14, 0, tzinfo=UTC)  # a Thursday afternoon


def on(month: int, day: int, hour: int = 9, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


READS = [
    # spans back from the report: digits, number words, with or without "ago" / "for"
    ("three weeks ago", REPORTED - timedelta(weeks=3)),
    ("3 weeks ago", REPORTED - timedelta(weeks=3)),
    ("2 days ago", REPORTED - timedelta(days=2)),
    ("for 3 weeks", REPORTED - timedelta(weeks=3)),
    ("6 weeks", REPORTED - timedelta(weeks=6)),
    ("six weeks", REPORTED - timedelta(weeks=6)),
    ("Six Weeks.", REPORTED - timedelta(weeks=6)),
    ("sixteen days ago", REPORTED - timedelta(days=16)),
    ("twenty minutes ago", REPORTED - timedelta(minutes=20)),
    ("an hour ago", REPORTED - timedelta(hours=1)),
    ("48h", REPORTED - timedelta(hours=48)),
    ("a couple of weeks", REPORTED - timedelta(weeks=2)),
    ("2 weeks and 3 days ago", REPORTED - timedelta(days=17)),
    ("about 3 months ago", on(9, 3, 14)),
    ("a year ago", on(12, 3, 14, year=2025)),
    # weekdays: the latest such day before the report; a day without a time starts at 09:00
    ("since Monday", on(11, 30)),
    ("Monday 09:40", on(11, 30, 9, 40)),
    ("Monday 09:40 after the deploy", on(11, 30, 9, 40)),
    ("mon at 2pm", on(11, 30, 14)),
    ("last Tuesday", on(12, 1)),
    ("since Thursday", on(11, 26)),  # said on a Thursday: a week ago ("this morning" would be today)
    ("Thursday 10:00", on(12, 3, 10)),  # today: 10:00 has passed
    ("Thursday 15:00", on(11, 26, 15)),  # 15:00 has not come yet today: last week's
    ("over the weekend", on(11, 28)),
    # dates: a day without a year that would be after the report is last year's
    ("since 2 Nov", on(11, 2)),
    ("2nd of November", on(11, 2)),
    ("Nov 2 14:30", on(11, 2, 14, 30)),
    ("since November", on(11, 1)),
    ("2026-11-12", on(11, 12)),
    ("2026-11-12T09:40:00+01:00", on(11, 12, 8, 40)),
    ("12 Nov 2025 09:40", on(11, 12, 9, 40, year=2025)),
    ("since 4 Dec", on(12, 4, year=2025)),
    ("since 3 Dec", on(12, 3)),  # the report's own day, at 09:00
    ("since 5 May", on(5, 5)),
    # named days and parts of a day
    ("yesterday", on(12, 2)),
    ("yesterday at 2pm", on(12, 2, 14)),
    ("yesterday evening", on(12, 2, 18)),
    ("the day before yesterday", on(12, 1)),
    ("today", on(12, 3)),
    ("this morning", on(12, 3, 9)),
    ("this afternoon", on(12, 3, 13)),
    ("last night", on(12, 2, 21)),
    ("last week", REPORTED - timedelta(weeks=1)),
    # a time alone: today, or yesterday when it has not come yet today
    ("since the 09:40 deploy", on(12, 3, 9, 40)),
    ("since the 15:00 deploy", on(12, 2, 15)),
    ("around 9am", on(12, 3, 9)),
]


@pytest.mark.parametrize(("text", "expected"), READS, ids=[text for text, _ in READS])
def test_reads_the_shapes_people_type(text, expected):
    moment = started_at(text, REPORTED)
    assert moment == expected
    assert moment.tzinfo is not None and moment.utcoffset() == timedelta(0)


NOTHING = [
    "",
    "   ",
    "not sure",
    "asap",
    "after the big deploy",
    "3 customers affected",  # a number, but no unit of time
    "a few days",  # too vague to put a date on
    "since 3/11",  # 3 November or 11 March: not guessed
    "next Monday",
    "in 3 days",
    "9999 years ago",
    "🔥🔥🔥",
]


@pytest.mark.parametrize("text", NOTHING)
def test_nonsense_names_no_moment(text):
    assert started_at(text, REPORTED) is None


NEVER_AFTER = [
    "2026-12-05",  # a date with its year, after the report
    "3 Dec 2026 15:00",  # today, at a time still to come
    "today 15:00",
    "tonight",
    "this evening",
]


@pytest.mark.parametrize("text", NEVER_AFTER)
def test_never_after_the_report(text):
    moment = started_at(text, REPORTED)
    assert moment is None or moment <= REPORTED


@pytest.mark.parametrize("text", [text for text, _ in READS])
def test_no_reading_is_after_the_report_at_any_hour(text):
    for hour in range(24):
        reported = REPORTED.replace(hour=hour, minute=5)
        moment = started_at(text, reported)
        assert moment is None or moment <= reported, (text, hour)


def test_this_morning_said_before_nine_is_the_report_itself():
    early = REPORTED.replace(hour=7, minute=30)
    assert started_at("this morning", early) == early


def test_a_report_in_another_zone_is_read_in_utc():
    reported = datetime(2026, 12, 3, 9, 0, tzinfo=timezone(timedelta(hours=-5)))  # 14:00 UTC
    assert started_at("2 days ago", reported) == REPORTED - timedelta(days=2)
    assert started_at("yesterday", reported) == on(12, 2)
