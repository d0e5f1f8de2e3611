"""How fast `/escalate` is acknowledged, and how fast a war room is ready.

1. Acknowledgment time of `/escalate <text>`: 200 signed requests, 20 at a time, over HTTP to the real
   app (waitress + Bolt). Slack gives up after 3 s.
2. Acknowledgment time of free text that opens the intake modal (`/escalate Globex: dashboard slow, …`)
   at 1, 10 and 20 concurrent requests (60 per level), each request's views.open on the fake Slack real;
   the aim is a 10-concurrent median within 2× the 1-concurrent one. Measured twice: with the bot, the
   fake Slack and the load in this one process, and with the bot in a process of its own
   (benchmarks/bot_process.py), as in production where neither Slack nor the load shares its CPU.
3. Modal submission → pinned card, with the fake Slack answering every Web API call after 50 ms, beside
   the floor of three sequential round trips (create channel → post card → pin).
4. The bot's own time per declared escalation, the fake Slack answering at once: 40 intake modals, each
   from a fresh `/escalate`, submitted one after another; each is timed from sending the submission until
   its set-up is finished (the bot's `provision` returns, `provisioned_at` set). "Own time" is that wall
   time minus the time the fake Slack spent inside `FakeSlack.handle_api` (the union of its calls'
   spans). The aim is ≤ 25 ms.
6. 50 intake submissions at once with the fake Slack answering every call after 100 ms: the submission
   acknowledgment median and p99 (aim: p99 within 1 s), and when every room is built.
5. The same declaration through the escalation service alone, in-process against the in-memory Slack
   seam: no HTTP, no Bolt; the bot's own time with nothing else on the CPU.

Apart from the second half of 2, everything runs in one process, so the client, the fake Slack's HTTP
plumbing (outside `handle_api`) and the bot share the CPU and the GIL: "own time" is an upper bound of
the bot's share. As a lower bound the script also subtracts the fake's whole server-side handling of each
HTTP request (its spans include time spent waiting for the GIL while the bot runs, so that overstates the
fake's share).

The fake Slack is timed by slack_meter.SlackMeter and set-ups are watched by slack_meter.SetUpWatch.

The bot in its own process also gives its resident memory: after start, and at rest after the levels.

Run: `python3 dev.py bench` or `.venv/bin/python benchmarks/bench_escalate.py [--database-url URL]`;
`--json FILE` also writes the headline figures there (for benchmarks/table.py).
"""

from __future__ import annotations

import argparse
import statistics
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from typing import Any

from bot_process import bot_in_subprocess  # benchmarks/ is on the path when a script runs
from measure import percentile, spread_ms, write_json
from scratch_db import scratch_database
from slack_meter import AckRow, SetUpWatch, SlackMeter, ack_levels
from sqlalchemy.engine import make_url

from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.stack import Sandbox, wait_until

TEXT = (
    "Email from David Okafor, 4-year enterprise customer (pays $180k/year). Three weeks ago we migrated his "
    "data to a new server and corrupted 6 months of his historical reports."
)
INTAKE_TEXT = "Globex: dashboard slow, workaround exists"
ACK_RATIO_AIM = 2.0
OWN_TIME_AIM_MS = 25.0
BURST_ACK_P99_AIM_MS = 1000.0


def bench_ack(database_url: str | None, requests: int, concurrency: int) -> dict[str, Any]:
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
    return {"requests": requests, "concurrency": concurrency, "non_200": failures, **spread_ms(ms)}


def bench_ack_levels(
    database_url: str | None, levels: list[int], requests: int, *, own_process: bool
) -> dict[str, Any]:
    """Acknowledgment of free text (→ intake modal) at each concurrency level; the figures per level.

    `own_process`: the bot runs in a process of its own, the fake Slack and the load in this one; then
    the bot's resident memory is read too, after start and at rest after the levels (its steady state)."""
    rss: dict[str, Any] = {}
    with ExitStack() as stack:
        if own_process:
            fake = stack.enter_context(FakeSlack())
            bot = stack.enter_context(bot_in_subprocess(fake, database_url or ""))
            slack, rss["after_start_mib"] = bot.slack, bot.rss_mib()
        else:
            sandbox = stack.enter_context(Sandbox(database_url))
            fake, slack = sandbox.fake, sandbox.slack
        meter = stack.enter_context(SlackMeter(fake))

        def one(_: int) -> tuple[int, float]:
            reply = slack.slash_command(INTAKE_TEXT, user_id="U0BEN", channel_id="C0SUPPORT")
            return reply.status, reply.seconds

        rows = ack_levels(fake, meter, one, levels, requests)
        if own_process:
            time.sleep(1.0)  # let its pools go quiet: at rest, having served every level
            rss |= {"at_rest_mib": bot.rss_mib(), "requests_served": 5 + requests * len(levels)}
    where = "the bot in its own process" if own_process else "bot, fake Slack and load in one process"
    figures = _print_ack_rows(rows, requests, where)
    if rss:
        print(
            f"  the bot process's resident memory: {rss['after_start_mib']:.1f} MiB after start, "
            f"{rss['at_rest_mib']:.1f} MiB at rest after {rss['requests_served']} requests"
        )
        figures["bot_rss"] = rss
    return figures


