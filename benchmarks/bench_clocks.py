"""Reminder clocks at scale: how late reminders are, what a sweep tick costs, how much memory the bot holds.

10,000 open escalations (SEV-1..SEV-4 mixed, rooms and card threads) are bulk-loaded into a migrated
database (COPY on PostgreSQL) with their clock inputs (created, acknowledged, last internal/customer update,
promised update), their due times, and a claimed-and-posted `reminders` row for every reminder that fell
due before the window (as a running bot would have left them; `next_reminder_at` is as of the window's
start). `--due` of them (default: as many as `--rate` per second over the window) are owed exactly one
reminder (update warning or due, SLA warning or breach) at a time spread evenly over a window that opens
`--lead-in` seconds after loading starts (default: an estimate of the load's time, with room to spare).
The real `ClockService.sweep()` then runs every `--interval` seconds of wall time (APScheduler's way: a
tick that overruns skips the slots it missed) against the fake Slack over real HTTP: in this process, or
with `--replicas N` in N processes, each its own bot on the same database and fake Slack, ticking together.
The benchmark reports:

1. Reminder lateness, `posted_at - fire_at` from the `reminders` table, for the reminders due in the window,
   and whether the bot posted anything it did not owe (before, after or outside the plan);
2. Wall time of a sweep tick: busy ticks, and idle ticks (nothing due: the steady-state cost); and per
   replica, reminders posted (by `reminders.claimed_by`) per second of its busy ticks;
3. Resident memory of the bot process (services, Bolt app, Slack client, database pool; each replica's own
   with N). The fake Slack and the bulk loader run in child processes so that neither is counted.

Run: `.venv/bin/python benchmarks/bench_clocks.py [--database-url URL] [--escalations N] [--replicas N]
[--window S] [--json FILE]`. With a PostgreSQL URL that sets no `options`, the tables go into a fresh
schema dropped at the end. `--json FILE` writes the headline figures for benchmarks/table.py.

The load is planned by clock_plan.py, built by clock_load.py and written by clock_write.py; the fake Slack,
the loader's process and the sweeps are clock_harness.py's, the replica processes clock_replicas.py's;
measure.py has the measuring helpers. This script runs them and reports (clock_report.py prints it).
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import math
import statistics
import time
from datetime import timedelta
from typing import Any

from clock_harness import (
    bot_settings,
    fake_slack_process,
    idle_sweeps,
    load_in_child,
    log_as_the_bot,
    run_sweeps,
)
from clock_load import HISTORY_WORKER, LoadSpec  # benchmarks/ is on the path when a script runs
from clock_replicas import ReplicaRun, Replicas, RunPlan
from clock_report import AIM_LATENESS_P99_S, Outcome, print_report
from measure import WarningCounter, memory_mib, percentile, write_json
from scratch_db import scratch_database
from sqlalchemy import func, select

from bot.app import build_bolt_app, build_warroom
from bot.policy.model import default_policy
from storage.db import Database, utcnow
from storage.migrate import upgrade
from storage.models import OPEN_STATUSES, Escalation, Reminder


def auto_lead_in(escalations: int) -> float:
    """Seconds from the start of loading to the window: loading's time with room to spare for a busy
    machine (100,000 escalations loaded in 14-26 s on PostgreSQL on 2 shared cores one day, 50-58 s on a
    slower one with the rooms' topics and announcements built; SQLite is faster)."""
    return 15.0 + escalations / 1_250


def bench(args: argparse.Namespace, database_url: str, described: str) -> dict[str, Any]:
    """Run the benchmark; print the report, and give back the figures for `--json`."""
    warnings = WarningCounter()
    lead_in = auto_lead_in(args.escalations) if args.lead_in is None else args.lead_in
    with fake_slack_process(args.latency) as fake:
        settings = bot_settings(fake.api_url, database_url)
        log_as_the_bot(settings, warnings)
        db = Database(settings.database_url)
        upgrade(db.engine)
        warroom, replicas = None, None
        if args.replicas == 1:
            warroom = build_warroom(settings, policy=default_policy(), db=db)
            build_bolt_app(warroom)  # what the running bot also holds
            warroom.clocks.sweep()  # first connection, first compiled statements
            gc.collect()
            runs = [ReplicaRun(warroom.clocks.worker_id, memory_mib()[0])]
        else:
            replicas = Replicas(args.replicas, fake.api_url, database_url)
            runs = replicas.started
        try:
            t0 = utcnow()
            window_start = t0 + timedelta(seconds=lead_in)
            window_end = window_start + timedelta(seconds=args.window)
            due = min(args.escalations, round(args.rate * args.window) if args.due is None else args.due)
            spec = LoadSpec(
                database_url=database_url,
                escalations=args.escalations,
                due=due,
                t0=t0,
                window_start=window_start,
                window=args.window,
                # the run ends within --drain of the window's end, bar the idle ticks: 30 s covers them
                horizon_end=window_end + timedelta(seconds=args.drain + 30),
                seed=args.seed,
            )
            loaded = load_in_child(spec, fake.loader)
            spare = (window_start - utcnow()).total_seconds()
            if spare < 1:
                raise SystemExit(
                    f"loading took {loaded.seconds:.1f} s, past the lead-in of {lead_in:g} s: "
                    f"rerun with --lead-in {math.ceil(loaded.seconds * 1.5 + 5)}"
                )
            gc.collect()
            rss_loaded = memory_mib()[0] if warroom is not None else float("nan")
            profiler = cProfile.Profile() if args.profile is not None else None
            if warroom is not None:
                run = runs[0]
                cpu = time.process_time()
                run.ticks, run.drained = run_sweeps(
                    warroom.clocks, args.interval, args.batch, window_end, args.drain, profiler
                )
                run.cpu_s = time.process_time() - cpu
                run.ticks += idle_sweeps(warroom.clocks, args.idle_ticks, args.batch)
                run.rss_end, run.rss_peak = memory_mib()
                run.warnings = warnings.messages
            else:
                assert replicas is not None
                start_at = time.time() + 0.5  # every replica's first tick at the same moment
                plan = RunPlan(start_at, window_end, args.interval, args.batch, args.drain, args.idle_ticks)
                runs = replicas.run(plan)
        finally:
            if replicas is not None:
                replicas.stop()
        with db.session() as session:
            in_window = session.execute(
                select(Reminder.fire_at, Reminder.posted_at).where(
                    Reminder.fire_at >= window_start,
                    Reminder.fire_at <= window_end,
                    Reminder.claimed_by != HISTORY_WORKER,
                )
            ).all()
            outside = session.execute(  # what the bot claimed that was not due in the window
                select(func.count()).where(
                    Reminder.claimed_by != HISTORY_WORKER,
                    (Reminder.fire_at < window_start) | (Reminder.fire_at > window_end),
                )
            ).scalar_one()
            by_worker = dict(
                session.execute(
                    select(Reminder.claimed_by, func.count())
                    .where(Reminder.claimed_by != HISTORY_WORKER, Reminder.posted_at.is_not(None))
                    .group_by(Reminder.claimed_by)
                ).all()
            )
            open_count = session.execute(
                select(func.count()).select_from(Escalation).where(Escalation.status.in_(OPEN_STATUSES))
            ).scalar_one()
        calls = fake.calls()
        if warroom is not None:
            warroom.close()
        db.dispose()

    outcome = Outcome(
        args=args,
        described=described,
        lead_in=lead_in,
        due=due,
        loaded=loaded,
        open_count=open_count,
        lateness=[(posted - fire).total_seconds() for fire, posted in in_window if posted is not None],
        due_in_window=len(in_window),
        outside=outside,
        runs=runs,
        by_worker=by_worker,
        calls=calls,
        rss_loaded=rss_loaded,
        profiler=profiler,
    )
    print_report(outcome)
    return figures(outcome, database_url)


def figures(o: Outcome, database_url: str) -> dict[str, Any]:
    """The headline figures, as benchmarks/table.py reads them."""
    rates = o.rates()
    idle = [t.seconds * 1000 for r in o.runs for t in r.ticks if not t.checked]
    busy = [t.seconds * 1000 for r in o.runs for t in r.ticks if t.checked]
    p = o.lateness_percentiles()
    return {
        "database": "PostgreSQL" if database_url.startswith("postgresql") else "SQLite",
        "escalations": o.open_count,
        "replicas": len(o.runs),
        "due": o.due,
        "window_s": o.args.window,
        "interval_s": o.args.interval,
        "lead_in_s": o.lead_in,
        "load_s": o.loaded.seconds,
        "load_phases_s": o.loaded.phases,
        "lateness_p50_s": p[0],
        "lateness_p99_s": p[1],
        "lateness_max_s": p[2],
        "posted": len(o.lateness),
        "owed": o.loaded.owed_in_window,
        "unowed_posted": o.outside + max(0, o.due_in_window - o.loaded.owed_in_window),
        "reminders_per_s": statistics.median(rates) if rates else None,  # the median replica's
        "reminders_per_s_by_replica": rates,
        "posted_by_replica": [o.by_worker.get(r.worker_id, 0) for r in o.runs],
        "drained": all(r.drained for r in o.runs),
        "busy_tick_p99_ms": _p99(busy),
        "idle_tick_p99_ms": _p99(idle),
        "rss_start_mib": statistics.median(r.rss_started for r in o.runs),
        "rss_end_mib": statistics.median(r.rss_end for r in o.runs),
        "rss_peak_mib": max(r.rss_peak for r in o.runs),
        "aim_lateness_p99_s": AIM_LATENESS_P99_S,
    }


def _p99(ms: list[float]) -> float | None:
    return percentile(ms, 0.99) if ms else None


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    parser.add_argument("--escalations", type=int, default=10_000, help="open escalations (default 10,000)")
    parser.add_argument(
        "--replicas", type=int, default=1, help="bot processes sweeping (default 1: this one)"
    )
    parser.add_argument(
        "--due", type=int, help="how many are owed a reminder in the window (default: --rate)"
    )
    parser.add_argument("--rate", type=float, default=400.0, help="reminders owed per second (default 400)")
    parser.add_argument("--window", type=float, default=75.0, help="seconds over which reminders fall due")
    parser.add_argument(
        "--lead-in", type=float, help="seconds from loading to the window (default: estimated)"
    )
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between sweeps")
    parser.add_argument("--batch", type=int, default=200, help="escalations per sweep (the scheduler's)")
    parser.add_argument("--drain", type=float, default=60.0, help="seconds to let a backlog drain after")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds the fake Slack waits per call")
    parser.add_argument("--idle-ticks", type=int, default=40, help="extra idle sweeps after the drain")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", metavar="FILE", help="also write the headline figures to FILE")
    parser.add_argument(
        "--profile",
        nargs="?",
        const="",
        metavar="FILE",
        help="cProfile the sweeps (slows them down; --replicas 1 only); print the top, save to FILE if given",
    )
    args = parser.parse_args()
    if args.replicas < 1 or (args.profile is not None and args.replicas != 1):
        parser.error("--replicas must be at least 1, and --profile needs --replicas 1")
    with scratch_database(args.database_url) as (url, described):
        found = bench(args, url, described)
    write_json(args.json, found)


if __name__ == "__main__":
    main()
