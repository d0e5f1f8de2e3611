"""The lint's reader rules: what a customer notices in a draft (subject, greeting, names, times, cadences,
a pasted internal note) is flagged, and the close look-alikes a careful writer uses are not."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.drafting.lint import lint_draft
from bot.drafting.lint_rules import RULES

CUSTOMER = "Orbital Schools"
CONTACT = "David Okafor"
BERLIN = ZoneInfo("Europe/Berlin")
LONDON = ZoneInfo("Europe/London")
FRIDAY_4_DECEMBER = datetime(2026, 12, 4, 9, 0, tzinfo=LONDON)
READER_RULES = (
    "subject-length",
    "title-only-greeting",
    "customer-name-case",
    "promised-time",
    "cadence-wording",
    "copied-internal-note",
)


def found(text: str, rule: str, kind: str = "update", **given) -> list[str]:
    """The excerpts of `rule`'s findings in `text`."""
    given = {"customer": CUSTOMER, "contact_name": CONTACT} | given
    return [finding.excerpt for finding in lint_draft(kind, text, **given) if finding.rule == rule]


def test_every_reader_rule_is_in_the_rules_table():
    assert all(rule in RULES for rule in READER_RULES)


# ---------------------------------------------------------------------------------------------------------
# title-only-greeting
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "excerpt"),
    [
        ("Hi Dr.,\n\nHere is where things stand.", "Hi Dr.,"),
        ("Dear Ms,\n\nHere is where things stand.", "Dear Ms,"),
        ("Hello Mr.,\n\nHere is where things stand.", "Hello Mr.,"),
        ("Dr.,\n\nHere is where things stand.", "Dr.,"),
        ("Hi Prof., here is where things stand.", "Hi Prof.,"),
        ("Dear Sir/Madam,\n\nHere is where things stand.", "Dear Sir/Madam,"),
        ("Subject: Your reports\nHi Dr.,\n\nHere is where things stand.", "Hi Dr.,"),
        ("[Send once the fix is confirmed]\nDear Professor,\n\nIt is fixed.", "Dear Professor,"),
    ],
)
def test_a_title_alone_is_no_greeting(text, excerpt):
    assert found(text, "title-only-greeting") == [excerpt]


@pytest.mark.parametrize(
    "text",
    [
        "Hi Dr. Nwosu,\n\nHere is where things stand.",
        "Dear Professor Lee,\n\nHere is where things stand.",
        "Dear Ms Okafor,\n\nHere is where things stand.",
        "Hi Dr. [last name],\n\nHere is where things stand.",
        "Hi David,\n\nDr. Nwosu asked us to write, Sir.",  # only the salutation is judged
        "Hi Miss Li,\n\nHere is where things stand.",
    ],
)
def test_a_title_with_a_name_is_fine(text):
    assert found(text, "title-only-greeting") == []


def test_the_social_dm_greeting_is_checked_too():
    public = "*Public reply*\nDavid, I'm sorry. I've sent you a DM."
    text = f"{public}\n\n*Private DM follow-up*\nHi Mr.,\nHere's the plan."
    assert found(text, "title-only-greeting", "social") == ["Hi Mr.,"]


def test_internal_kinds_get_no_greeting_rule():
    assert found("Hi Dr.,\nRoot cause is in the export paging.", "title-only-greeting", "brief") == []


# ---------------------------------------------------------------------------------------------------------
# cadence-wording
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "better"),
    [
        ("every 1 day", "daily"),
        ("every 1 hour", "hourly"),
        ("every 1 hours", "hourly"),
        ("every 1 business day", "every business day"),
        ("every 2 h", "every 2 hours"),
        ("every 30 min", "every 30 minutes"),
        ("every 1d", "daily"),
    ],
)
def test_a_cadence_like_a_timer_is_flagged_with_the_words_to_use(written, better):
    text = f"David, I'll update you {written} until it's fixed."
    findings = [finding for finding in lint_draft("update", text, customer=CUSTOMER, contact_name=CONTACT)]
    cadence = [finding for finding in findings if finding.rule == "cadence-wording"]
    assert [finding.excerpt for finding in cadence] == [written]
    assert f"“{better}”" in cadence[0].message


