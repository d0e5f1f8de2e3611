"""Work that may take a while (Slack round trips, Claude), kept off the pool that opens modals.

Bolt's lazy listeners run on a small pool: few runnable threads mean little fighting over the GIL, so
acknowledgements and the modals a person is waiting for (a trigger_id lasts 3 s) go out promptly. A lazy
listener whose work may take longer (building a room, drafting, a change and its card refresh) hands it
to this larger pool, whose threads mostly wait on the network.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import Any, TypeVar

log = logging.getLogger(__name__)
F = TypeVar("F", bound=Callable[..., Any])


class Background:
    """A thread pool for slow listener work."""

    def __init__(self, workers: int) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="background")
        self._lock = threading.Lock()
        self._pending: set[Future[Any]] = set()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        """Run `fn` on the pool; an exception it raises is logged, never lost."""
        future = self._pool.submit(fn, *args, **kwargs)
        with self._lock:
            self._pending.add(future)
        future.add_done_callback(self._done)
        return future

    def _done(self, future: Future[Any]) -> None:
        with self._lock:
            self._pending.discard(future)
        _log_failure(future)

    def listener(self, fn: F) -> F:
        """`fn` as a lazy listener that runs on this pool. Bolt injects arguments by parameter name and
        tells lazy listeners apart by name, so the wrapper keeps both (`functools.wraps`)."""

        @functools.wraps(fn)
        def hand_over(*args: Any, **kwargs: Any) -> None:
            self.submit(fn, *args, **kwargs)

        return hand_over  # type: ignore[return-value]

    def close(self, timeout: float | None = None) -> int:
        """Finish what was handed over, waiting at most `timeout` seconds (None: as long as it takes), then
        stop the threads; how many pieces of work were left unfinished. What is left is not lost: a room
        set-up is resumed by any replica once its short lease lapses, and the rest was acknowledged."""
        with self._lock:
            pending = list(self._pending)
        _done, unfinished = wait(pending, timeout=timeout)
        self._pool.shutdown(wait=timeout is None, cancel_futures=True)
        return len(unfinished)


def _log_failure(future: Future[Any]) -> None:
    if not future.cancelled() and (error := future.exception()) is not None:
        log.error("background work failed", exc_info=error)
