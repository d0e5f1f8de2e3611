"""FakeSlack's message methods: chat.* (post, update, delete, ephemeral, permalink), pins.* and
reactions.*, with Slack's message-content checks (text length, Block Kit).

Importing this module registers them in `fake_methods.METHODS`; FakeSlack imports it where it reads
METHODS.
"""

from __future__ import annotations

import copy
from typing import Any

from blocks import limits as L
from bot.sandbox.block_kit_rules import validate_message_blocks
from bot.sandbox.fake_methods import APP_ID, Params, _message, _method, _str, _writable
from bot.sandbox.fake_workspace import BOT_ID, BOT_USER_ID, TEAM_ID, TEAM_URL, Channel, SlackError, Workspace

# -- message content ----------------------------------------------------------------------------------


def _blocks(p: Params) -> list[Any] | None:
    """The validated `blocks` param, or None when absent."""
    if "blocks" not in p or p["blocks"] in (None, ""):
        return None
    blocks = p["blocks"]
    if not isinstance(blocks, list):
        raise SlackError("invalid_blocks_format")
    errors = validate_message_blocks(blocks)
    if errors:
        raise SlackError(
            "invalid_blocks",
            errors=[e.removeprefix("[ERROR] ") for e in errors],
            response_metadata={"messages": errors},
        )
    return blocks


def _content(p: Params, *, require: bool = True) -> tuple[str | None, list[Any] | None, Any]:
    """(text, blocks, attachments) after Slack's message-content checks."""
    text = p.get("text")
    text = None if text is None else str(text)
    blocks = _blocks(p)
    attachments = p.get("attachments") or None
    if require and not text and not blocks and not attachments:
        raise SlackError("no_text")
    if text is not None and len(text) > L.MESSAGE_TEXT:
        raise SlackError("msg_too_long")
    return text, blocks, attachments


# -- chat -----------------------------------------------------------------------------------------------


def _post_target(ws: Workspace, target: str) -> tuple[Channel | None, str | None]:
    """(existing channel, None) or (None, user id) for a not-yet-opened DM."""
    if target.startswith(("U", "W")) and target in ws.users and target != BOT_USER_ID:
        dm = ws.find_dm(target)
        return (dm, None) if dm else (None, target)
    if target.startswith("#") or (target and not target[0].isupper()):
        ch = ws.by_name(target.lstrip("#"))
        if ch is None or (ch.is_private and BOT_USER_ID not in ch.members):
            raise SlackError("channel_not_found")
        target = ch.id
    ch = _writable(ws, target)
    return ch, None


@_method("chat.postMessage")
def chat_post_message(ws: Workspace, p: Params) -> dict[str, Any]:
    """Post a message (or thread reply); posting to a user id opens a DM."""
    ch, dm_user = _post_target(ws, _str(p, "channel"))
    text, blocks, attachments = _content(p)
    thread_ts, parent = _str(p, "thread_ts") or None, None
    if thread_ts:
        parent = _message(ch, thread_ts, "thread_not_found") if ch else None
        if parent is None:
            raise SlackError("thread_not_found")
        thread_ts = parent.get("thread_ts", parent["ts"])
        parent = _message(ch, thread_ts, "thread_not_found") if ch else None
    if ch is None:
        assert dm_user is not None
        ch = ws.dm_with(dm_user)
    msg: dict[str, Any] = {
        "type": "message",
        "user": BOT_USER_ID,
        "bot_id": BOT_ID,
        "app_id": APP_ID,
        "team": TEAM_ID,
        "text": text or "",
        "ts": ws.next_ts(),
    }
    if blocks is not None:
        msg["blocks"] = blocks
    if attachments:
        msg["attachments"] = attachments
    ws.append(ch, msg, parent)
    return {"channel": ch.id, "ts": msg["ts"], "message": copy.deepcopy(msg)}


@_method("chat.update")
def chat_update(ws: Workspace, p: Params) -> dict[str, Any]:
    """Edit a bot message; omitted text/blocks keep their previous value."""
    ch = _writable(ws, p.get("channel"))
    msg = _message(ch, p.get("ts"))
    if msg.get("user") != BOT_USER_ID:
        raise SlackError("cant_update_message")
    text, blocks, attachments = _content(p, require=False)
    if text is None and blocks is None and "blocks" not in p and attachments is None:
        raise SlackError("no_text")
    if text is not None:
        msg["text"] = text
    if "blocks" in p:
        msg["blocks"] = blocks or []
    if attachments is not None:
        msg["attachments"] = attachments
    msg["edited"] = {"user": BOT_USER_ID, "ts": ws.next_ts()}
    ws.edits[(ch.id, msg["ts"])] = ws.edits.get((ch.id, msg["ts"]), 0) + 1
    return {"channel": ch.id, "ts": msg["ts"], "text": msg["text"], "message": copy.deepcopy(msg)}