def _print_ack_rows(rows: list[AckRow], requests: int, where: str) -> dict[str, Any]:
    print(
        f'/escalate acknowledgment ({where}), free text that opens the intake modal ("{INTAKE_TEXT}"), '
        f"{requests} requests per level, each request's views.open real:"
    )
    print("  concurrent   median ms   p99 ms   max ms   non-200   acks/s   modals opened   all open after")
    medians: dict[int, float] = {}
    figures: dict[str, Any] = {"where": where, "requests": requests, "levels": {}}
    for level, ms, failures, _before, acked, all_open, ok in rows:
        medians[level] = statistics.median(ms)
        figures["levels"][str(level)] = {**spread_ms(ms), "non_200": failures, "opened": ok}
        print(
            f"  {level:10d}   {medians[level]:9.1f}   {percentile(ms, 0.99):6.1f}   {max(ms):6.1f}   "
            f"{failures:7d}   {requests / acked:6,.0f}   {ok:6d}/{requests:<6d}   {all_open:11.2f} s"
        )
    print(f"  (p99 of {requests} is their {round(0.99 * requests)}th fastest; Slack's trigger_id lasts 3 s)")
    if 1 in medians and 10 in medians:
        ratio = figures["ratio_10_1"] = medians[10] / medians[1]
        verdict = "met" if ratio <= ACK_RATIO_AIM else "missed"
        print(
            f"  10-concurrent median / 1-concurrent median: {ratio:.2f}× "
            f"(aim ≤ {ACK_RATIO_AIM:.0f}×: {verdict})"
        )
    return figures


def bench_room(database_url: str | None, runs: int, latency: float) -> dict[str, Any]:
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
            values = {"customer": f"Okafor Analytics {run}", "summary": one_of_a_kind()}
            sandbox.slack.view_submission(view, values, user_id="U0BEN")
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
    return {"runs": runs, "latency_ms": latency * 1000, **spread_ms(timings), "floor_ms": floor}


def one_of_a_kind() -> str:
    """A summary like no other: each declaration is a different issue, so no pattern forms (the common
    case; 40 customers with one issue are measured on their own)."""
    return " ".join(uuid.uuid4().hex[:8] for _ in range(3)) + " broken"


