"""What happens once, across retries, crashes and replicas: the room set-up lease, the Slack step log,
reminder claims and the Slack events already taken in. Rows only, like `storage.repository`."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import String, bindparam, delete, literal, or_, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storage.db import UTCDateTime, insert_ignoring_conflict, recordset, update_each, utcnow
from storage.models import Escalation, Reminder, SlackEvent, SlackStep


def needing_provisioning(session: Session, now: datetime) -> list[int]:
    """Ids of escalations whose room set-up is unfinished and not claimed by a live worker."""
    stmt = select(Escalation.id).where(
        Escalation.provisioned_at.is_(None),
        or_(Escalation.provisioning_lease_until.is_(None), Escalation.provisioning_lease_until < now),
    )
    return list(session.execute(stmt).scalars())


def claim_provisioning(
    session: Session, escalation_id: int, owner: str, lease: timedelta, now: datetime | None = None
) -> bool:
    """Take the room set-up lease of an escalation; False if another live worker holds it (or a retry
    after a failure is not due yet)."""
    now = now or utcnow()
    claimed = session.execute(
        update(Escalation)
        .where(
            Escalation.id == escalation_id,
            Escalation.provisioned_at.is_(None),
            or_(
                Escalation.provisioning_lease_until.is_(None),
                Escalation.provisioning_lease_until < now,
            ),
        )
        .values(provisioning_owner=owner, provisioning_lease_until=now + lease)
        .execution_options(synchronize_session=False)
    )
    return claimed.rowcount == 1


def renew_provisioning(session: Session, escalation_id: int, owner: str, until: datetime) -> bool:
    """Extend the set-up lease `owner` holds; False if it is no longer theirs."""
    renewed = session.execute(
        update(Escalation)
        .where(Escalation.id == escalation_id, Escalation.provisioning_owner == owner)
        .values(provisioning_lease_until=until)
        .execution_options(synchronize_session=False)
    )
    return renewed.rowcount == 1


def room_archived(session: Session, escalation_id: int, channel_id: str, at: datetime) -> bool:
    """Record that the war room `channel_id` was archived outside warroom, so the escalation's set-up
    starts a new one; False if it is no longer the escalation's room (another request got there first)."""
    changed = session.execute(
        update(Escalation)
        .where(
            Escalation.id == escalation_id,
            Escalation.room_channel_id == channel_id,
            Escalation.archived_at.is_(None),
        )
        .values(archived_at=at, provisioned_at=None)
        .execution_options(synchronize_session=False)
    )
    return changed.rowcount == 1


def release_provisioning(
    session: Session, escalation_id: int, owner: str, finished: bool, retry_at: datetime | None = None
) -> None:
    """Give the lease back; `finished` marks the room as fully set up, `retry_at` delays the next try."""
    values: dict[str, Any] = {"provisioning_owner": None, "provisioning_lease_until": retry_at}
    if finished:
        values["provisioned_at"] = utcnow()
    session.execute(
        update(Escalation)
        .where(Escalation.id == escalation_id, Escalation.provisioning_owner == owner)
        .values(**values)
        .execution_options(synchronize_session=False)
    )


def steps_of(session: Session, escalation_id: int) -> dict[str, SlackStep]:
    """The Slack steps recorded for an escalation, by step name."""
    return steps_of_each(session, [escalation_id]).get(escalation_id, {})


def steps_of_each(session: Session, escalation_ids: list[int]) -> dict[int, dict[str, SlackStep]]:
    """The Slack steps recorded for several escalations, by escalation id and step name, in one query."""
    rows = session.execute(select(SlackStep).where(SlackStep.escalation_id.in_(escalation_ids))).scalars()
    found: dict[int, dict[str, SlackStep]] = {}
    for row in rows:
        found.setdefault(row.escalation_id, {})[row.step] = row
    return found


def start_steps(
    session: Session, escalation_id: int, intents: dict[str, dict[str, Any]]
) -> dict[str, SlackStep]:
    """Record that Slack steps are about to run (what each intends), before calling Slack, in one round
    trip; every recorded step of the escalation, by name (done ones untouched)."""
    _record_unrecorded(session, [(escalation_id, step) for step in intents], utcnow())
    steps = steps_of(session, escalation_id)
    for name, intent in intents.items():
        row = steps[name]
        if row.status != "done":
            row.attempts += 1
            row.result = {**row.result, **intent}
    return steps


