"""Replicas of the bot for the reminder-clocks benchmark (bench_clocks.py --replicas N): N processes, like
N `warroom serve` replicas, each building its own warroom on the same database and the same fake Slack and
sweeping on the same schedule (every replica's ticks start together). Spawned, so each is a fresh
interpreter holding the bot alone: its resident memory is its own. (Not a `bench_*.py`: `dev.py bench`
runs those as scripts; this one is imported.)
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess

from clock_harness import (  # benchmarks/ is on the path
    Tick,
    bot_settings,
    idle_sweeps,
    log_as_the_bot,
    run_sweeps,
)
from measure import WarningCounter, memory_mib


@dataclass(frozen=True)
class RunPlan:
    """What every replica sweeps to: the shared start (a `time.time()`), the window's end and the rest."""

    start_at: float
    window_end: datetime
    interval: float
    batch: int
    drain: float
    idle_ticks: int


@dataclass
class ReplicaRun:
    """One replica's run: its worker id (what it writes in `reminders.claimed_by`), ticks and memory."""

    worker_id: str
    rss_started: float
    ticks: list[Tick] = field(default_factory=list)
    drained: bool = True
    rss_end: float = float("nan")
    rss_peak: float = float("nan")
    cpu_s: float = 0.0  # CPU time of the process (all its threads) while it swept
    warnings: Counter[str] = field(default_factory=Counter)


def _replica(conn: Connection, api_url: str, database_url: str) -> None:
    try:
        from bot.app import build_bolt_app, build_warroom
        from bot.policy.model import default_policy
        from storage.db import Database

        warnings = WarningCounter()
        settings = bot_settings(api_url, database_url)
        log_as_the_bot(settings, warnings)
        warroom = build_warroom(settings, policy=default_policy(), db=Database(settings.database_url))
        build_bolt_app(warroom)  # what the running bot also holds
        warroom.clocks.sweep()  # first connection, first compiled statements
        gc.collect()
        run = ReplicaRun(warroom.clocks.worker_id, memory_mib()[0])
        conn.send(run)
        plan: RunPlan | None = conn.recv()
        if plan is not None:
            cpu = time.process_time()
            run.ticks, run.drained = run_sweeps(
                warroom.clocks, plan.interval, plan.batch, plan.window_end, plan.drain, start_at=plan.start_at
            )
            run.cpu_s = time.process_time() - cpu
            run.ticks += idle_sweeps(warroom.clocks, plan.idle_ticks, plan.batch)
            run.rss_end, run.rss_peak = memory_mib()
            run.warnings = warnings.messages
            conn.send(run)
        warroom.close()
    except BaseException:
        conn.send(traceback.format_exc())


class Replicas:
    """N replica processes: started (each ready, warmed up) by `start`, sent the plan by `run`."""

    def __init__(self, count: int, api_url: str, database_url: str) -> None:
        ctx = multiprocessing.get_context("spawn")
        self.conns: list[Connection] = []
        self.processes: list[BaseProcess] = []
        for _ in range(count):
            ours, theirs = ctx.Pipe()
            process = ctx.Process(target=_replica, args=(theirs, api_url, database_url), daemon=True)
            process.start()
            self.conns.append(ours)
            self.processes.append(process)
        self.started = [self._receive(conn) for conn in self.conns]

    def run(self, plan: RunPlan) -> list[ReplicaRun]:
        """Every replica sweeps to `plan`; their runs once all are done."""
        for conn in self.conns:
            conn.send(plan)
        return [self._receive(conn) for conn in self.conns]

    def stop(self) -> None:
        """End the replicas (told to stop if they are still waiting for a plan)."""
        for conn, process in zip(self.conns, self.processes, strict=True):
            if process.is_alive():
                with contextlib.suppress(OSError):
                    conn.send(None)
            process.join(timeout=30)
            if process.is_alive():
                process.terminate()

    @staticmethod
    def _receive(conn: Connection) -> ReplicaRun:
        outcome = conn.recv()
        if isinstance(outcome, str):
            raise RuntimeError(f"a replica failed:\n{outcome}")
        return outcome
