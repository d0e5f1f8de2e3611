"""The lifecycle both fake servers share: serve on an OS-assigned loopback port from a daemon thread."""

from __future__ import annotations

import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self


class _Server(ThreadingHTTPServer):
    # Room for every client thread connecting at once: past a full backlog (the default is 5) the kernel
    # drops the SYN and the client waits a whole second to resend it.
    request_queue_size = 128

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that hung up before its answer (a test's timeout, a dropped connection) is what
        the fakes exist to show; anything else is printed as socketserver does."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


class LoopbackServer:
    """Base of the sandbox's fakes: `start()`, `stop()`, `with …:` and `base_url`."""

    handler: type[BaseHTTPRequestHandler]
    server_class: type[ThreadingHTTPServer] = _Server
    thread_name = "fake"

    def __init__(self) -> None:
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> Self:
        """Bind 127.0.0.1 on an OS-assigned port and serve in a daemon thread."""
        if self._server is not None:
            return self
        self._before_start()
        server = self.server_class(("127.0.0.1", 0), self.handler)
        server.daemon_threads = True
        server.fake = self  # type: ignore[attr-defined]
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name=self.thread_name, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port."""
        if self._server is None:
            return
        self._before_stop()
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """`http://127.0.0.1:PORT` (the server must be started)."""
        if self._server is None:
            raise RuntimeError(f"{type(self).__name__} is not started")
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def _before_start(self) -> None:
        """Hook: reset per-run state."""

    def _before_stop(self) -> None:
        """Hook: wake anything that would hold a request open."""
