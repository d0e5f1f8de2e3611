"""A local fake of the Slack Web API: real HTTP on loopback, Slack's rules, inspectable state.

`slack_sdk.WebClient(base_url=fake.api_url, token="xoxb-...")` talks to it unchanged.

This module holds the server (`FakeSlack`: set-up, inspection, request handling, injected failures) and
its HTTP handler. The workspace state lives in fake_workspace and the Web API methods in fake_methods and
the modules that register into it; the names other code imports from here are re-exported.
"""

from __future__ import annotations

import copy
import json
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from typing import Any, TypeVar
from urllib.parse import urlsplit

# fake_conversations, fake_messages, fake_views and fake_usergroups register their methods in METHODS.
from bot.sandbox import fake_conversations, fake_files, fake_messages, fake_views  # noqa: F401
from bot.sandbox.block_kit_rules import validate_message_blocks
from bot.sandbox.fake_methods import METHODS, decode_params
from bot.sandbox.fake_usergroups import new_usergroup
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
    user_record,
)
from bot.sandbox.loopback import LoopbackServer

__all__ = [
    "BOT_ID",
    "BOT_NAME",
    "BOT_USER_ID",
    "RESPONSE_URL_USES",
    "TEAM_ID",
    "TEAM_NAME",
    "TEAM_URL",
    "TOKEN_PREFIXES",
    "ApiCall",
    "Channel",
    "FakeSlack",
    "SlackError",
    "Workspace",
]

TOKEN_PREFIXES = ("xoxb-", "xoxp-", "xapp-")
T = TypeVar("T")
RESPONSE_URL_USES = 5  # Slack accepts up to five posts to one response_url.
UPLOAD_PATH = "/upload/"  # where files.getUploadURLExternal sends a file's bytes


@dataclass(frozen=True)
class ApiCall:
    """One recorded Web API call (the token is never recorded)."""

    method: str
    params: dict[str, Any]
    ok: bool
    error: str | None
    at: float


@dataclass
class _Failure:
    status: int
    error: str | None
    retry_after: int | None
    remaining: int


