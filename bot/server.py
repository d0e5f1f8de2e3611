"""Running the app: Socket Mode, or HTTP behind waitress (a production WSGI server)."""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from waitress.server import create_server

from bot.http import WsgiApp

log = logging.getLogger(__name__)
HTTP_THREADS = 16
# How long a stop waits for requests in flight (Slack wants every answer within 3 s anyway).
DRAIN_SECONDS = 5


@dataclass
class HttpServer:
    """A waitress server running in a background thread (tests, demo, benchmarks)."""

    server: object
    thread: threading.Thread
    port: int

    @property
    def url(self) -> str:
        """`http://127.0.0.1:<port>`."""
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        """End the serving loop from inside it, then close the sockets.

        Closing a socket from another thread while the loop waits on it makes `select` fail with
        EBADF; emptying the loop's socket map from a trigger ends the loop cleanly instead.
        """
        server: Any = self.server
        server.trigger.pull_trigger(server._map.clear)
        self.thread.join(timeout=5)
        server.close()
        server.task_dispatcher.shutdown()


def start_http_in_background(wsgi: WsgiApp, host: str = "127.0.0.1", port: int = 0) -> HttpServer:
    """Serve `wsgi` on `host:port` (0: any free port) from a daemon thread."""
    # waitress warns "Task queue depth is N" whenever requests wait for a thread; in the sandbox that is
    # the point of a load test, not news.
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    server = create_server(wsgi, host=host, port=port, threads=HTTP_THREADS, ident="warroom")
    thread = threading.Thread(target=server.run, name="waitress", daemon=True)
    thread.start()
    return HttpServer(server, thread, int(server.effective_port))  # type: ignore[attr-defined]


def serve_http(wsgi: WsgiApp, port: int) -> None:
    """Serve on 0.0.0.0:`port` until SIGTERM or SIGINT; then stop taking requests and let those in flight
    finish (up to `DRAIN_SECONDS`)."""
    server: Any = create_server(wsgi, host="0.0.0.0", port=port, threads=HTTP_THREADS, ident="warroom")

    def stop(signum: int, _frame: object) -> None:
        log.info("%s: no new requests; finishing those in flight", signal.Signals(signum).name)
        threading.Thread(target=_drain, args=(server,), name="drain", daemon=True).start()

    _on_stop_signals(stop)
    log.info("listening on http://0.0.0.0:%s (Slack requests at /slack/events, health at /healthz)", port)
    try:
        server.run()
    finally:
        server.task_dispatcher.shutdown(cancel_pending=False, timeout=1)
        server.close()


def _drain(server: Any) -> None:
    """Stop listening, let the requests in flight finish and their answers go out, then end the loop.

    Everything that touches the loop's sockets runs inside the loop (through its trigger)."""

    def stop_listening() -> None:
        server.del_channel()
        server.socket.close()

    server.trigger.pull_trigger(stop_listening)
    dispatcher, deadline = server.task_dispatcher, time.monotonic() + DRAIN_SECONDS
    while time.monotonic() < deadline:
        with dispatcher.lock:
            busy = bool(dispatcher.queue) or dispatcher.active_count > 0
        if not busy:
            break
        time.sleep(0.05)
    time.sleep(0.1)  # the loop writes out the last answers
    server.trigger.pull_trigger(server._map.clear)  # ends the serving loop from inside it


def serve_socket_mode(app: App, app_token: str) -> None:
    """Connect to Slack over Socket Mode until SIGTERM or SIGINT, then disconnect."""
    stopping = threading.Event()

    def stop(signum: int, _frame: object) -> None:
        log.info("%s: disconnecting from Slack", signal.Signals(signum).name)
        stopping.set()

    _on_stop_signals(stop)
    log.info("connecting to Slack over Socket Mode")
    handler = SocketModeHandler(app, app_token)
    handler.connect()
    stopping.wait()
    handler.close()


def _on_stop_signals(stop: Callable[[int, object], None]) -> None:
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, stop)
