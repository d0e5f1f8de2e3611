"""The triage section of the policy: situations that read what happened, type floors, workarounds and
repeat escalations.

A *situation* is seed 001 / seed 003 criteria written as phrase groups: it matches when one sentence holds
a phrase from every group ("deleting" + "grades"), none of them negated ("nothing was deleted"). Phrases
are lowercase words; `*` stands for any letters within a word (`delet*`: deleted, deleting, deletion) and
`#` for a number of two or more digits (`all # staff`: all 9,000 staff).
"""

from __future__ import annotations

import functools
import re
from enum import StrEnum

from pydantic import Field, field_validator, model_validator

from bot.core.vocabulary import SEVERITIES, EscalationType, Severity
from bot.policy.fields import Duration, Phrases, Strict

# What a phrase may hold: letters, digits, spaces and the punctuation people write inside words.
_PHRASE = re.compile(r"[\w #*'&./:+-]+")


class Flag(StrEnum):
    """What a situation can tell beyond severity and type."""

    REGULATORY = "regulatory"  # ticks the form's regulatory flag (account weight)
    PUBLIC_EXPOSURE = "public_exposure"  # ticks the form's public-exposure flag (account weight)
    WIDESPREAD = "widespread"  # many users or customers hit: weighs like a strategic account
    WORKAROUND = "workaround"  # a workaround exists: a broken feature reads as degraded


class Situation(Strict):
    """One criterion: what it means (`reason`), the severity and type it implies, and how it reads."""

    reason: str = Field(min_length=1, max_length=120)
    severity: Severity | None = None
    type: str | None = None
    flags: tuple[Flag, ...] = ()
    when: tuple[Phrases, ...] = Field(min_length=1, max_length=4)
    unless: Phrases = ()
    enabled: bool = True

    @field_validator("when")
    @classmethod
    def _groups_are_not_empty(cls, value: tuple[tuple[str, ...], ...]) -> tuple[tuple[str, ...], ...]:
        if any(not group for group in value):
            raise ValueError("every group needs at least one phrase")
        return value

    @field_validator("when", "unless")
    @classmethod
    def _phrases_compile(cls, value: tuple) -> tuple:
        for phrase in _flatten(value):
            if not _PHRASE.fullmatch(phrase) or not phrase.replace("*", "").strip():
                raise ValueError(f"{phrase!r} is not a phrase: use words, `*` in a word, `#` for a number")
        return value

    @model_validator(mode="after")
    def _says_something(self) -> Situation:
        if self.severity is None and self.type is None and not self.flags:
            raise ValueError("a situation needs a severity, a type or flags to mean anything")
        return self

    @property
    def rank(self) -> int:
        """0 for SEV-1 .. 3 for SEV-4; situations without a severity rank last."""
        return SEVERITIES.index(self.severity) if self.severity else len(SEVERITIES)


class RepeatEscalations(Strict):
    """Seed 001's repeat-escalation metric, seed 003's "recurring issue": earlier escalations of the same
    account within `window` make it weigh more from `from_count` on."""

    window: Duration
    from_count: int = Field(ge=1, alias="from")


class TriagePolicy(Strict):
    """How warroom reads a situation into a suggested severity and type."""

    situations: dict[str, Situation]
    type_floors: dict[str, Severity]
    workaround_lowers: Severity | None = Severity.SEV2
    repeat_escalations: RepeatEscalations

    @field_validator("situations")
    @classmethod
    def _names_are_slugs(cls, value: dict[str, Situation]) -> dict[str, Situation]:
        for name in value:
            if not re.fullmatch(r"[a-z0-9_]+", name):
                raise ValueError(f"situation name {name!r} must be lowercase letters, digits and '_'")
        return value

    @field_validator("type_floors")
    @classmethod
    def _floors_name_types(cls, value: dict[str, Severity]) -> dict[str, Severity]:
        unknown = [name for name in value if EscalationType.parse(name) is None]
        if unknown:
            raise ValueError(f"{unknown[0]!r} is not an escalation type")
        return value

    @property
    def active(self) -> tuple[tuple[str, Situation], ...]:
        """The enabled situations, most severe first (file order among equals)."""
        return _ordered(tuple(self.situations.items()))


@functools.cache
def _ordered(items: tuple[tuple[str, Situation], ...]) -> tuple[tuple[str, Situation], ...]:
    return tuple(sorted((item for item in items if item[1].enabled), key=lambda item: item[1].rank))


def _flatten(value: tuple) -> list[str]:
    return [p for item in value for p in (_flatten(item) if isinstance(item, tuple) else [item])]