@pytest.mark.parametrize(
    "cadence",
    ["every 2 hours", "daily", "hourly", "every business day", "every 24 hours", "every 30 minutes"],
)
def test_a_cadence_in_words_is_fine(cadence):
    assert found(f"David, I'll update you {cadence} until it's fixed.", "cadence-wording") == []


# ---------------------------------------------------------------------------------------------------------
# subject-length
# ---------------------------------------------------------------------------------------------------------


def test_a_78_character_subject_is_fine_and_79_is_flagged():
    fine = "Update on your reports: " + "x" * 54
    long = fine + "y"
    assert len(fine) == 78 and len(long) == 79
    assert found("David, here's the news.", "subject-length", subject=fine) == []
    findings = lint_draft("update", "David.", customer=CUSTOMER, contact_name=CONTACT, subject=long)
    (finding,) = [finding for finding in findings if finding.rule == "subject-length"]
    assert "79" in finding.message and "78" in finding.message


def test_the_subject_excerpt_is_what_gets_cut_off():
    subject = "Update on the export issue you raised about the historical reports: Monitoring closely"
    assert found("David.", "subject-length", subject=subject) == ["…closely"]


def test_subject_length_applies_to_every_kind_with_a_subject():
    subject = "ESCALATION: " + "word " * 20
    assert found("Root cause is in the export paging.", "subject-length", "brief", subject=subject)
    assert found("Root cause is in the export paging.", "subject-length", "brief") == []


# ---------------------------------------------------------------------------------------------------------
# promised-time
# ---------------------------------------------------------------------------------------------------------


def test_a_time_today_is_fine_before_it_and_flagged_after_it():
    text = "David, I'll update you by 3:15 PM Berlin time today."
    before = datetime(2026, 12, 4, 14, 0, tzinfo=BERLIN)
    after = datetime(2026, 12, 4, 16, 0, tzinfo=BERLIN)
    assert found(text, "promised-time", now=before, zone="Europe/Berlin") == []
    assert found(text, "promised-time", now=after, zone="Europe/Berlin") == ["by 3:15 PM Berlin time today"]


def test_a_dated_time_is_fine_before_the_day_and_flagged_after_it():
    text = "David, I'll call you by 10:00 AM London time on Monday 7 December."
    assert found(text, "promised-time", now=FRIDAY_4_DECEMBER, zone="Europe/London") == []
    eighth = datetime(2026, 12, 8, 9, 0, tzinfo=LONDON)
    assert found(text, "promised-time", now=eighth, zone="Europe/London") == [
        "by 10:00 AM London time on Monday 7 December"
    ]


def test_the_zone_written_after_a_time_wins_over_the_default():
    # 3:15 PM Berlin time is 2:15 PM UTC: past at 2:30 PM UTC, whatever zone the bot defaults to.
    berlin = "David, I'll update you by 3:15 PM Berlin time today."
    assert found(berlin, "promised-time", now=datetime(2026, 12, 4, 14, 30, tzinfo=UTC))
    # And 3:15 PM UTC is 4:15 PM in Berlin: still ahead at 3:30 PM there.
    utc = "David, I'll update you by 3:15 PM UTC today."
    assert not found(
        utc, "promised-time", now=datetime(2026, 12, 4, 15, 30, tzinfo=BERLIN), zone="Europe/Berlin"
    )
    assert found(utc, "promised-time", now=datetime(2026, 12, 4, 16, 30, tzinfo=BERLIN), zone="Europe/Berlin")


@pytest.mark.parametrize(
    ("text", "excerpt"),
    [
        ("David, I'll update you by 3:15 PM.", "by 3:15 PM"),
        ("David, next update: 15:00 UTC.", "15:00 UTC"),
        ("David, I'll call you at 9 AM.", "9 AM"),
        ("David, we'll send the report before 9 a.m. and call after.", "before 9 a.m."),
    ],
)
def test_a_promised_time_without_a_day_is_flagged(text, excerpt):
    assert found(text, "promised-time") == [excerpt]


