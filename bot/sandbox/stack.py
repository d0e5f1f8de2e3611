"""The whole app running against the fake Slack, in-process: for the demo, tests and benchmarks."""

from __future__ import annotations

import secrets
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bot.app import Warroom, build_bolt_app, build_warroom
from bot.http import EVENTS_PATH, build_wsgi_app
from bot.policy.model import Policy
from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.signed import SlackRequester
from bot.server import HttpServer, start_http_in_background
from bot.settings import Settings, load_settings
from storage.db import Database, utcnow
from storage.migrate import upgrade

SANDBOX_TOKEN = "xoxb-sandbox-0000000000-warroom"


class Sandbox:
    """Fake Slack + a migrated database + warroom's Bolt app served over HTTP on loopback."""

    def __init__(
        self,
        database_url: str | None = None,
        *,
        latency: float = 0.0,
        policy: Policy | None = None,
        db: Database | None = None,
        clock: Callable[[], datetime] | None = None,
        fake: FakeSlack | None = None,
        **settings: Any,
    ) -> None:
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        if database_url is None and db is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="warroom-sandbox-")
            database_url = f"sqlite:///{Path(self._tmp.name) / 'warroom.db'}"
        # A fake Slack handed in outlives this sandbox: a "restart" keeps the same workspace.
        self._owns_fake = fake is None
        self.fake = fake or FakeSlack(latency=latency)
        self._database_url = database_url or (db.url if db else "")
        self._db = db
        self._policy = policy
        self._overrides = settings
        self.clock = clock
        self.signing_secret = secrets.token_hex(16)
        self.warroom: Warroom
        self.http: HttpServer
        self.slack: SlackRequester

    def start(self) -> Sandbox:
        """Start fake Slack, migrate, build and serve the app."""
        if self._owns_fake:
            self.fake.start()
        values: dict[str, Any] = {
            "SLACK_BOT_TOKEN": SANDBOX_TOKEN,
            "SLACK_SIGNING_SECRET": self.signing_secret,
            "SLACK_API_URL": self.fake.api_url,
            "DATABASE_URL": self._database_url,
            "WARROOM_ESCALATIONS_CHANNEL": "C0ESCALATIONS",
            "WARROOM_LEADERSHIP_CHANNEL": "C0LEADERSHIP",
            "_env_file": None,
        } | self._overrides
        settings: Settings = load_settings(**values)
        db = self._db or Database(settings.database_url)
        upgrade(db.engine)
        self.warroom = build_warroom(settings, policy=self._policy, db=db, clock=self.clock or utcnow)
        self.bolt = build_bolt_app(self.warroom)
        self.http = start_http_in_background(build_wsgi_app(self.bolt, self.warroom.db, self.signing_secret))
        self.slack = SlackRequester(
            self.http.url + EVENTS_PATH, self.signing_secret, self.fake.new_response_url
        )
        return self

    def stop(self) -> None:
        """Stop everything and remove the temporary database, after work already under way finishes."""
        self.http.stop()
        self.bolt.listener_runner.listener_executor.shutdown(wait=True)
        self.warroom.close(dispose_db=self._db is None)  # a database handed in belongs to the caller
        if self._owns_fake:
            self.fake.stop()
        if self._tmp is not None:
            self._tmp.cleanup()

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()


def wait_until(predicate: Callable[[], Any], timeout: float = 15.0, interval: float = 0.02) -> Any:
    """Poll `predicate` until it returns something truthy; raise TimeoutError after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            raise TimeoutError(f"condition not met within {timeout} s")
        time.sleep(interval)


class ControlledClock:
    """A clock that only moves when told to: deterministic tests and demos of the reminder clocks."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or utcnow()

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **span: float) -> datetime:
        """Move forward by `timedelta(**span)` and return the new time."""
        self.now += timedelta(**span)
        return self.now
