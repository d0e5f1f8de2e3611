"""Instruments for the `/escalate` benchmark (bench_escalate.py), installed on a running sandbox:
`SlackMeter` times the fake Slack's work (its Web API handling and its whole HTTP handling) and records
what it was asked; `SetUpWatch` tells when each declared escalation's set-up finished; `ack_levels` sends
the acknowledgment load level by level, the meter watching. (Not a `bench_*.py`: `dev.py bench` runs those
as scripts; this one is imported.)"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

from sqlalchemy import select

from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.stack import Sandbox, wait_until
from storage.models import Escalation


class SlackMeter:
    """Times the fake Slack's work while installed (`with SlackMeter(fake) as meter:`).

    `handle_api` spans: every Web API call's handling, from `FakeSlack.handle_api` wrapped on the instance.
    `http` spans: the fake's whole server-side handling of each HTTP request (decoding, `handle_api`,
    writing the answer), from its request handler's `_dispatch`, when the fake has one.
    """

    def __init__(self, fake: FakeSlack) -> None:
        self._fake = fake
        self._lock = threading.Lock()
        self._spans: dict[str, list[tuple[float, float]]] = {"handle_api": [], "http": []}
        self._methods: list[str] = []  # one per handle_api span
        self._views: list[dict[str, Any]] = []  # the `view` of every views.open, in order
        self._handle_api = fake.handle_api
        self._handler = getattr(fake, "handler", None)
        self._dispatch: Callable[..., Any] | None = getattr(self._handler, "_dispatch", None)

    def __enter__(self) -> SlackMeter:
        handle_api, dispatch = self._handle_api, self._dispatch

        def timed_handle_api(method: str, token: str | None, params: dict[str, Any]) -> Any:
            started = time.perf_counter()
            try:
                return handle_api(method, token, params)
            finally:
                ended = time.perf_counter()
                with self._lock:
                    self._spans["handle_api"].append((started, ended))
                    self._methods.append(method)
                    if method == "views.open":
                        self._views.append(params.get("view") or {})

        self._fake.handle_api = timed_handle_api  # type: ignore[method-assign]  # looked up per request
        if dispatch is not None:

            def timed_dispatch(request_handler: Any) -> None:
                started = time.perf_counter()
                try:
                    dispatch(request_handler)
                finally:
                    with self._lock:
                        self._spans["http"].append((started, time.perf_counter()))

            self._handler._dispatch = timed_dispatch  # type: ignore[union-attr]
        return self

    def __exit__(self, *_exc: object) -> None:
        del self._fake.handle_api  # the class's method shows through again
        if self._dispatch is not None:
            self._handler._dispatch = self._dispatch  # type: ignore[union-attr]

    @property
    def sees_http(self) -> bool:
        """Whether the fake's server-side HTTP handling is timed too."""
        return self._dispatch is not None

    def count(self, method: str | None = None) -> int:
        """Calls answered so far (to `method`, if given)."""
        with self._lock:
            return sum(1 for m in self._methods if method is None or m == method)

    def last_end(self, method: str) -> float:
        """perf_counter time at which the latest call to `method` was answered."""
        with self._lock:
            spans = zip(self._spans["handle_api"], self._methods, strict=True)
            return max(end for (_, end), m in spans if m == method)

    def view(self, index: int) -> dict[str, Any]:
        """The view of the `index`-th views.open call."""
        with self._lock:
            return self._views[index]

    def calls_between(self, start: float, end: float) -> int:
        """Web API calls whose handling began in [start, end]."""
        with self._lock:
            return sum(1 for s, _ in self._spans["handle_api"] if start <= s < end)

    def busy(self, kind: str, start: float, end: float) -> float:
        """Seconds of [start, end] during which the fake was in at least one `kind` span."""
        with self._lock:
            spans = sorted(
                (max(s, start), min(e, end)) for s, e in self._spans[kind] if e > start and s < end
            )
        total, reached = 0.0, start
        for s, e in spans:
            if e > reached:
                total += e - max(s, reached)
                reached = e
        return total


class SetUpWatch:
    """When each escalation's set-up finished: the moment the bot's `provision` returned, if it can be
    watched, else the moment the database shows `provisioned_at` (polled every 2 ms)."""

    def __init__(self, sandbox: Sandbox) -> None:
        self._sandbox = sandbox
        self._returned = threading.Event()
        self._finished: dict[Any, float] = {}
        flow = getattr(sandbox.warroom, "flow", None)
        provision: Callable[..., Any] | None = getattr(flow, "provision", None)
        self.hooked = provision is not None
        if provision is not None:

            def provision_and_tell(escalation_id: Any, *args: Any, **kwargs: Any) -> Any:
                try:
                    return provision(escalation_id, *args, **kwargs)
                finally:
                    self._finished[escalation_id] = time.perf_counter()
                    self._returned.set()

            flow.provision = provision_and_tell  # type: ignore[union-attr]

    def newest(self) -> tuple[int, datetime | None]:
        """The newest escalation's id (0 if none) and its provisioned_at."""
        with self._sandbox.warroom.db.session() as session:
            row = session.execute(
                select(Escalation.id, Escalation.provisioned_at).order_by(Escalation.id.desc()).limit(1)
            ).first()
        return (row[0], row[1]) if row else (0, None)

    def wait(self, after_id: int, timeout: float = 30.0) -> float:
        """perf_counter time at which an escalation newer than `after_id` finished its set-up."""
        deadline = time.monotonic() + timeout
        while True:
            self._returned.wait(0.25 if self.hooked else 0.002)
            seen = time.perf_counter()
            self._returned.clear()
            newest, provisioned_at = self.newest()
            if newest > after_id and provisioned_at is not None:
                return self._finished.get(newest, seen)
            if time.monotonic() > deadline:
                raise TimeoutError(f"no escalation after #{after_id} set up within {timeout} s")


# (level, acks in ms, non-200s, views.open calls before, seconds to ack all, to open all, opened)
AckRow = tuple[int, list[float], int, int, float, float, int]


def ack_levels(
    fake: FakeSlack,
    meter: SlackMeter,
    one: Callable[[int], tuple[int, float]],
    levels: list[int],
    requests: int,
) -> list[AckRow]:
    """Send `requests` of `one` (a signed /escalate that opens a modal) at each concurrency level, after a
    warm-up, and what came of each level. Warming up first, since the first requests pay for imports,
    pools and connections."""
    rows: list[AckRow] = []
    for _ in range(5):
        one(0)
    wait_until(lambda: meter.count("views.open") >= 5, timeout=30)
    for level in levels:
        before = meter.count("views.open")
        started = time.perf_counter()
        with ThreadPoolExecutor(level) as pool:
            results = list(pool.map(one, range(requests)))
        acked = time.perf_counter() - started
        # The level is over when every request's modal is open: no post-ack work spills into the next.
        wait_until(lambda b=before: meter.count("views.open") >= b + requests, timeout=60, interval=0.005)
        all_open = meter.last_end("views.open") - started
        ms = [seconds * 1000 for _, seconds in results]
        failures = sum(1 for status, _ in results if status != 200)
        opened = [c.ok for c in fake.calls_to("views.open")][before : before + requests]
        rows.append((level, ms, failures, before, acked, all_open, sum(opened)))
    return rows
