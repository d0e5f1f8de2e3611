"""A fake Socket Mode endpoint: the WebSocket Slack's `apps.connections.open` hands out, on loopback.

It says hello to each connection, delivers envelopes (slash commands, interactivity, Events API) the way
Slack does and reads the app's acknowledgments; `drop()` closes the connection as Slack does when it
rotates one, and the app must reconnect through `apps.connections.open`. `SocketRequester` is the
signed-request `SlackRequester` with its one seam (`post`) sending envelopes instead of HTTP requests,
so every payload builder the HTTP tests use drives the app over the socket too.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
import uuid
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import Server, ServerConnection, serve

from bot.sandbox.signed import SlackReply, SlackRequester

ACK_TIMEOUT = 3.0  # Slack's own: an envelope not acknowledged in 3 s is an error for the user


class FakeSocketMode:
    """The WebSocket server; one connection at a time (the newest), as one app instance holds."""

    def __init__(self) -> None:
        self._server: Server = serve(self._serve, "127.0.0.1", 0)
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-socket", daemon=True)
        self._lock = threading.Condition()
        self._connection: ServerConnection | None = None
        self._acks: dict[str, dict[str, Any]] = {}
        self.connections = 0

    @property
    def url(self) -> str:
        """The `wss://`-style address `apps.connections.open` returns (plain ws on loopback)."""
        host, port = self._server.socket.getsockname()[:2]
        return f"ws://{host}:{port}/link/?ticket={uuid.uuid4().hex}"

    def start(self) -> FakeSocketMode:
        self._thread.start()
        return self

    def close(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=5)

    def _serve(self, connection: ServerConnection) -> None:
        with self._lock:
            self._connection = connection
            self.connections += 1
            self._lock.notify_all()
        connection.send(json.dumps({"type": "hello", "num_connections": 1, "debug_info": {"host": "fake"}}))
        try:
            for message in connection:
                ack = json.loads(message)
                if "envelope_id" in ack:
                    with self._lock:
                        self._acks[ack["envelope_id"]] = ack
                        self._lock.notify_all()
        except ConnectionClosed:
            pass
        finally:
            with self._lock:
                if self._connection is connection:
                    self._connection = None

    def wait_connected(self, connections: int = 1, timeout: float = 10.0) -> None:
        """Until the app has connected `connections` times in all."""
        with self._lock:
            if not self._lock.wait_for(lambda: self.connections >= connections and self._connection, timeout):
                raise TimeoutError(f"the app connected {self.connections} times, not {connections}")

    def deliver(self, kind: str, payload: dict[str, Any], *, retry_attempt: int = 0) -> dict[str, Any] | None:
        """Send one envelope and return the app's acknowledgment (None when none came within 3 s)."""
        envelope_id = str(uuid.uuid4())
        envelope = {
            "envelope_id": envelope_id,
            "type": kind,
            "payload": payload,
            "accepts_response_payload": kind != "events_api",
            "retry_attempt": retry_attempt,
            "retry_reason": "timeout" if retry_attempt else "",
        }
        with self._lock:
            if not self._lock.wait_for(lambda: self._connection is not None, ACK_TIMEOUT):
                return None
            connection = self._connection
        connection.send(json.dumps(envelope))
        with self._lock:
            if not self._lock.wait_for(lambda: envelope_id in self._acks, ACK_TIMEOUT):
                return None
            return self._acks.pop(envelope_id)

    def drop(self) -> None:
        """Close the app's connection, as Slack does when it refreshes one: the app must reconnect."""
        with self._lock:
            connection = self._connection
        if connection is not None:
            connection.close()


class SocketRequester(SlackRequester):
    """The payloads `SlackRequester` builds, delivered as Socket Mode envelopes instead of HTTP posts."""

    def __init__(self, socket: FakeSocketMode, response_url_factory: Any = None) -> None:
        super().__init__("socket-mode://", "unused: envelopes are not signed", response_url_factory)
        self.socket = socket

    def post(self, body: str, content_type: str, **options: Any) -> SlackReply:
        """Deliver what would have been posted: a slash command, an interaction or an event."""
        retry = int(options.get("retry_num") or 0)
        if content_type == "application/json":
            kind, payload = "events_api", json.loads(body)
        else:
            form = dict(urllib.parse.parse_qsl(body, keep_blank_values=True))
            kind, payload = (
                ("interactive", json.loads(form["payload"]))
                if "payload" in form
                else ("slash_commands", form)
            )
        started = time.perf_counter()
        ack = self.socket.deliver(kind, payload, retry_attempt=retry)
        seconds = time.perf_counter() - started
        if ack is None:
            return SlackReply(504, "no acknowledgment within 3 s", seconds)
        answer = ack.get("payload")
        return SlackReply(200, json.dumps(answer) if answer else "", seconds)
