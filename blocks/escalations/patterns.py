"""The same issue seen more than once: the pattern alert in the escalations channel, and the open
escalations of other customers the intake form shows before a duplicate is opened. Pure builders.

Every word a person typed (customers, summaries) is escaped: a customer called `<!channel>` reads as
text and pings nobody. Private escalations in a pattern are a count, never a customer or a summary."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from blocks import limits
from blocks.escalations.triage_card import severity_badge
from blocks.text import button, escape_within, mrkdwn
from bot.core.durations import humanize_duration
from bot.escalations.read_model import EscalationSnapshot

ALERT_BLOCK = "pattern_alert"
# Buttons of the intake form's "already open elsewhere" rows.
JOIN_ROOM = "intake_join_room"
OPEN_CARD = "intake_open_card"
# The alert lists this many reports in full; the rest are counted (a message holds 50 blocks).
ALERT_LISTED = 25
TITLE_SHOWN = 200


def alert_marker(pattern_id: int) -> str:
    """What the alert says first, to find an alert posted just before a crash rather than post another."""
    return f"Pattern #{pattern_id}:"


def build_pattern_alert(
    pattern_id: int,
    members: Sequence[EscalationSnapshot],
    window: timedelta,
    card_links: Mapping[int, str] | None = None,
) -> tuple[str, list[dict[str, Any]]]:
    """The alert for a pattern (its members earliest first): notification text and blocks. Public members
    are listed with id, customer, severity and where they are worked; private ones only counted."""
    links = card_links or {}
    customers = len({" ".join(esc.customer.casefold().split()) for esc in members})
    shown = [esc for esc in members if not esc.is_private]
    hidden = len(members) - len(shown)
    headline = f"{alert_marker(pattern_id)} the same issue from {customers} customers"
    issue = f"\n>{escape_within(shown[0].title, TITLE_SHOWN)}" if shown else ""
    blocks: list[dict[str, Any]] = [
        {
            "type": "section",
            "block_id": ALERT_BLOCK,
            "text": mrkdwn(f"🔁 *{headline}*{issue}", limits.SECTION_TEXT),
        }
    ]
    blocks += [
        {
            "type": "section",
            "block_id": f"pattern_member_{esc.id}",
            "text": mrkdwn(_member_line(esc, links.get(esc.id)), limits.SECTION_TEXT),
        }
        for esc in shown[:ALERT_LISTED]
    ]
    notes = []
    if len(shown) > ALERT_LISTED:
        notes.append(f"…and {len(shown) - ALERT_LISTED} more.")
    if hidden:
        notes.append(
            f"🔒 Plus {hidden} private escalation{'s' if hidden != 1 else ''}, counted without details: "
            "only their rooms and escalation managers see them."
        )
    notes.append(
        f"{len(members)} reports with summaries alike, each opened within {humanize_duration(window)} of "
        "another. One engineering owner for the root cause spares every room the same investigation."
    )
    blocks.append(
        {
            "type": "context",
            "block_id": "pattern_notes",
            "elements": [mrkdwn(" ".join(notes), limits.CONTEXT_TEXT)],
        }
    )
    return f"{headline} ({len(members)} reports)", blocks


@dataclass(frozen=True)
class OpenElsewhere:
    """What the intake form shows about the issue being open already: open escalations of other customers
    with a very similar summary (most similar first, with links to the cards of those worked in a thread),
    the room the person joined instead, or why joining did not work."""

    similar: Sequence[EscalationSnapshot] = ()
    card_links: Mapping[int, str] = field(default_factory=dict)
    joined: EscalationSnapshot | None = None
    problem: str | None = None


def build_open_elsewhere(elsewhere: OpenElsewhere) -> list[dict[str, Any]]:
    """The intake form's notices about the same issue open elsewhere (none when there is nothing to say)."""
    blocks = [build_joined_notice(elsewhere.joined)] if elsewhere.joined else []
    if elsewhere.problem:
        blocks.append(build_join_problem(elsewhere.problem))
    joined_id = elsewhere.joined.id if elsewhere.joined else None
    similar = [esc for esc in elsewhere.similar if esc.id != joined_id]
    return blocks + build_similar_open(similar, elsewhere.card_links)


def build_similar_open(
    similar: Sequence[EscalationSnapshot], card_links: Mapping[int, str] | None = None
) -> list[dict[str, Any]]:
    """The notice of open escalations of other customers with a very similar summary (most similar first),
    each with a way in: join its war room, or open its card's thread."""
    if not similar:
        return []
    links = card_links or {}
    intro = (
        "🔁 *This looks like an issue that is already open for another customer.* Join its room instead "
        "of opening a new one, or go on below if yours is different."
    )
    blocks: list[dict[str, Any]] = [
        {"type": "section", "block_id": "similar_open", "text": mrkdwn(intro, limits.SECTION_TEXT)}
    ]
    for esc in similar:
        block: dict[str, Any] = {
            "type": "section",
            "block_id": f"similar_{esc.id}",
            "text": mrkdwn(_similar_line(esc), limits.SECTION_TEXT),
        }
        if esc.room_channel_id:
            block["accessory"] = button("Join that room", JOIN_ROOM, esc.public_id, style="primary")
        elif link := links.get(esc.id):
            block["accessory"] = {**button("Open its thread", OPEN_CARD, esc.public_id), "url": link}
        blocks.append(block)
    return blocks


def build_joined_notice(esc: EscalationSnapshot) -> dict[str, Any]:
    """What the intake form says once the person joined an open escalation's room instead."""
    text = (
        f"✅ You're in <#{esc.room_channel_id}> now, the room of *{esc.public_id}* "
        f"({escape_within(esc.customer, 150)}, {esc.severity}). Nothing new was opened: close this form, "
        "or go on below if yours is a different issue."
    )
    return {"type": "section", "block_id": "joined_room", "text": mrkdwn(text, limits.SECTION_TEXT)}


def build_join_problem(text: str) -> dict[str, Any]:
    """What the intake form says when joining a room did not work (the text is warroom's own)."""
    return {"type": "section", "block_id": "join_problem", "text": mrkdwn(f"⚠️ {text}", limits.SECTION_TEXT)}


def _member_line(esc: EscalationSnapshot, card_link: str | None) -> str:
    if esc.room_channel_id:
        where = f"<#{esc.room_channel_id}>"
    elif card_link:
        where = f"<{card_link}|card thread>"
    else:
        where = esc.room_mention
    state = "" if esc.is_open else f" · {esc.status_label.lower()}"
    return (
        f"{severity_badge(esc.severity)} *{esc.public_id}* · {escape_within(esc.customer, 150)} · "
        f"{where}{state}"
    )


def _similar_line(esc: EscalationSnapshot) -> str:
    where = f" · <#{esc.room_channel_id}>" if esc.room_channel_id else ""
    if not esc.room_channel_id and esc.card_channel_id:
        where = f" · card in <#{esc.card_channel_id}>"
    return (
        f"{severity_badge(esc.severity)} *{esc.public_id}* · {escape_within(esc.customer, 150)}{where}\n"
        f"_{escape_within(esc.title, TITLE_SHOWN)}_"
    )
