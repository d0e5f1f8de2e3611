"""The value types policy files are written in: durations, "on change", phrase lists, strict mappings."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, PlainSerializer

from bot.core.durations import format_duration, parse_duration

ON_CHANGE = "on change"


def _duration_or_on_change(value: Any) -> timedelta | None:
    return None if value is None or is_on_change(value) else parse_duration(value)


def _format_or_on_change(value: timedelta | None) -> str:
    return ON_CHANGE if value is None else format_duration(value)


def is_on_change(value: object) -> bool:
    return isinstance(value, str) and " ".join(value.replace("-", " ").lower().split()) == ON_CHANGE


def _phrases(value: Any) -> Any:
    # Keywords and names are matched case-insensitively, so store them once in lowercase, without repeats.
    if not isinstance(value, list | tuple):
        return value
    # An unquoted `- 500` is a number in YAML but obviously meant as the phrase "500".
    cleaned = [str(item) if type(item) in (int, float) else item for item in value]
    if not all(isinstance(item, str) for item in cleaned):
        return cleaned  # pydantic names the offending entry
    if any(not item.strip() for item in cleaned):
        raise ValueError("entries must not be empty")
    return tuple(dict.fromkeys(item.strip().lower() for item in cleaned))


Duration = Annotated[
    timedelta, BeforeValidator(parse_duration), PlainSerializer(format_duration, return_type=str)
]
OnChangeDuration = Annotated[
    timedelta | None,
    BeforeValidator(_duration_or_on_change),
    PlainSerializer(_format_or_on_change, return_type=str),
]
Phrases = Annotated[tuple[str, ...], BeforeValidator(_phrases)]


class Strict(BaseModel):
    """A policy mapping: unknown keys are mistakes, and a loaded policy never changes."""

    model_config = ConfigDict(extra="forbid", frozen=True)
