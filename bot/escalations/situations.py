"""Reading what happened: which of the policy's situations a text describes (pure).

Each sentence is tried against each situation; a situation matches when one sentence holds a phrase of
every group, none negated by the two words before it ("nothing was deleted", "no workaround").
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from bot.core.text import clean
from bot.core.vocabulary import SEVERITIES
from bot.core.wording import normalize
from bot.policy.triage import Flag, Situation, TriagePolicy

# Words that, just before a phrase, say it did not happen. "can't" is not one: "can't log in" is news.
_NEGATIONS = frozenset(
    (
        *("no", "not", "never", "without", "nothing", "nothing's", "none", "nor"),
        *("isn't", "wasn't", "weren't", "aren't", "didn't", "hasn't", "haven't", "hadn't"),
    )
)
MAX_QUOTES = 3  # words quoted as the reason for a situation
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|\n+|\s+[-–—]\s+")
_WORD = re.compile(r"[a-z0-9']+")
# `#` in a phrase: a number of two or more digits ("14", "1,200", "9.5k"), never a lone "3".
_NUMBER = r"(?:\d{1,3}(?:,\d{3})+|\d{2,})(?:\.\d+)?k?"


@dataclass(frozen=True)
class Matched:
    """A situation found in the text, with the words that showed it."""

    name: str
    situation: Situation
    quotes: tuple[str, ...]

    @property
    def reason(self) -> str:
        """The situation's meaning and the words that matched: `Data loss (“deleting”, “grades”)`."""
        return f"{self.situation.reason} ({', '.join(f'“{q}”' for q in self.quotes)})"


@dataclass(frozen=True)
class Reading:
    """Every situation the text describes, most severe first."""

    matched: tuple[Matched, ...]

    @property
    def severity(self) -> str | None:
        """The most severe situation's severity, or None when no situation with a severity matched."""
        return next((m.situation.severity for m in self.matched if m.situation.severity), None)

    @property
    def escalation_type(self) -> str | None:
        """The type of the most severe situation that names one."""
        return next((m.situation.type for m in self.matched if m.situation.type), None)

    @property
    def flags(self) -> frozenset[Flag]:
        """Everything the matched situations flag."""
        return frozenset(flag for m in self.matched for flag in m.situation.flags)

    def flagged(self, flag: Flag) -> Matched | None:
        """The first situation raising `flag`, to quote as the reason."""
        return next((m for m in self.matched if flag in m.situation.flags), None)

    @property
    def deciding(self) -> Matched | None:
        """The situation that set the severity."""
        return next((m for m in self.matched if m.situation.severity), None)

    @property
    def impact_reason(self) -> str | None:
        """The deciding situation's meaning with the words that showed it, gathered from every situation
        that means the same: `Feature degraded, workaround exists (“slow”, “workaround”)`."""
        deciding = self.deciding
        if deciding is None:
            return None
        meaning = deciding.situation.reason
        same = (m for m in self.matched if m.situation.reason == meaning)
        quotes = list(dict.fromkeys(q for m in same for q in m.quotes))[:MAX_QUOTES]
        return f"{meaning} ({', '.join(f'“{q}”' for q in quotes)})"


def read_situation(text: str, triage: TriagePolicy) -> Reading:
    """The situations `text` describes (only its first few thousand characters are read)."""
    sentences = [normalize(part) for part in _SENTENCE_END.split(clean(text)) if part.strip()]
    matched = []
    for name, situation in triage.active:
        quotes = _first_match(situation, sentences)
        if quotes is not None:
            matched.append(Matched(name, situation, quotes))
    return Reading(tuple(matched))


def most_telling(sentences: Sequence[str], triage: TriagePolicy) -> str | None:
    """The sentence whose reading is most severe (the one saying what is wrong), if any has a severity."""
    best: tuple[int, str] | None = None
    for sentence in sentences:
        severity = read_situation(sentence, triage).severity
        if severity is not None and (best is None or SEVERITIES.index(severity) < best[0]):
            best = (SEVERITIES.index(severity), sentence)
    return best[1] if best else None


def _first_match(situation: Situation, sentences: list[str]) -> tuple[str, ...] | None:
    for sentence in sentences:
        if situation.unless and next(_found(_group_pattern(situation.unless), sentence), None) is not None:
            continue
        found = [list(dict.fromkeys(_found(_group_pattern(group), sentence))) for group in situation.when]
        if all(found):
            # One quote per group first, then more of what was found, up to three in all.
            firsts = [words[0] for words in found]
            rest = [word for words in found for word in words[1:] if word not in firsts]
            return tuple((firsts + rest)[:MAX_QUOTES])
    return None


def _found(pattern: re.Pattern[str], sentence: str) -> Iterator[str]:
    """Each occurrence of the pattern that is not negated."""
    for match in pattern.finditer(sentence):
        before = _WORD.findall(sentence[: match.start()])[-2:]
        if not _NEGATIONS.intersection(before):
            yield match.group(0)


@functools.lru_cache(maxsize=1024)
def _group_pattern(phrases: tuple[str, ...]) -> re.Pattern[str]:
    # Longest first, so "data loss" is quoted rather than "data" when both are in a group.
    body = "|".join(_phrase_pattern(p) for p in sorted(phrases, key=len, reverse=True))
    return re.compile(rf"(?<![a-z0-9])(?:{body})(?![a-z0-9])")


def _phrase_pattern(phrase: str) -> str:
    words = " ".join(phrase.split()).replace("’", "'")
    pattern = re.escape(words).replace(r"\*", r"[a-z0-9'-]*").replace(r"\#", _NUMBER)
    # A space and a hyphen are one gap: "nice to have" finds "nice-to-have", "double-charg*" "double charged".
    pattern = pattern.replace(r"\ ", r"[\s-]+").replace(r"\-", r"[\s-]+")
    # A plain last word also matches its plural ("outage" finds "outages").
    return pattern if phrase.endswith(("*", "#")) else pattern + "(?:e?s)?"