@pytest.mark.parametrize(
    "text",
    [
        "David, I'll update you by 3:15 PM UTC today.",
        "David, I'll update you by 9:00 AM New York time tomorrow.",
        "David, I'll update you by 10:00 AM London time on Monday 7 December.",
        "David, I'll update you by 10:00 AM on December 7.",
        "David, I'll update you by 10:00 on 2026-12-07.",
        "David, I'll update you by 8 PM tonight.",
        "David, I'll update you by [next update time].",
        "David, I'll update you within 2 hours.",
        "David, I'll check again in 30 min and write to you.",
        "David, the errors started at 9:04 AM UTC and stopped at 9:40 AM.",  # facts, not promises
        "David, I'll update you by 3:00 PM on [date].",
    ],
)
def test_a_time_with_its_day_or_no_clock_time_is_fine(text):
    assert found(text, "promised-time", now=FRIDAY_4_DECEMBER) == []


def test_a_time_told_as_a_fact_is_no_promise_even_when_past():
    text = "David, the fix went out at 2 PM UTC and I'll write by 6 PM UTC today."
    assert found(text, "promised-time", now=datetime(2026, 12, 4, 16, 0, tzinfo=UTC)) == []
    assert found(text, "promised-time", now=datetime(2026, 12, 4, 19, 0, tzinfo=UTC)) == ["by 6 PM UTC today"]


def test_a_date_without_a_year_is_the_nearest_one():
    # On 4 December, "5 January" is next January's, not the one eleven months ago.
    text = "David, I'll send the written plan by 9:00 AM UTC on 5 January."
    assert found(text, "promised-time", now=FRIDAY_4_DECEMBER) == []
    # And on 2 January, "30 December" was three days ago.
    late = "David, I'll send the written plan by 9:00 AM UTC on 30 December."
    assert found(late, "promised-time", now=datetime(2027, 1, 2, 9, 0, tzinfo=UTC)) == [
        "by 9:00 AM UTC on 30 December"
    ]


def test_a_past_date_is_flagged_whatever_the_time():
    text = "David, I'll send the written plan by 11:00 PM UTC on 3 December 2026."
    assert found(text, "promised-time", now=FRIDAY_4_DECEMBER) == ["by 11:00 PM UTC on 3 December 2026"]


def test_without_now_only_the_missing_day_is_checked():
    assert found("David, I'll update you by 3:15 PM UTC on 1 January 2020.", "promised-time") == []


def test_a_phone_guide_stage_direction_counts():
    text = "Call guide: Orbital Schools, David\n\nClose\n- Repeat the next update time to them: 3:00 PM UTC."
    assert found(text, "promised-time", "phone") == ["3:00 PM UTC"]


def test_a_repeated_time_is_one_finding():
    text = "David, I'll call you back by 3:00 PM UTC.\n\nClose\n- I'll call you back by 3:00 PM UTC."
    assert found(text, "promised-time", "phone") == ["by 3:00 PM UTC"]


def test_internal_kinds_get_no_promised_time_rule():
    assert found("Customer expectation: next update by 3:00 PM UTC", "promised-time", "brief") == []


def test_an_unknown_zone_is_refused():
    with pytest.raises(ValueError, match="unknown time zone"):
        lint_draft("update", "David.", customer=CUSTOMER, contact_name=CONTACT, zone="Mars/Olympus")


# ---------------------------------------------------------------------------------------------------------
# customer-name-case
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "excerpts"),
    [
        ("Hi orbital Schools team, here is the news.", ["orbital Schools"]),
        ("Hi ORBITAL SCHOOLS team, here is the news.", ["ORBITAL SCHOOLS"]),
        ("Hi david, here is the news for Orbital Schools.", ["david"]),
        ("Hi David, here is the news for david okafor.", ["david okafor"]),
        ("Hi David, OKAFOR is on the ticket.", ["OKAFOR"]),
    ],
)
def test_a_name_in_the_wrong_capitals_is_flagged(text, excerpts):
    assert found(text, "customer-name-case") == excerpts


