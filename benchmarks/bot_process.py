"""warroom in a process of its own, for benchmarks that must not share the bot's CPU and GIL with the
load generator and the fake Slack (in production neither runs inside the bot).

`python benchmarks/bot_process.py API_URL DATABASE_URL` serves the bot against the fake Slack at
API_URL, prints one JSON line (`events_url`, `signing_secret`) and runs until its stdin closes. It holds
nothing but the bot (no fake Slack, no load), so its resident memory is the bot's own.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

from measure import memory_mib  # benchmarks/ is on the path when a script runs

from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.signed import SlackRequester


@dataclass(frozen=True)
class BotProcess:
    """The running bot process: a signed requester to send it Slack's requests, and its process id."""

    slack: SlackRequester
    pid: int

    def rss_mib(self) -> float:
        """Its resident memory now, in MiB (NaN where /proc is not there to read)."""
        return memory_mib(self.pid)[0]


@contextmanager
def bot_in_subprocess(fake: FakeSlack, database_url: str) -> Iterator[BotProcess]:
    """A running bot process talking to `fake` (started by the caller)."""
    process = subprocess.Popen(
        [sys.executable, str(Path(__file__)), fake.api_url, database_url],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        started = json.loads(process.stdout.readline())
        slack = SlackRequester(started["events_url"], started["signing_secret"], fake.new_response_url)
        yield BotProcess(slack, process.pid)
    finally:
        assert process.stdin is not None
        process.stdin.close()
        process.wait(timeout=30)


def main(api_url: str, database_url: str) -> None:
    from bot.http import EVENTS_PATH
    from bot.sandbox.stack import Sandbox

    # Only what the Sandbox asks of a fake it does not own: where the Web API is.
    remote = SimpleNamespace(api_url=api_url, new_response_url=lambda: "http://127.0.0.1:9/unused")
    with Sandbox(database_url, fake=remote) as sandbox:  # type: ignore[arg-type]
        print(
            json.dumps(
                {"events_url": sandbox.http.url + EVENTS_PATH, "signing_secret": sandbox.signing_secret}
            )
        )
        sys.stdout.flush()
        sys.stdin.read()  # until the benchmark closes it


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
