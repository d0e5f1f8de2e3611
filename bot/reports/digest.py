"""The weekly digest: posted to `WARROOM_ESCALATIONS_CHANNEL` once the policy's day and hour have come (an
APScheduler interval job on every replica looks every few minutes), once per week across replicas (the
`digests` row of that ISO week), with the chart; `warroom digest` posts one now.

A replica that claimed the week and died before posting leaves a claim that lapses; the next one to look
checks the channel for the digest before posting it, so a crash between the post and the record does not
post it twice.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from blocks.reports.digest import DIGEST_BLOCK, build_digest
from bot.escalations.read_model import EscalationSnapshot
from bot.followups.model import FollowUpView
from bot.policy.loop import DigestPolicy, Weekday
from bot.policy.model import Policy
from bot.reports.chart import render_chart
from bot.reports.flagging import red_flags_each
from bot.reports.metrics import parse_period
from bot.slack.gateway import SlackGateway, slack_error
from storage import digests as digest_store
from storage import follow_ups as follow_up_store
from storage.db import Database, utcnow
from storage.metrics import metrics_for

log = logging.getLogger(__name__)
WEEK = timedelta(days=7)
CLAIM_LEASE = timedelta(minutes=10)
FLAGGED_READ = 2_000  # escalations whose flags one digest reads at most (open ones, and closed this week)


def week_of(now: datetime, zone: str) -> str:
    """The ISO week `now` falls in on the digest's clock: `2026-W49`."""
    year, week, _ = now.astimezone(ZoneInfo(zone)).isocalendar()
    return f"{year}-W{week:02d}"


def due_this_week(now: datetime, policy: DigestPolicy) -> datetime:
    """When this ISO week's digest is due: the policy's day and hour on its clock (as UTC-aware)."""
    local = now.astimezone(ZoneInfo(policy.timezone))
    monday = (local - timedelta(days=local.weekday())).date()
    day = monday + timedelta(days=list(Weekday).index(policy.day))
    return datetime.combine(day, time(policy.hour), ZoneInfo(policy.timezone)).astimezone(now.tzinfo)


@dataclass
class DigestService:
    """Builds and posts the weekly digest."""

    db: Database
    gateway: SlackGateway
    policy: Policy
    channel: str | None
    clock: Callable[[], datetime] = field(default=utcnow)
    worker_id: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}")

    def post_weekly(self) -> str | None:
        """This week's digest, once its day and hour have come, if no replica has posted it yet; the ts
        posted. Every replica asks every few minutes, so a replica that was down at the hour, or one that
        died or failed mid-way (its claim lapses), is made up for within minutes."""
        if not self.channel:
            return None
        now = self.clock()
        if now < due_this_week(now, self.policy.digest):
            return None
        week = week_of(now, self.policy.digest.timezone)
        with self.db.session() as session:
            if not digest_store.claim_week(session, week, self.worker_id, now, CLAIM_LEASE):
                return None
        try:
            ts = self.gateway.find_own_message(self.channel, f"· {week}", block_id=DIGEST_BLOCK)
            ts = ts or self.post_now(week)
        except Exception:
            with self.db.session() as session:  # give the week back: the next look tries again
                digest_store.release_week(session, week, self.worker_id)
            raise
        with self.db.session() as session:
            digest_store.mark_posted(session, week, self.channel, ts or "")
        return ts

    def post_now(self, week: str | None = None) -> str | None:
        """Post a digest of the last 7 days to the escalations channel now (`warroom digest`); its ts."""
        if not self.channel:
            raise ValueError("Set WARROOM_ESCALATIONS_CHANNEL: the digest goes there.")
        now = self.clock()
        week = week or week_of(now, self.policy.digest.timezone)
        text, blocks, chart = self.build(week, now)
        posted = self.gateway.post_message(self.channel, text, blocks=blocks)
        try:
            self.gateway.upload_file(
                posted.channel,
                f"escalation-metrics-{week}.png",
                chart,
                title=f"Escalation metrics · {week}",
                thread_ts=posted.ts,
            )
        except Exception as exc:  # the digest is posted; the chart is a bonus
            log.warning("the digest's chart was not uploaded: %s", slack_error(exc))
        return posted.ts

    def build(self, week: str, now: datetime) -> tuple[str, list[dict], bytes]:
        """The digest's text, blocks and chart, from the record as it is at `now`."""
        period = parse_period("7d", now, self.policy)
        with self.db.session() as session:
            metrics = metrics_for(session, period, self.policy, now)
            candidates = [
                EscalationSnapshot.of(row, self.policy)
                for row in digest_store.worth_flagging(session, now - WEEK, FLAGGED_READ)
            ]
            flags = red_flags_each(session, candidates, self.policy, now)
            flagged = [(esc, flags[esc.id]) for esc in candidates if flags[esc.id]]
            overdue = [
                (FollowUpView.of(follow_up), EscalationSnapshot.of(escalation, self.policy))
                for follow_up, escalation in follow_up_store.open_everywhere(session, 1_000)
                if follow_up.due_at is not None and follow_up.due_at < now
            ]
        text, blocks = build_digest(week, metrics, flagged, overdue, now)
        return text, blocks, render_chart(metrics, self.policy)