class FakeSlack(LoopbackServer):
    """The fake Slack server. Use as `with FakeSlack() as fake:` and point WebClient at `fake.api_url`."""

    def __init__(self, latency: float = 0.0) -> None:
        super().__init__()
        self._methods = METHODS
        self._decode = decode_params
        self.latency = latency
        self._lock = threading.Lock()
        self._ws = Workspace()
        self._calls: list[ApiCall] = []
        self._failures: dict[str, list[_Failure]] = {}
        self._drops: dict[str, int] = {}
        self._timeouts: dict[str, int] = {}

    def start(self) -> FakeSlack:
        """Serve on loopback; uploads then go to this server's /upload/ route."""
        super().start()
        with self._lock:
            self._ws.upload_base = self.base_url + UPLOAD_PATH
        return self

    @property
    def api_url(self) -> str:
        """Base URL for `WebClient(base_url=...)`."""
        return self.base_url + "/api/"

    # -- test set-up ------------------------------------------------------------------------------

    def add_user(
        self,
        user_id: str,
        name: str,
        real_name: str,
        title: str = "",
        *,
        is_bot: bool = False,
        deleted: bool = False,
    ) -> None:
        """Add a person (or, `is_bot`, another app's bot user) to the workspace (and to #general, as Slack
        does); `deleted`: a deactivated account."""
        with self._lock:
            self._ws.users[user_id] = user_record(
                user_id, name, real_name, title, is_bot=is_bot, deleted=deleted
            )
            self._ws.channels["C0GENERAL"].members.add(user_id)

    def add_channel(
        self,
        name: str,
        *,
        is_private: bool = False,
        bot_member: bool = True,
        members: Iterable[str] = (),
        ext_shared: bool = False,
    ) -> str:
        """Create a channel directly (no API call); returns its id. `ext_shared`: a Slack Connect channel."""
        with self._lock:
            channel_id = self._ws.next_id("C")
            wanted = set(members) | ({BOT_USER_ID} if bot_member else set())
            channel = self._ws.make_channel(channel_id, name, "U0ANA", is_private=is_private, members=wanted)
            channel.is_ext_shared = ext_shared
            self._ws.channels[channel_id] = channel
            return channel_id

    def add_message(self, channel_id: str, user_id: str, text: str, thread_ts: str | None = None) -> str:
        """Simulate a human posting (no API call, no rules); returns the new ts."""
        with self._lock:
            ch = self._ws.channels[channel_id]
            msg: dict[str, Any] = {"type": "message", "user": user_id, "text": text, "ts": self._ws.next_ts()}
            self._ws.append(ch, msg, ch.find(thread_ts) if thread_ts else None)
            return str(msg["ts"])

    def use_socket_mode(self, url: str) -> None:
        """`apps.connections.open` hands out `url` (a FakeSocketMode's) from now on."""
        with self._lock:
            self._ws.socket_url = url

    @property
    def socket_opens(self) -> int:
        """How many times the app asked for a Socket Mode connection."""
        return self._read(lambda ws: ws.socket_opens)

    def without_canvases(self) -> None:
        """A workspace on a Slack tier without channel canvases (conversations.canvases.create refuses)."""
        with self._lock:
            self._ws.canvases_enabled = False

    def files(self) -> list[dict[str, Any]]:
        """Every file reserved, with its bytes (`content`, None until uploaded)."""
        return self._read(lambda ws: list(ws.files.values()))

    def canvas(self, channel_id: str) -> dict[str, Any] | None:
        """The channel's canvas (id, title, markdown), if one was made."""
        return self._read(lambda ws: ws.canvases.get(channel_id))

    def channel_archived_by_hand(self, channel_id: str) -> None:
        """A person archives a channel in Slack (no API call from warroom)."""
        with self._lock:
            self._ws.channels[channel_id].is_archived = True

    def add_usergroup(self, handle: str, users: Iterable[str], name: str = "") -> str:
        """Create a user group (`@handle`) directly (no API call); returns its id, e.g. S00000007."""
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

    def drop_after_acting(self, method: str, *, times: int = 1) -> None:
        """Make the next `times` calls to `method` take effect, then lose the answer: the connection closes
        before Slack replies, as when a network drops after Slack acted."""
        with self._lock:
            self._drops[method] = self._drops.get(method, 0) + times

    def time_out_next(self, method: str, *, times: int = 1) -> None:
        """Make the next `times` calls to `method` answer too late to be heard, without taking effect
        (Slack was too slow, then gave up): the client sees a timeout."""
        with self._lock:
            self._timeouts[method] = self._timeouts.get(method, 0) + times

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
            if self._timeouts.get(method):
                self._timeouts[method] -= 1
                self._record(method, params, False, "timeout")
                return TIMED_OUT
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
            if self._drops.get(method):
                self._drops[method] -= 1
                return DROPPED
        return _json_reply(200, body)

    def handle_upload(self, file_id: str, raw: bytes) -> _Reply:
        """The bytes of a file reserved with files.getUploadURLExternal (Slack answers 200 "OK")."""
        with self._lock:
            ok = fake_files.receive_upload(self._ws, file_id, raw)
        return (
            (200, {"Content-Type": "text/plain"}, b"OK - " + str(len(raw)).encode())
            if ok
            else (400, {"Content-Type": "text/plain"}, b"bad upload")
        )

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


# The answer of a call whose connection dropped after it took effect: nothing reaches the client.
DROPPED: _Reply = (0, {}, b"")
# The answer of a call that took too long: the client's timeout fires first.
TIMED_OUT: _Reply = (0, {}, b"timeout")


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
    # Keep-alive, as Slack's API servers: the bot's client reuses its connections. An idle connection is
    # closed after `timeout` s; the client sees that one was closed before it reuses it (urllib3 checks).
    protocol_version = "HTTP/1.1"
    timeout = 30
    disable_nagle_algorithm = True  # headers and body are two writes: send each at once, as Slack does

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
        elif parts.path.startswith(UPLOAD_PATH):
            reply = fake.handle_upload(parts.path[len(UPLOAD_PATH) :], raw)
        else:
            reply = _json_reply(404, {"ok": False, "error": "not_found"})
        if reply is DROPPED or reply is TIMED_OUT:  # the connection closes without an answer
            self.close_connection = True
            return
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
