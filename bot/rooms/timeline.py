"""Messages people put on an escalation's timeline, and keeping those entries true to Slack.

A 📌 reaction (the policy's `room.timeline_reaction`) or the "Add to timeline" message shortcut on a
message in a war room (thread replies included) or under a SEV-3/4 card adds it, once; an edit changes
the entry, a deletion or taking the 📌 off removes it. Each is a domain method through the change pipeline.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from bot.core.text import clean, readable
from bot.escalations.changes import Actor, ChangePipeline, Outcome
from bot.escalations.read_model import EscalationSnapshot
from bot.escalations.service import EscalationService
from bot.slack.gateway import SlackGateway
from storage import repository as repo

log = logging.getLogger(__name__)
# Longer than any message worth quoting on a timeline; Slack messages go up to 40,000 characters.
CAPTURE_LIMIT = 3_000
NO_TEXT = "(a message without text: a file or an attachment)"
# The message event subtypes a timeline follows: an edit, a deletion (every other message is not ours).
EDITED, DELETED = "message_changed", "message_deleted"
FOLLOWED_SUBTYPES = (EDITED, DELETED)
# What an edit event carries when a thread parent with replies is deleted: "This message was deleted."
TOMBSTONE = "tombstone"


@dataclass
class TimelineCapture:
    """Adds Slack messages to timelines and follows their edits and deletions."""

    changes: ChangePipeline
    escalations: EscalationService
    gateway: SlackGateway

    def add(
        self, actor: Actor, channel: str, ts: str, message: dict[str, Any] | None, how: str
    ) -> tuple[EscalationSnapshot | None, Outcome | None]:
        """Add message `ts` of `channel` to the timeline of the escalation it belongs to (`message` as
        Slack gave it, or None to fetch it). (None, None) when it belongs to no escalation the actor
        may see; the outcome is None when there was nothing to add (the card itself)."""
        message = message if message is not None else self.gateway.message(channel, ts)
        if message is None:
            return None, None
        thread_ts = message.get("thread_ts") if message.get("thread_ts") != ts else None
        target = self.escalations.target(Actor(actor.user_id, channel), None, thread_ts, single_card=False)
        esc = target.escalation
        if esc is None or (thread_ts is None and esc.room_channel_id != channel):
            return None, None  # a top-level message in a card's channel is not the card's thread
        if ts == esc.card_ts:
            return esc, None
        author = message.get("user") or message.get("bot_id")
        text = self.plain(message.get("text") or "") or NO_TEXT
        return esc, self.changes.change(
            esc.id, actor, lambda record: record.add_message(channel, ts, author, text, how)
        )

    def follow(self, channel: str, ts: str, text: str | None, *, unpinned: bool = False) -> int:
        """Message `ts` was edited (its new Slack `text`), deleted (None) or lost its last 📌
        (`unpinned`): every timeline holding it follows. How many hold it."""
        with self.changes.db.reading() as session:
            holders = repo.escalations_with_message(session, channel, ts)
        plain = None if text is None else (self.plain(text) or NO_TEXT)
        for escalation_id in holders:
            self.changes.change(
                escalation_id, None, lambda record: record.follow_message(ts, plain, unpinned=unpinned)
            )
        return len(holders)

    def plain(self, text: str) -> str:
        """Slack's markup as the words people read (`<@U1>` → `@Ana Lopez`), bounded and cleaned."""
        return clean(
            readable(clean(text, CAPTURE_LIMIT * 2), lambda user: self.gateway.person(user).name),
            CAPTURE_LIMIT,
        ).strip()
