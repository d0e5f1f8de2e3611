"""A local fake of the Anthropic Messages API: real HTTP on loopback, scripted replies, SSE streaming.

`anthropic.Anthropic(api_key="sk-ant-test", base_url=fake.base_url)` talks to it unchanged, so the SDK's own
request building, retries, timeouts and SSE decoding all run. Tokens are approximated as 4 characters.
"""

from __future__ import annotations

import copy
import hashlib
import json
import select
import socket
import sys
import threading
import uuid
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from bot.sandbox.loopback import LoopbackServer

CHARS_PER_TOKEN = 4
DEFAULT_TEXT = "OK"
REDACTED = "<redacted>"
MESSAGES_PATH = "/v1/messages"
ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    404: "not_found_error",
    429: "rate_limit_error",
    500: "api_error",
    529: "overloaded_error",
}
_SECRET_HEADERS = frozenset({"x-api-key", "authorization"})
Event = tuple[str, dict[str, Any]]


@dataclass(frozen=True)
class MessagesRequest:
    """One recorded POST /v1/messages (credential header values redacted; `body` is `{}` if unparsable)."""

    body: dict[str, Any]
    headers: dict[str, str]
    streamed: bool


@dataclass(frozen=True)
class _Reply:
    text: str | None = None
    tool_input: dict[str, Any] | None = None
    tool_name: str | None = None


@dataclass(frozen=True)
class _Failure:
    status: int
    headers: dict[str, str]
    body: dict[str, Any]


