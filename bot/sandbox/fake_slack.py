"""A local fake of the Slack Web API: real HTTP on loopback, Slack's rules, inspectable state.

`slack_sdk.WebClient(base_url=fake.api_url, token="xoxb-...")` talks to it unchanged.
"""

from __future__ import annotations

import copy
import json
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from typing import Any, TypeVar
from urllib.parse import urlsplit

from bot.sandbox.block_kit_rules import validate_message_blocks
from bot.sandbox.loopback import LoopbackServer

TEAM_ID = "T0WARROOM"
TEAM_NAME = "Warroom Sandbox"
TEAM_URL = "https://warroom-sandbox.slack.com/"
BOT_USER_ID = "U0WARROOM"
BOT_ID = "B0WARROOM"
BOT_NAME = "warroom"
TOKEN_PREFIXES = ("xoxb-", "xoxp-", "xapp-")
T = TypeVar("T")
RESPONSE_URL_USES = 5  # Slack accepts up to five posts to one response_url.

_HUMANS = (
    ("U0ANA", "ana", "Ana Lima", "Support Lead"),
    ("U0BEN", "ben", "Ben Ortiz", "Support Engineer"),
    ("U0CHLOE", "chloe", "Chloe Park", "Engineering Manager"),
    ("U0DAVE", "dave", "Dave Iyer", "Customer Success Manager"),
)
_CHANNELS = (
    ("C0GENERAL", "general", True),
    ("C0SUPPORT", "support", True),
    ("C0ESCALATIONS", "escalations", True),
    ("C0LEADERSHIP", "support-leadership", True),
    ("C0RANDOM", "random", False),
)


class SlackError(Exception):
    """A Slack API error: becomes `{"ok": false, "error": code, **extra}`."""

    def __init__(self, code: str, **extra: Any) -> None:
        super().__init__(code)
        self.code = code
        self.extra = extra

    def body(self) -> dict[str, Any]:
        """The JSON body Slack would send."""
        return {"ok": False, "error": self.code, **self.extra}


@dataclass(frozen=True)
class ApiCall:
    """One recorded Web API call (the token is never recorded)."""

    method: str
    params: dict[str, Any]
    ok: bool
    error: str | None
    at: float


@dataclass
class Channel:
    """A conversation: public/private channel or a bot DM (`is_im`)."""

    id: str
    name: str
    created: int
    creator: str
    is_private: bool = False
    is_im: bool = False
    is_archived: bool = False
    topic: dict[str, Any] = field(default_factory=dict)
    purpose: dict[str, Any] = field(default_factory=dict)
    members: set[str] = field(default_factory=set)
    messages: list[dict[str, Any]] = field(default_factory=list)  # posting order, replies included
    pins: list[str] = field(default_factory=list)
    bookmarks: list[dict[str, Any]] = field(default_factory=list)

    def to_api(self) -> dict[str, Any]:
        """The channel object Slack returns."""
        if self.is_im:
            user = next(iter(self.members - {BOT_USER_ID}), BOT_USER_ID)
            return {
                "id": self.id,
                "created": self.created,
                "is_im": True,
                "is_org_shared": False,
                "user": user,
                "is_archived": False,
            }
        return {
            "id": self.id,
            "name": self.name,
            "name_normalized": self.name,
            "is_channel": True,
            "is_group": False,
            "is_im": False,
            "is_mpim": False,
            "is_private": self.is_private,
            "created": self.created,
            "creator": self.creator,
            "is_archived": self.is_archived,
            "is_general": self.id == "C0GENERAL",
            "is_member": BOT_USER_ID in self.members,
            "topic": dict(self.topic),
            "purpose": dict(self.purpose),
            "num_members": len(self.members),
            "previous_names": [],
        }

    def find(self, ts: object) -> dict[str, Any] | None:
        """The message with this ts, if any."""
        return next((m for m in self.messages if m["ts"] == ts), None)


