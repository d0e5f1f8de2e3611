"""Queries and writes over a session. No Slack, no policy: just rows."""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Row, Update, bindparam, func, inspect, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from storage.db import insert_ignoring_conflict, update_each, utcnow
from storage.models import (
    OPEN_STATUSES,
    Customer,
    Draft,
    Escalation,
    IdSequence,
    TimelineEvent,
)


def customer_name_key(name: str) -> str:
    """The comparison key of a customer name: case and spacing folded."""
    return " ".join(name.casefold().split())


def format_public_id(year: int, number: int) -> str:
    """`ESC-2026-007`; numbers past 999 simply grow (`ESC-2026-1000`)."""
    return f"ESC-{year}-{number:03d}"


def allocate_public_id(session: Session, year: int) -> tuple[int, str]:
    """Take the next number of `year` inside the caller's transaction.

    The counter row is updated in place, which locks it (PostgreSQL row lock, SQLite write lock)
    until the transaction ends, so concurrent creations queue and never share a number; a rolled
    back creation gives its number back.
    """
    insert_ignoring_conflict(session, IdSequence.__table__, {"year": year, "last_value": 0}, ["year"])
    number = session.execute(
        update(IdSequence)
        .where(IdSequence.year == year)
        .values(last_value=IdSequence.last_value + 1)
        .returning(IdSequence.last_value)
    ).scalar_one()
    return number, format_public_id(year, number)