class _ApiError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class FakeAnthropic(LoopbackServer):
    """The fake API server. Use as `with FakeAnthropic() as fake:` and pass `base_url=fake.base_url`.

    `tokens_per_second` paces streamed deltas (one ~4-character token each) and delays non-streamed
    replies by their full generation time; `None` answers at once.
    """

    def __init__(self, *, tokens_per_second: float | None = None) -> None:
        if tokens_per_second is not None and tokens_per_second <= 0:
            raise ValueError("tokens_per_second must be positive")
        super().__init__()
        self.tokens_per_second = tokens_per_second
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._requests: list[MessagesRequest] = []
        self._replies: deque[_Reply] = deque()
        self._failures: deque[_Failure] = deque()
        self._delays: deque[float] = deque()
        self._cached_prefixes: set[str] = set()

    def _before_start(self) -> None:
        self._stopping.clear()

    def _before_stop(self) -> None:
        self._stopping.set()  # wakes delayed or paced responses so shutdown is immediate

    # -- scripting --------------------------------------------------------------------------------

    def reply_with(
        self,
        text: str | None = None,
        *,
        tool_input: dict[str, Any] | None = None,
        tool_name: str | None = None,
    ) -> None:
        """Queue one reply: a text block, or a `tool_use` block (name defaults to the forced tool)."""
        if (text is None) == (tool_input is None):
            raise ValueError("pass exactly one of text or tool_input")
        if tool_name is not None and tool_input is None:
            raise ValueError("tool_name needs tool_input")
        with self._lock:
            self._replies.append(_Reply(text, copy.deepcopy(tool_input), tool_name))

    def fail_next(
        self,
        status: int,
        *,
        times: int = 1,
        error_type: str | None = None,
        retry_after: float | None = None,
        should_retry: bool | None = None,
    ) -> None:
        """The next `times` requests get `status` with Anthropic's error JSON.

        `error_type` defaults from the status (529 overloaded_error, 500 api_error, 429 rate_limit_error...);
        `retry_after` sets the `retry-after` header (seconds; the SDK honours floats > 0) and
        `should_retry` the `x-should-retry` header, which overrides the SDK's status-based retry rule.
        """
        kind = error_type or ERROR_TYPES.get(
            status, "api_error" if status >= 500 else "invalid_request_error"
        )
        headers = {"retry-after": f"{retry_after:g}"} if retry_after is not None else {}
        if should_retry is not None:
            headers["x-should-retry"] = "true" if should_retry else "false"
        body = _error_body(kind, "Overloaded" if kind == "overloaded_error" else f"Injected {status} failure")
        with self._lock:
            self._failures.extend([_Failure(status, headers, body)] * times)

    def delay_next(self, seconds: float, times: int = 1) -> None:
        """The next `times` requests wait `seconds` before answering (a client that gave up gets nothing)."""
        with self._lock:
            self._delays.extend([seconds] * times)

    def reset(self) -> None:
        """Forget queued replies, failures, delays, recorded requests and the prompt cache."""
        with self._lock:
            self._replies.clear()
            self._failures.clear()
            self._delays.clear()
            self._requests.clear()
            self._cached_prefixes.clear()

    @property
    def requests(self) -> list[MessagesRequest]:
        """Every request to /v1/messages so far, in arrival order (failed and delayed ones included)."""
        with self._lock:
            return list(self._requests)

    # -- serving ----------------------------------------------------------------------------------

    def _serve(self, handler: _Handler, headers: dict[str, str], raw: bytes) -> None:
        body = _parse_object(raw)
        streamed = body is not None and body.get("stream") is True
        redacted = {k: (REDACTED if k in _SECRET_HEADERS else v) for k, v in headers.items()}
        with self._lock:
            self._requests.append(MessagesRequest(copy.deepcopy(body or {}), redacted, streamed))
            delay = self._delays.popleft() if self._delays else 0.0
            failure = self._failures.popleft() if self._failures else None
        if delay > 0:
            self._stopping.wait(delay)
            if handler.client_gone():
                return
        if failure is not None:
            handler.send_json(failure.status, failure.body, failure.headers)
            return
        try:
            request = _validate(headers, body)
        except _ApiError as err:
            handler.send_json(err.status, _error_body(ERROR_TYPES[err.status], err.message))
            return
        with self._lock:
            reply = self._replies.popleft() if self._replies else None
            usage = self._usage(request)
        message = _build_message(request, reply, usage)
        tps = self.tokens_per_second
        if streamed:
            handler.send_events(_stream_events(message), 1 / tps if tps else 0.0, self._stopping)
        else:
            if tps:
                self._stopping.wait(message["usage"]["output_tokens"] / tps)
            handler.send_json(200, message)

    def _usage(self, body: dict[str, Any]) -> dict[str, Any]:
        """Token counts; a cache breakpoint's prefix is created on first sight and read afterwards."""
        items = _prefix_items(body)
        points = [i for i, item in enumerate(items) if _is_ephemeral(item.get("cache_control"))]
        if _is_ephemeral(body.get("cache_control")) and items:
            points.append(len(items) - 1)  # automatic caching: breakpoint on the last block
        total = _tokens(json.dumps(body))
        read = created = 0
        if points:
            prefixes = [_prefix(body["model"], items[: i + 1]) for i in sorted(set(points))]
            read = max((n for key, n in prefixes if key in self._cached_prefixes), default=0)
            last_key, last_tokens = prefixes[-1]
            created = 0 if last_key in self._cached_prefixes else max(last_tokens - read, 0)
            self._cached_prefixes.update(key for key, _ in prefixes)
            total = max(total, last_tokens + 1)
        return {
            "input_tokens": max(total - read - created, 1),
            "cache_creation_input_tokens": created,
            "cache_read_input_tokens": read,
            "cache_creation": {"ephemeral_5m_input_tokens": created, "ephemeral_1h_input_tokens": 0},
            "service_tier": "standard",
        }


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Stay quiet about clients that hung up (timeouts, closed streams); report real bugs."""
        if not isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    """Routes POST /v1/messages to the FakeAnthropic that owns the server."""

    server_version = "FakeAnthropic/1.0"
    protocol_version = "HTTP/1.1"  # keep-alive, and chunked SSE like the real API

    def do_POST(self) -> None:
        fake: FakeAnthropic = self.server.fake  # type: ignore[attr-defined]
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if urlsplit(self.path).path.rstrip("/") != MESSAGES_PATH:
            self.send_json(404, _error_body("not_found_error", f"Not found: {self.path}"))
            return
        fake._serve(self, {k.lower(): v for k, v in self.headers.items()}, raw)

    def send_json(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        for name, value in {**(headers or {}), "request-id": _new_id("req")}.items():
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def send_events(self, events: Iterable[Event], pause: float, stopping: threading.Event) -> None:
        """Write SSE events as HTTP chunks, pausing `pause` seconds between successive text/JSON deltas."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("request-id", _new_id("req"))
        self.end_headers()
        first_delta = True
        for name, data in events:
            if name == "content_block_delta":
                if not first_delta and pause:
                    stopping.wait(pause)
                first_delta = False
            chunk = f"event: {name}\ndata: {json.dumps(data)}\n\n".encode()
            self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        self.wfile.write(b"0\r\n\r\n")

    def client_gone(self) -> bool:
        """Whether the client closed the connection (e.g. it timed out while we were delayed)."""
        try:
            readable, _, _ = select.select([self.connection], [], [], 0)
            gone = bool(readable) and self.connection.recv(1, socket.MSG_PEEK) == b""
        except OSError:
            gone = True
        if gone:
            self.close_connection = True
        return gone

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the default per-request stderr log."""


# -- request validation and replies ----------------------------------------------------------------


def _validate(headers: dict[str, str], body: dict[str, Any] | None) -> dict[str, Any]:
    bearer = headers.get("authorization", "")
    if not headers.get("x-api-key", "").strip() and not bearer.removeprefix("Bearer ").strip():
        raise _ApiError(401, "x-api-key header is required")
    if not headers.get("anthropic-version"):
        raise _ApiError(400, "anthropic-version: header is required")
    if body is None:
        raise _ApiError(400, "There was an error parsing the body of your request: expected a JSON object")
    for name in ("model", "max_tokens", "messages"):
        if name not in body:
            raise _ApiError(400, f"{name}: Field required")
    if not isinstance(body["model"], str) or not body["model"]:
        raise _ApiError(400, "model: Input should be a valid string")
    max_tokens = body["max_tokens"]
    if not isinstance(max_tokens, int) or isinstance(max_tokens, bool) or max_tokens < 1:
        raise _ApiError(400, "max_tokens: Input should be an integer greater than or equal to 1")
    messages = body["messages"]
    if not isinstance(messages, list) or not messages:
        raise _ApiError(400, "messages: at least one message is required")
    for i, message in enumerate(messages):
        if not isinstance(message, dict) or message.get("role") not in ("user", "assistant"):
            raise _ApiError(400, f"messages.{i}.role: Input should be 'user' or 'assistant'")
        if "content" not in message:
            raise _ApiError(400, f"messages.{i}.content: Field required")
    forced = _forced_tool(body)
    if forced is not None and forced not in _tool_names(body):
        raise _ApiError(400, f"tool_choice.name: tool '{forced}' not found in the provided tools")
    return body


def _build_message(body: dict[str, Any], reply: _Reply | None, usage: dict[str, Any]) -> dict[str, Any]:
    forced = _forced_tool(body)
    if reply is None:
        reply = _Reply(tool_input={}, tool_name=forced) if forced is not None else _Reply(DEFAULT_TEXT)
    if reply.tool_input is not None:
        name = reply.tool_name or forced or next(iter(_tool_names(body)), "tool")
        block = {"type": "tool_use", "id": _new_id("toolu"), "name": name, "input": reply.tool_input}
        stop_reason, output = "tool_use", _tokens(json.dumps(reply.tool_input))
    else:
        pieces = _pieces(reply.text or "")
        stop_reason = "end_turn" if len(pieces) <= body["max_tokens"] else "max_tokens"
        pieces = pieces[: body["max_tokens"]]
        block = {"type": "text", "text": "".join(pieces)}
        output = max(len(pieces), 1)
    return {
        "id": _new_id("msg"),
        "type": "message",
        "role": "assistant",
        "model": body["model"],
        "content": [block],
        "stop_reason": stop_reason,
        "stop_sequence": None,
        "usage": {**usage, "output_tokens": output},
    }


def _stream_events(message: dict[str, Any]) -> list[Event]:
    """The SSE sequence the API sends for `message` (one content block)."""
    usage = message["usage"]
    start = {**message, "content": [], "stop_reason": None, "stop_sequence": None}
    start["usage"] = {**usage, "output_tokens": 1}
    block = message["content"][0]
    if block["type"] == "text":
        opening: dict[str, Any] = {"type": "text", "text": ""}
        deltas = [{"type": "text_delta", "text": piece} for piece in _pieces(block["text"])]
    else:
        opening = {**block, "input": {}}
        pieces = ["", *_pieces(json.dumps(block["input"]))]  # the API leads with an empty partial_json
        deltas = [{"type": "input_json_delta", "partial_json": piece} for piece in pieces]
    keys = ("input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens", "output_tokens")
    delta = {"stop_reason": message["stop_reason"], "stop_sequence": None}
    return [
        ("message_start", {"type": "message_start", "message": start}),
        ("content_block_start", {"type": "content_block_start", "index": 0, "content_block": opening}),
        ("ping", {"type": "ping"}),
        *(("content_block_delta", {"type": "content_block_delta", "index": 0, "delta": d}) for d in deltas),
        ("content_block_stop", {"type": "content_block_stop", "index": 0}),
        ("message_delta", {"type": "message_delta", "delta": delta, "usage": {k: usage[k] for k in keys}}),
        ("message_stop", {"type": "message_stop"}),
    ]


def _error_body(error_type: str, message: str) -> dict[str, Any]:
    return {"type": "error", "error": {"type": error_type, "message": message}, "request_id": _new_id("req")}


def _new_id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:24]}"


def _parse_object(raw: bytes) -> dict[str, Any] | None:
    try:
        value = json.loads(raw)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _forced_tool(body: dict[str, Any]) -> str | None:
    """The tool a request forces: `tool_choice` `{"type": "tool", "name": ...}`; "any" forces the first."""
    choice = body.get("tool_choice")
    if not isinstance(choice, dict):
        return None
    if choice.get("type") == "tool":
        return str(choice.get("name"))
    return next(iter(_tool_names(body)), None) if choice.get("type") == "any" else None


def _tool_names(body: dict[str, Any]) -> list[str]:
    return [str(t.get("name")) for t in body.get("tools") or [] if isinstance(t, dict)]


def _pieces(text: str) -> list[str]:
    return [text[i : i + CHARS_PER_TOKEN] for i in range(0, len(text), CHARS_PER_TOKEN)]


def _tokens(text: str) -> int:
    return max(1, -(-len(text) // CHARS_PER_TOKEN))


def _is_ephemeral(marker: object) -> bool:
    return isinstance(marker, dict) and marker.get("type") == "ephemeral"


def _prefix_items(body: dict[str, Any]) -> list[dict[str, Any]]:
    """Cacheable blocks in the API's prefix order: tools, then system, then message content."""
    items = [t for t in body.get("tools") or [] if isinstance(t, dict)]
    system = body.get("system")
    items += [{"type": "text", "text": system}] if isinstance(system, str) else list(system or [])
    for message in body.get("messages") or []:
        content = message.get("content")
        blocks = [{"type": "text", "text": content}] if isinstance(content, str) else list(content or [])
        items += [{"role": message.get("role"), **b} for b in blocks if isinstance(b, dict)]
    return [item for item in items if isinstance(item, dict)]


def _prefix(model: str, items: list[dict[str, Any]]) -> tuple[str, int]:
    """A prefix's cache key (markers excluded: moving a breakpoint keeps the content's key) and size."""
    text = json.dumps([{k: v for k, v in i.items() if k != "cache_control"} for i in items], sort_keys=True)
    return hashlib.sha256(f"{model}\n{text}".encode()).hexdigest(), _tokens(text)


# The request handler and server are defined below the class that serves them.
FakeAnthropic.handler, FakeAnthropic.server_class, FakeAnthropic.thread_name = (
    _Handler,
    _Server,
    "fake-anthropic",
)
