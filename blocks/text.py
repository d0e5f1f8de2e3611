"""Text helpers for Block Kit: cut cleanly, escape, and format dates the Slack way."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from blocks.limits import BUTTON_TEXT, BUTTON_VALUE

ELLIPSIS = "…"


def truncate(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, at a word boundary when one is near, with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - len(ELLIPSIS)]
    space = cut.rfind(" ")
    if space >= limit * 0.8:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-") + ELLIPSIS


def escape(text: str) -> str:
    """User text made safe for mrkdwn: no accidental mentions, links or formatting control."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def escape_within(text: str, limit: int) -> str:
    """User text escaped for mrkdwn and cut so the escaped form fits `limit` (never inside `&amp;`)."""
    escaped = escape(text)
    if len(escaped) <= limit:
        return escaped
    fits, too_long = 0, len(text)  # the longest raw cut whose escaped form fits, by bisection
    while too_long - fits > 1:
        middle = (fits + too_long) // 2
        if len(escape(truncate(text, middle))) <= limit:
            fits = middle
        else:
            too_long = middle
    return escape(truncate(text, fits))


def plain(text: str, limit: int) -> dict[str, Any]:
    """A plain_text object within `limit`."""
    return {"type": "plain_text", "text": truncate(text, limit) or " ", "emoji": True}


def mrkdwn(text: str, limit: int) -> dict[str, Any]:
    """A mrkdwn text object within `limit`."""
    return {"type": "mrkdwn", "text": truncate(text, limit) or " "}


def slack_date(moment: datetime, token: str = "{date_short_pretty} at {time}") -> str:
    """A date Slack shows in each reader's own time zone, with a UTC fallback for old clients."""
    fallback = moment.strftime("%Y-%m-%d %H:%M UTC")
    return f"<!date^{int(moment.timestamp())}^{token}|{fallback}>"


def money(amount: int | None) -> str:
    """`$180,000`, or an em dash when unknown."""
    return f"${amount:,}" if amount is not None else "—"


def count(value: int | None) -> str:
    """`1,200`, or an em dash when unknown."""
    return f"{value:,}" if value is not None else "—"


def user(user_id: str | None) -> str:
    """A mention, or 'nobody yet'."""
    return f"<@{user_id}>" if user_id else "nobody yet"


def button(label: str, action_id: str, value: str, style: str | None = None) -> dict[str, Any]:
    """A button within Slack's limits; `style` is "primary", "danger" or None."""
    element: dict[str, Any] = {
        "type": "button",
        "action_id": action_id,
        "text": plain(label, BUTTON_TEXT),
        "value": value[:BUTTON_VALUE],
    }
    if style:
        element["style"] = style
    return element
