"""How fast a draft appears in the thread.

1. Mention → posted template draft (no API key): `@warroom draft update` in a war room, until the finished
   draft (text, checks and buttons) is in the thread.
2. With the fake Anthropic API streaming at a set token rate: time to the first visible text (the first
   edit of the placeholder that shows part of the body), and time to the finished draft.

Run: `python3 dev.py bench` or `.venv/bin/python benchmarks/bench_drafts.py [--database-url URL]`;
`--json FILE` also writes the headline figures there (for benchmarks/table.py).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from measure import spread_ms, write_json  # benchmarks/ is on the path when a script runs
from scratch_db import scratch_database
from sqlalchemy.engine import make_url

from bot.escalations.changes import Actor
from bot.sandbox.stack import Sandbox, wait_until

# The fake Anthropic API is test equipment (tests/fakes), not part of the installed package.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.fakes.fake_anthropic import FakeAnthropic

TEXT = (
    "Email from David Okafor, 4-year enterprise customer (pays $180k/year). Three weeks ago we migrated his "
    "data to a new server and corrupted 6 months of his historical reports."
)
BODY = (
    "David,\n\nWhat happened to your historical reports is unacceptable, and I'm sorry you had to chase us "
    "eight times. I'm personally owning this from now on, and I've read the full history, so you won't need "
    "to explain any of it again.\n\nEngineering found the migration step that skipped your report archive "
    "and is restoring the six months from backup onto a replica now. Before anything touches your live "
    "account, we'll check the restored reports against your originals.\n\nI'll send your next update by "
    "[next update time], whether or not the restore has finished.\n\n[your name] | [your role] | Direct: "
    "[direct line]"
)


def _open_room(sandbox: Sandbox, customer: str) -> tuple[str, int]:
    sandbox.slack.slash_command(TEXT, user_id="U0BEN", channel_id="C0SUPPORT")
    view = wait_until(lambda: sandbox.fake.calls_to("views.open"))[-1].params["view"]
    sandbox.slack.view_submission(
        view, {"customer": customer, "contact_name": "David Okafor"}, user_id="U0BEN"
    )
    wait_until(lambda: sandbox.fake.calls_to("pins.add"))
    escalation = sandbox.warroom.service.list_open(Actor("U0BEN")).shown[0]
    assert escalation.room_channel_id
    return escalation.room_channel_id, escalation.id


def _finished(sandbox: Sandbox, channel: str, ts: str) -> bool:
    return any(
        block.get("block_id") == "draft_actions"
        for message in sandbox.fake.thread(channel, ts)
        for block in message.get("blocks") or []
    )


def _mention(sandbox: Sandbox, channel: str, text: str) -> tuple[str, float]:
    ts = sandbox.fake.add_message(channel, "U0BEN", f"<@U0WARROOM> {text}")
    started = time.time()
    sandbox.slack.mention(text, user_id="U0BEN", channel_id=channel, ts=ts)
    return ts, started


def bench_templates(database_url: str | None, runs: int) -> dict[str, Any]:
    timings: list[float] = []
    with Sandbox(database_url) as sandbox:
        channel, _ = _open_room(sandbox, "Okafor Analytics")
        for _ in range(runs):
            ts, started = _mention(sandbox, channel, "draft update")
            wait_until(lambda ts=ts: _finished(sandbox, channel, ts), interval=0.001)
            timings.append((time.time() - started) * 1000)
    print(f"mention → posted template draft, {runs} runs:")
    median, fastest, slowest = statistics.median(timings), min(timings), max(timings)
    print(f"  median {median:7.1f} ms   min {fastest:7.1f} ms   max {slowest:7.1f} ms")
    return {"runs": runs, **spread_ms(timings), "min_ms": fastest}


def bench_claude(database_url: str | None, runs: int, tokens_per_second: float) -> dict[str, Any]:
    first_text: list[float] = []
    finished: list[float] = []
    with (
        FakeAnthropic(tokens_per_second=tokens_per_second) as claude,
        Sandbox(
            database_url, ANTHROPIC_API_KEY="sk-ant-bench", ANTHROPIC_BASE_URL=claude.base_url
        ) as sandbox,
    ):
        # Another account: the first one's escalation is still open in the same database.
        channel, _ = _open_room(sandbox, "Northwind Analytics")
        for _ in range(runs):
            claude.reply_with(tool_input={"subject": "Your historical reports", "body": BODY})
            before = len(sandbox.fake.calls_to("chat.update"))
            ts, started = _mention(sandbox, channel, "draft update")
            wait_until(lambda ts=ts: _finished(sandbox, channel, ts), timeout=60, interval=0.005)
            finished.append((time.time() - started) * 1000)
            edits = [c for c in sandbox.fake.calls_to("chat.update")[before:] if "so_far" in str(c.params)]
            first_text.append((edits[0].at - started) * 1000 if edits else float("nan"))
    tokens = len(BODY) / 4
    stream_ms = tokens / tokens_per_second * 1000
    print(f"Claude (fake API, {tokens_per_second:.0f} tokens/s, ~{tokens:.0f}-token body, {runs} runs):")
    print(f"  first visible text: median {statistics.median(first_text):7.1f} ms")
    print(
        f"  finished draft:     median {statistics.median(finished):7.1f} ms "
        f"(the stream alone takes ~{stream_ms:.0f} ms; first text arrives at "
        f"{statistics.median(first_text) / statistics.median(finished):.0%} of the total)"
    )
    return {
        "runs": runs,
        "tokens_per_second": tokens_per_second,
        "first_text_median_ms": statistics.median(first_text),
        "finished_median_ms": statistics.median(finished),
        "stream_ms": stream_ms,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--tokens-per-second", type=float, default=60.0)
    parser.add_argument("--json", metavar="FILE", help="also write the headline figures to FILE")
    args = parser.parse_args()
    with scratch_database(args.database_url) as (url, described):
        print(f"database: {described}")
        figures: dict[str, Any] = {"database": make_url(url).get_backend_name(), "described": described}
        figures["template"] = bench_templates(url, args.runs)
        figures["claude"] = bench_claude(url, max(3, args.runs // 3), args.tokens_per_second)
    write_json(args.json, figures)


if __name__ == "__main__":
    main()
