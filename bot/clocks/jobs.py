"""APScheduler drives time; the database holds the truth.

Jobs are importable module-level functions that take ids only (here: none), so they never capture a
session, a client or an escalation, and a job store could persist them. They find the running
services through `install()`. Per-escalation reminders are NOT jobs: a pickled job per escalation
would duplicate what the `escalations` and `reminders` tables already say, drift from it on every
update, and fire twice with two replicas. One short interval sweep reads the due rows instead.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import delete, select

from bot.clocks.sweep import ClockService
from bot.reports.digest import DigestService
from bot.rooms.setup import WarRoomFlow
from storage import claims
from storage.db import utcnow
from storage.models import OPEN_STATUSES, Escalation, Reminder

log = logging.getLogger(__name__)
REMINDER_RETENTION = timedelta(days=30)
# How often interrupted room set-ups are looked for: a crashed one resumes seconds after its lease lapses.
RESUME_SECONDS = 3
EVENT_RETENTION = timedelta(days=1)
# How often each replica asks whether this week's digest is due and unposted: a cron job at the hour would
# lose the week when the replica that claimed it died, or when every replica was restarting at that minute.
DIGEST_LOOK_SECONDS = 300


@dataclass(frozen=True)
class _Installed:
    clocks: ClockService
    flow: WarRoomFlow
    digest: DigestService | None


_installed: _Installed | None = None


def install(clocks: ClockService, flow: WarRoomFlow, digest: DigestService | None = None) -> None:
    """Tell the job functions which services to use (once, at start-up)."""
    global _installed
    _installed = _Installed(clocks, flow, digest)


def _services() -> _Installed:
    if _installed is None:
        raise RuntimeError("bot.clocks.jobs.install() was not called")
    return _installed


def sweep_reminders() -> None:
    """Post every reminder that is owed now (interval job)."""
    result = _services().clocks.sweep()
    if result.posted:
        log.info("sweep: %d escalations due, %d reminders posted", result.checked, result.posted)


def resume_unfinished_rooms() -> None:
    """Finish any war-room set-up that was interrupted (interval job)."""
    services = _services()
    services.flow.resume_unfinished(services.clocks.clock())


def post_weekly_digest() -> None:
    """Post this week's digest once it is due, unless another replica has (interval job)."""
    digest = _services().digest
    if digest is not None and digest.post_weekly():
        log.info("weekly digest posted")


def prune_reminders() -> None:
    """Delete reminder claims of escalations closed more than 30 days ago, and event ids older than a day
    (Slack stops retrying within minutes) (daily cron job)."""
    services = _services()
    now = services.clocks.clock()
    cutoff = now - REMINDER_RETENTION
    with services.clocks.db.session() as session:
        done = select(Escalation.id).where(
            Escalation.status.not_in(OPEN_STATUSES), Escalation.updated_at < cutoff
        )
        deleted = session.execute(delete(Reminder).where(Reminder.escalation_id.in_(done))).rowcount
        events = claims.forget_events_before(session, now - EVENT_RETENTION)
    log.info("pruned %d old reminder claims and %d event ids", deleted, events)


def build_scheduler(sweep_seconds: float) -> BackgroundScheduler:
    """The scheduler with warroom's jobs; `start()` it after `install()`."""
    scheduler = BackgroundScheduler(
        timezone=UTC,
        # A sweep that overran its slot runs once, not once per missed slot, and never twice at once.
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 60},
    )
    scheduler.add_job(
        sweep_reminders, "interval", seconds=sweep_seconds, id="sweep_reminders", next_run_time=utcnow()
    )
    scheduler.add_job(
        resume_unfinished_rooms,
        "interval",
        seconds=RESUME_SECONDS,
        id="resume_unfinished_rooms",
        next_run_time=utcnow(),
    )
    scheduler.add_job(prune_reminders, "cron", hour=3, minute=17, id="prune_reminders")
    scheduler.add_job(
        post_weekly_digest,
        "interval",
        seconds=DIGEST_LOOK_SECONDS,
        id="post_weekly_digest",
        next_run_time=utcnow(),
    )
    return scheduler
