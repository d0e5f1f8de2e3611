"""Shared fixtures: a migrated database on SQLite and (when reachable) PostgreSQL, and the sandbox."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text

from bot.sandbox.stack import Sandbox
from storage.db import Base, Database, answers
from storage.migrate import upgrade

POSTGRES_URL = os.environ.get(
    "WARROOM_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REQUIRE_POSTGRES = os.environ.get("WARROOM_REQUIRE_POSTGRES") == "1"


def _postgres_reachable() -> bool:
    return answers(POSTGRES_URL)


@pytest.fixture(scope="session")
def postgres_schema_url() -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a fresh schema, dropped at the end of the session."""
    if not _postgres_reachable():
        if REQUIRE_POSTGRES:
            pytest.fail(f"WARROOM_REQUIRE_POSTGRES=1 but PostgreSQL at {POSTGRES_URL} is unreachable")
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_URL}")
    schema = f"warroom_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in POSTGRES_URL else "?"
    yield f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}"
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite file for the whole session."""
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'warroom.db'}"


@pytest.fixture(scope="session")
def _databases(request: pytest.FixtureRequest) -> Iterator[dict[str, Database]]:
    made: dict[str, Database] = {}
    yield made
    for db in made.values():
        db.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, _databases: dict[str, Database]) -> Iterator[Database]:
    """A migrated, empty database; each test runs on SQLite and on PostgreSQL."""
    backend = request.param
    if backend not in _databases:
        url = request.getfixturevalue("sqlite_url" if backend == "sqlite" else "postgres_schema_url")
        database = Database(url)
        upgrade(database.engine)
        _databases[backend] = database
    database = _databases[backend]
    _empty(database)
    yield database


def _empty(database: Database) -> None:
    with database.engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())


@pytest.fixture
def sandbox(db: Database) -> Iterator[Sandbox]:
    """The app served over HTTP against a fresh fake Slack, on `db`."""
    with Sandbox(db=db) as running:
        yield running
