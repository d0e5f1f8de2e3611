"""Matching people's words: whole phrases only, and phrases that look alarming but are not (pure)."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

# Wording that contains an alarm word without meaning it, rewritten to what it does mean: a "breach of
# contract" or an SLA breach is a commercial problem, not a security breach; a memory leak is not a data
# leak; "no data loss" is good news.
_FALSE_FRIENDS: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(
            r"breach(?:ed|es|ing)?\s+(?:of\s+)?(?:the\s+|our\s+|an?\s+|their\s+)?(?:contract|agreement)"
        ),
        " contract dispute ",
    ),
    (
        re.compile(r"(?:contract|agreement)\s+(?:was\s+|is\s+|has\s+been\s+)?breach(?:ed|es)?"),
        " contract dispute ",
    ),
    (re.compile(r"breach(?:ed|es|ing)?\s+(?:of\s+)?(?:the\s+|our\s+|an?\s+|their\s+)?sla"), " missed sla "),
    (re.compile(r"sla\s+(?:was\s+|is\s+|has\s+been\s+)?breach(?:ed|es)?"), " missed sla "),
    (re.compile(r"memory\s+leaks?"), " memory issue "),
    (re.compile(r"no\s+data\s+(?:was\s+)?(?:loss|lost)|not\s+corrupted"), " data intact "),
)


def normalize(text: str) -> str:
    """Lowercase, straight apostrophes, single spaces, and false friends rewritten to what they mean."""
    flat = " ".join(text.lower().replace("’", "'").split())
    for pattern, meaning in _FALSE_FRIENDS:
        flat = pattern.sub(meaning, flat)
    return flat


def contains_phrase(normalized_text: str, phrase: str) -> bool:
    """True if `phrase` occurs as whole words, plural allowed ('outage' matches 'outages', 'press' does
    not match 'expressed')."""
    # The substring test is a cheap C scan that rules out almost every phrase before any regex runs.
    return phrase in normalized_text and _whole_words(phrase).search(normalized_text) is not None


@functools.lru_cache(maxsize=4096)
def _whole_words(phrase: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![a-z0-9]){re.escape(phrase)}(?:e?s)?(?![a-z0-9])")


def phrases_in(normalized_text: str, phrases: Iterable[str]) -> list[str]:
    """The phrases that occur as whole words, in the order given."""
    return [phrase for phrase in phrases if contains_phrase(normalized_text, phrase)]
