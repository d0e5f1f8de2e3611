"""The weekly digest against the fake Slack: posted once a week across replicas, with its chart, red flags
named only for public escalations, and a crash between the post and its record not posting it twice."""

from __future__ import annotations

import dataclasses
import json
import threading
from datetime import UTC, datetime, timedelta

from bot.clocks.jobs import build_scheduler
from bot.reports.digest import DigestService, week_of
from bot.sandbox.stack import wait_until
from storage import digests as digest_store
from storage.db import Database
from tests.room_steps import T0, clock_fixture, row, sev1_room, timed_fixture, under_severity_room

__all__ = ["clock_fixture", "timed_fixture"]
CHANNEL = "C0ESCALATIONS"


def _digests(sandbox) -> list[dict]:
    return [
        m for m in sandbox.fake.messages(CHANNEL) if "Weekly escalation digest" in json.dumps(m.get("blocks"))
    ]


def test_the_week_is_the_iso_week_on_the_digests_clock() -> None:
    sunday_night_utc = datetime(2026, 3, 8, 23, 30, tzinfo=UTC)
    assert week_of(sunday_night_utc, "UTC") == "2026-W10"
    assert week_of(sunday_night_utc, "Europe/Berlin") == "2026-W11", "already Monday in Berlin"


def test_the_cron_fires_at_the_policys_day_and_hour(timed) -> None:
    scheduler = build_scheduler(60, timed.warroom.policy.digest)
    job = scheduler.get_job("post_weekly_digest")
    wednesday = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)
    assert job.trigger.get_next_fire_time(None, wednesday) == datetime(2026, 3, 9, 9, 0, tzinfo=UTC)


def test_two_replicas_post_one_digest_with_its_chart_and_flags(timed, clock, db) -> None:
    esc = under_severity_room(timed)  # filed below what the rules read: under-severity
    clock.now = T0 + timedelta(days=7)
    second_db = Database(db.url)
    replicas = [
        timed.warroom.digest,
        dataclasses.replace(timed.warroom.digest, db=second_db, worker_id="replica-2"),
    ]
    start = threading.Barrier(2)
    posted: list[str | None] = []

    def post(replica: DigestService) -> None:
        start.wait()
        posted.append(replica.post_weekly())

    threads = [threading.Thread(target=post, args=(replica,)) for replica in replicas]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    second_db.dispose()
    assert len([ts for ts in posted if ts]) == 1
    [digest] = _digests(timed)
    shown = json.dumps(digest["blocks"], ensure_ascii=False)
    assert "2026-W11" in shown and esc.public_id in shown and "Under-severity" in shown
    chart = wait_until(lambda: [f for f in timed.fake.files() if f["name"].endswith(".png") and f["shared"]])
    assert chart[0]["content"].startswith(b"\x89PNG") and chart[0]["channel_id"] == CHANNEL
    assert timed.warroom.digest.post_weekly() is None, "once a week"


def test_private_escalations_are_counted_not_named(timed, clock) -> None:
    esc = under_severity_room(timed, escalation_type="security")
    assert row(timed, esc.id).is_private
    timed.warroom.digest.post_now()
    [digest] = _digests(timed)
    shown = json.dumps(digest["blocks"], ensure_ascii=False)
    assert esc.public_id not in shown and "Okafor" not in shown
    assert "1 private (counted, not named here)" in shown


def test_a_replica_that_died_after_posting_is_not_posted_over(timed, clock) -> None:
    sev1_room(timed)
    clock.now = T0 + timedelta(days=7)
    week = week_of(clock.now, "UTC")
    timed.warroom.digest.post_now(week)  # posted, then the replica died before recording it
    with timed.warroom.db.session() as session:
        digest_store.claim_week(session, week, "dead-replica", clock.now - timedelta(hours=1), timedelta(0))
    assert timed.warroom.digest.post_weekly() is not None, "the lapsed claim is taken over"
    assert len(_digests(timed)) == 1, "and the digest already in the channel adopted, not posted again"


def test_warroom_digest_says_what_it_needs_without_a_channel(timed) -> None:
    without = dataclasses.replace(timed.warroom.digest, channel=None)
    assert without.post_weekly() is None
    try:
        without.post_now()
    except ValueError as problem:
        assert "WARROOM_ESCALATIONS_CHANNEL" in str(problem)
    else:
        raise AssertionError("post_now without a channel must say what is missing")
