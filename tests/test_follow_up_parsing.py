"""`/escalate action <what> @owner <date>` read as a person means it (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.followups.parsing import parse_action, parse_due

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday


@pytest.mark.parametrize(
    ("typed", "what", "owner", "due"),
    [
        (
            "Alert on bulk deletes <@U0CHLOE|chloe> 2026-03-20",
            "Alert on bulk deletes",
            "U0CHLOE",
            "2026-03-20",
        ),
        ("Review the guard by friday", "Review the guard", None, "friday"),
        ("Write the runbook in 2 weeks", "Write the runbook", None, "in 2 weeks"),
        ("Patch it on March 20", "Patch it", None, "March 20"),
        ("Run the check before each release by Friday", "Run the check before each release", None, "Friday"),
        # Words that only look like the start of a date stay part of the action.
        (
            "Run the migration check before each release",
            "Run the migration check before each release",
            None,
            "",
        ),
        ("Add alerting due to sync deletes", "Add alerting due to sync deletes", None, ""),
        ("Get sign-off by security team", "Get sign-off by security team", None, ""),
        ("Plan the week by 5", "Plan the week by 5", None, ""),
        ("Tell <!channel> about <https://x.example|it>", "Tell @channel about it", None, ""),
        ("Fix it tomorrow", "Fix it", None, "tomorrow"),
        ("Rotate keys :key:", "Rotate keys :key:", None, ""),  # emoji codes stay whole
        (":warning: add alert <@U0CHLOE|chloe> tomorrow", ":warning: add alert", "U0CHLOE", "tomorrow"),
        ("\u200b <@U0CHLOE|chloe> tomorrow", "", "U0CHLOE", "tomorrow"),  # nothing to do: usage
    ],
)
def test_what_who_and_when(typed: str, what: str, owner: str | None, due: str) -> None:
    request = parse_action(typed, NOW)
    assert (request.what, request.owner_user_id, request.due_text) == (what, owner, due)


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("Fix <@U0ANA|ana> and <@U0BEN|ben>", "One owner per action"),
        ("Fix it <!subteam^S0ENG|eng> by friday", "A user group can't own an action"),
    ],
)
def test_what_cannot_be_meant_says_so(typed: str, problem: str) -> None:
    assert parse_action(typed, NOW).problem.startswith(problem)


@pytest.mark.parametrize(
    ("typed", "offset_hours", "due"),
    [
        ("2026-03-20", 0, datetime(2026, 3, 20, 17, tzinfo=UTC)),
        ("Dec 20", 0, datetime(2026, 12, 20, 17, tzinfo=UTC)),
        ("Feb 1", 0, datetime(2027, 2, 1, 17, tzinfo=UTC)),  # passed this year: next year's
        ("friday", 0, datetime(2026, 3, 6, 17, tzinfo=UTC)),
        ("monday", 0, datetime(2026, 3, 9, 17, tzinfo=UTC)),  # never today
        ("tomorrow", 0, datetime(2026, 3, 3, 17, tzinfo=UTC)),
        ("in 2 weeks", 0, datetime(2026, 3, 16, 17, tzinfo=UTC)),
        ("in 0 days", 0, datetime(2026, 3, 2, 17, tzinfo=UTC)),
        ("by 2026-03-20", 9, datetime(2026, 3, 20, 8, tzinfo=UTC)),  # 17:00 in UTC+9
        ("", 0, None),
    ],
)
def test_due_dates_are_the_end_of_that_day_on_the_typists_clock(typed, offset_hours, due) -> None:
    assert parse_due(typed, NOW, offset_hours * 3600) == due


@pytest.mark.parametrize("typed", ["someday soonish", "2026-02-30", "9999-12-31", "13/45"])
def test_what_is_no_date_says_what_would_work(typed: str) -> None:
    with pytest.raises(ValueError, match="can't read"):
        parse_due(typed, NOW, -11 * 3600)


def test_a_far_date_still_parses_the_domain_rule_refuses_it() -> None:
    expected = datetime.combine(NOW.date() + timedelta(weeks=999), datetime.min.time(), UTC).replace(hour=17)
    assert parse_due("in 999 weeks", NOW) == expected
    assert parse_due("in 999 weeks", NOW) - NOW > timedelta(days=730)
