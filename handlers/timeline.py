"""The timeline: 📌 reactions and the "Add to timeline" shortcut add a message; edits, deletions and a
📌 taken off are followed. Every other message event in a room is acknowledged and left alone."""

from __future__ import annotations

from slack_bolt import App

from bot.escalations.changes import Actor
from bot.rooms.timeline import DELETED, EDITED, TOMBSTONE
from bot.services import Services
from handlers.replies import ack_only, by_ephemeral, privately, told_on_failure

ADD_TO_TIMELINE = "add_to_timeline"
NOT_IN_A_ROOM = (
    "That message is not in an escalation's war room or card thread, so it has no timeline to go on."
)


def register(app: App, services: Services) -> None:
    """Listen for reactions, the shortcut and message edits and deletions."""
    timeline, gateway, slow = services.timeline, services.gateway, services.background.listener
    capture_reaction = services.escalations.policy.room.timeline_reaction

    def is_capture(event: dict) -> bool:
        item = event.get("item") or {}
        # Skin tones arrive as `pushpin::skin-tone-2`; the reaction is the part before.
        name = str(event.get("reaction") or "").split("::", 1)[0]
        return name == capture_reaction and item.get("type") == "message" and bool(item.get("ts"))

    def add_on_reaction(event: dict) -> None:
        if not is_capture(event):
            return
        item = event["item"]
        with told_on_failure(lambda _: None):  # a reaction has nowhere to answer; failures are logged
            timeline.add(
                Actor(event.get("user") or "", item["channel"]), item["channel"], item["ts"], None, "reaction"
            )

    def remove_on_reaction(event: dict) -> None:
        if not is_capture(event):
            return
        item = event["item"]
        message = gateway.message(item["channel"], item["ts"])
        still = [r for r in (message or {}).get("reactions") or [] if r.get("name") == capture_reaction]
        if message is not None and not still:
            timeline.follow(item["channel"], item["ts"], None, unpinned=True)

    def add_from_shortcut(body: dict, shortcut: dict) -> None:
        message, channel = shortcut.get("message") or {}, (shortcut.get("channel") or {}).get("id", "")
        tell = by_ephemeral(gateway, body)
        with told_on_failure(tell):
            actor = Actor(shortcut["user"]["id"], channel)
            esc, outcome = timeline.add(actor, channel, str(message.get("ts") or ""), message, "shortcut")
            if esc is None:
                tell(NOT_IN_A_ROOM)
            elif outcome is None:
                tell(f"That is the card of *{esc.public_id}*: it is always on its timeline.")
            else:
                added = f"📌 Added to the timeline of *{esc.public_id}*. `/escalate timeline` shows it."
                privately(gateway, channel, actor.user_id, added)

    def follow_edits_and_deletions(event: dict) -> None:
        subtype, channel = event.get("subtype"), event.get("channel") or ""
        if subtype == EDITED:
            changed = event.get("message") or {}
            # A deleted thread parent with replies stays as a tombstone ("This message was deleted."): gone.
            text = None if changed.get("subtype") == TOMBSTONE else str(changed.get("text") or "")
            timeline.follow(channel, str(changed.get("ts") or ""), text)
        elif subtype == DELETED:
            timeline.follow(channel, str(event.get("deleted_ts") or ""), None)

    app.event("reaction_added")(ack=ack_only, lazy=[slow(add_on_reaction)])
    app.event("reaction_removed")(ack=ack_only, lazy=[slow(remove_on_reaction)])
    app.shortcut(ADD_TO_TIMELINE)(ack=ack_only, lazy=[slow(add_from_shortcut)])
    app.event("message")(ack=ack_only, lazy=[slow(follow_edits_and_deletions)])
