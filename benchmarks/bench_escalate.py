"""How fast `/escalate` is acknowledged, and how fast a war room is ready.

1. Acknowledgment time of `/escalate <text>`: 200 signed requests, 20 at a time, over HTTP to the real
   app (waitress + Bolt). Slack gives up after 3 s.
2. Modal submission → pinned card, with the fake Slack answering every Web API call after 50 ms, beside
   the floor of three sequential round trips (create channel → post card → pin).

Run: `python3 dev.py bench` or `.venv/bin/python benchmarks/bench_escalate.py [--database-url URL]`.
"""

from __future__ import annotations

import argparse
import statistics
import time
from concurrent.futures import ThreadPoolExecutor

from scratch_db import scratch_database  # benchmarks/ is on the path when a script runs

from bot.sandbox.stack import Sandbox, wait_until

TEXT = (
    "Email from David Okafor, 4-year enterprise customer (pays $180k/year). Three weeks ago we migrated his "
    "data to a new server and corrupted 6 months of his historical reports."
)


def percentile(values: list[float], share: float) -> float:
    """The value below which `share` of `values` fall (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def bench_ack(database_url: str | None, requests: int, concurrency: int) -> None:
    with Sandbox(database_url) as sandbox:
        sandbox.slack.slash_command("help", user_id="U0BEN", channel_id="C0SUPPORT")  # warm-up

        def one(_: int) -> tuple[int, float]:
            reply = sandbox.slack.slash_command(TEXT, user_id="U0BEN", channel_id="C0SUPPORT")
            return reply.status, reply.seconds

        started = time.perf_counter()
        with ThreadPoolExecutor(concurrency) as pool:
            results = list(pool.map(one, range(requests)))
        wall = time.perf_counter() - started
        wait_until(lambda: len(sandbox.fake.calls_to("views.open")) >= requests, timeout=60)
    ms = [seconds * 1000 for _, seconds in results]
    failures = sum(1 for status, _ in results if status != 200)
    print(f"/escalate acknowledgment, {requests} requests, {concurrency} concurrent:")
    print(
        f"  median {statistics.median(ms):7.1f} ms   p99 {percentile(ms, 0.99):7.1f} ms   "
        f"max {max(ms):7.1f} ms   non-200: {failures}   throughput {requests / wall:,.0f} req/s"
    )
    print(f"  Slack's limit is 3000 ms: p99 is {percentile(ms, 0.99) / 3000:.1%} of it")


def bench_room(database_url: str | None, runs: int, latency: float) -> None:
    timings: list[float] = []
    with Sandbox(database_url, latency=latency) as sandbox:
        for run in range(runs):
            sandbox.fake.latency = 0.0
            before = len(sandbox.fake.calls_to("views.open"))
            sandbox.slack.slash_command(TEXT, user_id="U0BEN", channel_id="C0SUPPORT")
            view = wait_until(lambda b=before: sandbox.fake.calls_to("views.open")[b:])[-1].params["view"]
            sandbox.fake.latency = latency
            created_before = len(sandbox.fake.calls_to("pins.add"))
            started = time.perf_counter()
            sandbox.slack.view_submission(view, {"customer": f"Okafor Analytics {run}"}, user_id="U0BEN")
            wait_until(
                lambda c=created_before: [x for x in sandbox.fake.calls_to("pins.add")[c:] if x.ok],
                interval=0.002,
            )
            timings.append((time.perf_counter() - started) * 1000)
    floor = 3 * latency * 1000
    median = statistics.median(timings)
    print(f"modal submission → pinned card, Slack answering after {latency * 1000:.0f} ms, {runs} runs:")
    print(f"  median {median:7.1f} ms   min {min(timings):7.1f} ms   max {max(timings):7.1f} ms")
    print(f"  floor (3 sequential round trips) {floor:.0f} ms → median is {median / floor:.2f}× the floor")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--latency", type=float, default=0.05)
    args = parser.parse_args()
    with scratch_database(args.database_url) as (url, described):
        print(f"database: {described}")
        bench_ack(url, args.requests, args.concurrency)
        bench_room(url, args.runs, args.latency)


if __name__ == "__main__":
    main()