def _record_unrecorded(session: Session, keys: list[tuple[int, str]], now: datetime) -> None:
    """Insert a started row for each Slack step (escalation id, step name) not recorded yet, in one round
    trip; recorded ones are left as they are."""
    insert_ignoring_conflict(
        session,
        SlackStep.__table__,
        [
            {
                "escalation_id": id_,
                "step": step,
                "status": "started",
                "result": {},
                "attempts": 0,
                "started_at": now,
            }
            for id_, step in keys
        ],
        ["escalation_id", "step"],
    )


def start_step(session: Session, escalation_id: int, step: str, intent: dict[str, Any]) -> SlackStep:
    """Record that one Slack step is about to run (what it intends), before calling Slack."""
    return start_steps(session, escalation_id, {step: intent})[step]


def finish_steps(session: Session, escalation_id: int, results: dict[str, dict[str, Any]]) -> None:
    """Record that Slack steps are done, with what Slack returned that later steps need."""
    steps = steps_of(session, escalation_id)
    now = utcnow()
    for name, result in results.items():
        row = steps[name]
        row.status, row.result, row.last_error, row.done_at = "done", {**row.result, **result}, None, now


def finish_step(session: Session, escalation_id: int, step: str, result: dict[str, Any]) -> None:
    """Record that a Slack step is done, with what Slack returned that later steps need."""
    finish_steps(session, escalation_id, {step: result})


def remember_steps(session: Session, results: dict[tuple[int, str], dict[str, Any]]) -> None:
    """Record what steps that follow the record (the topic, the announcement: each keyed by escalation id
    and step name) last did in Slack, recorded or not before, for any number of escalations in three
    round trips."""
    if not results:
        return
    now = utcnow()
    _record_unrecorded(session, list(results), now)
    for row in session.execute(
        select(SlackStep).where(tuple_(SlackStep.escalation_id, SlackStep.step).in_(list(results)))
    ).scalars():
        result = results[(row.escalation_id, row.step)]
        row.status, row.result, row.last_error, row.done_at = "done", {**row.result, **result}, None, now


def forget_steps(session: Session, escalation_id: int, steps: tuple[str, ...]) -> None:
    """Drop the record of Slack steps so they run again (a new room for a reopened escalation)."""
    session.execute(
        delete(SlackStep).where(SlackStep.escalation_id == escalation_id, SlackStep.step.in_(steps))
    )


def fail_step(session: Session, escalation_id: int, step: str, error: str) -> None:
    """Record why a Slack step failed; it stays pending and is retried on resume."""
    session.execute(
        update(SlackStep)
        .where(SlackStep.escalation_id == escalation_id, SlackStep.step == step)
        .values(last_error=error[:500])
        .execution_options(synchronize_session=False)
    )


ReminderKey = tuple[int, str, datetime, str]  # (escalation id, clock, due time, stage): claimed once


def claimed_keys(session: Session, escalation_ids: list[int]) -> dict[int, set[tuple[str, datetime, str]]]:
    """The reminders already claimed for each escalation, by escalation id, in one query."""
    claimed: dict[int, set[tuple[str, datetime, str]]] = {id_: set() for id_ in escalation_ids}
    if escalation_ids:
        rows = session.execute(
            select(Reminder.escalation_id, Reminder.clock, Reminder.due_at, Reminder.stage).where(
                Reminder.escalation_id.in_(escalation_ids)
            )
        )
        for escalation_id, clock, due_at, stage in rows:
            claimed[escalation_id].add((clock, due_at, stage))
    return claimed


def claim_reminders(session: Session, owed: list[tuple[int, Any]], worker: str) -> set[ReminderKey]:
    """Claim reminders (escalation id, reminder) in one statement; the keys this call claimed (a key
    another sweep claimed first is left out)."""
    if not owed:
        return set()
    now = utcnow()
    key = [Reminder.escalation_id, Reminder.clock, Reminder.due_at, Reminder.stage]
    if session.get_bind().dialect.name == "postgresql":
        return _claim_reminders_postgresql(session, owed, worker, now, key)
    stmt = (
        sqlite.insert(Reminder.__table__)
        .on_conflict_do_nothing(index_elements=[c.key for c in key])
        .returning(*key)
    )
    rows = [
        {
            "escalation_id": escalation_id,
            "clock": r.clock,
            "due_at": r.due_at,
            "stage": r.stage,
            "fire_at": r.fire_at,
            "claimed_at": now,
            "claimed_by": worker,
        }
        for escalation_id, r in owed
    ]
    return {tuple(row) for row in session.execute(stmt, rows)}  # type: ignore[misc]