class Workspace:
    """All mutable workspace state. Callers hold FakeSlack's lock."""

    def __init__(self) -> None:
        self.started = int(time.time())
        self._ts_micros = self.started * 1_000_000
        self._ids = 0
        self.users: dict[str, dict[str, Any]] = {}
        self.channels: dict[str, Channel] = {}
        self.views: dict[str, dict[str, Any]] = {}
        self.home_views: dict[str, str] = {}  # user id -> view id
        self.used_triggers: set[str] = set()
        self.edits: dict[tuple[str, str], int] = {}
        self.ephemerals: list[dict[str, Any]] = []
        self.response_uses: dict[str, int] = {}
        self.responses: list[tuple[str, dict[str, Any]]] = []
        self.usergroups: dict[str, dict[str, Any]] = {}  # id -> record; see fake_usergroups
        self.users[BOT_USER_ID] = _user(BOT_USER_ID, BOT_NAME, "Warroom", "", is_bot=True)
        for user_id, name, real_name, title in _HUMANS:
            self.users[user_id] = _user(user_id, name, real_name, title)
        humans = [h[0] for h in _HUMANS]
        for channel_id, name, bot_member in _CHANNELS:
            members = set(humans) | ({BOT_USER_ID} if bot_member else set())
            self.channels[channel_id] = self.make_channel(channel_id, name, "U0ANA", members=members)

    def next_ts(self) -> str:
        """A unique, strictly increasing message timestamp."""
        self._ts_micros += 100
        return f"{self._ts_micros // 1_000_000}.{self._ts_micros % 1_000_000:06d}"

    def next_id(self, prefix: str) -> str:
        """A fresh object id such as C00000001."""
        self._ids += 1
        return f"{prefix}{self._ids:08d}"

    def make_channel(
        self,
        channel_id: str,
        name: str,
        creator: str,
        *,
        is_private: bool = False,
        is_im: bool = False,
        members: Iterable[str] = (),
    ) -> Channel:
        """Build (but do not register) a channel."""
        empty = {"value": "", "creator": "", "last_set": 0}
        return Channel(
            id=channel_id,
            name=name,
            created=int(time.time()),
            creator=creator,
            is_private=is_private,
            is_im=is_im,
            topic=dict(empty),
            purpose=dict(empty),
            members=set(members),
        )

    def channel(self, channel_id: object) -> Channel:
        """The channel visible to the bot with this id, or SlackError channel_not_found."""
        ch = self.channels.get(channel_id) if isinstance(channel_id, str) else None
        if ch is None or (ch.is_private and BOT_USER_ID not in ch.members):
            raise SlackError("channel_not_found")
        return ch

    def by_name(self, name: str) -> Channel | None:
        """The non-DM channel with this name, archived or not."""
        return next((c for c in self.channels.values() if c.name == name and not c.is_im), None)

    def append(self, ch: Channel, msg: dict[str, Any], parent: dict[str, Any] | None) -> None:
        """Store a message, threading it under `parent` and keeping the parent's reply stats."""
        if parent is not None:
            msg["thread_ts"] = parent["thread_ts"] = parent["ts"]
            msg["parent_user_id"] = parent["user"]
            parent["reply_count"] = parent.get("reply_count", 0) + 1
            parent["reply_users"] = sorted({*parent.get("reply_users", []), msg["user"]})
            parent["reply_users_count"] = len(parent["reply_users"])
            parent["latest_reply"] = msg["ts"]
        ch.messages.append(msg)

    def find_dm(self, user_id: str) -> Channel | None:
        """The bot's DM with a user, if opened."""
        pair = {BOT_USER_ID, user_id}
        return next((c for c in self.channels.values() if c.is_im and c.members == pair), None)

    def dm_with(self, user_id: str) -> Channel:
        """The bot's DM with a user, opened on first use."""
        if (ch := self.find_dm(user_id)) is not None:
            return ch
        ch = self.make_channel(
            self.next_id("D"),
            user_id,
            BOT_USER_ID,
            is_im=True,
            is_private=True,
            members={BOT_USER_ID, user_id},
        )
        self.channels[ch.id] = ch
        return ch


