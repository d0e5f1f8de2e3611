"""The report of the reminder-clocks benchmark (bench_clocks.py): what a run gathered, and how it is printed.
(Not a `bench_*.py`: `dev.py bench` runs those as scripts; this one is imported.)"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import statistics
from collections import Counter
from dataclasses import dataclass

from clock_load import Loaded  # benchmarks/ is on the path
from clock_plan import SEVERITY_MIX
from clock_replicas import ReplicaRun
from measure import percentile, verdict

AIM_LATENESS_P99_S = 2.0
AIM_TICK_MS = 50.0


@dataclass
class Outcome:
    """Everything a run gathered: the load, the replicas' runs, and the database's and fake Slack's word."""

    args: argparse.Namespace
    described: str
    lead_in: float
    due: int
    loaded: Loaded
    open_count: int
    lateness: list[float]  # seconds, of the reminders due in the window that were posted
    due_in_window: int  # reminders the bot claimed that were due in the window
    outside: int  # reminders the bot claimed that were due before or after the window
    runs: list[ReplicaRun]
    by_worker: dict[str, int]  # reminders posted, by `claimed_by`
    calls: Counter[tuple[str, bool]]
    rss_loaded: float
    profiler: cProfile.Profile | None

    def rates(self) -> list[float]:
        """Per replica: reminders it posted per second of its busy ticks."""
        out = []
        for run in self.runs:
            busy = sum(t.seconds for t in run.ticks if t.checked)
            out.append(self.by_worker.get(run.worker_id, 0) / busy if busy else 0.0)
        return out

    def lateness_percentiles(self) -> tuple[float | None, float | None, float | None]:
        """(median, p99, max) lateness in seconds; None each if nothing was posted."""
        if not self.lateness:
            return None, None, None
        return statistics.median(self.lateness), percentile(self.lateness, 0.99), max(self.lateness)


def print_report(o: Outcome) -> None:
    """The long report: load, lateness, ticks, replicas, memory, Slack calls, and the profile if taken."""
    args, loaded = o.args, o.loaded
    ticks = [t for run in o.runs for t in run.ticks]
    mix = ", ".join(f"{severity} {share:.0%}" for severity, share in SEVERITY_MIX.items())
    print(f"Reminder clocks on {o.described}: {o.open_count:,} open escalations ({mix})")
    who = "this process" if len(o.runs) == 1 else f"{len(o.runs)} replica processes, ticking together"
    print(
        f"  {loaded.owed_in_window:,} reminders due over {args.window:g} s "
        f"({loaded.owed_in_window / args.window:,.0f}/s) from {o.lead_in:g} s after loading started; "
        f"swept by {who} every {args.interval:g} s, batch {args.batch}; "
        f"Slack answering after {args.latency * 1000:.0f} ms"
    )
    phases = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in loaded.phases.items())
    print(
        f"  loaded {loaded.escalations:,} escalations + {loaded.prior_reminders:,} earlier reminders "
        f"in {loaded.seconds:.1f} s ({phases}); due in the window: "
        + ", ".join(f"{k} {v:,}" for k, v in sorted(loaded.by_target.items()))
    )

    drained = all(run.drained for run in o.runs)
    print(f"reminder lateness (posted_at - fire_at), {o.due_in_window:,} reminders due in the window:")
    p50, p99, worst = o.lateness_percentiles()
    if p50 is not None and p99 is not None and worst is not None:
        print(
            f"  median {p50 * 1000:7.0f} ms   p99 {p99 * 1000:7.0f} ms   max {worst * 1000:7.0f} ms   "
            f"posted {len(o.lateness):,}/{loaded.owed_in_window:,}"
            + ("" if drained else f" (backlog not drained {args.drain:g} s after the window)")
        )
        print(
            f"  aim: p99 within {AIM_LATENESS_P99_S:g} s → "
            + verdict(p99, AIM_LATENESS_P99_S, "s")
            + f"; sweeping every {args.interval:g} s alone makes a reminder up to {args.interval:g} s late"
        )
    else:
        print("  nothing was posted")
    unowed = o.outside + max(0, o.due_in_window - loaded.owed_in_window)
    print(
        f"  not owed but claimed by the bot: {unowed:,}"
        + (" (as planned: none)" if not unowed else " — the bot posted what the plan did not owe")
    )

    overran = sum(1 for t in ticks if t.seconds > args.interval)
    busy = [t for t in ticks if t.checked]
    idle = [t for t in ticks if not t.checked]
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
            f"       {per:.2f} ms of busy tick per reminder posted; "
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

    rates = o.rates()
    print(
        "reminders posted per second of busy ticks, per replica (worker id = reminders.claimed_by), and the "
        "replica's CPU time while sweeping per reminder (steadier than the rate on a shared machine):"
    )
    for run, rate in zip(o.runs, rates, strict=True):
        busy_s = sum(t.seconds for t in run.ticks if t.checked)
        print(
            f"  {run.worker_id:28s} posted {o.by_worker.get(run.worker_id, 0):7,} in {busy_s:6.1f} s of "
            f"{sum(1 for t in run.ticks if t.checked):3d} busy ticks → {rate:7,.0f}/s; "
            f"{run.cpu_s / max(1, o.by_worker.get(run.worker_id, 0)) * 1000:.2f} ms of CPU each"
        )
    others = {w: n for w, n in o.by_worker.items() if w not in {r.worker_id for r in o.runs}}
    if others:
        print(f"  posted by workers not in this run: {others}")
    if len(rates) > 1:
        print(
            f"  median replica {statistics.median(rates):,.0f}/s (the figure --json gives), "
            f"slowest {min(rates):,.0f}/s; all together {sum(o.by_worker.values()):,} posted"
        )

    print("resident memory of the bot process (the fake Slack and the loader run in child processes):")
    for n, run in enumerate(o.runs):
        loaded_rss = f"after loading {o.rss_loaded:6.1f} MiB   " if len(o.runs) == 1 else ""
        print(
            f"  {'' if len(o.runs) == 1 else f'replica {n + 1}: '}after start {run.rss_started:6.1f} MiB   "
            f"{loaded_rss}at end {run.rss_end:6.1f} MiB   peak {run.rss_peak:6.1f} MiB"
        )
    answered = Counter({method: n for (method, ok), n in o.calls.items() if ok})
    posts = ", ".join(f"{method} {n:,}" for method, n in answered.most_common())
    failed = sum(n for (_method, ok), n in o.calls.items() if not ok)
    warned = sum((run.warnings for run in o.runs), Counter())
    shown = ", ".join(f"{m!r} ×{n}" for m, n in warned.most_common(3)) or "none"
    print(f"Slack calls answered ok: {posts}; {failed} failed; warnings logged: {shown}")
    if o.profiler is not None:
        out = io.StringIO()
        pstats.Stats(o.profiler, stream=out).sort_stats("cumulative").print_stats(30)
        if args.profile:
            o.profiler.dump_stats(args.profile)
        print("cProfile of the sweeps (cumulative):")
        print(out.getvalue())