def bench_declarations(database_url: str | None, declarations: int) -> dict[str, Any]:
    """Wall and own time per declared escalation at 0 ms Slack latency."""
    walls: list[float] = []
    fakes: list[float] = []
    https: list[float] = []
    calls: list[int] = []
    with Sandbox(database_url, latency=0.0) as sandbox, SlackMeter(sandbox.fake) as meter:
        watch = SetUpWatch(sandbox)
        tag = uuid.uuid4().hex[:6]
        for run in range(declarations + 1):  # run 0 warms up and is not counted
            opened = meter.count("views.open")
            reply = sandbox.slack.slash_command(TEXT, user_id="U0BEN", channel_id="C0SUPPORT")
            assert reply.status == 200, reply.body
            wait_until(lambda o=opened: meter.count("views.open") > o, interval=0.002)
            view = meter.view(opened)
            time.sleep(0.005)  # let the /escalate listener finish whatever follows views.open
            newest, _ = watch.newest()
            # A customer with nothing open (the database may hold other phases' escalations): no warning.
            values = {"customer": f"Okafor Analytics {tag}-{run}", "summary": one_of_a_kind()}
            started = time.perf_counter()
            reply = sandbox.slack.view_submission(view, values, user_id="U0BEN")
            assert reply.status == 200 and not reply.json().get("response_action"), reply.body[:300]
            ended = watch.wait(newest)
            if run == 0:
                continue
            walls.append((ended - started) * 1000)
            fakes.append(meter.busy("handle_api", started, ended) * 1000)
            https.append(meter.busy("http", started, ended) * 1000)
            calls.append(meter.calls_between(started, ended))
    owns = [wall - fake for wall, fake in zip(walls, fakes, strict=True)]
    rows = [
        ("wall per declaration", walls),
        ("fake Slack's handling (handle_api)", fakes),
        ("own time per declaration (excl. fake Slack)", owns),
    ]
    if meter.sees_http:
        rows += [
            ("fake Slack's whole HTTP handling, server side", https),
            ("own time excl. that (a lower bound)", [w - h for w, h in zip(walls, https, strict=True)]),
        ]
    end = "the bot's provision returned" if watch.hooked else "provisioned_at showed in the database"
    print(
        f"declared escalation (war room + pinned card), fake Slack answering at 0 ms, {declarations} "
        f"submissions one after another, each from a fresh /escalate modal, timed from sending the "
        f"submission until {end}:"
    )
    print(f"  {'':48s}  median ms   p99 ms   mean ms")
    for label, values in rows:
        print(
            f"  {label:48s}  {statistics.median(values):9.1f}   {percentile(values, 0.99):6.1f}   "
            f"{statistics.mean(values):7.1f}"
        )
    own = statistics.median(owns)
    verdict = "met" if own <= OWN_TIME_AIM_MS else "missed"
    print(
        f"  Slack API calls per declaration: {statistics.median(calls):.0f}   "
        f"own time: median {own:.1f} ms, aim ≤ {OWN_TIME_AIM_MS:.0f} ms: {verdict}"
    )
    wall, slack_calls = statistics.median(walls), statistics.median(calls)
    own_p99 = percentile(owns, 0.99)
    return {"wall_median_ms": wall, "own_median_ms": own, "own_p99_ms": own_p99, "slack_calls": slack_calls}


def bench_submissions(database_url: str | None, count: int, latency: float) -> dict[str, Any]:
    """`count` intake modals submitted at once, the fake Slack answering every call after `latency`: how
    soon each submission is acknowledged (Slack gives up after 3 s), and how soon every room is built."""
    with Sandbox(database_url) as sandbox:
        views = []
        tag = uuid.uuid4().hex[:6]
        for _ in range(count):
            before = len(sandbox.fake.calls_to("views.open"))
            sandbox.slack.slash_command(TEXT, user_id="U0BEN", channel_id="C0SUPPORT")
            views.append(
                wait_until(lambda b=before: sandbox.fake.calls_to("views.open")[b:])[-1].params["view"]
            )
        sandbox.fake.latency = latency
        pinned_before = len([c for c in sandbox.fake.calls_to("pins.add") if c.ok])

        def submit(run: int) -> float:
            values = {"customer": f"Okafor Analytics {tag}-burst-{run}", "summary": one_of_a_kind()}
            reply = sandbox.slack.view_submission(views[run], values, user_id="U0BEN")
            assert reply.status == 200 and reply.body == "", reply.body[:200]
            return reply.seconds * 1000

        started = time.perf_counter()
        with ThreadPoolExecutor(count) as pool:
            acks = list(pool.map(submit, range(count)))
        wait_until(
            lambda: len([c for c in sandbox.fake.calls_to("pins.add") if c.ok]) >= pinned_before + count,
            timeout=120,
            interval=0.05,
        )
        built = time.perf_counter() - started
    p99 = percentile(acks, 0.99)
    print(
        f"{count} intake submissions at once, Slack answering every call after {latency * 1000:.0f} ms:\n"
        f"  acknowledgment median {statistics.median(acks):.0f} ms, p99 {p99:.0f} ms, max {max(acks):.0f} ms "
        f"(aim p99 ≤ {BURST_ACK_P99_AIM_MS:.0f} ms: {'met' if p99 <= BURST_ACK_P99_AIM_MS else 'missed'}); "
        f"all {count} rooms built after {built:.1f} s"
    )
    return {"count": count, "latency_ms": latency * 1000, **spread_ms(acks), "built_s": built}