def _user(user_id: str, name: str, real_name: str, title: str, *, is_bot: bool = False) -> dict[str, Any]:
    profile = {"real_name": real_name, "display_name": name, "title": title}
    return {
        "id": user_id,
        "team_id": TEAM_ID,
        "name": name,
        "real_name": real_name,
        "profile": profile,
        "is_bot": is_bot,
        "deleted": False,
        "tz": "UTC",
        "is_admin": False,
        "is_app_user": False,
    }


@dataclass
class _Failure:
    status: int
    error: str | None
    retry_after: int | None
    remaining: int


class FakeSlack(LoopbackServer):
    """The fake Slack server. Use as `with FakeSlack() as fake:` and point WebClient at `fake.api_url`."""

    def __init__(self, latency: float = 0.0) -> None:
        from bot.sandbox import fake_usergroups  # noqa: F401  (registers its methods in METHODS)
        from bot.sandbox.fake_methods import METHODS, decode_params  # fake_methods imports this module

        super().__init__()
        self._methods = METHODS
        self._decode = decode_params
        self.latency = latency
        self._lock = threading.Lock()
        self._ws = Workspace()
        self._calls: list[ApiCall] = []
        self._failures: dict[str, list[_Failure]] = {}

    @property
    def api_url(self) -> str:
        """Base URL for `WebClient(base_url=...)`."""
        return self.base_url + "/api/"

    # -- test set-up ------------------------------------------------------------------------------

    def add_user(self, user_id: str, name: str, real_name: str, title: str = "") -> None:
        """Add a human to the workspace (and to #general, as Slack does)."""
        with self._lock:
            self._ws.users[user_id] = _user(user_id, name, real_name, title)
            self._ws.channels["C0GENERAL"].members.add(user_id)

    def add_channel(
        self, name: str, *, is_private: bool = False, bot_member: bool = True, members: Iterable[str] = ()
    ) -> str:
        """Create a channel directly (no API call); returns its id."""
        with self._lock:
            channel_id = self._ws.next_id("C")
            wanted = set(members) | ({BOT_USER_ID} if bot_member else set())
            self._ws.channels[channel_id] = self._ws.make_channel(
                channel_id, name, "U0ANA", is_private=is_private, members=wanted
            )
            return channel_id

    def add_message(self, channel_id: str, user_id: str, text: str, thread_ts: str | None = None) -> str:
        """Simulate a human posting (no API call, no rules); returns the new ts."""
        with self._lock:
            ch = self._ws.channels[channel_id]
            msg: dict[str, Any] = {"type": "message", "user": user_id, "text": text, "ts": self._ws.next_ts()}
            self._ws.append(ch, msg, ch.find(thread_ts) if thread_ts else None)
            return str(msg["ts"])

    def add_usergroup(self, handle: str, users: Iterable[str], name: str = "") -> str:
        """Create a user group (`@handle`) directly (no API call); returns its id, e.g. S00000007."""
        from bot.sandbox.fake_usergroups import new_usergroup  # it imports this module

        with self._lock:
            return str(new_usergroup(self._ws, handle, users, name)["id"])

    def fail_next(
        self,
        method: str,
        *,
        status: int = 200,
        error: str | None = None,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """Make the next `times` calls to `method` fail without touching state."""
        if status == 200 and error is None:
            raise ValueError("fail_next needs a non-200 status or an error code")
        if status == 429 and error is None:
            error = "ratelimited"
        with self._lock:
            self._failures.setdefault(method, []).append(_Failure(status, error, retry_after, times))

    def new_response_url(self) -> str:
        """A fresh response_url that records what is posted to it."""
        with self._lock:
            token = self._ws.next_id("R")
            self._ws.response_uses[token] = 0
        return f"{self.base_url}/response/{token}"

    # -- inspection (copies, never internal structures) --------------------------------------------

    @property
    def calls(self) -> list[ApiCall]:
        """Every API call so far, in order."""
        with self._lock:
            return [replace(c, params=copy.deepcopy(c.params)) for c in self._calls]

    def calls_to(self, method: str) -> list[ApiCall]:
        """Calls to one method."""
        return [c for c in self.calls if c.method == method]

    def reset_calls(self) -> None:
        """Forget recorded calls."""
        with self._lock:
            self._calls.clear()

    def _read(self, fn: Callable[[Workspace], T]) -> T:
        """Run `fn` on the workspace under the lock and return a deep copy of its result."""
        with self._lock:
            return copy.deepcopy(fn(self._ws))

    def channel(self, channel_id: str) -> dict[str, Any]:
        """Slack's channel object for an id (KeyError if unknown)."""
        return self._read(lambda ws: ws.channels[channel_id].to_api())

    def find_channel(self, name: str) -> dict[str, Any] | None:
        """The channel object with this name (archived or not), or None."""
        return self._read(lambda ws: (ch := ws.by_name(name.lstrip("#"))) and ch.to_api())

    def user_name(self, user_id: str) -> str | None:
        """The handle (`ana`) of a user id, or None if unknown."""
        return self._read(lambda ws: (ws.users.get(user_id) or {}).get("name"))

    def dm_channel(self, user_id: str) -> str | None:
        """Id of the bot's DM with a user, if one was opened."""
        return self._read(lambda ws: getattr(ws.find_dm(user_id), "id", None))

    def messages(self, channel_id: str) -> list[dict[str, Any]]:
        """All messages oldest first, thread replies included (they carry `thread_ts`)."""
        return self._read(lambda ws: ws.channels[channel_id].messages)

    def thread(self, channel_id: str, ts: str) -> list[dict[str, Any]]:
        """A thread's parent and replies, in order."""
        return [m for m in self.messages(channel_id) if m["ts"] == ts or m.get("thread_ts") == ts]

    def edit_count(self, channel_id: str, ts: str) -> int:
        """How many times chat.update changed a message."""
        return self._read(lambda ws: ws.edits.get((channel_id, ts), 0))

    def pins(self, channel_id: str) -> list[str]:
        """Pinned message timestamps, in pin order."""
        return self._read(lambda ws: ws.channels[channel_id].pins)

    def topic(self, channel_id: str) -> str:
        """The channel topic text."""
        return self._read(lambda ws: str(ws.channels[channel_id].topic["value"]))

    def members(self, channel_id: str) -> set[str]:
        """Member user ids."""
        return self._read(lambda ws: ws.channels[channel_id].members)

    def bookmarks(self, channel_id: str) -> list[dict[str, Any]]:
        """Bookmarks in a channel."""
        return self._read(lambda ws: ws.channels[channel_id].bookmarks)

    @property
    def views(self) -> dict[str, dict[str, Any]]:
        """Open/published views by id."""
        return self._read(lambda ws: ws.views)

    @property
    def ephemerals(self) -> list[dict[str, Any]]:
        """chat.postEphemeral messages."""
        return self._read(lambda ws: ws.ephemerals)

    @property
    def responses(self) -> list[tuple[str, dict[str, Any]]]:
        """(url token, JSON body) for every accepted post to a response_url."""
        return self._read(lambda ws: ws.responses)

    # -- request handling (called from server threads) ---------------------------------------------

    def handle_api(self, method: str, token: str | None, params: dict[str, Any]) -> _Reply:
        """Answer one Web API call."""
        token = token or _as_str(params.pop("token", None))
        if self.latency > 0:
            time.sleep(self.latency)
        with self._lock:
            failure = self._take_failure(method)
            if failure is not None:
                reply = _failure_reply(failure)
                self._record(method, params, False, failure.error or f"http_{failure.status}")
                return reply
            if not token:
                body: dict[str, Any] = {"ok": False, "error": "not_authed"}
            elif not token.startswith(TOKEN_PREFIXES):
                body = {"ok": False, "error": "invalid_auth"}
            elif method not in self._methods:
                body = {"ok": False, "error": "unknown_method"}
            else:
                try:
                    body = {"ok": True, **self._methods[method](self._ws, params)}
                except SlackError as e:
                    body = e.body()
                except Exception as e:  # a bug in the fake itself: surface it, don't hang the client
                    body = {"ok": False, "error": "fatal_error", "detail": f"{type(e).__name__}: {e}"}
            self._record(method, params, bool(body["ok"]), body.get("error"))
        return _json_reply(200, body)

    def handle_response(self, url_token: str, raw: bytes) -> _Reply:
        """Record a post to a response_url."""
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            return _json_reply(400, {"ok": False, "error": "invalid_payload"})
        if not isinstance(body, dict):
            return _json_reply(400, {"ok": False, "error": "invalid_payload"})
        with self._lock:
            uses = self._ws.response_uses.get(url_token)
            if uses is None:
                return _json_reply(404, {"ok": False, "error": "no_active_hooks"})
            if uses >= RESPONSE_URL_USES:
                return _json_reply(404, {"ok": False, "error": "used_url"})
            errors = validate_message_blocks(body["blocks"]) if "blocks" in body else []
            if errors:
                return _json_reply(400, {"ok": False, "error": "invalid_blocks", "errors": errors})
            self._ws.response_uses[url_token] = uses + 1
            self._ws.responses.append((url_token, body))
        return _json_reply(200, {"ok": True})

    def _take_failure(self, method: str) -> _Failure | None:
        queue = self._failures.get(method)
        if not queue:
            return None
        failure = queue[0]
        failure.remaining -= 1
        if failure.remaining <= 0:
            queue.pop(0)
        return failure

    def _record(self, method: str, params: dict[str, Any], ok: bool, error: str | None) -> None:
        self._calls.append(ApiCall(method, copy.deepcopy(params), ok, error, time.time()))


_Reply = tuple[int, dict[str, str], bytes]


def _json_reply(status: int, body: dict[str, Any]) -> _Reply:
    return status, {"Content-Type": "application/json; charset=utf-8"}, json.dumps(body).encode()


def _failure_reply(f: _Failure) -> _Reply:
    if f.status == 200:
        return _json_reply(200, {"ok": False, "error": f.error})
    if f.status == 429:
        status, headers, body = _json_reply(429, {"ok": False, "error": f.error or "ratelimited"})
        retry_after = f.retry_after if f.retry_after is not None else 1
        return status, {**headers, "Retry-After": str(retry_after)}, body
    text = f.error or HTTPStatus(f.status).phrase
    return f.status, {"Content-Type": "text/plain; charset=utf-8"}, text.encode()


def _as_str(value: object) -> str | None:
    return value if isinstance(value, str) else None


class _Handler(BaseHTTPRequestHandler):
    """Routes /api/<method> and /response/<token> to the FakeSlack that owns the server."""

    server_version = "FakeSlack/1.0"

    def do_POST(self) -> None:
        self._dispatch()

    def do_GET(self) -> None:
        self._dispatch()

    def _dispatch(self) -> None:
        fake: FakeSlack = self.server.fake  # type: ignore[attr-defined]
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if parts.path.startswith("/api/"):
            params = fake._decode(self.headers.get("Content-Type", ""), parts.query, raw)
            method = parts.path[len("/api/") :]
            auth = self.headers.get("Authorization", "")
            token = auth[len("Bearer ") :].strip() if auth.startswith("Bearer ") else None
            if params is None:
                reply = _json_reply(200, {"ok": False, "error": "invalid_json"})
            else:
                reply = fake.handle_api(method, token, params)
        elif parts.path.startswith("/response/"):
            reply = fake.handle_response(parts.path[len("/response/") :], raw)
        else:
            reply = _json_reply(404, {"ok": False, "error": "not_found"})
        status, headers, body = reply
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the default per-request stderr log."""


# The request handler is defined below the class that serves it.
FakeSlack.handler, FakeSlack.thread_name = _Handler, "fake-slack"
