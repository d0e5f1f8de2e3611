"""Three replicas on one PostgreSQL database (issue 13): three `warroom serve` processes' worth of app
(each its own Bolt app, HTTP server, connection pool and sweep) share only the database and Slack.
Requests and event retries are spread across them, and every sweep runs on all three at once: the room,
the draft, each reminder, the prevention-action reminder, the weekly digest and the archiving each happen
once."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.escalations.changes import Actor
from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.stack import ControlledClock, Sandbox, wait_until
from storage.db import Database
from storage.models import FollowUp
from tests.flows import SEV1_TEXT, room_ready, settled
from tests.room_steps import T0, events, row

REPLICAS = 3


@pytest.fixture
def replicas(db: Database) -> Iterator[tuple[list[Sandbox], FakeSlack, ControlledClock]]:
    if db.url.startswith("sqlite"):
        # Replicas are a PostgreSQL deployment: three processes writing one SQLite file contend for its
        # single write lock, and a room set-up step that times out on it waits for the resume job.
        pytest.skip("replicas share a PostgreSQL database, not a SQLite file")
    clock = ControlledClock(T0)
    fake = FakeSlack().start()
    fake.add_user("U0CHLOE", "chloe", "Chloe Park")
    pools = [Database(db.url) for _ in range(REPLICAS)]
    apps = [Sandbox(db=pool, clock=clock, fake=fake).start() for pool in pools]
    try:
        yield apps, fake, clock
    finally:
        for app in apps:
            app.stop()
        for pool in pools:
            pool.dispose()
        fake.stop()


def _follow_ups(app: Sandbox) -> list[FollowUp]:
    with app.warroom.db.session() as session:
        return list(session.execute(select(FollowUp)).scalars())


def _all_at_once(apps: list[Sandbox], work: Callable[[Sandbox], Any]) -> list[Any]:
    """`work` on every replica at the same moment, as their schedulers would."""
    start, results = threading.Barrier(len(apps)), []

    def run(app: Sandbox) -> None:
        start.wait()
        results.append(work(app))

    threads = [threading.Thread(target=run, args=(app,)) for app in apps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_three_replicas_share_the_work_and_do_each_thing_once(replicas) -> None:
    apps, fake, clock = replicas
    a, b, c = apps
    # The form opens on one replica; its submission (and Slack's retry of it) land on the other two.
    a.slack.slash_command(SEV1_TEXT, user_id="U0BEN", channel_id="C0SUPPORT")
    view = wait_until(lambda: fake.calls_to("views.open"))[-1].params["view"]
    values = {"customer": "Okafor Analytics", "ic": "U0ANA"}
    b.slack.view_submission(view, values, user_id="U0BEN")
    c.slack.view_submission(view, values, user_id="U0BEN")
    room = room_ready(a)["id"]
    for app in apps:
        settled(app)
    # One room, whichever replica built it (a replica that came second is told `name_taken` and adopts it).
    assert len([call for call in fake.calls_to("conversations.create") if call.ok]) == 1
    assert len([call for call in fake.calls_to("pins.add") if call.ok]) == 1, "one card pinned"
    [esc] = a.warroom.service.list_open(Actor("U0BEN")).shown

    # One mention, delivered to each replica in turn (Slack retrying one that did not answer in time).
    ts = fake.add_message(room, "U0ANA", "<@U0WARROOM> draft update")
    for app in apps:
        app.slack.mention("draft update", user_id="U0ANA", channel_id=room, ts=ts, event_id="EvSPREAD1")
    wait_until(lambda: [m for m in fake.messages(room) if "draft_actions" in json.dumps(m.get("blocks"))])
    for app in apps:
        settled(app)
    drafts = [m for m in fake.messages(room) if "draft_actions" in json.dumps(m.get("blocks"))]
    assert len(drafts) == 1, "a retried event drafts once, whichever replica it reaches"

    # A prevention action, typed on one replica; its reminder is swept by all three.
    b.slack.slash_command(
        "action Alert on bulk deletes <@U0CHLOE|chloe> 2026-03-20", user_id="U0ANA", channel_id=room
    )
    wait_until(lambda: _follow_ups(a))

    # The update reminders: every replica sweeps at once, through the SEV-1 day.
    for hours in range(1, 25):
        clock.now = T0 + timedelta(hours=hours)
        _all_at_once(apps, lambda app: app.warroom.clocks.sweep().posted)
    reminders = [m for m in fake.messages(room) if "Internal update" in str(m.get("text"))]
    due_times = [m["text"] for m in reminders]
    assert reminders and len(due_times) == len(set(due_times)), "each reminder posted once"

    # The weekly digest: all three look at once when it is due; one posts.
    clock.now = T0 + timedelta(days=7)
    posted = _all_at_once(apps, lambda app: app.warroom.digest.post_weekly())
    assert len([ts for ts in posted if ts]) == 1

    # The prevention action's reminder on its due day: one DM.
    clock.now = T0.replace(day=20, hour=17)
    _all_at_once(apps, lambda app: app.warroom.clocks.sweep().posted)
    chloe = fake.dm_channel("U0CHLOE")
    due = [m for m in (fake.messages(chloe) if chloe else []) if m["text"].startswith("⏰ Due today")]
    assert len(due) == 1, "one DM, whichever replica claimed it"

    # Resolved, confirmed, and archived after the quiet period: once.
    a.warroom.rooms.resolve(esc.id, Actor("U0ANA"), "Restored the reports")
    b.warroom.rooms.confirm(esc.id, Actor("U0ANA"))
    clock.now += timedelta(days=8)
    _all_at_once(apps, lambda app: app.warroom.clocks.sweep().posted)
    _all_at_once(apps, lambda app: app.warroom.clocks.sweep().posted)
    assert len(fake.calls_to("conversations.archive")) == 1 and fake.channel(room)["is_archived"]
    assert len(events(a, esc.id, "archived")) == 1 and row(a, esc.id).archived_at is not None