def bench_service_open(
    database_url: str | None, declarations: int, same_issue: bool = False
) -> dict[str, Any]:
    """The escalation service alone, in-process, against the in-memory Slack seam (no HTTP anywhere):
    create + room set-up + the look for a pattern per SEV-1 declaration, each a different issue (or,
    `same_issue`, all one: one pattern whose alert every declaration edits). The fake Slack's own handling
    is subtracted."""
    from blocks.escalations.intake_modal import IntakeSource
    from bot.app import build_warroom
    from bot.escalations.intake import Intake
    from bot.sandbox.in_memory import in_memory_slack
    from bot.settings import load_settings
    from storage.db import Database
    from storage.migrate import upgrade

    fake, client = in_memory_slack()
    settings = load_settings(
        SLACK_BOT_TOKEN="xoxb-bench",
        SLACK_SIGNING_SECRET="bench",
        SLACK_API_URL="http://fake-slack.invalid/api/",
        DATABASE_URL=database_url or "sqlite://",
        WARROOM_ESCALATIONS_CHANNEL="C0ESCALATIONS",
        _env_file=None,
    )
    db = Database(settings.database_url)
    upgrade(db.engine)
    warroom = build_warroom(settings, db=db, web_client=client)
    owns: list[float] = []
    tag = uuid.uuid4().hex[:6]
    with SlackMeter(fake) as meter:
        for run in range(declarations + 1):  # run 0 warms up
            # Three words of its own make a summary like no other (a pattern needs four words in five alike).
            unique = " ".join(uuid.uuid4().hex[:8] for _ in range(3))
            intake = Intake(
                customer=f"Okafor Analytics {tag}-s{run}",
                summary="Migration corrupted 6 months of historical reports"
                if same_issue
                else f"{unique} broken",
                escalation_type="technical",
                severity="SEV-1",
                ic_user_id="U0ANA",
            )
            started = time.perf_counter()
            warroom.service.open(intake, "U0BEN", IntakeSource(f"{tag}-{run}", channel_id="C0SUPPORT"))
            ended = time.perf_counter()
            if run:
                owns.append((ended - started - meter.busy("handle_api", started, ended)) * 1000)
    warroom.close(dispose_db=True)
    own = statistics.median(owns)
    issues = (
        "all one issue: one pattern, its alert edited each time" if same_issue else "each a different issue"
    )
    print(
        f"escalation service in-process (in-memory Slack seam, no HTTP), {declarations} SEV-1 declarations, "
        f"{issues}:\n"
        f"  own time per declaration median {own:.1f} ms, p99 {percentile(owns, 0.99):.1f} ms "
        f"(aim ≤ {OWN_TIME_AIM_MS:.0f} ms: {'met' if own <= OWN_TIME_AIM_MS else 'missed'})"
    )
    return {"declarations": declarations, "own_median_ms": own, "own_p99_ms": percentile(owns, 0.99)}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--ack-levels", default="1,10,20", help="concurrency levels, comma-separated")
    parser.add_argument("--ack-requests", type=int, default=60, help="intake-modal requests per level")
    parser.add_argument("--declarations", type=int, default=40)
    parser.add_argument("--burst", type=int, default=50, help="intake submissions sent at once")
    parser.add_argument("--json", metavar="FILE", help="also write the headline figures to FILE")
    args = parser.parse_args()
    levels = [int(level) for level in args.ack_levels.split(",") if level.strip()]
    started = time.perf_counter()
    with scratch_database(args.database_url) as (url, described):
        print(f"database: {described}")
        figures: dict[str, Any] = {"database": make_url(url).get_backend_name(), "described": described}
        figures["aims"] = {
            "ack_ratio_10_1": ACK_RATIO_AIM,
            "own_time_ms": OWN_TIME_AIM_MS,
            "burst_ack_p99_ms": BURST_ACK_P99_AIM_MS,
        }
        figures["ack"] = bench_ack(url, args.requests, args.concurrency)
        figures["ack_in_process"] = bench_ack_levels(url, levels, args.ack_requests, own_process=False)
        figures["ack_own_process"] = bench_ack_levels(url, levels, args.ack_requests, own_process=True)
        figures["room"] = bench_room(url, args.runs, args.latency)
        figures["declarations"] = bench_declarations(url, args.declarations)
        figures["service_open"] = bench_service_open(url, args.declarations)
        figures["service_open_same_issue"] = bench_service_open(url, args.declarations, same_issue=True)
        figures["burst"] = bench_submissions(url, args.burst, 0.1)
    figures["seconds"] = time.perf_counter() - started
    print(f"database: {described}; benchmark took {figures['seconds']:.0f} s")
    write_json(args.json, figures)


if __name__ == "__main__":
    main()
