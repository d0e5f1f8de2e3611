"""Every parser of user text, on the worst input for it: bounded time (a generous bound: a quadratic
regex takes seconds to minutes on these), no exception, and numbers the database can store."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Any

import pytest

from bot.core.text import PARSE_LIMIT, clean
from bot.drafting.requests import parse_mention
from bot.escalations.commands import parse_subcommand, split_promise
from bot.escalations.intake import ARR_MAX, USERS_MAX, IntakeForm, parse_amount, parse_count, validate_intake
from bot.escalations.prefill import parse_free_text
from bot.policy.model import default_policy

BOUND_S = 1.0
HOSTILE = {
    "40,000 digits": "9" * 40_000,
    "digit groups": "1," * 20_000,
    "dollars and digits": "$" + "9" * 40_000,
    "a digit run before users": ("9" * 5_000 + " ") * 8 + "users",
    "capitals": "A" * 40_000,
    "capitalised words": "Acme " * 8_000,
    "for and names": "for " + "Acme Corp " * 4_000,
    "spaces": " " * 40_000,
    "spaces then a promise": " " * 40_000 + "next update at 14:30",
    "many promises": "next update " * 4_000,
    "filler words": "please " * 8_000,
    "an unclosed mention": "<@U" + "A" * 40_000,
    "mass mentions": "<!channel> <!here> <!everyone> " * 1_500,
    "emoji and RTL": "🔥\u202eAcme\u200b " * 8_000,
    "control characters and NUL": "\x00\x01\x1f" * 13_000,
    "lone surrogates": "\ud800Acme\udfff " * 6_000,
}
PARSERS: dict[str, Callable[[str], Any]] = {
    "intake prefill": functools.partial(parse_free_text, policy=default_policy()),
    "slash command": parse_subcommand,
    "promised time": split_promise,
    "mention": parse_mention,
}


@pytest.mark.parametrize("parser", PARSERS.values(), ids=PARSERS.keys())
@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_every_parser_answers_the_worst_text_in_bounded_time(parser: Callable[[str], Any], text: str) -> None:
    started = time.perf_counter()
    parser(text)
    assert time.perf_counter() - started < BOUND_S


def test_clean_text_is_bounded_and_storable() -> None:
    cleaned = clean("\x00Acme\ud800 Corp\x1f\n\tis down" + "x" * 10_000)
    assert cleaned.startswith("Acme Corp\n\tis down") and len(cleaned) == PARSE_LIMIT
    cleaned.encode("utf-8")  # no lone surrogate left: PostgreSQL and Slack both take it


def test_the_prefill_never_guesses_numbers_the_database_cannot_hold() -> None:
    draft = parse_free_text(
        "Acme: pays $99999999999999999999999 a year, 99999999999 users locked out", default_policy()
    )
    assert draft.arr is None or draft.arr <= ARR_MAX
    assert draft.users_affected is None or draft.users_affected <= USERS_MAX


@pytest.mark.parametrize("arr", ["1e20", "9" * 400, "$10000000000000", "inf", "-5"])
def test_an_arr_out_of_range_is_a_field_error(arr: str) -> None:
    intake, errors = validate_intake(
        IntakeForm(customer="Acme", summary="Down", escalation_type="technical", arr=arr), "U0BEN"
    )
    assert intake is None and "arr" in errors and "at most" in errors["arr"]


@pytest.mark.parametrize("users", [str(2**31), "9" * 400, "3000000k"])
def test_users_past_what_the_database_holds_is_a_field_error(users: str) -> None:
    intake, errors = validate_intake(
        IntakeForm(customer="Acme", summary="Down", escalation_type="technical", users_affected=users),
        "U0BEN",
    )
    assert intake is None and "users_affected" in errors


def test_nul_and_lone_surrogates_are_removed_from_every_field() -> None:
    intake, errors = validate_intake(
        IntakeForm(
            customer="Ac\x00me\ud800",
            contact_name="Da\x00vid",
            summary="SSO\udfff down",
            escalation_type="technical",
            description="x\x00y",
            tried="a\ud800b",
        ),
        "U0BEN",
    )
    assert errors == {} and intake is not None
    assert (intake.customer, intake.contact_name, intake.summary) == ("Acme", "David", "SSO down")
    assert (intake.description, intake.tried) == ("xy", "ab")


def test_amounts_and_counts_in_range_still_read() -> None:
    assert parse_amount("$180k") == 180_000 and parse_amount("1.2M") == 1_200_000
    assert parse_count("1.5k") == 1_500 and parse_count(str(USERS_MAX)) == USERS_MAX