@pytest.mark.parametrize(
    ("text", "given"),
    [
        ("Hi Orbital Schools team, here is the news.", {}),
        ("Hi David, here is the news for David Okafor's team.", {}),
        ("Hi David, write to david.okafor@orbitalschools.com any time.", {}),  # an address, as typed
        ("Hi Will, you will hear from me.", {"contact_name": "Will Baker"}),  # an everyday word
        ("Hi ACME team, here is the news.", {"customer": "acme"}),  # given in lower case: as written
        ("Hi there, the orbital schools of the region are fine.", {"customer": None, "contact_name": None}),
    ],
)
def test_a_name_as_given_is_fine(text, given):
    assert found(text, "customer-name-case", **given) == []


def test_the_subject_is_read_for_the_name_too():
    assert found("Hi David.", "customer-name-case", subject="Update for orbital schools") == [
        "orbital schools"
    ]


# ---------------------------------------------------------------------------------------------------------
# copied-internal-note
# ---------------------------------------------------------------------------------------------------------

NOTE = (
    "DB team found pre-migration backups for all six months and the restore test on one month of reports "
    "looks clean, so we plan a full restore tonight."
)


def copy_of(count: int) -> str:
    """A draft holding the note's first `count` words, punctuation and capitals changed."""
    words = NOTE.split()[:count]
    return "Hi David,\n\n" + " ".join(words).upper().replace(",", "") + ". We'll keep you posted."


def test_a_15_word_copy_is_fine_and_16_is_flagged():
    assert found(copy_of(15), "copied-internal-note", internal_note=NOTE) == []
    assert found(copy_of(16), "copied-internal-note", internal_note=NOTE) == [
        "DB TEAM FOUND PRE-MIGRATION BACKUPS FOR ALL SIX MONTHS AND THE RESTORE…"
    ]


def test_the_copy_finding_says_how_many_words():
    findings = lint_draft("update", copy_of(20), customer=CUSTOMER, contact_name=CONTACT, internal_note=NOTE)
    (finding,) = [finding for finding in findings if finding.rule == "copied-internal-note"]
    assert finding.message.startswith("20 words in a row")


def test_no_note_means_nothing_to_copy():
    assert found(copy_of(20), "copied-internal-note") == []


# ---------------------------------------------------------------------------------------------------------
# Together
# ---------------------------------------------------------------------------------------------------------


def test_reader_findings_come_in_rules_order_after_the_others():
    text = "Hi Dr.,\n\nI'll update orbital Schools by 3:15 PM, and every 1 day after that."
    findings = lint_draft(
        "update", text, customer=CUSTOMER, contact_name=CONTACT, subject="Update " + "x" * 80
    )
    assert [finding.rule for finding in findings] == [
        "subject-length",
        "title-only-greeting",
        "customer-name-case",
        "promised-time",
        "cadence-wording",
    ]


def test_a_careful_draft_has_no_reader_findings():
    text = (
        "Hi Dr. Nwosu,\n\nOrbital Schools' exports are working again. I'll update you by 3:15 PM Berlin time "
        "today, and every 2 hours after that."
    )
    findings = lint_draft(
        "update",
        text,
        customer=CUSTOMER,
        contact_name="Ada Nwosu",
        subject="Update on your exports",
        internal_note=NOTE,
        now=datetime(2026, 12, 4, 14, 0, tzinfo=BERLIN),
        zone="Europe/Berlin",
    )
    assert [finding for finding in findings if finding.rule in READER_RULES] == []


def test_a_half_hour_offset_is_read_as_hours_and_minutes_not_as_a_second_time():
    from bot.drafting.lint_reader import check_promised_time

    now = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)  # 2:30 PM at UTC+05:30
    [past] = check_promised_time("I will update you by 2:00 PM GMT+5:30 today.", now)
    assert past.excerpt == "by 2:00 PM GMT+5:30 today"
    assert check_promised_time("I will update you by 3:00 PM GMT+05:30 today.", now) == []
