"""Web API method handlers for FakeSlack. Each takes (workspace, params) under the lock and returns
the response fields after `ok`, or raises SlackError. Handlers validate everything before mutating,
so a failed call never changes state.
"""

from __future__ import annotations

import base64
import contextlib
import copy
import json
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

from blocks import limits as L
from bot.sandbox.block_kit_rules import validate_channel_name, validate_message_blocks, validate_view
from bot.sandbox.fake_slack import (
    BOT_ID,
    BOT_NAME,
    BOT_USER_ID,
    TEAM_ID,
    TEAM_NAME,
    TEAM_URL,
    Channel,
    SlackError,
    Workspace,
)

Params = dict[str, Any]
Handler = Callable[[Workspace, Params], dict[str, Any]]
METHODS: dict[str, Handler] = {}
APP_ID = "A0WARROOM"
JSON_PARAMS = ("blocks", "attachments", "view", "users")  # form posts carry these as JSON


def _method(name: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        METHODS[name] = fn
        return fn

    return register


# -- argument helpers ---------------------------------------------------------------------------------


def decode_params(content_type: str, query: str, raw: bytes) -> dict[str, Any] | None:
    """Merge query-string and body params (JSON or form); None when the body is malformed."""
    params: dict[str, Any] = {k: v[-1] for k, v in parse_qs(query, keep_blank_values=True).items()}
    kind = content_type.split(";")[0].strip().lower()
    if raw and kind == "application/json":
        try:
            body = json.loads(raw)
        except ValueError:
            return None
        if not isinstance(body, dict):
            return None
        params.update(body)
    elif raw:
        form = parse_qs(raw.decode("utf-8", "replace"), keep_blank_values=True)
        params.update({k: v[-1] for k, v in form.items()})
    for key in JSON_PARAMS:
        value = params.get(key)
        if isinstance(value, str) and value.lstrip()[:1] in ("[", "{"):
            with contextlib.suppress(ValueError):  # else left as a string; the method reports it
                params[key] = json.loads(value)
    return params


def _str(p: Params, key: str) -> str:
    value = p.get(key)
    return value if isinstance(value, str) else ("" if value is None else str(value))


def _flag(p: Params, key: str, default: bool = False) -> bool:
    value = p.get(key, default)
    return value is True or (isinstance(value, str) and value.lower() in ("1", "true"))


def _required(p: Params, key: str) -> str:
    value = _str(p, key)
    if not value:
        raise SlackError(
            "invalid_arguments", response_metadata={"messages": [f"[ERROR] missing required field: {key}"]}
        )
    return value


def _page(items: list[Any], p: Params, default_limit: int = 100) -> tuple[list[Any], str]:
    """Slice by Slack-style cursor/limit; returns (page, next_cursor)."""
    start = 0
    cursor = _str(p, "cursor")
    if cursor:
        try:
            start = int(base64.b64decode(cursor).decode().removeprefix("next:"))
        except ValueError as e:
            raise SlackError("invalid_cursor") from e
    try:
        limit = int(_str(p, "limit") or default_limit) or default_limit
    except ValueError as e:
        raise SlackError("invalid_limit") from e
    end = start + limit
    more = end < len(items)
    return items[start:end], base64.b64encode(f"next:{end}".encode()).decode() if more else ""


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


def _member_channel(ws: Workspace, channel_id: object) -> Channel:
    ch = ws.channel(channel_id)
    if BOT_USER_ID not in ch.members:
        raise SlackError("not_in_channel")
    return ch


def _writable(ws: Workspace, channel_id: object) -> Channel:
    ch = _member_channel(ws, channel_id)
    if ch.is_archived:
        raise SlackError("is_archived")
    return ch


def _message(ch: Channel, ts: object, error: str = "message_not_found") -> dict[str, Any]:
    msg = ch.find(ts)
    if msg is None:
        raise SlackError(error)
    return msg


def _new_name(ws: Workspace, name: str) -> None:
    error = validate_channel_name(name)
    if error:
        raise SlackError(error)
    if ws.by_name(name) is not None:
        raise SlackError("name_taken")


def _user(ws: Workspace, user_id: str) -> dict[str, Any]:
    if user_id not in ws.users:
        raise SlackError("user_not_found")
    return copy.deepcopy(ws.users[user_id])


# -- auth / users -----------------------------------------------------------------------------------


@_method("apps.connections.open")
def apps_connections_open(ws: Workspace, p: Params) -> dict[str, Any]:
    """A Socket Mode WebSocket URL; the sandbox has no WebSocket server, so connecting to it fails."""
    return {"url": "ws://127.0.0.1:9/socket-mode-not-in-the-sandbox"}


@_method("auth.test")
def auth_test(ws: Workspace, p: Params) -> dict[str, Any]:
    """Identity of the bot token."""
    return {
        "url": TEAM_URL,
        "team": TEAM_NAME,
        "team_id": TEAM_ID,
        "user": BOT_NAME,
        "user_id": BOT_USER_ID,
        "bot_id": BOT_ID,
        "is_enterprise_install": False,
    }


@_method("users.info")
def users_info(ws: Workspace, p: Params) -> dict[str, Any]:
    """One user."""
    return {"user": _user(ws, _str(p, "user"))}


@_method("users.list")
def users_list(ws: Workspace, p: Params) -> dict[str, Any]:
    """All users, paginated."""
    page, cursor = _page(list(ws.users.values()), p)
    return {
        "members": copy.deepcopy(page),
        "cache_ts": int(time.time()),
        "response_metadata": {"next_cursor": cursor},
    }


# -- conversations ------------------------------------------------------------------------------------


@_method("conversations.create")
def conversations_create(ws: Workspace, p: Params) -> dict[str, Any]:
    """New channel created by (and containing) the bot."""
    name = _str(p, "name")
    _new_name(ws, name)
    ch = ws.make_channel(
        ws.next_id("C"), name, BOT_USER_ID, is_private=_flag(p, "is_private"), members={BOT_USER_ID}
    )
    ws.channels[ch.id] = ch
    return {"channel": ch.to_api()}


@_method("conversations.invite")
def conversations_invite(ws: Workspace, p: Params) -> dict[str, Any]:
    """Add users (comma-separated) to a channel the bot is in."""
    ch = _writable(ws, p.get("channel"))
    raw = p.get("users")
    users = [u.strip() for u in (raw if isinstance(raw, list) else _str(p, "users").split(",")) if u.strip()]
    if not users:
        raise SlackError("no_user")
    if BOT_USER_ID in users:
        raise SlackError("cant_invite_self")
    missing = [u for u in users if u not in ws.users]
    if missing:
        raise SlackError(
            "user_not_found", errors=[{"user": u, "ok": False, "error": "user_not_found"} for u in missing]
        )
    if all(u in ch.members for u in users):
        raise SlackError("already_in_channel")
    ch.members.update(users)
    return {"channel": ch.to_api()}


def _set_text(ws: Workspace, p: Params, field: str, limit: int) -> dict[str, Any]:
    ch = _writable(ws, p.get("channel"))
    value = _str(p, field)
    if len(value) > limit:
        raise SlackError("too_long")
    setattr(ch, field, {"value": value, "creator": BOT_USER_ID, "last_set": int(time.time())})
    return {"channel": ch.to_api(), field: value}


@_method("conversations.setTopic")
def conversations_set_topic(ws: Workspace, p: Params) -> dict[str, Any]:
    """Set the topic (max 250 chars)."""
    return _set_text(ws, p, "topic", L.CHANNEL_TOPIC)


@_method("conversations.setPurpose")
def conversations_set_purpose(ws: Workspace, p: Params) -> dict[str, Any]:
    """Set the purpose (max 250 chars)."""
    return _set_text(ws, p, "purpose", L.CHANNEL_PURPOSE)


@_method("conversations.info")
def conversations_info(ws: Workspace, p: Params) -> dict[str, Any]:
    """One channel object."""
    return {"channel": ws.channel(p.get("channel")).to_api()}


@_method("conversations.list")
def conversations_list(ws: Workspace, p: Params) -> dict[str, Any]:
    """Channels visible to the bot, filtered by `types` and `exclude_archived`."""
    types = set((_str(p, "types") or "public_channel").split(","))
    out = []
    for ch in ws.channels.values():
        kind = "im" if ch.is_im else "private_channel" if ch.is_private else "public_channel"
        visible = not ch.is_private or BOT_USER_ID in ch.members
        if kind in types and visible and not (ch.is_archived and _flag(p, "exclude_archived")):
            out.append(ch.to_api())
    page, cursor = _page(out, p)
    return {"channels": page, "response_metadata": {"next_cursor": cursor}}


@_method("conversations.join")
def conversations_join(ws: Workspace, p: Params) -> dict[str, Any]:
    """Bot joins a public channel."""
    ch = ws.channel(p.get("channel"))
    if ch.is_private or ch.is_im:
        raise SlackError("method_not_supported_for_channel_type")
    if ch.is_archived:
        raise SlackError("is_archived")
    if BOT_USER_ID in ch.members:
        return {
            "channel": ch.to_api(),
            "warning": "already_in_channel",
            "response_metadata": {"warnings": ["already_in_channel"]},
        }
    ch.members.add(BOT_USER_ID)
    return {"channel": ch.to_api()}


@_method("conversations.members")
def conversations_members(ws: Workspace, p: Params) -> dict[str, Any]:
    """Member ids, paginated."""
    page, cursor = _page(sorted(ws.channel(p.get("channel")).members), p)
    return {"members": page, "response_metadata": {"next_cursor": cursor}}


@_method("conversations.rename")
def conversations_rename(ws: Workspace, p: Params) -> dict[str, Any]:
    """Rename a channel the bot is in."""
    ch = _writable(ws, p.get("channel"))
    name = _str(p, "name")
    if name != ch.name:
        _new_name(ws, name)
    ch.name = name
    return {"channel": ch.to_api()}


@_method("conversations.archive")
def conversations_archive(ws: Workspace, p: Params) -> dict[str, Any]:
    """Archive a channel the bot is in."""
    ch = _member_channel(ws, p.get("channel"))
    if ch.is_archived:
        raise SlackError("already_archived")
    if ch.id == "C0GENERAL":
        raise SlackError("cant_archive_general")
    if ch.is_im:
        raise SlackError("method_not_supported_for_channel_type")
    ch.is_archived = True
    return {}


@_method("conversations.history")
def conversations_history(ws: Workspace, p: Params) -> dict[str, Any]:
    """Top-level messages, newest first."""
    ch = _member_channel(ws, p.get("channel"))
    try:
        oldest, latest = float(_str(p, "oldest") or 0), float(_str(p, "latest") or "inf")
    except ValueError as e:
        raise SlackError("invalid_ts_oldest") from e
    top = [
        m
        for m in reversed(ch.messages)
        if m.get("thread_ts") in (None, m["ts"]) and oldest <= float(m["ts"]) <= latest
    ]
    page, cursor = _page(top, p)
    return {
        "messages": copy.deepcopy(page),
        "has_more": bool(cursor),
        "response_metadata": {"next_cursor": cursor},
    }


@_method("conversations.replies")
def conversations_replies(ws: Workspace, p: Params) -> dict[str, Any]:
    """A thread: parent then replies, oldest first."""
    ch = _member_channel(ws, p.get("channel"))
    msg = _message(ch, p.get("ts"), "thread_not_found")
    root = msg.get("thread_ts", msg["ts"])
    thread = [m for m in ch.messages if m["ts"] == root or m.get("thread_ts") == root]
    page, cursor = _page(thread, p, default_limit=1000)
    return {
        "messages": copy.deepcopy(page),
        "has_more": bool(cursor),
        "response_metadata": {"next_cursor": cursor},
    }


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


# -- pins, bookmarks, reactions -------------------------------------------------------------------------


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


@_method("bookmarks.add")
def bookmarks_add(ws: Workspace, p: Params) -> dict[str, Any]:
    """Add a link bookmark to a channel."""
    ch = _writable(ws, p.get("channel_id"))
    title, kind, link = _str(p, "title"), _str(p, "type") or "link", _str(p, "link")
    if not title or len(title) > L.BOOKMARK_TITLE or kind != "link" or not link:
        raise SlackError("invalid_arguments")
    bookmark = {
        "id": ws.next_id("Bk"),
        "channel_id": ch.id,
        "title": title,
        "link": link,
        "emoji": _str(p, "emoji") or None,
        "icon_url": None,
        "type": kind,
        "date_created": int(time.time()),
        "date_updated": 0,
        "rank": f"{len(ch.bookmarks):04d}",
        "last_updated_by_user_id": BOT_USER_ID,
        "last_updated_by_team_id": TEAM_ID,
        "shortcut_id": None,
        "entity_id": None,
        "app_id": APP_ID,
    }
    ch.bookmarks.append(bookmark)
    return {"bookmark": copy.deepcopy(bookmark)}


@_method("bookmarks.list")
def bookmarks_list(ws: Workspace, p: Params) -> dict[str, Any]:
    """Bookmarks in a channel."""
    return {"bookmarks": copy.deepcopy(ws.channel(p.get("channel_id")).bookmarks)}


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


# -- views --------------------------------------------------------------------------------------------


def _checked_view(p: Params) -> dict[str, Any]:
    view = p.get("view")
    if view is None:
        raise SlackError(
            "invalid_arguments", response_metadata={"messages": ["[ERROR] missing required field: view"]}
        )
    errors = validate_view(view)
    if errors:
        raise SlackError("invalid_arguments", response_metadata={"messages": errors})
    assert isinstance(view, dict)
    return copy.deepcopy(view)


def _take_trigger(ws: Workspace, p: Params) -> str:
    trigger = _required(p, "trigger_id")
    if trigger.startswith("expired"):
        raise SlackError("expired_trigger_id")
    if trigger in ws.used_triggers:
        raise SlackError("exchanged_trigger_id")
    return trigger


def _store_view(ws: Workspace, view: dict[str, Any], view_id: str, **extra: Any) -> dict[str, Any]:
    stored = {
        "id": view_id,
        "team_id": TEAM_ID,
        "type": view["type"],
        "blocks": view.get("blocks", []),
        "private_metadata": view.get("private_metadata", ""),
        "callback_id": view.get("callback_id", ""),
        "state": {"values": {}},
        "hash": f"{int(time.time())}.{ws.next_id('h')}",
        "title": view.get("title"),
        "clear_on_close": bool(view.get("clear_on_close", False)),
        "notify_on_close": bool(view.get("notify_on_close", False)),
        "close": view.get("close"),
        "submit": view.get("submit"),
        "previous_view_id": None,
        "root_view_id": view_id,
        "app_id": APP_ID,
        "external_id": view.get("external_id", ""),
        "bot_id": BOT_ID,
        **extra,
    }
    ws.views[view_id] = stored
    return {"view": copy.deepcopy(stored)}


def _external_id_free(ws: Workspace, view: dict[str, Any], own_id: str | None = None) -> None:
    ext = view.get("external_id")
    if ext and any(v["external_id"] == ext and v["id"] != own_id for v in ws.views.values()):
        raise SlackError("duplicate_external_id")


@_method("views.open")
def views_open(ws: Workspace, p: Params) -> dict[str, Any]:
    """Open a modal for a trigger_id."""
    trigger = _take_trigger(ws, p)
    view = _checked_view(p)
    if view["type"] != "modal":
        raise SlackError(
            "invalid_arguments",
            response_metadata={"messages": ["[ERROR] must be modal [json-pointer:/view/type]"]},
        )
    _external_id_free(ws, view)
    ws.used_triggers.add(trigger)
    return _store_view(ws, view, ws.next_id("V"))


@_method("views.push")
def views_push(ws: Workspace, p: Params) -> dict[str, Any]:
    """Push a modal onto the stack."""
    return views_open(ws, p)


@_method("views.update")
def views_update(ws: Workspace, p: Params) -> dict[str, Any]:
    """Replace an open view, by view_id or external_id, honouring `hash`."""
    view_id, ext = _str(p, "view_id"), _str(p, "external_id")
    if not view_id and not ext:
        raise SlackError("invalid_arguments")
    current = (
        ws.views.get(view_id)
        if view_id
        else next((v for v in ws.views.values() if v["external_id"] == ext), None)
    )
    if current is None:
        raise SlackError("not_found")
    if _str(p, "hash") and _str(p, "hash") != current["hash"]:
        raise SlackError("hash_conflict")
    view = _checked_view(p)
    _external_id_free(ws, view, current["id"])
    return _store_view(
        ws,
        view,
        current["id"],
        root_view_id=current["root_view_id"],
        previous_view_id=current["previous_view_id"],
    )


@_method("views.publish")
def views_publish(ws: Workspace, p: Params) -> dict[str, Any]:
    """Publish a user's Home tab."""
    user_id = _required(p, "user_id")
    _user(ws, user_id)
    view = _checked_view(p)
    if view["type"] != "home":
        raise SlackError(
            "invalid_arguments",
            response_metadata={"messages": ["[ERROR] must be home [json-pointer:/view/type]"]},
        )
    view_id = ws.home_views.get(user_id)
    if view_id and _str(p, "hash") and _str(p, "hash") != ws.views[view_id]["hash"]:
        raise SlackError("hash_conflict")
    view_id = view_id or ws.next_id("V")
    ws.home_views[user_id] = view_id
    return _store_view(ws, view, view_id)
