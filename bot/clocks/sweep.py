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
import time
from collections import defaultdict, deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from slack_sdk.errors import SlackApiError

from blocks.clocks.nudges import ClockFacts, build_leadership_alert, build_nudge
from blocks.escalations.messages import ARCHIVE_NOTICE, build_archive_notice
from blocks.followups.follow_ups import build_follow_up_reminder
from bot.clocks.pacing import Pacing
from bot.clocks.recompute import timings
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
from bot.escalations.record import Record
from bot.followups.model import FollowUpView
from bot.policy.model import Policy
from bot.settings import Settings
from bot.slack.gateway import SlackGateway, error_code, slack_error
from storage import claims
from storage import follow_ups as follow_up_store
from storage import repository as repo
from storage.db import Database, utcnow

log = logging.getLogger(__name__)
RETRY_AFTER_FAILURE = timedelta(seconds=30)
# A claim neither recorded nor given back this long after it was made belongs to a sweep that died (a
# batch takes seconds, minutes only if Slack is very slow): another sweep takes it over.
STALE_CLAIM = timedelta(minutes=5)


@dataclass(frozen=True)
class SweepResult:
    """How many escalations a sweep looked at and how many reminders it posted."""

    checked: int
    posted: int


@dataclass(frozen=True)
class Owed:
    """A reminder this sweep claimed, and the escalation it is for as the claim saw it."""

    esc: EscalationSnapshot
    reminder: Reminder
    # Taken over from a sweep that died after claiming it: it may be out already, so look before posting.
    retaken: bool = False


