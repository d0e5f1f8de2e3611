"""What is done to any text a person gives warroom before it is parsed or stored: bounded and cleaned.

A cap comes first, so no parser ever sees more than it needs; NUL and other control characters (which
PostgreSQL refuses, and Slack shows as boxes) and lone surrogates (which cannot be encoded as UTF-8) are
removed rather than refused: they are never what a person meant to type.
"""

from __future__ import annotations

import re

# Whatever a person can paste into Slack is far longer than anything warroom needs to read from it.
PARSE_LIMIT = 4_000
_UNWANTED = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def clean(text: str | None, limit: int = PARSE_LIMIT) -> str:
    """`text` cut to `limit` characters, without control characters (tabs and newlines stay) or lone
    surrogates."""
    return _UNWANTED.sub("", (text or "")[: limit * 2])[:limit]
