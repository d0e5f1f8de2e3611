"""Seed 001's red flags as people see them (pure): one context block for the triage card, and a short line
per escalation for the weekly digest.

A flag's detail is already escaped mrkdwn (bot.reports.red_flags), so it is cut here, never escaped twice.
The digest line names the flags only: the details (which may quote an update) stay on the card, in the room.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from blocks import limits
from blocks.text import ELLIPSIS, mrkdwn
from bot.reports.red_flags import RedFlag

RED_FLAGS_BLOCK = "red_flags"
FLAG_ICON = "🚩"
# A cut must not leave half an `&amp;` or half a `<…>` behind.
_PARTIAL_MARKUP = re.compile(r"&[a-z]*$|<[^>]*$")


def build_red_flags_block(flags: Sequence[RedFlag]) -> dict[str, Any] | None:
    """The card's red flags: one context element per flag (label and detail), None when there are none.
    At most 10 elements, and 3000 characters all together."""
    shown = list(flags)[: limits.CONTEXT_ELEMENTS]
    if not shown:
        return None
    each = limits.CONTEXT_TEXT // len(shown)
    return {
        "type": "context",
        "block_id": RED_FLAGS_BLOCK,
        "elements": [
            mrkdwn(cut_markup(f"{FLAG_ICON} *{flag.kind.label}*: {flag.detail}", each), each)
            for flag in shown
        ],
    }


def red_flags_line(flags: Sequence[RedFlag]) -> str:
    """The digest's line for one escalation's flags: `🚩 2 red flags: Delayed acknowledgment · Missing RCA`;
    "" when there are none."""
    if not flags:
        return ""
    labels = " · ".join(dict.fromkeys(flag.kind.label for flag in flags))
    count = f"{len(flags)} red flag{'s' if len(flags) != 1 else ''}"
    return f"{FLAG_ICON} {count}: {labels}"


def cut_markup(text: str, limit: int) -> str:
    """Escaped mrkdwn cut to `limit` characters with an ellipsis, never inside an entity or a `<…>`."""
    if len(text) <= limit:
        return text
    body = text[: limit - len(ELLIPSIS)]
    body = _PARTIAL_MARKUP.sub("", body).rstrip(" ,:.-")  # a ";" may end an `&amp;`
    return body + ELLIPSIS
