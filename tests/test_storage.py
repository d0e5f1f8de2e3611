"""Storage on both backends: unique ids under concurrency, UTC-aware times, migrations matching the models."""

from __future__ import annotations

import dataclasses
import threading
from datetime import UTC, datetime, timedelta, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select, update

from blocks.escalations.intake_modal import IntakeSource
from bot.accounts.service import AccountDirectory
from bot.escalations.changes import Actor, ChangePipeline
from bot.escalations.intake import Intake
from bot.escalations.read_model import EscalationSnapshot
from bot.escalations.service import EscalationService
from bot.escalations.triage import IntakeTriage
from bot.escalations.viewers import Viewers
from bot.policy.model import default_policy
from storage import repository as repo
from storage.db import Base, Database, update_each
from storage.migrate import current_revision, head_revision
from storage.models import Customer, Escalation, IdSequence


class _NoRooms:
    """Creation only: these tests look at rows, not at Slack."""

    def provision(self, escalation_id: int) -> None:
        return None


def _service(db: Database) -> EscalationService:
    changes = ChangePipeline(
        db=db,
        policy=default_policy(),
        effects=_NoRooms(),  # type: ignore[arg-type]
        viewers=Viewers(gateway=None),  # type: ignore[arg-type]  # creation asks nobody
    )
    triage = IntakeTriage(changes.policy, AccountDirectory(db), changes.clock)
    return EscalationService(changes=changes, rooms=_NoRooms(), triage=triage)


def _intake(customer: str = "Acme Corp") -> Intake:
    return Intake(
        customer=customer,
        summary="SSO login loop for every user",
        escalation_type="technical",
        severity=None,
        tier="enterprise",
        arr=250_000,
        ic_user_id="U0ANA",
    )


