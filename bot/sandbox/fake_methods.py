"""The Web API method registry for FakeSlack, the argument helpers its handlers share, and the
apps/auth/users methods.

Each handler takes (workspace, params) under the lock and returns the response fields after `ok`, or
raises SlackError. Handlers validate everything before mutating, so a failed call never changes state.
Handlers register themselves in METHODS with `@_method(name)`. The other method families live in
fake_conversations (conversations.*, bookmarks.*), fake_messages (chat.*, pins.*, reactions.*),
fake_views (views.*) and fake_usergroups (usergroups.*); FakeSlack imports each of them where it reads
METHODS.
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

from bot.sandbox.fake_workspace import (
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


def _user(ws: Workspace, user_id: str) -> dict[str, Any]:
    if user_id not in ws.users:
        raise SlackError("user_not_found")
    return copy.deepcopy(ws.users[user_id])


# -- auth / users -----------------------------------------------------------------------------------


@_method("apps.connections.open")
def apps_connections_open(ws: Workspace, p: Params) -> dict[str, Any]:
    """A Socket Mode WebSocket URL: the sandbox's fake endpoint once one is started (FakeSocketMode),
    else one nothing answers at."""
    ws.socket_opens += 1
    return {"url": ws.socket_url or "ws://127.0.0.1:9/socket-mode-not-started"}


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