def _claim_reminders_postgresql(
    session: Session, owed: list[tuple[int, Any]], worker: str, now: datetime, key: list[Any]
) -> set[ReminderKey]:
    """The claim as one INSERT … SELECT FROM a recordset: one short statement whatever the batch's size
    (a multi-row VALUES list is a new statement text, parsed anew, for every batch size)."""
    given = recordset(
        Reminder.__table__,
        [
            {
                "escalation_id": escalation_id,
                "clock": r.clock,
                "due_at": r.due_at,
                "stage": r.stage,
                "fire_at": r.fire_at,
            }
            for escalation_id, r in owed
        ],
    )
    stmt = (
        postgresql.insert(Reminder.__table__)
        .from_select(
            [*given.c.keys(), "claimed_at", "claimed_by"],
            select(*given.c, literal(now, UTCDateTime), literal(worker, String)),
        )
        .on_conflict_do_nothing(index_elements=[c.key for c in key])
        .returning(*key)
    )
    return {tuple(row) for row in session.execute(stmt)}  # type: ignore[misc]


def retake_stale_claims(
    session: Session, claimed_before: datetime, worker: str, limit: int
) -> list[tuple[int, str, datetime, str, datetime]]:
    """Claims neither recorded as posted nor given back, made before `claimed_before`: their sweep died
    between claiming and recording (a SIGKILL, a lost machine), so the reminder may or may not be out.
    Taken over by `worker`; (escalation id, clock, due time, stage, fire time) of each."""
    stale = (Reminder.posted_at.is_(None)) & (Reminder.claimed_at < claimed_before)
    oldest = (
        select(Reminder.id)
        .where(stale)
        .order_by(Reminder.claimed_at)
        .limit(limit)
        .with_for_update(skip_locked=True)  # two replicas never take over the same claim
        .scalar_subquery()
    )
    taken = session.execute(
        update(Reminder.__table__)
        .where(Reminder.id.in_(oldest), stale)
        .values(claimed_by=worker, claimed_at=utcnow())
        .returning(Reminder.escalation_id, Reminder.clock, Reminder.due_at, Reminder.stage, Reminder.fire_at)
    )
    return [tuple(row) for row in taken]  # type: ignore[misc]


_KEY_MATCHES = (
    (Reminder.escalation_id == bindparam("k_escalation"))
    & (Reminder.clock == bindparam("k_clock"))
    & (Reminder.due_at == bindparam("k_due"))
    & (Reminder.stage == bindparam("k_stage"))
)


def _key_params(escalation_id: int, reminder: Any) -> dict[str, Any]:
    return {
        "k_escalation": escalation_id,
        "k_clock": reminder.clock,
        "k_due": reminder.due_at,
        "k_stage": reminder.stage,
    }


def mark_reminders_posted(session: Session, posted: list[tuple[int, Any, str, str]]) -> None:
    """Record where claimed reminders (escalation id, reminder, channel, ts) were posted, in one statement."""
    at = utcnow()
    update_each(
        session,
        Reminder.__table__,
        ["escalation_id", "clock", "due_at", "stage"],
        [
            {
                "escalation_id": escalation_id,
                "clock": r.clock,
                "due_at": r.due_at,
                "stage": r.stage,
                "posted_at": at,
                "channel_id": channel,
                "message_ts": ts,
            }
            for escalation_id, r, channel, ts in posted
        ],
    )


def release_reminders(session: Session, given_back: list[tuple[int, Any]], retry_at: datetime) -> None:
    """Give claims back so a later sweep posts them (a lost reminder is worse than a late one), and have
    their escalations looked at again at `retry_at`."""
    if given_back:
        session.connection().execute(
            delete(Reminder.__table__).where(_KEY_MATCHES),
            [_key_params(escalation_id, r) for escalation_id, r in given_back],
        )
        session.execute(
            update(Escalation)
            .where(Escalation.id.in_({escalation_id for escalation_id, _ in given_back}))
            .values(next_reminder_at=retry_at)
            .execution_options(synchronize_session=False)
        )


def set_columns(session: Session, escalation_id: int, columns: dict[str, Any]) -> None:
    """Write what a Slack step learnt (the room's id, the card's ts) onto the escalation."""
    session.execute(
        update(Escalation)
        .where(Escalation.id == escalation_id)
        .values(**columns)
        .execution_options(synchronize_session=False)
    )


def first_delivery(session: Session, event_id: str, at: datetime) -> bool:
    """Record a Slack event; False if it was already recorded (a retry, or another replica has it)."""
    values = {"event_id": event_id[:64], "received_at": at}
    return insert_ignoring_conflict(
        session, SlackEvent.__table__, values, ["event_id"], returning=SlackEvent.event_id
    )


def forget_events_before(session: Session, cutoff: datetime) -> int:
    """Drop event ids older than Slack's retries (it retries for minutes, not days); how many."""
    return session.execute(delete(SlackEvent).where(SlackEvent.received_at < cutoff)).rowcount