def test_concurrent_creations_get_distinct_gap_free_ids(db: Database) -> None:
    service = _service(db)
    made: list[str] = []
    errors: list[BaseException] = []

    def create(i: int) -> None:
        try:
            esc, created = service.create(_intake(f"Customer {i % 5}"), "U0BEN", IntakeSource(f"key-{i}"))
            assert created
            made.append(esc.public_id)
        except BaseException as exc:  # surfaced below: a thread's assertion would otherwise vanish
            errors.append(exc)

    threads = [threading.Thread(target=create, args=(i,)) for i in range(24)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    year = datetime.now(UTC).year
    assert sorted(made) == [f"ESC-{year}-{n:03d}" for n in range(1, 25)]
    with db.session() as session:
        assert session.execute(select(Customer)).scalars().all().__len__() == 5


def test_the_same_intake_key_creates_once_even_concurrently(db: Database) -> None:
    service = _service(db)
    results: list[tuple[str, bool]] = []

    def create() -> None:
        esc, created = service.create(_intake(), "U0BEN", IntakeSource("same-key"))
        results.append((esc.public_id, created))

    threads = [threading.Thread(target=create) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({public_id for public_id, _ in results}) == 1
    assert [created for _, created in results].count(True) == 1
    with db.session() as session:
        assert len(session.execute(select(Escalation)).scalars().all()) == 1


def test_ids_restart_each_year_and_grow_past_999(db: Database) -> None:
    with db.session() as session:
        numbers = [repo.allocate_public_id(session, 2031)[1] for _ in range(3)]
        session.execute(update(IdSequence).where(IdSequence.year == 2031).values(last_value=999))
        numbers.append(repo.allocate_public_id(session, 2031)[1])
        numbers.append(repo.allocate_public_id(session, 2032)[1])
    assert numbers == ["ESC-2031-001", "ESC-2031-002", "ESC-2031-003", "ESC-2031-1000", "ESC-2032-001"]


def test_times_come_back_utc_aware_on_both_backends(db: Database) -> None:
    created = datetime(2026, 3, 2, 9, 5, tzinfo=timezone(timedelta(hours=-5)))  # 14:05 UTC
    esc, _ = _service(db).create(_intake(), "U0BEN", IntakeSource("tz"))
    with db.session() as session:
        row = session.get(Escalation, esc.id)
        assert row is not None
        row.created_at = created
    with db.session() as session:
        row = session.get(Escalation, esc.id)
        assert row is not None
        assert row.created_at == created
        assert row.created_at.tzinfo is not None and row.created_at.utcoffset() == timedelta(0)
        assert row.created_at.hour == 14
        assert row.first_response_due_at.tzinfo is not None


def test_naive_datetimes_are_refused(db: Database) -> None:
    esc, _ = _service(db).create(_intake(), "U0BEN", IntakeSource("naive"))
    with pytest.raises(Exception, match="naive datetime"), db.session() as session:
        row = session.get(Escalation, esc.id)
        assert row is not None
        row.acknowledged_at = datetime(2026, 1, 1, 12, 0)


def test_migrations_match_the_models(db: Database) -> None:
    assert current_revision(db.engine) == head_revision(db.engine)
    with db.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


def test_a_second_customer_spelling_is_the_same_account(db: Database) -> None:
    service = _service(db)
    service.create(_intake("Acme  Corp"), "U0BEN", IntakeSource("a"))
    service.create(_intake("ACME corp"), "U0BEN", IntakeSource("b"))
    assert [e.public_id for e in service.open_for_customer("acme corp", Actor("U0BEN"))] == [
        e.public_id for e in service.list_open(Actor("U0BEN")).shown
    ]
    with db.session() as session:
        assert len(session.execute(select(Customer)).scalars().all()) == 1


def test_a_sweep_reads_due_escalations_as_plain_rows_that_show_as_their_entities_do(db: Database) -> None:
    """The sweep's read (plain rows, for speed) gives the same view of an escalation as the entity does,
    customer name and JSON lists included; it writes back only the clock columns it is given."""
    policy = default_policy()
    esc, _ = _service(db).create(_intake("Ünïcode & Co"), "U0BEN", IntakeSource("plain"))
    with db.session() as session:
        row = session.get(Escalation, esc.id)
        assert row is not None
        row.responder_user_ids = ["U0BEN", "U0CAI"]
        row.next_reminder_at = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    later = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    with db.session() as session:
        [plain] = repo.lock_due_for_reminders(session, later, 10)
        entity = session.get(Escalation, esc.id)
        assert entity is not None
        seen = EscalationSnapshot.of_columns(plain._mapping, plain.customer_name, policy)
        assert seen == EscalationSnapshot.of(entity, policy)
        assert seen.customer == "Ünïcode & Co" and seen.responder_user_ids == ("U0BEN", "U0CAI")
        retimed = EscalationSnapshot.of_columns(
            plain._mapping, "x", policy, newer={"resolution_due_at": later}
        )
        assert retimed.resolution_due_at == later and seen.resolution_due_at != later
        unshown = {"next_reminder_at": later}  # a clock column the view does not show: ignored
        also = EscalationSnapshot.of_columns(plain._mapping, plain.customer_name, policy, newer=unshown)
        assert also == seen
        with pytest.raises(dataclasses.FrozenInstanceError):
            seen.status = "closed"  # type: ignore[misc]
        assert hash(seen) == hash(EscalationSnapshot.of(entity, policy))
        assert repo.lock_due_for_reminders(session, datetime(2026, 3, 2, 8, 59, tzinfo=UTC), 10) == []
        repo.write_clock_columns(session, {esc.id: {"next_reminder_at": later, "resolution_due_at": None}})
    with db.session() as session:
        row = session.get(Escalation, esc.id)
        assert row is not None
        assert (row.next_reminder_at, row.resolution_due_at) == (later, None)
        assert row.customer_update_due_at is not None, "a column not given is left alone"


def test_set_once_sees_the_value_in_hand_not_only_the_stored_one(db: Database) -> None:
    """A change that clears a flag and sets it again in one unit of work (a reopen, then a breach) sets
    it: the conditional UPDATE runs on the value in hand, so it is not skipped as "already set"."""
    esc, _ = _service(db).create(_intake(), "U0BEN", IntakeSource("once"))
    with db.session() as session:
        session.execute(update(Escalation).where(Escalation.id == esc.id).values(resolution_breached=True))
    with db.session() as session:
        row = session.get(Escalation, esc.id)
        assert row is not None
        row.resolution_breached = False
        assert repo.set_once(session, row, "resolution_breached", True)
        assert not repo.set_once(session, row, "resolution_breached", True), "once: the second is refused"
    with db.session() as session:
        assert session.get(Escalation, esc.id).resolution_breached is True  # type: ignore[union-attr]


def test_batched_updates_refuse_naive_times_and_rows_that_leave_a_column_out(db: Database) -> None:
    esc, _ = _service(db).create(_intake(), "U0BEN", IntakeSource("each"))
    table = Escalation.__table__
    with db.session() as session, pytest.raises(ValueError, match="same columns"):
        update_each(session, table, ["id"], [{"id": esc.id, "next_reminder_at": None}, {"id": 0}])
    if db.backend == "postgresql":  # SQLite's executemany goes through UTCDateTime, which refuses them too
        with db.session() as session, pytest.raises(ValueError, match="naive"):
            update_each(session, table, ["id"], [{"id": esc.id, "next_reminder_at": datetime(2026, 3, 2)}])
