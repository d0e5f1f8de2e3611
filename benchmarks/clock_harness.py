"""What runs around the bot in the reminder-clocks benchmark (bench_clocks.py): the fake Slack and the
loader, each in a child process so that neither is counted in the bot's memory or CPU, and the sweeps
on a schedule. (Not a `bench_*.py`: `dev.py bench` runs those as scripts; this one is imported.)"""

from __future__ import annotations

import cProfile
import math
import multiprocessing
import time
import traceback
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from multiprocessing.connection import Connection, wait

from clock_load import CARD_CHANNELS, PEOPLE, Loaded, LoadSpec, load  # benchmarks/ is on the path

from bot.clocks.sweep import ClockService
from storage.db import utcnow

# --- the fake Slack, in its own process -----------------------------------------------------------------


def _fake_slack_process(conn: Connection, loader: Connection, latency: float) -> None:
    from bot.sandbox.fake_slack import BOT_USER_ID, FakeSlack

    fake = FakeSlack(latency=latency).start()
    boards = [fake.add_channel(f"escalations-{n:02d}") for n in range(CARD_CHANNELS)]
    conn.send(fake.api_url)
    while True:
        [ready, *_] = wait([conn, loader])
        command, arg = ready.recv()
        if command == "rooms":  # one per room kind: (room channel, room name, card channel, card ts)
            rooms = []
            for n, kind in enumerate(arg):
                if kind == "channel":
                    name = f"esc-bench-{n:05d}"
                    channel = fake.add_channel(name, members=PEOPLE)
                    rooms.append((channel, name, channel, fake.add_message(channel, BOT_USER_ID, "card")))
                else:
                    board = boards[n % CARD_CHANNELS]
                    rooms.append((None, None, board, fake.add_message(board, BOT_USER_ID, "card")))
            ready.send(rooms)
        elif command == "calls":
            ready.send(Counter((c.method, c.ok) for c in fake.calls))
        else:
            break
    fake.stop()
    conn.send(None)


@dataclass(frozen=True)
class FakeSlackProcess:
    """The fake Slack served from a child process: the bot's memory and CPU are then its own."""

    api_url: str
    conn: Connection  # ours
    loader: Connection  # for the loader process, which asks for rooms itself

    def calls(self) -> Counter[tuple[str, bool]]:
        """(method, ok) → how many calls the fake answered."""
        self.conn.send(("calls", None))
        return self.conn.recv()


@contextmanager
def fake_slack_process(latency: float) -> Iterator[FakeSlackProcess]:
    """Start the fake Slack in a child process; stop it at the end."""
    ctx = multiprocessing.get_context("spawn")
    ours, theirs = ctx.Pipe()
    loader, loader_theirs = ctx.Pipe()
    process = ctx.Process(target=_fake_slack_process, args=(theirs, loader_theirs, latency), daemon=True)
    process.start()
    try:
        yield FakeSlackProcess(ours.recv(), ours, loader)
    finally:
        ours.send(("stop", None))
        ours.recv()
        process.join(timeout=10)


# --- the loader, in its own process ---------------------------------------------------------------------


def load_in_child(spec: LoadSpec, fake: Connection) -> Loaded:
    """`load()` in a child process, so the bot process never holds the generated rows."""
    ctx = multiprocessing.get_context("spawn")
    ours, theirs = ctx.Pipe(duplex=False)
    process = ctx.Process(target=_load_process, args=(spec, fake, theirs), daemon=True)
    process.start()
    outcome = ours.recv()
    process.join()
    if isinstance(outcome, str):
        raise RuntimeError(f"loading failed:\n{outcome}")
    return outcome


def _load_process(spec: LoadSpec, fake: Connection, out: Connection) -> None:
    try:
        out.send(load(spec, fake))
    except BaseException:
        out.send(traceback.format_exc())


# --- the run --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tick:
    """One sweep: its wall time, and how many escalations it looked at and reminders it posted."""

    seconds: float
    checked: int
    posted: int


def run_sweeps(
    clocks: ClockService,
    interval: float,
    batch: int,
    window_end: datetime,
    drain: float,
    profiler: cProfile.Profile | None,
) -> tuple[list[Tick], bool]:
    """Sweep every `interval` s until the window has passed and nothing is due; (ticks, drained)."""
    ticks: list[Tick] = []
    slot = time.monotonic()
    give_up = None
    while True:
        began = time.perf_counter()
        if profiler is not None:
            profiler.enable()
        result = clocks.sweep(batch=batch)
        if profiler is not None:
            profiler.disable()
        ticks.append(Tick(time.perf_counter() - began, result.checked, result.posted))
        if utcnow() > window_end:
            give_up = give_up or time.monotonic() + drain
            if result.checked == 0:
                return ticks, True
            if time.monotonic() > give_up:
                return ticks, False
        slot += interval
        late = time.monotonic() - slot
        if late > 0:  # overran: like APScheduler (max_instances=1), the missed slots are skipped
            slot += math.ceil(late / interval) * interval
        time.sleep(max(0.0, slot - time.monotonic()))
