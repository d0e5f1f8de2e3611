"""The weekly digest against the fake Slack: posted once a week across replicas, with its chart, red flags
named only for public escalations, and a crash between the post and its record not posting it twice."""

from __future__ import annotations

import dataclasses
import json
import threading
from datetime import UTC, datetime, timedelta

import pytest
from slack_sdk.errors import SlackApiError

from bot.clocks.jobs import DIGEST_LOOK_SECONDS, build_scheduler
from bot.policy.loop import Weekday
from bot.policy.model import load_policy
from bot.reports.digest import DigestService, due_this_week, week_of
from bot.sandbox.stack import wait_until
from storage import digests as digest_store
from storage.db import Database
from tests.room_steps import T0, clock_fixture, row, sev1_room, timed_fixture, under_severity_room

__all__ = ["clock_fixture", "timed_fixture"]
CHANNEL = "C0ESCALATIONS"
POLICY = load_policy(None)


def _digests(sandbox) -> list[dict]:
    return [
        m for m in sandbox.fake.messages(CHANNEL) if "Weekly escalation digest" in json.dumps(m.get("blocks"))
    ]


def test_the_week_is_the_iso_week_on_the_digests_clock() -> None:
    sunday_night_utc = datetime(2026, 3, 8, 23, 30, tzinfo=UTC)
    assert week_of(sunday_night_utc, "UTC") == "2026-W10"
    assert week_of(sunday_night_utc, "Europe/Berlin") == "2026-W11", "already Monday in Berlin"


def test_this_weeks_digest_is_due_from_the_policys_day_and_hour() -> None:
    monday_9 = datetime(2026, 3, 9, 9, 0, tzinfo=UTC)
    assert due_this_week(datetime(2026, 3, 9, 8, 59, tzinfo=UTC), POLICY.digest) == monday_9
    assert due_this_week(datetime(2026, 3, 15, 23, 0, tzinfo=UTC), POLICY.digest) == monday_9, "same week"
    friday_5pm_berlin = POLICY.digest.model_copy(
        update={"day": Weekday.FRIDAY, "hour": 17, "timezone": "Europe/Berlin"}
    )
    wednesday = datetime(2026, 3, 11, tzinfo=UTC)
    assert due_this_week(wednesday, friday_5pm_berlin) == datetime(2026, 3, 13, 16, tzinfo=UTC)  # CET is +1


def test_before_the_hour_nothing_is_posted_and_a_replica_back_late_still_posts(timed, clock) -> None:
    clock.now = datetime(2026, 3, 9, 8, 55, tzinfo=UTC)
    assert timed.warroom.digest.post_weekly() is None and not _digests(timed)
    clock.now = datetime(2026, 3, 11, 14, 0, tzinfo=UTC)  # Wednesday: every replica was down on Monday
    assert timed.warroom.digest.post_weekly() is not None and len(_digests(timed)) == 1


def test_a_failed_post_gives_the_week_back_for_the_next_look(timed, clock) -> None:
    clock.now = datetime(2026, 3, 9, 9, 5, tzinfo=UTC)
    timed.fake.fail_next("chat.postMessage", error="internal_error", times=1)
    with pytest.raises(SlackApiError):
        timed.warroom.digest.post_weekly()
    assert not _digests(timed)
    assert timed.warroom.digest.post_weekly() is not None and len(_digests(timed)) == 1


def test_the_scheduler_looks_every_few_minutes() -> None:
    job = build_scheduler(60).get_job("post_weekly_digest")
    assert job.trigger.interval.total_seconds() == DIGEST_LOOK_SECONDS


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
