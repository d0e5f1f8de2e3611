"""A local fake of the Anthropic Messages API: real HTTP on loopback, scripted replies, SSE streaming.

`anthropic.Anthropic(api_key="sk-ant-test", base_url=fake.base_url)` talks to it unchanged, so the SDK's own
request building, retries, timeouts and SSE decoding all run. This module is the server: scripting replies,
failures and delays, recording requests, the prompt cache's state, pacing, and the HTTP handler that writes
JSON answers and SSE chunks. What goes on the wire (validation, the Message, the event sequence, error JSON,
token counts) is built by anthropic_messages.py.
"""

from __future__ import annotations

import copy
import json
import select
import socket
import sys
import threading
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from bot.sandbox.loopback import LoopbackServer
from tests.fakes.anthropic_messages import (
    ERROR_TYPES,
    ApiError,
    Event,
    Reply,
    build_message,
    cache_prefix,
    count_tokens,
    error_body,
    is_ephemeral,
    new_id,
    parse_object,
    prefix_items,
    stream_events,
    validate_request,
)

REDACTED = "<redacted>"
MESSAGES_PATH = "/v1/messages"
_SECRET_HEADERS = frozenset({"x-api-key", "authorization"})


@dataclass(frozen=True)
class MessagesRequest:
    """One recorded POST /v1/messages (credential header values redacted; `body` is `{}` if unparsable)."""

    body: dict[str, Any]
    headers: dict[str, str]
    streamed: bool


@dataclass(frozen=True)
class _Failure:
    status: int
    headers: dict[str, str]
    body: dict[str, Any]


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
        self._replies: deque[Reply] = deque()
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
            self._replies.append(Reply(text, copy.deepcopy(tool_input), tool_name))

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
        body = error_body(kind, "Overloaded" if kind == "overloaded_error" else f"Injected {status} failure")
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
        body = parse_object(raw)
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
            request = validate_request(headers, body)
        except ApiError as err:
            handler.send_json(err.status, error_body(ERROR_TYPES[err.status], err.message))
            return
        with self._lock:
            reply = self._replies.popleft() if self._replies else None
            usage = self._usage(request)
        message = build_message(request, reply, usage)
        tps = self.tokens_per_second
        if streamed:
            handler.send_events(stream_events(message), 1 / tps if tps else 0.0, self._stopping)
        else:
            if tps:
                self._stopping.wait(message["usage"]["output_tokens"] / tps)
            handler.send_json(200, message)

    def _usage(self, body: dict[str, Any]) -> dict[str, Any]:
        """Token counts; a cache breakpoint's prefix is created on first sight and read afterwards."""
        items = prefix_items(body)
        points = [i for i, item in enumerate(items) if is_ephemeral(item.get("cache_control"))]
        if is_ephemeral(body.get("cache_control")) and items:
            points.append(len(items) - 1)  # automatic caching: breakpoint on the last block
        total = count_tokens(json.dumps(body))
        read = created = 0
        if points:
            prefixes = [cache_prefix(body["model"], items[: i + 1]) for i in sorted(set(points))]
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
            self.send_json(404, error_body("not_found_error", f"Not found: {self.path}"))
            return
        fake._serve(self, {k.lower(): v for k, v in self.headers.items()}, raw)

    def send_json(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        for name, value in {**(headers or {}), "request-id": new_id("req")}.items():
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
        self.send_header("request-id", new_id("req"))
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


# The request handler and server are defined below the class that serves them.
FakeAnthropic.handler, FakeAnthropic.server_class, FakeAnthropic.thread_name = (
    _Handler,
    _Server,
    "fake-anthropic",
)
