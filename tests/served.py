"""`warroom serve` in a subprocess, as an operator runs it, talking to a fake Slack on loopback."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.signed import SlackRequester

SIGNING_SECRET = "3c1f0f5d2c5e4b7a9e8d7c6b5a493827"
BOT_TOKEN = "xoxb-1-serve-test"


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without warroom's own settings, plus `extra`."""
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "WARROOM_", "ANTHROPIC_"))}
    keep.pop("DATABASE_URL", None)
    keep.pop("PORT", None)
    return keep | extra


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class ServedBot:
    """One `warroom serve` process over HTTP; start it again after a kill to see what a restart does."""

    def __init__(self, fake: FakeSlack, database_url: str, cwd: Path, **settings: str) -> None:
        self.fake = fake
        self.port = free_port()
        self.cwd = cwd
        self.env = clean_env(
            SLACK_BOT_TOKEN=BOT_TOKEN,
            SLACK_SIGNING_SECRET=SIGNING_SECRET,
            SLACK_API_URL=fake.api_url,
            DATABASE_URL=database_url,
            PORT=str(self.port),
            **settings,
        )
        self.base = f"http://127.0.0.1:{self.port}"
        self.slack = SlackRequester(self.base + "/slack/events", SIGNING_SECRET, fake.new_response_url)
        self.process: subprocess.Popen[str] | None = None

    def start(self, timeout: float = 30) -> ServedBot:
        """Start serving and wait until /healthz answers."""
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "serve"],
            cwd=self.cwd,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=1) as response:
                    if response.status == 200:
                        return self
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"serve did not come up:\n{self.output()}") from None
                time.sleep(0.1)

    def stop(self, signum: int = signal.SIGTERM, timeout: float = 15) -> tuple[int, str]:
        """Send `signum`; the exit code and everything the process printed."""
        assert self.process is not None
        self.process.send_signal(signum)
        output = self.process.communicate(timeout=timeout)[0]
        return self.process.returncode, output

    def output(self) -> str:
        """What the (ended) process printed."""
        assert self.process is not None and self.process.stdout is not None
        return self.process.stdout.read()