def upsert_customer(session: Session, name: str, tier: str | None, arr: int | None) -> Customer:
    """The customer of that name, created if new; tier and ARR refreshed when given, unless the account
    comes from the directory."""
    key = customer_name_key(name)
    insert_ignoring_conflict(
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
    if customer.in_directory:
        return customer  # the imported directory is the record; an escalation's form does not rewrite it
    if tier is not None:
        customer.tier = tier
    if arr is not None:
        customer.arr = arr
    return customer


def get_escalation(session: Session, escalation_id: int) -> Escalation | None:
    """The escalation with that database id."""
    return session.get(Escalation, escalation_id)


def get_escalations(session: Session, escalation_ids: list[int]) -> list[Escalation]:
    """Those escalations (the ones that exist), in id order, in one query."""
    if not escalation_ids:
        return []
    stmt = select(Escalation).where(Escalation.id.in_(escalation_ids)).order_by(Escalation.id)
    return list(session.execute(stmt).scalars())


def is_customer_channel(session: Session, channel_id: str) -> bool:
    """True when the account directory names `channel_id` as a customer's Slack Connect channel."""
    found = session.execute(select(Customer.id).where(Customer.slack_connect_channel == channel_id).limit(1))
    return found.first() is not None


def get_escalation_for_update(session: Session, escalation_id: int) -> Escalation | None:
    """The escalation, locked against concurrent writers until the transaction ends (PostgreSQL)."""
    return session.execute(
        select(Escalation).where(Escalation.id == escalation_id).with_for_update(of=Escalation)
    ).scalar_one_or_none()


def get_escalations_for_update(session: Session, escalation_ids: list[int]) -> list[Escalation]:
    """Those escalations, locked in id order (so two callers locking several cannot deadlock); the ones
    that exist, by id."""
    if not escalation_ids:
        return []
    return list(
        session.execute(
            select(Escalation)
            .where(Escalation.id.in_(escalation_ids))
            .order_by(Escalation.id)
            .with_for_update(of=Escalation)
        ).scalars()
    )


def lock_due_for_reminders(session: Session, now: datetime, limit: int) -> list[Row[Any]]:
    """Up to `limit` escalations whose next reminder time has come, earliest first, locked until the
    transaction ends (PostgreSQL). Rows another sweep or a change holds are skipped, not waited for: each
    replica's sweep takes its own share, and a change retimes its row itself.

    Plain rows (every column, and the customer's name as `customer_name`), not entities: a sweep reads
    hundreds a second and writes back only their clock columns (`write_clock_columns`)."""
    # No status filter: retime() clears next_reminder_at when the clocks stop, and the index on
    # next_reminder_at alone serves this query on both backends.
    escalations = Escalation.__table__
    return list(
        session.execute(
            select(escalations, Customer.__table__.c.name.label("customer_name"))
            .join_from(escalations, Customer.__table__)
            .where(escalations.c.next_reminder_at <= now)
            .order_by(escalations.c.next_reminder_at)
            .limit(limit)
            .with_for_update(of=escalations, skip_locked=True)
        )
    )


def write_clock_columns(session: Session, columns: dict[int, dict[str, datetime | None]]) -> None:
    """Write escalations' clock columns (escalation id → column → value; the same columns for each) in one
    statement."""
    update_each(session, Escalation.__table__, ["id"], [{"id": id_, **each} for id_, each in columns.items()])


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


class NewEvent(Protocol):
    """What a timeline entry says (`bot.escalations.record_core.Event`)."""

    kind: str
    text: str
    data: dict[str, Any]
    message_channel_id: str | None
    message_ts: str | None


def add_event(
    session: Session,
    escalation_id: int,
    event: NewEvent,
    actor_user_id: str | None = None,
    at: datetime | None = None,
) -> TimelineEvent:
    """Append to the escalation's timeline."""
    row = TimelineEvent(
        escalation_id=escalation_id,
        kind=event.kind,
        text=event.text,
        actor_user_id=actor_user_id,
        data=event.data,
        at=at or utcnow(),
        message_channel_id=event.message_channel_id,
        message_ts=event.message_ts,
    )
    session.add(row)
    return row


def captured_message(session: Session, escalation_id: int, ts: str) -> TimelineEvent | None:
    """The timeline entry of Slack message `ts`, if it was added to this escalation's timeline."""
    return session.execute(
        select(TimelineEvent).where(
            TimelineEvent.escalation_id == escalation_id, TimelineEvent.message_ts == ts
        )
    ).scalar_one_or_none()


def escalations_with_message(session: Session, channel_id: str, ts: str) -> list[int]:
    """The escalations whose timeline holds Slack message `ts` of `channel_id` (an edit, a deletion)."""
    stmt = select(TimelineEvent.escalation_id).where(
        TimelineEvent.message_ts == ts, TimelineEvent.message_channel_id == channel_id
    )
    return list(session.execute(stmt).scalars())


def all_escalation_ids(session: Session, limit: int) -> list[int]:
    """Escalation ids, oldest first (for exports)."""
    return list(session.execute(select(Escalation.id).order_by(Escalation.id).limit(limit)).scalars())


def timeline(session: Session, escalation_id: int) -> list[TimelineEvent]:
    """The escalation's timeline, oldest first."""
    return timelines(session, [escalation_id]).get(escalation_id, [])


def timelines(session: Session, escalation_ids: list[int]) -> dict[int, list[TimelineEvent]]:
    """The timelines of several escalations, oldest first, in one query (absent: nothing on it)."""
    stmt = (
        select(TimelineEvent)
        .where(TimelineEvent.escalation_id.in_(escalation_ids))
        .order_by(TimelineEvent.escalation_id, TimelineEvent.id)
    )
    found: dict[int, list[TimelineEvent]] = {}
    for event in session.execute(stmt).scalars():
        found.setdefault(event.escalation_id, []).append(event)
    return found


def set_once(session: Session, row: Escalation, column: str, value: Any, **also: Any) -> bool:
    """Set a column that changes only once (None or False until then) with a conditional UPDATE; False
    if it was already set. Two clicks on two replicas at once therefore record one transition."""
    if inspect(row).attrs[column].history.has_changes():  # the condition is on the value in hand
        session.flush()
    # On the connection, not through the ORM: nothing else pending needs flushing first (the change's
    # events go in one INSERT at its commit), and a batch of breaches is not a flush per escalation.
    values = {column: value, **also}
    statement = _set_once_statement(column, isinstance(value, bool), tuple(values))
    params = {"row_id": row.id, **{f"new_{name}": new for name, new in values.items()}}
    changed = session.connection().execute(statement, params)
    if changed.rowcount != 1:
        return False
    for name, new in values.items():
        set_committed_value(row, name, new)  # the row in hand shows it, without a second UPDATE
    return True


@functools.lru_cache(maxsize=64)
def _set_once_statement(column: str, flag: bool, columns: tuple[str, ...]) -> Update:
    """`set_once`'s UPDATE, one object per shape: SQLAlchemy works out a statement's cache key once per
    object, and a batch of breaches sets the same columns on many rows."""
    escalations = Escalation.__table__
    unset = escalations.c[column].is_(False) if flag else escalations.c[column].is_(None)
    return (
        update(escalations)
        .where(escalations.c.id == bindparam("row_id"), unset)
        .values({name: bindparam(f"new_{name}") for name in columns})
    )


def mark_draft_sent(session: Session, draft_id: int, user_id: str, at: datetime) -> bool:
    """Record that a person sent a draft; False if someone already had (a double or concurrent click)."""
    changed = session.execute(
        update(Draft)
        .where(Draft.id == draft_id, Draft.sent_at.is_(None))
        .values(sent_by=user_id, sent_at=at)
        .execution_options(synchronize_session=False)
    )
    return changed.rowcount == 1
