"""Writing the reminder-clocks benchmark's load (clock_load.py) in one transaction: PostgreSQL COPY for the
big tables on PostgreSQL, SQLAlchemy executemany inserts on SQLite. (Not a `bench_*.py`: `dev.py bench`
runs those as scripts; this one is imported.)

COPY fills in server defaults only, so the columns the models default in Python (`contacts`, `lessons`,
`promises_made`, …) are written with those defaults, and JSON columns as JSON text.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from sqlalchemy import JSON, Table, insert, text

from storage.db import Database
from storage.models import Customer, Escalation, IdSequence, Reminder, SlackStep, TimelineEvent

Row = dict[str, Any]


@dataclass
class LoadRows:
    """The rows to write, keyed by column name; escalations carry their ids (their numbers)."""

    customers: list[Row]
    year: int
    escalations: list[Row] = field(default_factory=list)
    events: list[Row] = field(default_factory=list)
    reminders: list[Row] = field(default_factory=list)
    steps: list[Row] = field(default_factory=list)
    owed_in_window: int = 0


def write_load(db: Database, rows: LoadRows) -> None:
    """Write everything; on PostgreSQL, move the id sequences past the ids given and ANALYZE after."""
    tables: list[tuple[Table, list[Row]]] = [
        (Customer.__table__, rows.customers),
        (Escalation.__table__, rows.escalations),
        (TimelineEvent.__table__, rows.events),
        (Reminder.__table__, rows.reminders),
        (SlackStep.__table__, rows.steps),
    ]
    postgres = db.backend == "postgresql"
    with db.session() as session:
        connection = session.connection()
        for table, table_rows in tables:
            if not table_rows:
                continue
            if postgres:
                with connection.connection.driver_connection.cursor() as cursor:
                    copy_rows(cursor, table, table_rows)
            else:
                connection.execute(insert(table), table_rows)
        connection.execute(
            insert(IdSequence.__table__), [{"year": rows.year, "last_value": len(rows.escalations)}]
        )
        if postgres:  # rows were given ids: keep the sequences ahead of them
            for table, _ in tables:
                connection.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                        f"coalesce(max(id), 0) + 1, false) FROM {table.name}"
                    )
                )
    if postgres:
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("ANALYZE " + ", ".join(table.name for table, _ in tables)))


def copy_rows(cursor: Any, table: Table, rows: list[Row]) -> None:
    """`COPY table FROM STDIN` the rows (each with the first row's keys), with the columns they leave out
    that have a Python-side default set to it, and JSON columns dumped to text."""
    given = list(rows[0])
    json_columns = {c.name for c in table.columns if isinstance(c.type, JSON)}
    plain = [name for name in given if name not in json_columns]
    as_json = [name for name in given if name in json_columns]
    defaults = {
        c.name: _default(c.default.arg)
        for c in table.columns
        if c.name not in rows[0] and c.default is not None
    }
    fixed = tuple(json.dumps(v) if name in json_columns else v for name, v in defaults.items())
    columns = ", ".join([*plain, *as_json, *defaults])
    get_plain = itemgetter(*plain) if len(plain) > 1 else lambda row: (row[plain[0]],)
    dumps = json.dumps
    with cursor.copy(f"COPY {table.name} ({columns}) FROM STDIN") as copy:
        write = copy.write_row
        for row in rows:
            write((*get_plain(row), *(dumps(row[name]) for name in as_json), *fixed))


def _default(arg: Any) -> Any:
    """A column default's value: SQLAlchemy wraps a callable one (`list`, `utcnow`) to take a context."""
    return arg(None) if callable(arg) else arg
