"""War-room channel names: always valid for Slack, ≤ 80 characters, readable, and room for a suffix."""

import pytest

from bot.escalations.naming import CUSTOMER_PART_MAX, slugify, war_room_name, with_suffix
from bot.sandbox.block_kit_rules import validate_channel_name

ESC_ID = "ESC-2026-007"

NAMES = [
    ("Acme Corp", "SSO login loop affecting all Enterprise customers"),
    ("Café Müller & Co.", "Données corrompues — rapports perdus"),
    ("A" * 200, "B" * 200),
    ("Initech " * 25, "exports fail " * 16),
    ("🔥🔥🔥", "🚨💥"),
    ("", ""),
    ("---", "___"),
    ("日本株式会社", "ログインできない"),
    ("Acme_Corp", "snake_case_title"),
    ("  Acme  ", "  "),
    ("O'Reilly Media", "Can't log in!!!"),
]


@pytest.mark.parametrize(("customer", "title"), NAMES)
def test_war_room_names_are_always_valid(customer, title):
    name = war_room_name(ESC_ID, customer, title)
    assert validate_channel_name(name) is None, name
    assert len(name) <= 80
    assert name.startswith("esc-2026-007")
    assert not name.endswith("-")
    assert "--" not in name


@pytest.mark.parametrize(("customer", "title"), NAMES)
def test_war_room_names_leave_room_for_a_suffix(customer, title):
    assert len(war_room_name(ESC_ID, customer, title)) <= 76


@pytest.mark.parametrize(
    ("customer", "title", "expected"),
    [
        ("Acme Corp", "SSO login loop", "esc-2026-007-acme-corp-sso-login-loop"),
        ("Café Müller & Co.", "Exports fail", "esc-2026-007-cafe-muller-co-exports-fail"),
        ("O'Reilly Media", "Can't log in!!!", "esc-2026-007-o-reilly-media-can-t-log-in"),
        ("🔥🔥🔥", "🚨💥", "esc-2026-007"),
        ("", "", "esc-2026-007"),
        ("Acme", "", "esc-2026-007-acme"),
        ("", "SSO login loop", "esc-2026-007-sso-login-loop"),
    ],
)
def test_war_room_name_reads_like_the_escalation(customer, title, expected):
    assert war_room_name(ESC_ID, customer, title) == expected


def test_a_long_customer_name_is_cut_at_a_word_and_leaves_room_for_the_title():
    name = war_room_name(ESC_ID, "Very Long Customer Name Incorporated Worldwide", "SSO login loop")
    assert name == "esc-2026-007-very-long-customer-name-sso-login-loop"
    customer_part = name.removeprefix("esc-2026-007-").removesuffix("-sso-login-loop")
    assert len(customer_part) <= CUSTOMER_PART_MAX


def test_a_long_title_is_cut_at_a_word():
    name = war_room_name(ESC_ID, "Acme Corp", "exports fail " * 16)
    words = name.removeprefix("esc-2026-007-acme-corp-").split("-")
    assert set(words) == {"exports", "fail"}


def test_prefix_and_max_length_from_the_policy():
    name = war_room_name(
        ESC_ID, "Acme Corp", "SSO login loop affecting all customers", prefix="war", max_length=40
    )
    assert name.startswith("war-2026-007-acme-corp")
    assert len(name) <= 36
    assert validate_channel_name(name) is None


@pytest.mark.parametrize(("customer", "title"), NAMES)
@pytest.mark.parametrize("attempt", range(1, 21))
def test_with_suffix_stays_valid_and_within_80(customer, title, attempt):
    name = war_room_name(ESC_ID, customer, title)
    tried = with_suffix(name, attempt)
    assert validate_channel_name(tried) is None
    assert len(tried) <= 80
    assert tried.startswith("esc-2026-007")


def test_with_suffix_counts_from_the_second_attempt_and_never_repeats():
    name = war_room_name(ESC_ID, "Acme Corp", "SSO login loop")
    tried = [with_suffix(name, attempt) for attempt in range(1, 21)]
    assert tried[0] == name
    assert tried[1] == name + "-2"
    assert tried[19] == name + "-20"
    assert len(set(tried)) == 20


@pytest.mark.parametrize("attempt", [2, 9, 10, 99, 100, 999])
def test_with_suffix_cuts_a_full_length_name(attempt):
    name = "esc-2026-007-" + "a" * 67
    tried = with_suffix(name, attempt)
    assert len(tried) == 80
    assert tried.endswith(f"-{attempt}")
    assert validate_channel_name(tried) is None


def test_with_suffix_does_not_leave_a_double_hyphen():
    name = "esc-2026-007-" + "a" * 64 + "-bb"  # 80 characters; cutting 3 lands right after a hyphen
    assert with_suffix(name, 2) == "esc-2026-007-" + "a" * 64 + "-2"


@pytest.mark.parametrize(
    ("text", "max_length", "expected"),
    [
        ("Café Müller & Co.", 80, "cafe-muller-co"),
        ("  --Hello__World--  ", 80, "hello-world"),
        ("alpha beta gamma delta", 12, "alpha-beta"),  # not "alpha-beta-g"
        ("alpha beta gamma", 10, "alpha-beta"),  # exact fit keeps both words
        ("alpha beta gamma", 11, "alpha-beta"),  # the cut lands on a hyphen
        ("alpha beta", 6, "alpha"),
        ("supercalifragilistic", 5, "super"),  # one long word: chopping is unavoidable
        ("🔥🔥", 80, ""),
        ("ÅNGSTRÖM", 80, "angstrom"),
    ],
)
def test_slugify(text, max_length, expected):
    assert slugify(text, max_length) == expected


@pytest.mark.parametrize("max_length", range(1, 60))
def test_slugify_never_chops_a_word_when_a_shorter_cut_exists(max_length):
    words = ["escalation", "war", "room", "for", "acme", "corporation"]
    slug = slugify(" ".join(words), max_length)
    assert len(slug) <= max_length
    if max_length < len(words[0]):
        assert slug == words[0][:max_length]  # a single word longer than the room: nothing better exists
    else:
        kept = slug.split("-")
        assert kept == words[: len(kept)]  # whole words, in order
        assert len("-".join(words[: len(kept) + 1])) > max_length or kept == words  # and as many as fit
