"""Queries and writes over a session. No Slack, no policy: just rows."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from storage.db import utcnow
from storage.models import (
    OPEN_STATUSES,
    Customer,
    Draft,
    Escalation,
    IdSequence,
    Reminder,
    SlackStep,
    TimelineEvent,
)


def customer_name_key(name: str) -> str:
    """The comparison key of a customer name: case and spacing folded."""
    return " ".join(name.casefold().split())


def format_public_id(year: int, number: int) -> str:
    """`ESC-2026-007`; numbers past 999 simply grow (`ESC-2026-1000`)."""
    return f"ESC-{year}-{number:03d}"


def _insert_ignoring_conflict(
    session: Session, table: Any, values: dict[str, Any] | list[dict[str, Any]], key: list[str]
) -> None:
    # The statement carries no values, so SQLAlchemy compiles it once and reuses it; the rows go as
    # parameters (one row, or an executemany that SQLAlchemy batches into one INSERT).
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        stmt = postgresql.insert(table).on_conflict_do_nothing(index_elements=key)
    elif dialect == "sqlite":
        stmt = sqlite.insert(table).on_conflict_do_nothing(index_elements=key)
    else:  # pragma: no cover - only SQLite and PostgreSQL are supported
        stmt = insert(table)
    session.execute(stmt, values)


def allocate_public_id(session: Session, year: int) -> tuple[int, str]:
    """Take the next number of `year` inside the caller's transaction.

    The counter row is updated in place, which locks it (PostgreSQL row lock, SQLite write lock)
    until the transaction ends, so concurrent creations queue and never share a number; a rolled
    back creation gives its number back.
    """
    _insert_ignoring_conflict(session, IdSequence.__table__, {"year": year, "last_value": 0}, ["year"])
    number = session.execute(
        update(IdSequence)
        .where(IdSequence.year == year)
        .values(last_value=IdSequence.last_value + 1)
        .returning(IdSequence.last_value)
    ).scalar_one()
    return number, format_public_id(year, number)


def upsert_customer(session: Session, name: str, tier: str | None, arr: int | None) -> Customer:
    """The customer of that name, created if new; tier and ARR refreshed when given."""
    key = customer_name_key(name)
    _insert_ignoring_conflict(
        session,
        Customer.__table__,
        {
            "name": name.strip(),
            "name_key": key,
            "tier": tier,
            "arr": arr,
            "created_at": utcnow(),
            "updated_at": utcnow(),
        },
        ["name_key"],
    )
    customer = session.execute(select(Customer).where(Customer.name_key == key)).scalar_one()
    if tier is not None:
        customer.tier = tier
    if arr is not None:
        customer.arr = arr
    return customer


def get_escalation(session: Session, escalation_id: int) -> Escalation | None:
    """The escalation with that database id."""
    return session.get(Escalation, escalation_id)


def get_escalation_for_update(session: Session, escalation_id: int) -> Escalation | None:
    """The escalation, locked against concurrent writers until the transaction ends (PostgreSQL)."""
    return session.execute(
        select(Escalation).where(Escalation.id == escalation_id).with_for_update(of=Escalation)
    ).scalar_one_or_none()


def find_by_intake_key(session: Session, intake_key: str) -> Escalation | None:
    """The escalation created from that intake, if any."""
    return session.execute(select(Escalation).where(Escalation.intake_key == intake_key)).scalar_one_or_none()


def find_by_public_id(session: Session, public_id: str) -> Escalation | None:
    """The escalation with that `ESC-YYYY-NNN` id (case-insensitive)."""
    return session.execute(
        select(Escalation).where(Escalation.public_id == public_id.strip().upper())
    ).scalar_one_or_none()


def find_by_room_channel(session: Session, channel_id: str) -> Escalation | None:
    """The escalation whose war room is `channel_id`."""
    return session.execute(
        select(Escalation).where(Escalation.room_channel_id == channel_id).limit(1)
    ).scalar_one_or_none()


def open_cards_in(session: Session, channel_id: str, limit: int = 20) -> list[Escalation]:
    """Open escalations worked in a thread under a card in `channel_id`, newest first."""
    stmt = (
        select(Escalation)
        .where(
            Escalation.card_channel_id == channel_id,
            Escalation.room_channel_id.is_(None),
            Escalation.status.in_(OPEN_STATUSES),
        )
        .order_by(Escalation.id.desc())
        .limit(limit)
    )
    return list(session.execute(stmt).scalars())


def find_by_card(session: Session, channel_id: str, card_ts: str) -> Escalation | None:
    """The escalation whose triage card is the message `card_ts` in `channel_id`."""
    return session.execute(
        select(Escalation).where(Escalation.card_channel_id == channel_id, Escalation.card_ts == card_ts)
    ).scalar_one_or_none()


def list_open(session: Session, limit: int = 50) -> list[Escalation]:
    """Open escalations, most severe first, then oldest first."""
    stmt = (
        select(Escalation)
        .where(Escalation.status.in_(OPEN_STATUSES))
        .order_by(Escalation.severity, Escalation.created_at)
        .limit(limit)
    )
    return list(session.execute(stmt).scalars())


def count_open(session: Session) -> int:
    """How many escalations are open."""
    return session.execute(
        select(func.count()).select_from(Escalation).where(Escalation.status.in_(OPEN_STATUSES))
    ).scalar_one()


def open_for_customer(session: Session, name: str) -> list[Escalation]:
    """Open escalations of the customer called `name` (case and spacing folded)."""
    stmt = (
        select(Escalation)
        .join(Customer)
        .where(Customer.name_key == customer_name_key(name), Escalation.status.in_(OPEN_STATUSES))
        .order_by(Escalation.created_at)
    )
    return list(session.execute(stmt).scalars())


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


def add_event(
    session: Session,
    escalation_id: int,
    kind: str,
    text: str,
    actor_user_id: str | None = None,
    data: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> TimelineEvent:
    """Append to the escalation's timeline."""
    event = TimelineEvent(
        escalation_id=escalation_id,
        kind=kind,
        text=text,
        actor_user_id=actor_user_id,
        data=data or {},
        at=at or utcnow(),
    )
    session.add(event)
    return event


