"""Upgrades keep every row (issue 13): a database made by the first release, with rows added at every
release since in every table that release had, is upgraded with `warroom db upgrade` to the newest schema,
and every row is still there with every value it was written with.

The rows are made from the schema as each revision left it (reflected, not from today's models), so a
new migration is covered by this test without editing it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Engine,
    Integer,
    MetaData,
    String,
    Text,
    create_engine,
    insert,
    select,
    text,
)

from bot.cli import main
from storage.db import answers
from storage.migrate import alembic_config, current_revision, head_revision, upgrade
from tests.conftest import POSTGRES_URL, REQUIRE_POSTGRES

WHEN = datetime(2026, 1, 15, 9, 30, tzinfo=UTC)
SKIPPED = {"alembic_version"}


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_engine(request: pytest.FixtureRequest, tmp_path) -> Iterator[Engine]:
    """A database nothing was ever migrated into."""
    if request.param == "sqlite":
        engine = create_engine(f"sqlite:///{tmp_path / 'old.db'}")
        yield engine
        engine.dispose()
        return
    if not answers(POSTGRES_URL):
        if REQUIRE_POSTGRES:
            pytest.fail(f"WARROOM_REQUIRE_POSTGRES=1 but PostgreSQL at {POSTGRES_URL} is unreachable")
        pytest.skip("PostgreSQL not reachable")
    schema = f"warroom_upgrade_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in POSTGRES_URL else "?"
    engine = create_engine(f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}")
    yield engine
    engine.dispose()
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def _revisions(engine: Engine) -> list[str]:
    """Every migration, oldest first."""
    script = ScriptDirectory.from_config(alembic_config(engine))
    return [revision.revision for revision in reversed(list(script.walk_revisions()))]


def _value(column: Any, serial: int, parents: dict[str, dict[str, Any]]) -> Any:
    """A value a column of that type accepts, different for every row written."""
    for key in column.foreign_keys:
        table, referred = key.target_fullname.split(".")
        if table in parents:
            return parents[table][referred]
    kind = column.type
    if isinstance(kind, Boolean):
        return serial % 2 == 0
    if isinstance(kind, Integer | BigInteger):
        return serial
    if isinstance(kind, DateTime):
        return WHEN
    if isinstance(kind, Date):
        return WHEN.date()
    if isinstance(kind, JSON):
        return {"kept": serial} if "data" in column.name or "result" in column.name else []
    if isinstance(kind, String) and not isinstance(kind, Text):
        return f"v{serial}"[: kind.length or 32]
    return f"text {serial} ✓"  # Text and anything else that reads as text


def _write_a_row_in_every_table(
    engine: Engine, serial: int, written: list[tuple[str, dict[str, Any]]]
) -> int:
    """One row in every table this revision has, parents first; each row's values are kept to compare."""
    schema = MetaData()
    schema.reflect(engine)
    parents: dict[str, dict[str, Any]] = {}
    with engine.begin() as connection:
        for table in schema.sorted_tables:
            if table.name in SKIPPED:
                continue
            serial += 1
            row = {column.name: _value(column, serial, parents) for column in table.columns}
            connection.execute(insert(table).values(**row))
            parents[table.name] = row
            written.append((table.name, row))
    return serial


def _same(stored: Any, written: Any) -> bool:
    if isinstance(written, datetime) and isinstance(stored, datetime):
        return stored.replace(tzinfo=stored.tzinfo or UTC) == written
    return stored == written


def test_a_database_from_the_first_release_upgrades_with_every_row_kept(
    empty_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    revisions = _revisions(empty_engine)
    assert revisions[0] == "0001" and len(revisions) >= 10
    written: list[tuple[str, dict[str, Any]]] = []
    serial = 0
    for revision in revisions[:-1]:  # the rows each older release could have written
        upgrade(empty_engine, revision)
        serial = _write_a_row_in_every_table(empty_engine, serial, written)
    assert current_revision(empty_engine) == revisions[-2]

    monkeypatch.setenv("DATABASE_URL", empty_engine.url.render_as_string(hide_password=False))
    assert main(["db", "upgrade"]) == 0  # what an operator runs
    assert current_revision(empty_engine) == head_revision(empty_engine)

    schema = MetaData()
    schema.reflect(empty_engine)
    tables = {name for name, _ in written}
    print(f"{len(written)} rows in {len(tables)} tables over {len(revisions) - 1} releases")
    assert {"customers", "escalations", "timeline_events", "drafts", "reminders", "follow_ups"} <= tables
    with empty_engine.connect() as connection:
        for name, row in written:
            table = schema.tables[name]
            key = [table.c[column.name] == row[column.name] for column in table.primary_key.columns]
            stored = connection.execute(select(table).where(*key)).mappings().one_or_none()
            assert stored is not None, f"a {name} row from an older release is gone: {row}"
            changed = {c: (stored[c], v) for c, v in row.items() if not _same(stored[c], v)}
            assert not changed, f"{name} row changed by the upgrade: {changed}"
