"""`/escalate` subcommands as typed: which subcommand, which escalation, the promised next update, and
when that promise falls on the typist's own clock."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from bot.escalations.commands import SUBCOMMANDS, Subcommand, next_local_time, parse_subcommand, split_promise

# ---------------------------------------------------------------------------------------------------------
# parse_subcommand
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("help", Subcommand("help", "")),
        ("list", Subcommand("list", "")),
        ("  LIST  ", Subcommand("list", "")),
        ("status", Subcommand("status", "")),
        ("status ESC-2026-007", Subcommand("status", "", "ESC-2026-007")),
        ("status monitoring", Subcommand("status", "monitoring")),
        ("Status esc-2026-007 resolved", Subcommand("status", "resolved", "ESC-2026-007")),
        ("severity SEV-1 data loss", Subcommand("severity", "SEV-1 data loss")),
        (
            "severity ESC-2026-007 SEV-2 customer has a workaround",
            Subcommand("severity", "SEV-2 customer has a workaround", "ESC-2026-007"),
        ),
        ("update Restored the backup", Subcommand("update", "Restored the backup")),
        (
            "UPDATE ESC-2026-1234 Restored the backup",
            Subcommand("update", "Restored the backup", "ESC-2026-1234"),
        ),
        # Further on, an id is part of what was said, never the target.
        ("close Duplicate of ESC-2026-001", Subcommand("close", "Duplicate of ESC-2026-001")),
        (
            "customer-update ESC-2026-007 Sent the workaround, next update at 14:30",
            Subcommand("customer-update", "Sent the workaround, next update at 14:30", "ESC-2026-007"),
        ),
        ("customer_update Called David", Subcommand("customer-update", "Called David")),
        ("Customer-Update Called David", Subcommand("customer-update", "Called David")),
    ],
)
def test_parse_subcommand(text, expected):
    assert parse_subcommand(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Okafor Analytics: migration corrupted 6 months of reports",
        "",
        "   ",
        "helpdesk is down for Acme",  # starts like a subcommand, but is not one
        "updates failing for ESC-2026-007",
        "Update: exports are failing for Acme",
    ],
)
def test_free_text_has_no_name_and_is_kept_whole(text):
    parsed = parse_subcommand(text)
    assert parsed == Subcommand("", text.strip())
    assert parsed.public_id is None  # intake text is never mistaken for an escalation reference


VALID_ARGUMENTS = {
    "help": "",
    "list": "",
    "status": "ESC-2026-001 resolved",
    "severity": "ESC-2026-001 SEV-2 workaround found",
    "update": "ESC-2026-001 rolled back",
    "customer-update": "ESC-2026-001 called David",
    "role": "ESC-2026-001 liaison <@U0BEN|ben>",
    "timeline": "ESC-2026-001",
    "resolve": "ESC-2026-001 restored the reports",
    "confirm": "ESC-2026-001",
    "close": "ESC-2026-001 duplicate of ESC-2026-002",
    "reopen": "ESC-2026-001 broke again",
    "recovery": "ESC-2026-001",
    "action": "ESC-2026-001 Alert on bulk deletes <@U0BEN|ben> 2026-12-20",
    "actions": "ESC-2026-001",
    "report": "ESC-2026-001",
    "export": "ESC-2026-001",
    "metrics": "quarter",
}


def test_every_subcommand_is_recognised_with_its_arguments():
    assert list(VALID_ARGUMENTS) == list(SUBCOMMANDS)
    parsed = [parse_subcommand(f"{name} {rest}").name for name, rest in VALID_ARGUMENTS.items()]
    assert parsed == list(SUBCOMMANDS)


@pytest.mark.parametrize(
    "text",
    [
        "Status page is down for Hooli",  # not a status
        "severity of the outage is high for Acme",  # not a severity
        "list of invoices is wrong for Globex",  # list takes no arguments
        "help! Initech's SSO is broken",
        "help me, Initech's SSO is broken",
    ],
)
def test_a_subcommand_word_whose_arguments_do_not_parse_is_intake(text):
    assert parse_subcommand(text) == Subcommand("", text)


def test_an_update_that_reads_as_a_new_report_is_marked():
    hooli = parse_subcommand("Update from Hooli: their SSO is broken, all users locked out")
    assert (hooli.name, hooli.reads_as_report) == ("update", True)
    assert not parse_subcommand("update restarted the pods; errors falling").reads_as_report


@pytest.mark.parametrize(
    ("word", "suggestion"),
    [
        ("stauts", "status"),
        ("lsit", "list"),
        ("udpate", "update"),
        ("timelime", "timeline"),
        ("Globex", None),
    ],
)
def test_a_single_unknown_word_names_the_closest_subcommand(word, suggestion):
    parsed = parse_subcommand(word)
    assert parsed.name == "" and parsed.is_single_word
    assert parsed.suggestion == suggestion


def test_only_the_first_escalation_id_is_taken():
    parsed = parse_subcommand("update ESC-2026-007 duplicate of ESC-2026-003")
    assert parsed.public_id == "ESC-2026-007"
    assert parsed.rest == "duplicate of ESC-2026-003"


@pytest.mark.parametrize("rest", ["ESC-26-007 x", "ESC-2026-07 x", "XESC-2026-007 x", "ESC-2026-007X x"])
def test_malformed_escalation_ids_are_left_in_the_text(rest):
    parsed = parse_subcommand(f"update {rest}")
    assert parsed.public_id is None
    assert parsed.rest == rest


# ---------------------------------------------------------------------------------------------------------
# split_promise
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Sent the workaround, next update at 14:30", ("Sent the workaround", (14, 30))),
        ("Sent the workaround; next update by 9", ("Sent the workaround", (9, 0))),
        ("Sent the workaround next update 3pm", ("Sent the workaround", (15, 0))),
        ("Sent the workaround - Next Update At 3 PM", ("Sent the workaround", (15, 0))),
        ("Sent the workaround (next update at 2:30 pm)", ("Sent the workaround", (14, 30))),
        ("Sent the workaround. next update at 11:05am  ", ("Sent the workaround", (11, 5))),
        ("Called David, next update 12am", ("Called David", (0, 0))),
        ("Called David, next update 12pm", ("Called David", (12, 0))),
        ("Called David, next update at 12:15 am", ("Called David", (0, 15))),
        ("Called David, next update at 0:00", ("Called David", (0, 0))),
        ("Called David, next update at 23:59", ("Called David", (23, 59))),
        ("next update at 14:30", ("", (14, 30))),
    ],
)
def test_split_promise(text, expected):
    assert split_promise(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Sent the workaround, next update at 25:00",
        "Sent the workaround, next update at 14:60",
        "Sent the workaround, next update at 24:00",
        "Sent the workaround",
        "Next update at 14:30 is what we told them, and they agreed",  # not at the end
        "Sent the workaround, next update soon",
        "  ",
    ],
)
def test_no_promise(text):
    assert split_promise(text) == (text.strip(), None)


@pytest.mark.parametrize("text", ["Sent the fix, next update at 3pm.", "Sent the fix. Next update at 15:00."])
def test_a_promise_followed_by_a_full_stop_still_counts(text):
    assert split_promise(text)[1] == (15, 0)


# ---------------------------------------------------------------------------------------------------------
# next_local_time
# ---------------------------------------------------------------------------------------------------------

NEW_YORK = -5 * 3600
INDIA = 5 * 3600 + 30 * 60


@pytest.mark.parametrize(
    ("hour", "minute", "now", "offset", "expected"),
    [
        # UTC: later today, and tomorrow once the time has passed (or is exactly now)
        (14, 30, datetime(2026, 3, 2, 9, 0, tzinfo=UTC), 0, datetime(2026, 3, 2, 14, 30, tzinfo=UTC)),
        (8, 0, datetime(2026, 3, 2, 9, 0, tzinfo=UTC), 0, datetime(2026, 3, 3, 8, 0, tzinfo=UTC)),
        (9, 0, datetime(2026, 3, 2, 9, 0, tzinfo=UTC), 0, datetime(2026, 3, 3, 9, 0, tzinfo=UTC)),
        # New York (UTC-5): 15:00 local is 20:00 UTC
        (15, 0, datetime(2026, 3, 2, 14, 0, tzinfo=UTC), NEW_YORK, datetime(2026, 3, 2, 20, 0, tzinfo=UTC)),
        # 23:00 UTC is 18:00 in New York: 17:00 has passed there, so tomorrow 17:00 local = 22:00 UTC
        (17, 0, datetime(2026, 3, 2, 23, 0, tzinfo=UTC), NEW_YORK, datetime(2026, 3, 3, 22, 0, tzinfo=UTC)),
        # 02:00 UTC is still 21:00 the previous evening in New York: 22:00 local is 03:00 UTC
        (22, 0, datetime(2026, 3, 3, 2, 0, tzinfo=UTC), NEW_YORK, datetime(2026, 3, 3, 3, 0, tzinfo=UTC)),
        # India (UTC+5:30): 20:00 UTC is 01:30 next day local; 09:00 local that day = 03:30 UTC
        (9, 0, datetime(2026, 3, 2, 20, 0, tzinfo=UTC), INDIA, datetime(2026, 3, 3, 3, 30, tzinfo=UTC)),
        # India: 10:00 UTC is 15:30 local; 15:00 has passed, so tomorrow 15:00 local = 09:30 UTC
        (15, 0, datetime(2026, 3, 2, 10, 0, tzinfo=UTC), INDIA, datetime(2026, 3, 3, 9, 30, tzinfo=UTC)),
        # across a month and year end
        (0, 0, datetime(2026, 12, 31, 23, 59, tzinfo=UTC), 0, datetime(2027, 1, 1, 0, 0, tzinfo=UTC)),
    ],
)
def test_next_local_time(hour, minute, now, offset, expected):
    result = next_local_time(hour, minute, now, offset)
    assert result == expected
    assert result.utcoffset() == timedelta(0)
    assert result > now
    assert result - now <= timedelta(days=1)
    local = result.astimezone(timezone(timedelta(seconds=offset)))
    assert (local.hour, local.minute, local.second, local.microsecond) == (hour, minute, 0, 0)


def test_next_local_time_drops_seconds_of_now():
    now = datetime(2026, 3, 2, 14, 29, 59, 999_999, tzinfo=UTC)
    assert next_local_time(14, 30, now, 0) == datetime(2026, 3, 2, 14, 30, tzinfo=UTC)


def test_promise_typed_to_time_end_to_end():
    text, promise = split_promise("Sent the workaround (next update at 9:15 am)")
    assert text == "Sent the workaround"
    when = next_local_time(*promise, datetime(2026, 3, 2, 20, 0, tzinfo=UTC), INDIA)
    assert when == datetime(2026, 3, 3, 3, 45, tzinfo=UTC)