def timeline(session: Session, escalation_id: int) -> list[TimelineEvent]:
    """The escalation's timeline, oldest first."""
    stmt = (
        select(TimelineEvent).where(TimelineEvent.escalation_id == escalation_id).order_by(TimelineEvent.id)
    )
    return list(session.execute(stmt).scalars())


def steps_of(session: Session, escalation_id: int) -> dict[str, SlackStep]:
    """The Slack steps recorded for an escalation, by step name."""
    rows = session.execute(select(SlackStep).where(SlackStep.escalation_id == escalation_id)).scalars()
    return {row.step: row for row in rows}


def start_steps(
    session: Session, escalation_id: int, intents: dict[str, dict[str, Any]]
) -> dict[str, SlackStep]:
    """Record that Slack steps are about to run (what each intends), before calling Slack, in one round
    trip; every recorded step of the escalation, by name (done ones untouched)."""
    now = utcnow()
    _insert_ignoring_conflict(
        session,
        SlackStep.__table__,
        [
            {
                "escalation_id": escalation_id,
                "step": step,
                "status": "started",
                "result": {},
                "attempts": 0,
                "started_at": now,
            }
            for step in intents
        ],
        ["escalation_id", "step"],
    )
    steps = steps_of(session, escalation_id)
    for name, intent in intents.items():
        row = steps[name]
        if row.status != "done":
            row.attempts += 1
            row.result = {**row.result, **intent}
    return steps


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


def fail_step(session: Session, escalation_id: int, step: str, error: str) -> None:
    """Record why a Slack step failed; it stays pending and is retried on resume."""
    session.execute(
        update(SlackStep)
        .where(SlackStep.escalation_id == escalation_id, SlackStep.step == step)
        .values(last_error=error[:500])
        .execution_options(synchronize_session=False)
    )


def claim_reminder(session: Session, escalation_id: int, reminder: Any, worker: str) -> bool:
    """Claim a reminder (clock, due_at, stage, fire_at); False if another sweep already did."""
    values = {
        "escalation_id": escalation_id,
        "clock": reminder.clock,
        "due_at": reminder.due_at,
        "stage": reminder.stage,
        "fire_at": reminder.fire_at,
        "claimed_at": utcnow(),
        "claimed_by": worker,
    }
    dialect = session.get_bind().dialect.name
    insert_ = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = (
        insert_(Reminder)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["escalation_id", "clock", "due_at", "stage"])
        .returning(Reminder.id)
    )
    return session.execute(stmt).scalar_one_or_none() is not None


def mark_reminder_posted(
    session: Session, escalation_id: int, reminder: Any, channel_id: str, ts: str
) -> None:
    """Record where a claimed reminder was posted."""
    session.execute(
        update(Reminder)
        .where(
            Reminder.escalation_id == escalation_id,
            Reminder.clock == reminder.clock,
            Reminder.due_at == reminder.due_at,
            Reminder.stage == reminder.stage,
        )
        .values(posted_at=utcnow(), channel_id=channel_id, message_ts=ts)
        .execution_options(synchronize_session=False)
    )


def set_once(session: Session, row: Escalation, column: str, value: Any, **also: Any) -> bool:
    """Set a column that changes only once (None or False until then) with a conditional UPDATE; False
    if it was already set. Two clicks on two replicas at once therefore record one transition."""
    attribute = getattr(Escalation, column)
    unset = attribute.is_(False) if isinstance(value, bool) else attribute.is_(None)
    changed = session.execute(
        update(Escalation)
        .where(Escalation.id == row.id, unset)
        .values({column: value, **also})
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount != 1:
        return False
    for name, new in {column: value, **also}.items():
        set_committed_value(row, name, new)  # the row in hand shows it, without a second UPDATE
    return True


def mark_draft_sent(session: Session, draft_id: int, user_id: str, at: datetime) -> bool:
    """Record that a person sent a draft; False if someone already had (a double or concurrent click)."""
    changed = session.execute(
        update(Draft)
        .where(Draft.id == draft_id, Draft.sent_at.is_(None))
        .values(sent_by=user_id, sent_at=at)
        .execution_options(synchronize_session=False)
    )
    return changed.rowcount == 1


def set_columns(session: Session, escalation_id: int, columns: dict[str, Any]) -> None:
    """Write what a Slack step learnt (the room's id, the card's ts) onto the escalation."""
    session.execute(
        update(Escalation)
        .where(Escalation.id == escalation_id)
        .values(**columns)
        .execution_options(synchronize_session=False)
    )
