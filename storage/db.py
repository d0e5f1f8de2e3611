"""Engines and sessions: the one place that knows how to talk to SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Engine, bindparam, column, create_engine, event, func, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    """The current time, UTC-aware."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that is always UTC-aware in Python, whatever the backend stores.

    SQLite has no time zones, so values are stored as naive UTC there and made aware on the way out;
    PostgreSQL stores `timestamptz`. Naive datetimes are refused: they are always a bug.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column; use an aware datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


READ_ONLY = "warroom_read_only"


class Base(DeclarativeBase):
    """Declarative base of every warroom table."""


def create_db_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for `url`, tuned for concurrent writers on SQLite and pooled on PostgreSQL."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False}, **kwargs)
        _make_sqlite_transactions_immediate(engine)
        return engine
    if parsed.drivername == "postgresql":
        url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10, **kwargs)


def answers(url: str, timeout_seconds: int = 2) -> bool:
    """Whether the database at `url` answers a query within the timeout (PostgreSQL: is it up at all)."""
    try:
        engine = create_engine(url, connect_args={"connect_timeout": timeout_seconds})
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        finally:
            engine.dispose()
        return True
    except Exception:  # any reason it does not answer is the same answer
        return False


def _make_sqlite_transactions_immediate(engine: Engine) -> None:
    # pysqlite's deferred BEGIN lets two writers both read, then one fails to upgrade its lock with
    # "database is locked" (busy_timeout does not apply to that upgrade). BEGIN IMMEDIATE takes the
    # write lock up front, so concurrent creations queue instead of failing. This is SQLAlchemy's
    # documented recipe for taking over pysqlite's transaction handling.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            # In WAL mode NORMAL cannot corrupt the database; it only skips the fsync per commit (a power
            # cut may lose the last commits, never a half-written one). SQLite's own recommendation for WAL.
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # A read (`Database.reading`) takes no write lock: under WAL it never waits for a writer.
        read_only = connection.get_execution_options().get(READ_ONLY, False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def insert_ignoring_conflict(
    session: Session,
    table: Any,
    values: dict[str, Any] | list[dict[str, Any]],
    key: list[str],
    returning: Any = None,
) -> bool:
    """INSERT … ON CONFLICT (key) DO NOTHING on SQLite or PostgreSQL. With `returning` (one row): True if
    this call inserted it, False if it was there already.

    The statement carries no values, so SQLAlchemy compiles it once and reuses it; the rows go as
    parameters (one row, or an executemany that SQLAlchemy batches into one INSERT)."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(table).on_conflict_do_nothing(index_elements=key)
    if returning is None:
        session.execute(stmt, values)
        return True
    return session.execute(stmt.returning(returning), values).scalar_one_or_none() is not None


def recordset(table: Any, rows: list[dict[str, Any]]) -> Any:
    """Rows (every row the same columns of `table`) as a PostgreSQL `jsonb_to_recordset`, to select from:
    one parameter and one short statement whatever their number. JSON because it is encoded in C;
    psycopg dumps arrays (`unnest`) element by element in Python, which cost a sweep more than its SQL."""
    names = list(rows[0])
    payload = [{name: _jsonable(value) for name, value in row.items()} for row in rows]
    return (
        func.jsonb_to_recordset(bindparam("recordset", payload, type_=postgresql.JSONB))
        .table_valued(*(column(name, table.c[name].type) for name in names))
        .render_derived(with_types=True)
    )


def _jsonable(value: Any) -> Any:
    if not isinstance(value, datetime):
        return value
    if value.tzinfo is None:  # as UTCDateTime refuses them: always a bug
        raise ValueError("naive datetime given for a timestamp column; use an aware datetime")
    return value.astimezone(UTC).isoformat()


def update_each(session: Session, table: Any, key: list[str], rows: list[dict[str, Any]]) -> None:
    """UPDATE `table` for each of `rows` (every row the same columns): the row matching its `key` columns
    gets its other columns. One statement on PostgreSQL (`UPDATE … FROM` a `recordset`), one executemany
    elsewhere."""
    if not rows:
        return
    names = list(rows[0])
    if any(row.keys() != rows[0].keys() for row in rows):  # a column left out must not become NULL
        raise ValueError("update_each: every row must give the same columns")
    if session.get_bind().dialect.name == "postgresql":
        given = recordset(table, rows)
        stmt = (
            update(table)
            .where(*(table.c[name] == given.c[name] for name in key))
            .values({name: given.c[name] for name in names if name not in key})
        )
        session.connection().execute(stmt)
        return
    stmt = (
        update(table)
        .where(*(table.c[name] == bindparam(f"each_{name}") for name in key))
        .values({name: bindparam(f"each_{name}") for name in names if name not in key})
    )
    session.connection().execute(stmt, [{f"each_{name}": row[name] for name in names} for row in rows])


class Database:
    """An engine plus a session factory; `with db.session() as s:` commits on success."""

    def __init__(self, url: str, engine: Engine | None = None) -> None:
        self.url = url
        self.engine = engine or create_db_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._reads = sessionmaker(self.engine.execution_options(**{READ_ONLY: True}), expire_on_commit=False)
        self._open = threading.local()

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: committed when the block ends, rolled back if it raises.

        Units of work do not nest: on SQLite a second one in the same thread would wait for the first's
        write lock forever, so nesting fails at once instead.
        """
        if getattr(self._open, "active", False):
            raise RuntimeError("a database session is already open in this thread; finish it first")
        self._open.active = True
        try:
            with self._sessions.begin() as session:
                yield session
        finally:
            self._open.active = False

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A read-only unit of work for what must answer fast (an acknowledgement's lookups): on SQLite it
        takes no write lock, so it never queues behind room set-ups. Nothing is committed."""
        if getattr(self._open, "active", False):
            raise RuntimeError("a database session is already open in this thread; finish it first")
        self._open.active = True
        try:
            with self._reads() as session:
                yield session
        finally:
            self._open.active = False

    @property
    def backend(self) -> str:
        """'sqlite' or 'postgresql'."""
        return self.engine.dialect.name

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()
