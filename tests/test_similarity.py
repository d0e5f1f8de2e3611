"""Are two summaries the same issue: the labelled pairs (`similarity_pairs.yaml`) agree with the scorer at the
policy's threshold on at least 90 % (`pytest -s` prints the figures and every disagreement), and the cases the
issue names hold exactly.

The pairs were written before the scorer. The normalisation was tuned on `pairs`; the first scorers tried
(rapidfuzz's character-level token ratios) agreed on 34-36 of its first 42. `holdout` was written at the
same time and looked at once during tuning (the "lost/loses" spelling and the "than" filler came from it),
so it is a softer measure than a fresh hold-out would be. One pair was added after the pattern flow test
missed it ("after the update" on one side only). Every miss left is a "same" pair in other words (arrive /
receiving, delayed / late): a missed pattern stays quiet, a false one would link unrelated customers."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.escalations.similarity import issue_words, similarity, summary_similarity
from bot.policy.model import default_policy

LABELLED: dict[str, list[dict[str, Any]]] = yaml.safe_load(
    (Path(__file__).parent / "similarity_pairs.yaml").read_text(encoding="utf-8")
)
THRESHOLD = default_policy().patterns.similarity
AGREEMENT = 0.9


def _score(pair: dict[str, Any]) -> int:
    a, b = pair["a"], pair["b"]
    return summary_similarity(a["summary"], a["customer"], b["summary"], b["customer"])


def _agreement(split: str) -> tuple[int, int, list[str]]:
    pairs = LABELLED[split]
    misses = [
        f"  {'same' if p['same'] else 'different'} scored {_score(p)}: "
        f"{p['a']['summary']!r} / {p['b']['summary']!r}"
        for p in pairs
        if (_score(p) >= THRESHOLD) != p["same"]
    ]
    return len(pairs) - len(misses), len(pairs), misses


def test_the_labelled_set_is_big_enough_and_balanced() -> None:
    every = LABELLED["pairs"] + LABELLED["holdout"]
    assert len(LABELLED["pairs"]) >= 30
    same = sum(p["same"] for p in every)
    assert 0.35 <= same / len(every) <= 0.65, "about as many different pairs as same ones"
    assert sum("tricky" in p for p in every) >= 10


def test_the_scorer_agrees_with_the_labels_on_at_least_90_percent() -> None:
    print()
    totals = [0, 0]
    for split in ("pairs", "holdout"):
        agreed, count, misses = _agreement(split)
        totals[0] += agreed
        totals[1] += count
        print(f"{split}: {agreed}/{count} agree ({agreed / count:.1%}) at similarity {THRESHOLD}")
        print("\n".join(misses))
    agreed, count = totals
    print(f"all: {agreed}/{count} ({agreed / count:.1%})")
    assert agreed / count >= AGREEMENT
    assert _agreement("pairs")[0] / len(LABELLED["pairs"]) >= AGREEMENT


def test_no_different_pair_is_taken_for_the_same_issue() -> None:
    # A false "same" links unrelated customers in an alert; a missed one only stays quiet.
    wrongly_same = [
        (p["a"]["summary"], p["b"]["summary"])
        for split in ("pairs", "holdout")
        for p in LABELLED[split]
        if not p["same"] and _score(p) >= THRESHOLD
    ]
    assert wrongly_same == []


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        (
            ("Acme: SSO login loop after the update", "Acme"),
            ("Globex — SSO login loop since this morning", "Globex"),
            True,
        ),
        (("SSO login loop", "Acme"), ("CSV export slow", "Globex"), False),
        (("Broken", "Acme"), ("Broken", "Globex"), False),
        (("Down", "Acme"), ("Site down", "Globex"), False),
        (("Acme Corp: billing broken", "Acme Corp"), ("Acme Corp: login broken", "Acme Corp"), False),
    ],
)
def test_the_cases_named_in_the_issue(a: tuple[str, str], b: tuple[str, str], same: bool) -> None:
    assert (summary_similarity(*a, *b) >= THRESHOLD) is same


def test_the_customer_name_and_report_words_are_left_out() -> None:
    assert issue_words("Update from Acme Corp: their SSO is broken since Monday", "Acme Corp") == (
        "fail",
        "sso",
    )
    assert issue_words("Stark: webhooks failing", "Stark Industries") == ("fail", "webhooks")
    assert issue_words("Apex Logistics's dashboards are slow", "Apex Logistics") == ("dashboards", "slow")
    assert issue_words("Users can't log in", "") == ("login",)
    assert issue_words("2FA codes rejected", "") == issue_words("Two-factor codes rejected", "")


def test_a_summary_is_identical_to_itself_and_scores_are_symmetric_enough() -> None:
    words = issue_words("CSV exports time out for large reports", "Initech")
    assert similarity(words, words) == 100
    other = issue_words("CSV export timing out on big reports", "Hooli")
    assert abs(similarity(words, other) - similarity(other, words)) <= 5


def test_empty_hostile_and_huge_summaries_are_scored_quickly_and_never_match_by_accident() -> None:
    assert similarity(issue_words("", ""), issue_words("", "")) == 0
    hostile = issue_words("<!channel> <@U0ANA> <https://evil.example|click> &lt;", "<!here>")
    assert hostile and all(word.isalnum() for word in hostile), "markup is taken apart into plain words"
    huge = "SSO login loop " * 3_000
    started = time.perf_counter()
    assert issue_words(huge, "x" * 40_000) == ("login", "loop", "sso")
    assert time.perf_counter() - started < 0.1
