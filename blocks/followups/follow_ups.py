"""Follow-ups in Slack: the list (`/escalate actions`) and the reminder their owner gets in a DM."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from blocks import limits
from blocks.text import button, escape_within, mrkdwn, plain, slack_date, truncate, user
from bot.escalations.read_model import EscalationSnapshot
from bot.followups.model import FollowUpView

MARK_DONE = "follow_up_done"
# A list shows this many follow-ups (3 blocks' worth of text each at most); the rest are counted.
LIST_SHOWN = 20


def _due(follow_up: FollowUpView, now: datetime) -> str:
    if follow_up.due_at is None:
        return "no due date"
    when = slack_date(follow_up.due_at, "{date_short_pretty}")
    return f"⚠️ overdue since {when}" if follow_up.is_overdue(now) else f"due {when}"


def follow_up_line(follow_up: FollowUpView, now: datetime, limit: int = limits.SECTION_TEXT) -> str:
    """`*Prevention action* · Add an alert… · <@U1> · due Dec 20` (the text escaped)."""
    state = "✅ done" if not follow_up.is_open else _due(follow_up, now)
    head = f"*{follow_up.kind_label}* · "
    tail = f" · {user(follow_up.owner_user_id)} · {state}"
    return head + escape_within(follow_up.text, limit - len(head) - len(tail)) + tail


def _where(esc: EscalationSnapshot) -> str:
    return f"*{esc.public_id}* · {escape_within(esc.customer, 80)}"


def build_follow_up_list(
    items: Sequence[tuple[FollowUpView, EscalationSnapshot]],
    now: datetime,
    *,
    title: str,
    total: int | None = None,
    hidden: int = 0,
) -> list[dict[str, Any]]:
    """The follow-ups, soonest due first, each with *Mark done* while open; `hidden` private ones are
    counted, not shown."""
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": plain(title, limits.HEADER_TEXT)},
    ]
    if not items:
        blocks.append(
            {
                "type": "section",
                "text": mrkdwn(
                    "Nothing open. Add one with `/escalate action <what> @owner <date>` in the room.",
                    limits.SECTION_TEXT,
                ),
            }
        )
    for follow_up, esc in items[:LIST_SHOWN]:
        section: dict[str, Any] = {
            "type": "section",
            "block_id": f"follow_up_{follow_up.id}",
            "text": mrkdwn(f"{_where(esc)}\n{follow_up_line(follow_up, now, 2_500)}", limits.SECTION_TEXT),
        }
        if follow_up.is_open:
            section["accessory"] = button("Mark done", MARK_DONE, str(follow_up.id))
        blocks.append(section)
    left_out = max(0, (total if total is not None else len(items)) - min(len(items), LIST_SHOWN))
    notes = []
    if left_out:
        notes.append(f"{left_out} more not shown")
    if hidden:
        notes.append(f"{hidden} on private escalations you are not in")
    if notes:
        blocks.append({"type": "context", "elements": [mrkdwn(" · ".join(notes), limits.CONTEXT_TEXT)]})
    return blocks


def build_follow_up_reminder(
    esc: EscalationSnapshot, follow_up: FollowUpView, stage: str, now: datetime
) -> tuple[str, list[dict[str, Any]]]:
    """The DM to a follow-up's owner: before it is due, when it is due, and while it is overdue."""
    due = follow_up.due_at or now
    when = slack_date(due, "{date_short_pretty}")
    if stage == "warning":
        opener = f"⏰ Due {when}"
    elif stage == "due":
        opener = "⏰ Due today"
    else:
        opener = f"⚠️ Overdue since {when}"
    what = escape_within(follow_up.text, 1_500)
    text = (
        f"{opener}: your {follow_up.kind_label.lower()} for *{esc.public_id}* "
        f"({escape_within(esc.customer, 80)}): {what}"
    )
    blocks: list[dict[str, Any]] = [
        {
            "type": "section",
            # One per follow-up and stage: a post whose answer was lost is found by it, not sent twice.
            "block_id": f"follow_up_reminder_{follow_up.id}_{stage}",
            "text": mrkdwn(text, limits.SECTION_TEXT),
            "accessory": button("Mark done", MARK_DONE, str(follow_up.id), style="primary"),
        },
        {
            "type": "context",
            "elements": [
                mrkdwn(
                    f"Added by {user(follow_up.created_by)} · `/escalate actions` lists every open one",
                    limits.CONTEXT_TEXT,
                )
            ],
        },
    ]
    return truncate(text, limits.MESSAGE_TEXT), blocks
