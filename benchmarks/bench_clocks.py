"""Reminder clocks at scale: how late reminders are, what a sweep tick costs, how much memory the bot holds.

10,000 open escalations (SEV-1..SEV-4 mixed, rooms and card threads) are bulk-inserted into a migrated
database with their clock inputs (created, acknowledged, last internal/customer update, promised update),
their due times and `next_reminder_at` computed by `bot.clocks`, and a claimed-and-posted `reminders` row
for every reminder that fell due before the run (as a running bot would have left them). Each one is owed
exactly one reminder (update warning or due, SLA warning or breach) at a time spread evenly over a window
that opens `--lead-in` seconds after loading starts. The real `ClockService.sweep()` then runs every
`--interval` seconds of wall time (APScheduler's way: a tick that overruns skips the slots it missed)
against the fake Slack over real HTTP, and the benchmark reports:

1. Reminder lateness, `posted_at - fire_at` from the `reminders` table, for the reminders due in the window;
2. Wall time of a sweep tick: busy ticks, and idle ticks (nothing due: the steady-state cost);
3. Resident memory of this process (the bot: services, Bolt app, Slack client, database pool). The fake Slack
   and the bulk loader run in child processes so that neither is counted.

Run: `.venv/bin/python benchmarks/bench_clocks.py [--database-url URL] [--escalations N] [--window S]`.
With a PostgreSQL URL that sets no `options`, the tables go into a fresh schema dropped at the end.

The load is built by clock_load.py, the fake Slack, the loader's process and the sweeps by clock_harness.py,
and measure.py has the measuring helpers; this script runs them and reports.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import logging
import pstats
import secrets
import statistics
import time
from datetime import timedelta

from clock_harness import Tick, fake_slack_process, load_in_child, run_sweeps  # benchmarks/ is on the path
from clock_load import SEVERITY_MIX, LoadSpec
from measure import WarningCounter, memory_mib, percentile, verdict
from scratch_db import scratch_database
from sqlalchemy import func, select

from bot.app import build_bolt_app, build_warroom
from bot.policy.model import default_policy
from bot.settings import load_settings
from storage.db import Database, utcnow
from storage.migrate import upgrade
from storage.models import OPEN_STATUSES, Escalation, Reminder

SANDBOX_TOKEN = "xoxb-sandbox-0000000000-warroom"
AIM_LATENESS_P99_S = 2.0
AIM_TICK_MS = 50.0


def bench(args: argparse.Namespace, database_url: str, described: str) -> None:
    policy = default_policy()
    warnings = WarningCounter()
    logging.getLogger().addHandler(warnings)
    with fake_slack_process(args.latency) as fake:
        api_url = fake.api_url
        settings = load_settings(
            SLACK_BOT_TOKEN=SANDBOX_TOKEN,
            SLACK_SIGNING_SECRET=secrets.token_hex(16),
            SLACK_API_URL=api_url,
            DATABASE_URL=database_url,
            WARROOM_ESCALATIONS_CHANNEL="C0ESCALATIONS",
            WARROOM_LEADERSHIP_CHANNEL="C0LEADERSHIP",
            _env_file=None,
        )
        db = Database(settings.database_url)
        upgrade(db.engine)
        warroom = build_warroom(settings, policy=policy, db=db)
        build_bolt_app(warroom)  # what the running bot also holds
        warroom.clocks.sweep()  # first connection, first compiled statements
        gc.collect()
        rss_started, _ = memory_mib()

        t0 = utcnow()
        window_start = t0 + timedelta(seconds=args.lead_in)
        window_end = window_start + timedelta(seconds=args.window)
        spec = LoadSpec(
            database_url=database_url,
            escalations=args.escalations,
            due=args.escalations if args.due is None else min(args.due, args.escalations),
            t0=t0,
            window_start=window_start,
            window=args.window,
            horizon_end=window_end + timedelta(seconds=args.drain + 120),
            seed=args.seed,
        )
        loaded = load_in_child(spec, fake.loader)
        spare = (window_start - utcnow()).total_seconds()
        if spare < 1:
            raise SystemExit(f"loading took {loaded.seconds:.1f} s, past the lead-in: raise --lead-in")
        gc.collect()
        rss_loaded, _ = memory_mib()

        profiler = cProfile.Profile() if args.profile is not None else None
        ticks, drained = run_sweeps(
            warroom.clocks, args.interval, args.batch, window_end, args.drain, profiler
        )
        for _ in range(args.idle_ticks):  # nothing is due now: the steady-state cost, measured some more
            time.sleep(0.1)
            began = time.perf_counter()
            result = warroom.clocks.sweep(batch=args.batch)
            ticks.append(Tick(time.perf_counter() - began, result.checked, result.posted))
        rss_end, rss_peak = memory_mib()
        with db.session() as session:
            rows = session.execute(
                select(Reminder.fire_at, Reminder.posted_at).where(
                    Reminder.fire_at >= window_start, Reminder.fire_at <= window_end
                )
            ).all()
            open_count = session.execute(
                select(func.count()).select_from(Escalation).where(Escalation.status.in_(OPEN_STATUSES))
            ).scalar_one()
        calls = fake.calls()
        warroom.close()

    lateness = [(posted - fire).total_seconds() for fire, posted in rows if posted is not None]
    busy = [t for t in ticks if t.checked]
    idle = [t for t in ticks if not t.checked]
    overran = sum(1 for t in ticks if t.seconds > args.interval)
    posts = sum(n for (method, ok), n in calls.items() if method == "chat.postMessage" and ok)
    failed = sum(n for (_method, ok), n in calls.items() if not ok)
    mix = ", ".join(f"{severity} {share:.0%}" for severity, share in SEVERITY_MIX.items())
    print(f"Reminder clocks on {described}: {open_count:,} open escalations ({mix})")
    print(
        f"  {loaded.owed_in_window:,} reminders due over {args.window:g} s "
        f"({loaded.owed_in_window / args.window:,.0f}/s); sweep every {args.interval:g} s, "
        f"batch {args.batch}; Slack answering after {args.latency * 1000:.0f} ms"
    )
    print(
        f"  loaded {loaded.escalations:,} escalations + {loaded.prior_reminders:,} earlier reminders "
        f"in {loaded.seconds:.1f} s; due in the window: "
        + ", ".join(f"{k} {v:,}" for k, v in sorted(loaded.by_target.items()))
    )

    print(f"reminder lateness (posted_at - fire_at), {len(rows):,} reminders due in the window:")
    if lateness:
        p99 = percentile(lateness, 0.99)
        print(
            f"  median {statistics.median(lateness) * 1000:7.0f} ms   p99 {p99 * 1000:7.0f} ms   "
            f"max {max(lateness) * 1000:7.0f} ms   posted {len(lateness):,}/{loaded.owed_in_window:,}"
            + ("" if drained else f" (backlog not drained {args.drain:g} s after the window)")
        )
        print(
            f"  aim: p99 within {AIM_LATENESS_P99_S:g} s → "
            + verdict(p99, AIM_LATENESS_P99_S, "s")
            + f"; sweeping every {args.interval:g} s alone makes a reminder up to {args.interval:g} s late"
        )
    else:
        print("  nothing was posted")

    print(f"sweep time per tick ({len(ticks)} ticks, {overran} overran the interval and skipped a slot):")
    if busy:
        ms = [t.seconds * 1000 for t in busy]
        per = sum(t.seconds for t in busy) / max(1, sum(t.posted for t in busy)) * 1000
        print(
            f"  busy ({len(busy):3d} ticks): median {statistics.median(ms):7.1f} ms   "
            f"p99 {percentile(ms, 0.99):7.1f} ms   max {max(ms):7.1f} ms   "
            f"median {statistics.median(t.posted for t in busy):.0f} reminders/tick, most due at once "
            f"{max(t.checked for t in busy)}"
        )
        print(
            f"       {per:.2f} ms per reminder posted → at most {1000 / per:,.0f} reminders/s in one thread; "
            f"a {AIM_TICK_MS:g} ms tick posts {AIM_TICK_MS / per:.0f}"
        )
    if idle:
        ms = [t.seconds * 1000 for t in idle]
        print(
            f"  idle ({len(idle):3d} ticks, nothing due): median {statistics.median(ms):7.2f} ms   "
            f"p99 {percentile(ms, 0.99):7.2f} ms   max {max(ms):7.2f} ms"
        )
    for name, group in (("idle", idle), ("busy", busy)):
        if group:
            p99_ms = percentile([t.seconds * 1000 for t in group], 0.99)
            print(
                f"  aim: a tick within {AIM_TICK_MS:g} ms → {name} p99 " + verdict(p99_ms, AIM_TICK_MS, "ms")
            )

    print("resident memory of the bot process (the fake Slack and the loader run in child processes):")
    print(
        f"  after start {rss_started:6.1f} MiB   after loading {rss_loaded:6.1f} MiB   "
        f"at end {rss_end:6.1f} MiB   peak {rss_peak:6.1f} MiB"
    )
    shown = ", ".join(f"{m!r} ×{n}" for m, n in warnings.messages.most_common(3)) or "none"
    print(f"Slack calls: {posts:,} chat.postMessage ok, {failed} failed; warnings logged: {shown}")
    if profiler is not None:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(30)
        if args.profile:
            profiler.dump_stats(args.profile)
        print("cProfile of the sweeps (cumulative):")
        print(out.getvalue())


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    parser.add_argument("--escalations", type=int, default=10_000, help="open escalations (default 10,000)")
    parser.add_argument("--due", type=int, help="how many are owed a reminder in the window (default: all)")
    parser.add_argument("--window", type=float, default=75.0, help="seconds over which reminders fall due")
    parser.add_argument("--lead-in", type=float, default=15.0, help="seconds from loading to the window")
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between sweeps")
    parser.add_argument("--batch", type=int, default=200, help="escalations per sweep (the scheduler's)")
    parser.add_argument("--drain", type=float, default=60.0, help="seconds to let a backlog drain after")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds the fake Slack waits per call")
    parser.add_argument("--idle-ticks", type=int, default=40, help="extra idle sweeps after the drain")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--profile",
        nargs="?",
        const="",
        metavar="FILE",
        help="cProfile the sweeps (slows them down); print the top, and save the stats to FILE if given",
    )
    args = parser.parse_args()
    with scratch_database(args.database_url) as (url, described):
        bench(args, url, described)


if __name__ == "__main__":
    main()
