"""FakeSlack's channel methods: conversations.* (create, invite, topic and purpose, info, list, join,
members, rename, archive, history, replies) and the channel-level bookmarks.*.

Importing this module registers them in `fake_methods.METHODS`; FakeSlack imports it where it reads
METHODS.
"""

from __future__ import annotations

import copy
import time
from typing import Any

from blocks import limits as L
from bot.sandbox.block_kit_rules import validate_channel_name
from bot.sandbox.fake_methods import (
    APP_ID,
    Params,
    _flag,
    _member_channel,
    _message,
    _method,
    _page,
    _str,
    _writable,
)
from bot.sandbox.fake_workspace import BOT_USER_ID, TEAM_ID, SlackError, Workspace

# -- conversations ------------------------------------------------------------------------------------


def _new_name(ws: Workspace, name: str) -> None:
    error = validate_channel_name(name)
    if error:
        raise SlackError(error)
    if ws.by_name(name) is not None:
        raise SlackError("name_taken")


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


@_method("conversations.open")
def conversations_open(ws: Workspace, p: Params) -> dict[str, Any]:
    """The bot's DM with one user (opened if new)."""
    users = [u for u in _str(p, "users").split(",") if u]
    if len(users) != 1:
        raise SlackError("not_implemented" if users else "users_list_not_supplied")
    if users[0] not in ws.users or users[0] == BOT_USER_ID:
        raise SlackError("user_not_found")
    return {"channel": {"id": ws.dm_with(users[0]).id}}


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


# -- bookmarks -----------------------------------------------------------------------------------------


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
