"""The clocks' side effects: keep due times on the record, and sweep for reminders to post.

The database holds the truth: each escalation's due times and `next_reminder_at`, and a `reminders`
row per reminder claimed, unique per (escalation, clock, due time, stage). A sweep claims a reminder
by inserting that row before posting, so any number of replicas can sweep and each reminder is
posted once; a restart loses nothing because nothing lives only in memory.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from slack_sdk.errors import SlackApiError
from sqlalchemy import delete, select, update

from blocks.clocks.nudges import ClockFacts, build_leadership_alert, build_nudge
from blocks.escalations.messages import ARCHIVE_NOTICE, build_archive_notice
from blocks.followups.follow_ups import build_follow_up_reminder
from bot.clocks.recompute import retime
from bot.clocks.schedule import (
    FOLLOW_UP_CLOCK,
    SLA_CLOCKS,
    Reminder,
    cadence_of,
    sla_window,
)
from bot.core.vocabulary import Clock
from bot.escalations.changes import Actor, ChangePipeline
from bot.escalations.read_model import EscalationSnapshot
from bot.followups.model import FollowUpView
from bot.policy.model import Policy
from bot.settings import Settings
from bot.slack.gateway import SlackGateway, error_code, slack_error
from storage import claims
from storage import follow_ups as follow_up_store
from storage import repository as repo
from storage.db import Database, utcnow
from storage.models import Escalation
from storage.models import Reminder as ReminderRow

log = logging.getLogger(__name__)
RETRY_AFTER_FAILURE = timedelta(seconds=30)


@dataclass(frozen=True)
class SweepResult:
    """How many escalations a sweep looked at and how many reminders it posted."""

    checked: int
    posted: int


@dataclass
class ClockService:
    """Sweeps for owed reminders and posts them where the escalation is worked."""

    db: Database
    gateway: SlackGateway
    changes: ChangePipeline
    policy: Policy
    settings: Settings
    clock: Callable[[], datetime] = field(default=utcnow)
    worker_id: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}")
    workers: int = 8
    # Its own pool: reminders refresh cards through the gateway's pool, which must not wait on itself.
    _pool: ThreadPoolExecutor = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="sweep")

    def close(self) -> None:
        """Stop the sweep's worker threads."""
        self._pool.shutdown(wait=True)

    def sweep(self, now: datetime | None = None, batch: int = 200, rounds: int = 20) -> SweepResult:
        """Post every reminder owed at `now` (default: the service clock) exactly once.

        Escalations are handled several at a time (posting to Slack dominates), and the sweep keeps
        taking batches while they come back full, up to `rounds`, instead of waiting for its next tick.
        """
        now = now or self.clock()
        checked = posted = 0
        for _ in range(rounds):
            with self.db.session() as session:
                # No status filter: retime() clears next_reminder_at when the clocks stop, and the
                # index on next_reminder_at alone serves this query on both backends.
                due_ids = list(
                    session.execute(
                        select(Escalation.id)
                        .where(Escalation.next_reminder_at <= now)
                        .order_by(Escalation.next_reminder_at)
                        .limit(batch)
                    ).scalars()
                )
            checked += len(due_ids)
            posted += sum(self._pool.map(lambda escalation_id: self._remind(escalation_id, now), due_ids))
            if len(due_ids) < batch:
                break
        return SweepResult(checked=checked, posted=posted)

    def _remind(self, escalation_id: int, now: datetime) -> int:
        claimed, esc = self._claim(escalation_id, now)
        return sum(self._post(esc, reminder, now) for reminder in claimed)

    def _claim(self, escalation_id: int, now: datetime) -> tuple[list[Reminder], EscalationSnapshot]:
        with self.db.session() as session:
            # Locked, as every change locks it: a follow-up added meanwhile cannot have its reminder time
            # overwritten by this sweep's older view of the row.
            row = repo.get_escalation_for_update(session, escalation_id)
            assert row is not None
            owed = retime(session, row, self.policy, now)
            claimed = [r for r in owed.send if claims.claim_reminder(session, row.id, r, self.worker_id)]
            row.next_reminder_at = owed.next_at
            return claimed, EscalationSnapshot.of(row, self.policy)

    def _post(self, esc: EscalationSnapshot, reminder: Reminder, now: datetime) -> int:
        if reminder.clock == Clock.ARCHIVE:
            return self._archive(esc, reminder, now)
        if reminder.clock.startswith(FOLLOW_UP_CLOCK):
            return self._remind_owner(esc, reminder, now)
        facts = ClockFacts(
            cadence=cadence_of(reminder.clock, esc.severity, self.policy),
            window=sla_window(reminder.clock, esc.severity, self.policy)
            if reminder.clock in SLA_CLOCKS
            else None,
            owner_level=self.policy.for_severity(esc.severity).owner_level,
        )
        text, blocks = build_nudge(esc, reminder, facts, now)
        channel, thread_ts = esc.worked_in
        try:
            posted = self.gateway.post_message(channel or "", text, blocks=blocks, thread_ts=thread_ts)
            ts = posted.ts
        except Exception as exc:
            # No answer (not a refusal): Slack may have posted it, so look for this very reminder first.
            lost = channel and not isinstance(exc, SlackApiError)
            found = (
                self.gateway.find_own_message(
                    channel or "", esc.public_id, thread_ts=thread_ts, block_id=blocks[0]["block_id"]
                )
                if lost
                else None
            )
            if found is None:
                log.warning(
                    "reminder %s for %s not posted (%s); will retry",
                    reminder.key,
                    esc.public_id,
                    slack_error(exc),
                )
                self._release(esc.id, reminder, now)
                return 0
            ts = found
        with self.db.session() as session:
            claims.mark_reminder_posted(session, esc.id, reminder, channel or "", ts)
        if reminder.stage == "breach":
            # Through the one door: flagged once, on the timeline, and the card shows it.
            self.changes.change(
                esc.id, None, lambda record: record.record_breach(reminder.clock, reminder.due_at)
            )
            if self.settings.leadership_channel:
                try:
                    self.gateway.post_message(
                        self.settings.leadership_channel, build_leadership_alert(esc, reminder, facts)
                    )
                except Exception as exc:
                    log.warning("leadership alert for %s not posted: %s", esc.public_id, slack_error(exc))
        return 1

    def _archive(self, esc: EscalationSnapshot, reminder: Reminder, now: datetime) -> int:
        """The quiet period after closing is over: say where the record lives, then archive the room.
        Claimed once like any reminder. No answer from Slack: the claim is given back and a later sweep
        tries again, looking for the notice before posting it; a refusal is put on the timeline instead."""
        channel = esc.room_channel_id or ""
        try:
            if not self.gateway.find_own_message(channel, esc.public_id, block_id=ARCHIVE_NOTICE):
                text, blocks = build_archive_notice(esc)
                self.gateway.post_message(channel, text, blocks=blocks)
        except Exception as exc:  # archived by hand already, say: archiving still goes ahead
            log.info("archive notice for %s not posted: %s", esc.public_id, slack_error(exc))
        refused: str | None = None
        try:
            self.gateway.archive(channel)
        except SlackApiError as exc:
            log.warning("archiving the room of %s failed: %s", esc.public_id, slack_error(exc))
            refused = error_code(exc) or "error"
        except Exception as exc:
            log.warning(
                "archiving the room of %s got no answer (%s); will retry", esc.public_id, slack_error(exc)
            )
            self._release(esc.id, reminder, now)
            return 0
        with self.db.session() as session:
            claims.mark_reminder_posted(session, esc.id, reminder, channel, "")
        self.changes.change(
            esc.id, None, lambda record: record.archive_failed(refused) if refused else record.archived()
        )
        return 1

    def _remind_owner(self, esc: EscalationSnapshot, reminder: Reminder, now: datetime) -> int:
        """A follow-up's reminder goes to its owner in a DM: the room may be long archived by then. A post
        whose answer was lost is looked for in that DM before the claim is given back."""
        follow_up_id = int(reminder.clock.removeprefix(FOLLOW_UP_CLOCK))
        with self.db.session() as session:
            row = follow_up_store.get(session, follow_up_id)
            follow_up = FollowUpView.of(row) if row is not None else None
        if follow_up is None or not follow_up.is_open:  # done between the claim and now: nothing to say
            return 0
        text, blocks = build_follow_up_reminder(esc, follow_up, reminder.stage, now)
        channel: str | None = None
        try:
            owner = follow_up.owner_user_id
            if owner and esc.is_private and not self.changes.may_see(Actor(owner), esc):
                owner = esc.ic_user_id  # no longer in the private room: its IC hears, nobody outside it
            channel = self.gateway.open_dm(owner) if owner else esc.worked_in[0]
            posted = self.gateway.post_message(channel or "", text, blocks=blocks)
            channel, ts = posted.channel, posted.ts
        except SlackApiError as exc:
            # Slack said no (a deactivated owner, an archived room): trying every 30 s would not change
            # that. The room hears it instead where it can; otherwise it is given up, and said in the log.
            log.warning("follow-up reminder %s refused (%s)", reminder.key, slack_error(exc))
            channel, ts = self._in_the_room(esc, text, blocks)
        except Exception as exc:  # no answer: Slack may have posted it, so look before trying again
            found = (
                self.gateway.find_own_message(channel, esc.public_id, block_id=blocks[0]["block_id"])
                if channel
                else None
            )
            if found is None:
                log.warning(
                    "follow-up reminder %s not posted (%s); will retry", reminder.key, slack_error(exc)
                )
                self._release(esc.id, reminder, now)
                return 0
            ts = found
        with self.db.session() as session:
            claims.mark_reminder_posted(session, esc.id, reminder, channel or "", ts or "")
        return 1

    def _in_the_room(
        self, esc: EscalationSnapshot, text: str, blocks: list[dict]
    ) -> tuple[str | None, str | None]:
        channel, thread_ts = esc.worked_in
        if channel is None or esc.archived_at is not None:
            return None, None
        try:
            posted = self.gateway.post_message(channel, text, blocks=blocks, thread_ts=thread_ts)
            return posted.channel, posted.ts
        except Exception as exc:
            log.warning("follow-up reminder for %s given up: %s", esc.public_id, slack_error(exc))
            return None, None

    def _release(self, escalation_id: int, reminder: Reminder, now: datetime) -> None:
        # Give the claim back so a later sweep posts it: a lost reminder is worse than a late one.
        with self.db.session() as session:
            session.execute(
                delete(ReminderRow).where(
                    ReminderRow.escalation_id == escalation_id,
                    ReminderRow.clock == reminder.clock,
                    ReminderRow.due_at == reminder.due_at,
                    ReminderRow.stage == reminder.stage,
                )
            )
            session.execute(
                update(Escalation)
                .where(Escalation.id == escalation_id)
                .values(next_reminder_at=now + RETRY_AFTER_FAILURE)
            )
