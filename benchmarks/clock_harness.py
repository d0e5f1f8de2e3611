"""What runs around the bot in the reminder-clocks benchmark (bench_clocks.py): the fake Slack and the
loader, each in a child process so that neither is counted in the bot's memory or CPU, the bot's settings,
and the sweeps on a schedule (in this process, or in each replica's: clock_replicas.py). (Not a
`bench_*.py`: `dev.py bench` runs those as scripts; this one is imported.)"""

from __future__ import annotations

import cProfile
import logging
import math
import multiprocessing
import secrets
import time
import traceback
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from multiprocessing.connection import Connection, wait

from clock_load import PEOPLE, Loaded, LoadSpec, load  # benchmarks/ is on the path

from bot.clocks.sweep import ClockService
from bot.logs import configure_logging
from bot.settings import Settings, load_settings
from storage.db import utcnow

SANDBOX_TOKEN = "xoxb-sandbox-0000000000-warroom"


def bot_settings(api_url: str, database_url: str) -> Settings:
    """The settings every bot process of the run (this one, each replica) is built with."""
    return load_settings(
        SLACK_BOT_TOKEN=SANDBOX_TOKEN,
        SLACK_SIGNING_SECRET=secrets.token_hex(16),
        SLACK_API_URL=api_url,
        DATABASE_URL=database_url,
        WARROOM_ESCALATIONS_CHANNEL="C0ESCALATIONS",
        WARROOM_LEADERSHIP_CHANNEL="C0LEADERSHIP",
        _env_file=None,
    )


def log_as_the_bot(settings: Settings, warnings: logging.Handler) -> None:
    """Logging set up as `warroom serve` sets it up (libraries that build debug lines for every Slack call
    quieted), and `warnings` counting what is logged."""
    configure_logging(settings.log_level, settings.secret_values)
    logging.getLogger().addHandler(warnings)


# --- the fake Slack, in its own process -----------------------------------------------------------------


def _fake_slack_process(conn: Connection, loader: Connection, latency: float) -> None:
    from bot.sandbox.fake_slack import BOT_USER_ID, FakeSlack

    fake = FakeSlack(latency=latency).start()
    boards: list[str] = []
    conn.send(fake.api_url)
    while True:
        [ready, *_] = wait([conn, loader])
        command, arg = ready.recv()
        if command == "rooms":
            # One per room kind: (room channel, room name, card channel, card ts, announcement channel and
            # ts). Cards under which thread rooms are worked, and the rooms' announcements, are spread over
            # boards so that the fake's linear lookup of a message stays cheap at any size.
            kinds, card_channels = arg
            boards += [fake.add_channel(f"escalations-{n:03d}") for n in range(len(boards), card_channels)]
            rooms = []
            for n, kind in enumerate(kinds):
                board = boards[n % card_channels]
                if kind == "channel":
                    name = f"esc-bench-{n:05d}"
                    channel = fake.add_channel(name, members=PEOPLE)
                    card = fake.add_message(channel, BOT_USER_ID, "card")
                    rooms.append(
                        (
                            channel,
                            name,
                            channel,
                            card,
                            board,
                            fake.add_message(board, BOT_USER_ID, "announcement"),
                        )
                    )
                else:
                    rooms.append(
                        (None, None, board, fake.add_message(board, BOT_USER_ID, "card"), None, None)
                    )
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
    profiler: cProfile.Profile | None = None,
    start_at: float | None = None,
) -> tuple[list[Tick], bool]:
    """Sweep every `interval` s, from `start_at` (a `time.time()`, so that replicas share the schedule;
    default now), until the window has passed and nothing is due; (ticks, drained)."""
    if start_at is not None:
        time.sleep(max(0.0, start_at - time.time()))
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


def idle_sweeps(clocks: ClockService, count: int, batch: int) -> list[Tick]:
    """`count` more sweeps, 0.1 s apart, once nothing is due: the steady-state cost, measured some more."""
    ticks = []
    for _ in range(count):
        time.sleep(0.1)
        began = time.perf_counter()
        result = clocks.sweep(batch=batch)
        ticks.append(Tick(time.perf_counter() - began, result.checked, result.posted))
    return ticks