@_method("chat.delete")
def chat_delete(ws: Workspace, p: Params) -> dict[str, Any]:
    """Delete a bot message (a parent with replies leaves a tombstone)."""
    ch = _writable(ws, p.get("channel"))
    msg = _message(ch, p.get("ts"))
    if msg.get("user") != BOT_USER_ID:
        raise SlackError("cant_delete_message")
    if msg.get("reply_count"):
        msg.update({"subtype": "tombstone", "text": "This message was deleted.", "blocks": []})
    else:
        ch.messages.remove(msg)
        parent = ch.find(msg.get("thread_ts")) if msg.get("thread_ts") != msg["ts"] else None
        if parent is not None:
            parent["reply_count"] -= 1
    if msg["ts"] in ch.pins:
        ch.pins.remove(msg["ts"])
    return {"channel": ch.id, "ts": msg["ts"]}


@_method("chat.postEphemeral")
def chat_post_ephemeral(ws: Workspace, p: Params) -> dict[str, Any]:
    """An ephemeral message to one member of a channel."""
    ch = _writable(ws, p.get("channel"))
    user = _str(p, "user")
    text, blocks, _ = _content(p)
    if user not in ch.members:
        raise SlackError("user_not_in_channel")
    ts = ws.next_ts()
    ws.ephemerals.append(
        {
            "channel": ch.id,
            "user": user,
            "text": text or "",
            "blocks": blocks,
            "thread_ts": _str(p, "thread_ts") or None,
            "message_ts": ts,
        }
    )
    return {"message_ts": ts}


@_method("chat.getPermalink")
def chat_get_permalink(ws: Workspace, p: Params) -> dict[str, Any]:
    """Permalink to a message."""
    ch = ws.channel(p.get("channel"))
    msg = _message(ch, p.get("message_ts"))
    link = f"{TEAM_URL}archives/{ch.id}/p{msg['ts'].replace('.', '')}"
    if msg.get("thread_ts") not in (None, msg["ts"]):
        link += f"?thread_ts={msg['thread_ts']}&cid={ch.id}"
    return {"channel": ch.id, "permalink": link}


# -- pins, reactions -----------------------------------------------------------------------------------


@_method("pins.add")
def pins_add(ws: Workspace, p: Params) -> dict[str, Any]:
    """Pin a message."""
    ch = _writable(ws, p.get("channel"))
    if not _str(p, "timestamp"):
        raise SlackError("no_item_specified")
    msg = _message(ch, p.get("timestamp"))
    if msg["ts"] in ch.pins:
        raise SlackError("already_pinned")
    ch.pins.append(msg["ts"])
    msg["pinned_to"] = [ch.id]
    return {}


@_method("pins.list")
def pins_list(ws: Workspace, p: Params) -> dict[str, Any]:
    """Pinned items in a channel."""
    ch = ws.channel(p.get("channel"))
    items = [
        {
            "type": "message",
            "channel": ch.id,
            "created_by": BOT_USER_ID,
            "message": copy.deepcopy(ch.find(ts)),
        }
        for ts in ch.pins
    ]
    return {"items": items}


@_method("reactions.add")
def reactions_add(ws: Workspace, p: Params) -> dict[str, Any]:
    """Add an emoji reaction as the bot."""
    ch = ws.channel(p.get("channel"))
    name = _str(p, "name")
    if not _str(p, "timestamp"):
        raise SlackError("no_item_specified")
    msg = _message(ch, p.get("timestamp"))
    if not name or ":" in name or " " in name:
        raise SlackError("invalid_name")
    reactions = msg.setdefault("reactions", [])
    reaction = next((r for r in reactions if r["name"] == name), None)
    if reaction is not None and BOT_USER_ID in reaction["users"]:
        raise SlackError("already_reacted")
    if reaction is None:
        reaction = {"name": name, "users": [], "count": 0}
        reactions.append(reaction)
    reaction["users"].append(BOT_USER_ID)
    reaction["count"] += 1
    return {}
