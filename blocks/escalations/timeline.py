"""`/escalate timeline`: what happened, oldest first, with times in the reader's own time zone."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from blocks import limits
from blocks.escalations.triage_card import severity_badge
from blocks.text import escape, escape_within, mrkdwn, slack_date, truncate, user
from bot.escalations.read_model import EscalationSnapshot, TimelineEntry

ICONS = {
    "created": "🆕",
    "role_assigned": "👤",
    "acknowledged": "✋",
    "internal_update": "📣",
    "customer_update": "📨",
    "severity_changed": "⚖️",
    "status_changed": "🔄",
    "sla_breach": "🚨",
    "snoozed": "😴",
    "draft": "📝",
    "draft_sent": "📤",
    "message_captured": "📌",
    "customer_confirmed": "🎉",
    "premature_closure": "⚠️",
    "archived": "🗄️",
    "archive_failed": "⚠️",
}
# Kinds whose text warroom wrote from Slack ids alone (mentions there are ours). Every other kind carries
# words a person typed (an update, a reason, a captured message, a customer's name) and is escaped whole.
WARROOM_WORDED = frozenset(
    {
        "created",
        "role_assigned",
        "acknowledged",
        "snoozed",
        "sla_breach",
        "draft",
        "archived",
        "archive_failed",
    }
)
ENTRY_TEXT = 500
# Room for the heading and the "earlier entries" note.
SECTIONS = limits.MESSAGE_BLOCKS - 2


def entry_line(entry: TimelineEntry) -> str:
    """One line: when (in the reader's zone), what, who."""
    when = slack_date(entry.at, "{date_short} {time}")
    icon = ICONS.get(entry.kind, "•")
    if entry.kind == "message_captured":
        author = entry.data.get("author")
        said = escape_within(entry.text, ENTRY_TEXT)
        edited = " _(edited)_" if entry.data.get("edited_at") else ""
        return f"{when} {icon} {user(author)}: “{said}”{edited} (added by {user(entry.actor_user_id)})"
    text = entry.text if entry.kind in WARROOM_WORDED else escape(entry.text)
    who = (
        f" · {user(entry.actor_user_id)}" if entry.actor_user_id and entry.kind not in WARROOM_WORDED else ""
    )
    return f"{when} {icon} {truncate(text, ENTRY_TEXT)}{who}"


def build_timeline(esc: EscalationSnapshot, entries: Sequence[TimelineEntry]) -> list[dict[str, Any]]:
    """The timeline as sections of lines, each within Slack's limits; when it does not fit in one
    message, the latest entries are shown and the earlier ones counted."""
    heading = (
        f"{severity_badge(esc.severity)} *Timeline of {esc.public_id}* · {escape(esc.customer)} · "
        f"{len(entries)} entr{'y' if len(entries) == 1 else 'ies'}; times are in your time zone. "
        "Add a message with a 📌 reaction or its ⋯ menu → *Add to timeline*."
    )
    sections: list[list[str]] = []
    size = 0
    shown = 0
    for line in reversed([entry_line(entry) for entry in entries]):  # newest first, then put back in order
        if not sections or size + len(line) + 1 > limits.SECTION_TEXT:
            if len(sections) == SECTIONS:
                break
            sections.append([])
            size = 0
        sections[-1].append(line)
        size += len(line) + 1
        shown += 1
    blocks: list[dict[str, Any]] = [
        {"type": "section", "block_id": "timeline_heading", "text": mrkdwn(heading, limits.SECTION_TEXT)}
    ]
    if shown < len(entries):
        earlier = f"…{len(entries) - shown} earlier entries are not shown here."
        blocks.append(
            {
                "type": "context",
                "block_id": "timeline_earlier",
                "elements": [mrkdwn(earlier, limits.CONTEXT_TEXT)],
            }
        )
    for n, lines in enumerate(reversed(sections)):
        text = "\n".join(reversed(lines))
        blocks.append(
            {"type": "section", "block_id": f"timeline_{n}", "text": mrkdwn(text, limits.SECTION_TEXT)}
        )
    return blocks
