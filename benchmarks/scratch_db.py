"""A database a benchmark may fill and throw away: a temp SQLite file, or a fresh PostgreSQL schema."""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from storage.db import create_db_engine


@contextmanager
def scratch_database(url: str | None) -> Iterator[tuple[str, str]]:
    """(URL to use, how to describe it): a temp SQLite file, or a fresh PostgreSQL schema dropped after."""
    if url is None:
        with tempfile.TemporaryDirectory(prefix="warroom-bench-") as tmp:
            yield f"sqlite:///{Path(tmp) / 'warroom.db'}", "SQLite (temp file)"
        return
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql" or "options" in parsed.query:
        yield url, parsed.get_backend_name()
        return
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_db_engine(url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        scoped = parsed.update_query_dict({"options": f"-csearch_path={schema}"})
        yield scoped.render_as_string(hide_password=False), f"PostgreSQL (schema {schema}, dropped after)"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
