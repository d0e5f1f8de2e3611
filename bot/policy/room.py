"""The policy for running the room and closing the loop: the reaction that adds a message to the
timeline, how long a closed war room stays before it is archived, and when the same issue from several
customers is a pattern."""

from __future__ import annotations

import re

from pydantic import Field, field_validator

from bot.policy.fields import Duration, Strict

# Slack's emoji names: lowercase letters, digits, `_`, `-`, `+` and `'` (`pushpin`, `+1`, `white_check_mark`).
_EMOJI_NAME = re.compile(r"[a-z0-9_+'-]{1,100}")


class RoomPolicy(Strict):
    """How a war room is run and wound down."""

    timeline_reaction: str
    archive_after: Duration

    @field_validator("timeline_reaction", mode="before")
    @classmethod
    def _emoji_name(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        name = value.strip().strip(":").lower()
        if not _EMOJI_NAME.fullmatch(name):
            raise ValueError(f"must be an emoji name such as 'pushpin' (no colons or spaces), not {value!r}")
        return name


class PatternPolicy(Strict):
    """The same issue from `min_customers` or more customers within `window` raises one pattern alert;
    summaries whose similarity (0-100) reaches `similarity` are the same issue."""

    window: Duration
    min_customers: int = Field(ge=2, le=50)
    similarity: int = Field(ge=50, le=100)