@dataclass(frozen=True)
class Outcome:
    """What became of a claimed reminder. Recorded for a whole batch at once: posted (where), given back
    (no answer from Slack: a later sweep tries again), or neither (nothing left to say)."""

    owed: Owed
    posted_to: tuple[str, str] | None = None  # (channel, ts) written on the claim
    give_back: bool = False
    act: Callable[[Record], object] | None = None  # through the one door, once the post is recorded
    alert: str | None = None  # for the leadership channel


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
    workers: int = 16  # posts in flight at most (Slack slow to answer); `Pacing` says how many it takes
    # Batches in flight at once. Each claims rows no other holds (SKIP LOCKED on PostgreSQL; SQLite takes
    # turns); more than one gains nothing measurable, since posting already overlaps Slack's time.
    claimers: int = 1
    # Their own pools: reminders refresh cards through the gateway's pool, which must not wait on itself,
    # and a batch waits on its posts, so batches, posts and follow-ons never share threads.
    _pool: ThreadPoolExecutor = field(init=False, repr=False)
    _batches: ThreadPoolExecutor = field(init=False, repr=False)
    _after: ThreadPoolExecutor = field(init=False, repr=False)
    _pacing: Pacing = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._pacing = Pacing(most=self.workers)
        self._pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="sweep")
        self._batches = ThreadPoolExecutor(max_workers=self.claimers, thread_name_prefix="sweep-batch")
        # A batch's follow-ons are one change and one run of alerts: a few threads keep up with batches.
        self._after = ThreadPoolExecutor(max_workers=4, thread_name_prefix="sweep-after")

    def close(self) -> None:
        """Stop the sweep's worker threads."""
        self._batches.shutdown(wait=True)
        self._after.shutdown(wait=True)
        self._pool.shutdown(wait=True)

    def sweep(self, now: datetime | None = None, batch: int = 200, rounds: int = 20) -> SweepResult:
        """Post every reminder owed at `now` (default: the service clock, read again for each batch)
        exactly once.

        A batch costs two transactions whatever its size: claim (lock the due rows, retime them, claim
        their reminders) and record (where each was posted, claims given back). Posting in between runs
        several channels at a time, one post at a time per channel as Slack's rate limits ask. Follow-ons
        (breaches flagged and rooms archived, one `change_each` through the pipeline per batch; leadership
        alerts) run while the next batch is claimed, and the sweep returns once they are done. `claimers`
        batches run at once, each taking batches while they come back full, up to `rounds`, instead of
        waiting for the next tick.
        """
        done = [self._take_over_stale(now, batch)]
        if self.claimers == 1:  # the default: no hand-over to another thread
            done.append(self._batches_until_done(now, batch, rounds))
        else:
            done += self._batches.map(
                lambda _: self._batches_until_done(now, batch, rounds), range(self.claimers)
            )
        return SweepResult(checked=sum(r.checked for r in done), posted=sum(r.posted for r in done))

    def _take_over_stale(self, at: datetime | None, batch: int) -> SweepResult:
        """Deliver the reminders a dead sweep claimed and never recorded, each looked for before it is
        posted (the sweep may have died after posting it)."""
        now = at or self.clock()
        with self.db.session() as session:
            taken = claims.retake_stale_claims(session, now - STALE_CLAIM, self.worker_id, batch)
            if not taken:
                return SweepResult(checked=0, posted=0)
            rows = {
                row.id: row for row in repo.get_escalations_for_update(session, sorted({t[0] for t in taken}))
            }
            owed = [
                Owed(EscalationSnapshot.of(rows[esc_id], self.policy), Reminder(*rest), retaken=True)
                for esc_id, *rest in taken
                if esc_id in rows
            ]
        log.warning("taking over %d reminder(s) a stopped sweep claimed and never recorded", len(owed))
        posted, follow_ons = self._post_and_record(owed, now)
        wait(follow_ons)
        return SweepResult(checked=len(owed), posted=posted)

    def _post_and_record(self, owed: list[Owed], now: datetime) -> tuple[int, list[Future[None]]]:
        """Post claimed reminders, record what became of them and start their follow-ons: how many were
        posted, and the follow-ons' futures."""
        outcomes = self._deliver(owed, now)
        self._record(outcomes, now)
        return sum(o.posted_to is not None for o in outcomes), self._follow_on(outcomes)

    def _batches_until_done(self, at: datetime | None, batch: int, rounds: int) -> SweepResult:
        checked = posted = 0
        follow_ons: list[Future[None]] = []
        try:
            for _ in range(rounds):
                # The clock is read again for every batch: what fell due while the sweep was busy is taken
                # by this sweep, not left for the next tick.
                now = at or self.clock()
                looked, owed = self._claim_due(now, batch)
                checked += looked
                # The next batch is claimed while this one's follow-ons run: they are recorded reminders'
                # consequences, and waiting for them would leave the batch's next reminders late.
                sent, started = self._post_and_record(owed, now)
                posted += sent
                follow_ons += started
                if looked < batch:
                    break
        finally:
            wait(follow_ons)  # the sweep is done when they are: its caller sees the breaches flagged
        return SweepResult(checked=checked, posted=posted)

    def _claim_due(self, now: datetime, batch: int) -> tuple[int, list[Owed]]:
        with self.db.session() as session:
            # Locked, as every change locks its row: a follow-up added meanwhile cannot have its reminder
            # time overwritten by this sweep's older view. Rows locked elsewhere wait for the next tick.
            rows = repo.lock_due_for_reminders(session, now, batch)
            timed = timings(session, rows, self.policy, now)
            wanted = [(row.id, reminder) for row in rows for reminder in timed[row.id].plan.send]
            won = claims.claim_reminders(session, wanted, self.worker_id)
            # Looked at again when its next reminder is due, whether this sweep won its claims or not.
            columns = {
                row.id: {**timed[row.id].columns, "next_reminder_at": timed[row.id].plan.next_at}
                for row in rows
            }
            repo.write_clock_columns(session, columns)
            owed: list[Owed] = []
            for row in rows:
                mine = [r for r in timed[row.id].plan.send if (row.id, *r.key) in won]
                if mine:
                    esc = EscalationSnapshot.of_columns(
                        row._mapping, row.customer_name, self.policy, newer=columns[row.id]
                    )
                    owed += [Owed(esc, reminder) for reminder in mine]
            return len(rows), owed

    def _deliver(self, owed: list[Owed], now: datetime) -> list[Outcome]:
        """Post a batch's reminders, one lane (channel) at a time per thread, as many lanes at once as
        the pacing asks for; one is done in this thread, with no hand-over at all."""
        by_lane: dict[str, list[Owed]] = defaultdict(list)
        for item in owed:
            by_lane[_lane(item)].append(item)
        lanes = deque(by_lane.values())

        def drain() -> list[Outcome]:
            done: list[Outcome] = []
            while True:
                try:
                    lane = lanes.popleft()  # atomic: each lane is taken by one thread
                except IndexError:
                    return done
                done += [self._deliver_one(item, now) for item in lane]

        helpers = [self._pool.submit(drain) for _ in range(min(len(lanes), self._pacing.in_flight()) - 1)]
        return drain() + [outcome for helper in helpers for outcome in helper.result()]

    def _deliver_one(self, owed: Owed, now: datetime) -> Outcome:
        wall, cpu = time.perf_counter(), time.thread_time()
        try:
            if owed.reminder.clock == Clock.ARCHIVE:
                return self._archive(owed)
            if owed.reminder.clock.startswith(FOLLOW_UP_CLOCK):
                return self._remind_owner(owed, now)
            return self._nudge(owed, now)
        except Exception:  # a bug in one reminder must not cost the batch its others
            log.exception("reminder %s for %s failed; will retry", owed.reminder.key, owed.esc.public_id)
            return Outcome(owed, give_back=True)
        finally:
            self._pacing.note(time.perf_counter() - wall, time.thread_time() - cpu)

    def _record(self, outcomes: list[Outcome], now: datetime) -> None:
        # Nothing left to say (a follow-up done meanwhile) is settled like a post, so that no later sweep
        # takes the claim for a dead one's.
        posted = [
            (o.owed.esc.id, o.owed.reminder, *(o.posted_to or ("", ""))) for o in outcomes if not o.give_back
        ]
        given_back = [(o.owed.esc.id, o.owed.reminder) for o in outcomes if o.give_back]
        if posted or given_back:
            with self.db.session() as session:
                claims.mark_reminders_posted(session, posted)
                claims.release_reminders(session, given_back, now + RETRY_AFTER_FAILURE)

    def _follow_on(self, outcomes: list[Outcome]) -> list[Future[None]]:
        """Start the batch's follow-ons: its changes (one unit of work for the batch, through the one door)
        and its leadership alerts; their futures."""
        acts: dict[int, list[Callable[[Record], object]]] = defaultdict(list)
        for outcome in outcomes:
            if outcome.act is not None:
                acts[outcome.owed.esc.id].append(outcome.act)

        def change() -> None:
            try:
                self.changes.change_each({id_: _all_of(each) for id_, each in acts.items()})
            except Exception:  # the reminders are out and recorded; the next sweep's changes are not held up
                log.exception("after reminders for %d escalations", len(acts))

        def alert_leadership(channel: str, alerts: list[Outcome]) -> None:
            for outcome in alerts:  # one channel: one post at a time
                try:
                    self.gateway.post_message(channel, outcome.alert or "")
                except Exception as exc:
                    log.warning(
                        "leadership alert for %s not posted: %s", outcome.owed.esc.public_id, slack_error(exc)
                    )

        started = [self._after.submit(change)] if acts else []
        alerts = [o for o in outcomes if o.alert is not None]
        if alerts and self.settings.leadership_channel:
            started.append(self._after.submit(alert_leadership, self.settings.leadership_channel, alerts))
        return started

    def _nudge(self, owed: Owed, now: datetime) -> Outcome:
        esc, reminder = owed.esc, owed.reminder
        facts = ClockFacts(
            cadence=cadence_of(reminder.clock, esc.severity, self.policy),
            window=sla_window(reminder.clock, esc.severity, self.policy)
            if reminder.clock in SLA_CLOCKS
            else None,
            owner_level=self.policy.for_severity(esc.severity).owner_level,
        )
        text, blocks = build_nudge(esc, reminder, facts, now)
        channel, thread_ts = esc.worked_in
        block_id = blocks[0]["block_id"]
        try:
            ts = (
                self.gateway.find_own_message(
                    channel or "", esc.public_id, thread_ts=thread_ts, block_id=block_id
                )
                if owed.retaken
                else None
            ) or self.gateway.post_message(channel or "", text, blocks=blocks, thread_ts=thread_ts).ts
        except Exception as exc:
            # No answer (not a refusal): Slack may have posted it, so look for this very reminder first.
            lost = channel and not isinstance(exc, SlackApiError)
            found = (
                self.gateway.find_own_message(
                    channel or "", esc.public_id, thread_ts=thread_ts, block_id=block_id
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
                return Outcome(owed, give_back=True)
            ts = found
        if reminder.stage != "breach":
            return Outcome(owed, posted_to=(channel or "", ts))
        return Outcome(
            owed,
            posted_to=(channel or "", ts),
            # Through the one door: flagged once, on the timeline, and the card shows it.
            act=lambda record: record.record_breach(reminder.clock, reminder.due_at),
            alert=build_leadership_alert(esc, reminder, facts),
        )

    def _archive(self, owed: Owed) -> Outcome:
        """The quiet period after closing is over: say where the record lives, then archive the room.
        Claimed once like any reminder. No answer from Slack: the claim is given back and a later sweep
        tries again, looking for the notice before posting it; a refusal is put on the timeline instead."""
        esc = owed.esc
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
            return Outcome(owed, give_back=True)
        return Outcome(
            owed,
            posted_to=(channel, ""),
            act=lambda record: record.archive_failed(refused) if refused else record.archived(),
        )

    def _remind_owner(self, owed: Owed, now: datetime) -> Outcome:
        """A follow-up's reminder goes to its owner in a DM: the room may be long archived by then. A post
        whose answer was lost is looked for in that DM before the claim is given back."""
        esc, reminder = owed.esc, owed.reminder
        follow_up_id = int(reminder.clock.removeprefix(FOLLOW_UP_CLOCK))
        with self.db.session() as session:
            row = follow_up_store.get(session, follow_up_id)
            follow_up = FollowUpView.of(row) if row is not None else None
        if follow_up is None or not follow_up.is_open:  # done between the claim and now: nothing to say
            return Outcome(owed)
        text, blocks = build_follow_up_reminder(esc, follow_up, reminder.stage, now)
        channel: str | None = None
        try:
            owner = follow_up.owner_user_id
            if owner and esc.is_private and not self.changes.may_see(Actor(owner), esc):
                owner = esc.ic_user_id  # no longer in the private room: its IC hears, nobody outside it
            channel = self.gateway.open_dm(owner) if owner else esc.worked_in[0]
            block_id = blocks[0]["block_id"]
            found = (
                self.gateway.find_own_message(channel or "", esc.public_id, block_id=block_id)
                if owed.retaken
                else None
            )
            if found:
                return Outcome(owed, posted_to=(channel or "", found))
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
                return Outcome(owed, give_back=True)
            ts = found
        return Outcome(owed, posted_to=(channel or "", ts or ""))

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


def _all_of(acts: list[Callable[[Record], object]]) -> Callable[[Record], None]:
    """One act doing each of `acts` (an escalation whose two SLA clocks ran out in one batch)."""

    def act(record: Record) -> None:
        for each in acts:
            each(record)

    return act


def _lane(owed: Owed) -> str:
    """Reminders in one lane are posted one after another: one per channel (a DM per follow-up)."""
    if owed.reminder.clock.startswith(FOLLOW_UP_CLOCK):
        return owed.reminder.clock
    return owed.esc.worked_in[0] or ""
