"""What is done to any text a person gives warroom before it is parsed or stored: bounded and cleaned.

A cap comes first, so no parser ever sees more than it needs; NUL and other control characters (which
PostgreSQL refuses, and Slack shows as boxes) and lone surrogates (which cannot be encoded as UTF-8) are
removed rather than refused: they are never what a person meant to type.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html import unescape

# Whatever a person can paste into Slack is far longer than anything warroom needs to read from it.
PARSE_LIMIT = 4_000
_UNWANTED = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def clean(text: str | None, limit: int = PARSE_LIMIT) -> str:
    """`text` cut to `limit` characters, without control characters (tabs and newlines stay) or lone
    surrogates."""
    return _UNWANTED.sub("", (text or "")[: limit * 2])[:limit]


# Slack's markup in what people type or post: <@U1|ana>, <#C1|support>, <!here>, <!subteam^S1|@leads>,
# <https://x.example|a link>. No nesting, no backtracking: each part stops at the next < > or |.
_MARKUP = re.compile(r"<([@#!]?)([^<>|\s][^<>|]*)(?:\|([^<>]*))?>")


def readable(text: str, name_of: Callable[[str], str] | None = None) -> str:
    """Slack's markup made plain words: `<@U1|ana>` → `@ana` (or `name_of("U1")`), `<#C1|support>` →
    `#support`, `<!here>` → `@here`, a link → its label or address; `&amp;`, `&lt;` and `&gt;` → `&`, `<`,
    `>`. What comes out is text to store and show (escaped again on the way out), never markup."""

    def plain(match: re.Match[str]) -> str:
        sigil, target, label = match.groups()
        if sigil == "@":
            return "@" + (label or (name_of(target) if name_of else target))
        if sigil == "#":
            return "#" + (label or target)
        if sigil == "!":
            return label or "@" + target.split("^", 1)[0]
        return label or target

    return unescape(_MARKUP.sub(plain, text)) if "<" in text or "&" in text else text
