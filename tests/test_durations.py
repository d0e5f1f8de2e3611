"""Durations as written in the policy file: parsing, the compact canonical form, and the human form."""

from datetime import timedelta

import pytest

from bot.core.durations import cadence_in_words, format_duration, humanize_duration, parse_duration


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("90s", timedelta(seconds=90)),
        ("30m", timedelta(minutes=30)),
        ("2h", timedelta(hours=2)),
        ("1d", timedelta(days=1)),
        ("1w", timedelta(weeks=1)),
        ("1h30m", timedelta(hours=1, minutes=30)),
        ("1d12h", timedelta(days=1, hours=12)),
        ("1w2d3h4m5s", timedelta(weeks=1, days=2, hours=3, minutes=4, seconds=5)),
        ("1h 30m", timedelta(hours=1, minutes=30)),
        ("  15 m ", timedelta(minutes=15)),
        ("2H", timedelta(hours=2)),
        ("1H30M", timedelta(hours=1, minutes=30)),
        ("48h", timedelta(days=2)),
        (timedelta(minutes=5), timedelta(minutes=5)),
    ],
)
def test_parse_accepts_compact_forms(text, expected):
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("15 minutes", "'15 minutes' is not a duration: write it like 90s, 30m, 2h or 1d"),
        ("2 hours", "'2 hours' is not a duration: write it like 90s, 30m, 2h or 1d"),
        ("1.5h", "'1.5h' is not a duration: write it like 90s, 30m, 2h or 1d"),
        ("", "'' is not a duration: write it like 90s, 30m, 2h or 1d"),
        ("soon", "'soon' is not a duration: write it like 90s, 30m, 2h or 1d"),
        ("30", "'30' is not a duration: a bare number is ambiguous; write it like 90s, 30m, 2h or 1d"),
        (30, "30 is not a duration: a bare number is ambiguous; write it like 90s, 30m, 2h or 1d"),
        (1.5, "1.5 is not a duration: a bare number is ambiguous; write it like 90s, 30m, 2h or 1d"),
        (True, "True is not a duration: write it like 90s, 30m, 2h or 1d"),
        (None, "None is not a duration: write it like 90s, 30m, 2h or 1d"),
        ("0m", "'0m' is not a duration: it must be longer than zero"),
        ("0h0m", "'0h0m' is not a duration: it must be longer than zero"),
        ("-5m", "'-5m' is not a duration: it must be longer than zero"),
        (timedelta(0), "datetime.timedelta(0) is not a duration: it must be longer than zero"),
        (timedelta(minutes=-5), "is not a duration: it must be longer than zero"),
        (timedelta(seconds=1.5), "is not a duration: it must be a whole number of seconds"),
        ("30m1h", "'30m1h' is not a duration: give each unit once, largest first, like 1h30m or 1d12h"),
        ("1h1h", "'1h1h' is not a duration: give each unit once, largest first"),
        ("99999999999w", "'99999999999w' is too long to be a duration"),
    ],
)
def test_parse_rejects_with_a_message_saying_how_to_write_it(value, message):
    with pytest.raises(ValueError) as caught:
        parse_duration(value)
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("td", "expected"),
    [
        (timedelta(seconds=90), "1m30s"),
        (timedelta(seconds=45), "45s"),
        (timedelta(minutes=30), "30m"),
        (timedelta(hours=2), "2h"),
        (timedelta(hours=24), "1d"),
        (timedelta(hours=48), "2d"),
        (timedelta(hours=1, minutes=30), "1h30m"),
        (timedelta(days=7), "1w"),
        (timedelta(days=10), "1w3d"),
        (timedelta(days=1, seconds=1), "1d1s"),
    ],
)
def test_format_gives_the_compact_canonical_form(td, expected):
    assert format_duration(td) == expected
    assert parse_duration(expected) == td


@pytest.mark.parametrize("td", [timedelta(0), timedelta(minutes=-1), timedelta(milliseconds=1500)])
def test_format_refuses_what_parse_would_refuse(td):
    with pytest.raises(ValueError, match="is not a duration"):
        format_duration(td)


@pytest.mark.parametrize("text", ["45s", "1m30s", "30m", "1h30m", "2d", "1w", "1w1d1h1m1s"])
def test_canonical_text_round_trips(text):
    assert format_duration(parse_duration(text)) == text


@pytest.mark.parametrize(
    ("td", "expected"),
    [
        (timedelta(minutes=30), "30 min"),
        (timedelta(hours=2), "2 h"),
        (timedelta(days=1), "1 day"),
        (timedelta(days=2), "2 days"),
        (timedelta(weeks=1), "1 week"),
        (timedelta(weeks=3), "3 weeks"),
        (timedelta(hours=1, minutes=30), "1 h 30 min"),
        (timedelta(seconds=90), "1 min 30 s"),
        (timedelta(seconds=45), "45 s"),
        (timedelta(days=8, hours=2), "1 week 1 day 2 h"),
        (timedelta(0), "0 s"),
        (timedelta(minutes=-5), "5 min"),
        (timedelta(minutes=5, microseconds=900_000), "5 min"),
    ],
)
def test_humanize_reads_naturally(td, expected):
    assert humanize_duration(td) == expected


@pytest.mark.parametrize(
    ("span", "business_days", "words"),
    [
        (timedelta(days=1), False, "daily"),
        (timedelta(days=1), True, "every business day"),
        (timedelta(days=2), True, "every 2 business days"),
        (timedelta(hours=1), False, "every hour"),
        (timedelta(hours=2), False, "every 2 hours"),
        (timedelta(minutes=30), False, "every 30 minutes"),
        (timedelta(hours=1, minutes=30), False, "every 1 hour 30 minutes"),
        (timedelta(weeks=1), False, "weekly"),
    ],
)
def test_cadences_read_as_words_a_customer_would_write(span, business_days, words) -> None:
    assert cadence_in_words(span, business_days=business_days) == words
