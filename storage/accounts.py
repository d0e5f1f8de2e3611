"""Queries of the account directory: customers with the names they go by (`customer_aliases`)."""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Iterator, Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from storage.models import Customer, CustomerAlias, Escalation

# Bound parameters per statement: SQLite before 3.32 took 999, later ones 32,766, PostgreSQL 65,535. A
# 4,000-character text's candidate names (`find_in_text`) then fit one IN query.
CHUNK = 30_000 if sqlite3.sqlite_version_info >= (3, 32) else 900

T = TypeVar("T")


def _chunks(items: Collection[T]) -> Iterator[list[T]]:
    ordered = list(items)
    for start in range(0, len(ordered), CHUNK):
        yield ordered[start : start + CHUNK]


def all_customers(session: Session) -> list[Customer]:
    """Every customer, in or out of the directory, oldest first (an import matches against all of them)."""
    return list(session.execute(select(Customer).order_by(Customer.id)).scalars())


def directory_customers(session: Session) -> list[Customer]:
    """The customers an import listed, by name."""
    stmt = select(Customer).where(Customer.in_directory.is_(True)).order_by(Customer.name_key)
    return list(session.execute(stmt).scalars())


def all_aliases(session: Session) -> list[tuple[str, str, int]]:
    """Every (alias_key, alias, customer_id)."""
    stmt = select(CustomerAlias.alias_key, CustomerAlias.alias, CustomerAlias.customer_id)
    return [(key, alias, customer_id) for key, alias, customer_id in session.execute(stmt)]


def aliases_of(session: Session, customer_ids: Collection[int]) -> list[tuple[str, str, int]]:
    """The (alias_key, alias, customer_id) of those customers."""
    found: list[tuple[str, str, int]] = []
    for chunk in _chunks(customer_ids):
        stmt = select(CustomerAlias.alias_key, CustomerAlias.alias, CustomerAlias.customer_id).where(
            CustomerAlias.customer_id.in_(chunk)
        )
        found += [(key, alias, customer_id) for key, alias, customer_id in session.execute(stmt)]
    return found


def alias_owners(session: Session, keys: Collection[str]) -> dict[str, int]:
    """The customer id of each of `keys` that is a directory name or alias, in one IN query (per CHUNK)."""
    owners: dict[str, int] = {}
    for chunk in _chunks(keys):
        stmt = select(CustomerAlias.alias_key, CustomerAlias.customer_id).where(
            CustomerAlias.alias_key.in_(chunk)
        )
        owners.update({key: customer_id for key, customer_id in session.execute(stmt)})
    return owners


def customer_by_name_key(session: Session, name_key: str) -> Customer | None:
    """The customer whose `name_key` is that."""
    return session.execute(select(Customer).where(Customer.name_key == name_key)).scalar_one_or_none()


def replace_aliases(session: Session, customer_ids: Collection[int], rows: Sequence[dict[str, Any]]) -> None:
    """Drop every alias of `customer_ids`, then insert `rows` (alias_key, alias, customer_id). All deletes
    go first, so an alias moving from one of these accounts to another never collides with itself."""
    for chunk in _chunks(customer_ids):
        session.execute(delete(CustomerAlias).where(CustomerAlias.customer_id.in_(chunk)))
    if rows:
        session.execute(insert(CustomerAlias.__table__), list(rows))


def fold_customers(session: Session, into: int, others: Collection[int]) -> None:
    """Make `others` (customers typed into escalations that the directory now names as account `into`)
    part of `into`: their escalations move to it and their rows go. Callers expunge those rows first."""
    for chunk in _chunks(others):
        session.execute(
            update(Escalation)
            .where(Escalation.customer_id.in_(chunk))
            .values(customer_id=into)
            .execution_options(synchronize_session=False)
        )
        session.execute(
            delete(Customer).where(Customer.id.in_(chunk)).execution_options(synchronize_session=False)
        )


def count_escalations_since(session: Session, customer_id: int, since: datetime) -> int:
    """How many escalations of that customer were opened at or after `since`."""
    stmt = (
        select(func.count())
        .select_from(Escalation)
        .where(Escalation.customer_id == customer_id, Escalation.created_at >= since)
    )
    return int(session.execute(stmt).scalar_one())
