"""How many reminders a sweep posts at once (`bot.clocks.pacing`): one at a time while Slack answers at
once (more threads only take turns at the GIL), as many as the pool has while Slack is slow, and each
channel's reminders still one after another."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from bot.clocks.pacing import Pacing
from bot.clocks.recompute import retime
from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.stack import ControlledClock, Sandbox
from storage.db import Database
from storage.models import Escalation
from tests.flows import create_sev1s

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_before_any_post_is_timed_it_uses_the_whole_pool() -> None:
    assert Pacing(most=16).in_flight() == 16


def test_slack_answering_at_once_means_one_post_at_a_time() -> None:
    pacing = Pacing(most=16)
    for _ in range(50):
        pacing.note(wall_s=0.0008, cpu_s=0.0005)
    assert pacing.in_flight() == 1


def test_slack_slow_to_answer_means_as_many_as_the_pool_has() -> None:
    pacing = Pacing(most=16)
    for _ in range(50):
        pacing.note(wall_s=0.120, cpu_s=0.0005)
    assert pacing.in_flight() == 16


def test_in_between_it_keeps_one_core_busy_and_follows_slack_as_it_changes() -> None:
    pacing = Pacing(most=16)
    for _ in range(200):
        pacing.note(wall_s=0.004, cpu_s=0.001)
    assert pacing.in_flight() == 4
    for _ in range(200):  # Slack slowed down: the averages follow within a few dozen posts
        pacing.note(wall_s=0.050, cpu_s=0.001)
    assert pacing.in_flight() == 16


class _InFlight(FakeSlack):
    """The fake Slack, counting chat.postMessage calls in flight at once, overall and per channel."""

    def __init__(self, latency: float) -> None:
        super().__init__(latency=latency)
        self._count = threading.Lock()
        self.now = self.most = 0
        self.per_channel: dict[str, int] = {}
        self.most_in_one_channel = 0

    def handle_api(self, method: str, token: str | None, params: dict[str, Any]) -> Any:
        if method != "chat.postMessage":
            return super().handle_api(method, token, params)
        channel = str(params.get("channel"))
        with self._count:
            self.now += 1
            self.most = max(self.most, self.now)
            self.per_channel[channel] = self.per_channel.get(channel, 0) + 1
            self.most_in_one_channel = max(self.most_in_one_channel, self.per_channel[channel])
        try:
            return super().handle_api(method, token, params)
        finally:
            with self._count:
                self.now -= 1
                self.per_channel[channel] -= 1


def test_a_slow_slack_gets_many_posts_at_once_but_one_channel_one_at_a_time(db: Database) -> None:
    clock = ControlledClock(T0)
    fake = _InFlight(latency=0.05).start()
    try:
        with Sandbox(db=db, clock=clock, fake=fake) as sandbox:
            rooms = [fake.add_channel(f"esc-pacing-{n}") for n in range(12)]
            create_sev1s(sandbox, 36, "pacing")
            with db.session() as session:  # three escalations worked in each of twelve rooms
                for n, row in enumerate(session.execute(select(Escalation)).scalars()):
                    row.room_channel_id = rooms[n % len(rooms)]
                session.execute(update(Escalation).values(acknowledged_at=T0, liaison_user_id="U0BEN"))
            clock.now = T0 + timedelta(minutes=30)
            with db.session() as session:
                for row in session.execute(select(Escalation)).scalars():
                    retime(session, row, sandbox.warroom.policy, clock.now)

            posted = sandbox.warroom.clocks.sweep().posted

            assert posted == 36
            assert fake.most >= 4, f"Slack took 50 ms a call: posts overlapped ({fake.most} at most)"
            assert fake.most_in_one_channel == 1, "a channel's reminders go one after another"
    finally:
        fake.stop()
