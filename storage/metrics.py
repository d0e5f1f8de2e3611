"""What the escalation metrics read (`bot.reports.metrics`): five Core queries, on SQLite or PostgreSQL.

At 100,000 escalations there is no time for ORM objects, nor for a Python object per escalation (the
`UTCDateTime` decorator alone would parse every timestamp): the database selects the few columns the
metrics need, computes each elapsed time in whole milliseconds itself, aggregates by severity, and hands
back the times as one array per severity and kind (a JSON array on SQLite, an array on PostgreSQL),
which the driver turns into a Python list in C. What comes back is plain numbers.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    ColumnElement,
    Integer,
    Select,
    cast,
    false,
    func,
    literal,
    select,
    true,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from bot.core.vocabulary import FollowUpKind
from bot.followups.model import DONE
from bot.policy.model import Policy
from bot.reports.metrics import (
    TOP_CUSTOMERS,
    CustomerCount,
    Metrics,
    MetricsInputs,
    Period,
    SeverityInputs,
    compute_metrics,
)
from storage.dashboard import WORKED_STATUSES
from storage.db import UTCDateTime
from storage.models import Customer, Escalation, FollowUp

E = Escalation


def metrics_for(session: Session, period: Period, policy: Policy, now: datetime) -> Metrics:
    """The metrics of the escalations opened in `period`, as they stand at `now`."""
    return compute_metrics(load_metrics_inputs(session, period, policy, now), policy, period, now)


def load_metrics_inputs(session: Session, period: Period, policy: Policy, now: datetime) -> MetricsInputs:
    """The counts and times `compute_metrics` needs for the escalations opened in `period`."""
    dialect = session.get_bind().dialect.name
    repeats = {sev: n for sev, n in session.execute(repeats_statement(period, policy, dialect))}
    prevention = {sev: (done, total) for sev, done, total in session.execute(_prevention_statement(period))}
    by_severity = {}
    for row in session.execute(times_statement(period, now, dialect)).mappings():
        severity = row["severity"]
        done, total = prevention.get(severity, (0, 0))
        by_severity[severity] = SeverityInputs(
            escalations=row["escalations"],
            private=row["private"],
            first_response_ms=row["first_response_ms"] or (),
            unacknowledged_age_ms=row["unacknowledged_age_ms"] or (),
            first_update_ms=row["first_update_ms"] or (),
            resolution_ms=row["resolution_ms"] or (),
            unresolved_age_ms=row["unresolved_age_ms"] or (),
            promises_made=int(row["promises_made"] or 0),
            promises_kept=int(row["promises_kept"] or 0),
            repeats=repeats.get(severity, 0),
            prevention_done=done,
            prevention_total=total,
        )
    customers, top = _customers(session, period)
    arr_at_risk, arr_customers = _arr_at_risk(session)
    return MetricsInputs(by_severity, customers, top, arr_at_risk, arr_customers)


def _opened_in(period: Period) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    return E.created_at >= period.start, E.created_at <= period.end


def times_statement(period: Period, now: datetime, dialect: str) -> Select[Any]:
    """Per severity: counts, sums and the arrays of elapsed times of the escalations opened in `period`
    (public for the benchmark's query plan)."""
    # Closed without ever being resolved (`/escalate close` from an open status): the work ended then.
    ended_at = func.coalesce(E.resolved_at, E.closed_at)
    at_now = literal(now, UTCDateTime())

    def times(until: Any, where: ColumnElement[bool], name: str) -> Any:
        return _collect(_ms_between(E.created_at, until, dialect), where, dialect).label(name)

    return (
        select(
            E.severity,
            func.count().label("escalations"),
            func.count().filter(E.is_private == true()).label("private"),
            times(E.acknowledged_at, E.acknowledged_at.is_not(None), "first_response_ms"),
            times(at_now, E.acknowledged_at.is_(None), "unacknowledged_age_ms"),
            times(E.first_customer_update_at, E.first_customer_update_at.is_not(None), "first_update_ms"),
            times(ended_at, ended_at.is_not(None), "resolution_ms"),
            times(at_now, ended_at.is_(None), "unresolved_age_ms"),
            # A promise whose time has not come is neither kept nor broken yet: not counted.
            (func.sum(E.promises_made) - func.count().filter(_promise_pending(at_now))).label(
                "promises_made"
            ),
            func.sum(E.promises_kept).label("promises_kept"),
        )
        .where(*_opened_in(period))
        .group_by(E.severity)
    )


def _promise_pending(now: Any) -> ColumnElement[bool]:
    # Each customer update replaces the promise it answers, so the one on the row is the latest made.
    return E.customer_update_promised_at > now


def repeats_statement(period: Period, policy: Policy, dialect: str) -> Select[Any]:
    """Per severity, how many escalations opened in `period` followed one of the same customer opened
    within the repeat window before (which may be before the period)."""
    window = policy.triage.repeat_escalations.window
    previous_at = func.lag(E.created_at).over(partition_by=E.customer_id, order_by=(E.created_at, E.id))
    reach = (
        select(E.severity, E.created_at, previous_at.label("previous_at"))
        .where(E.created_at >= period.start - window, E.created_at <= period.end)
        .subquery()
    )
    gap_ms = _ms_between(reach.c.previous_at, reach.c.created_at, dialect)
    return (
        select(reach.c.severity, func.count())
        .where(reach.c.created_at >= period.start, gap_ms <= round(window.total_seconds() * 1000))
        .group_by(reach.c.severity)
    )


def _prevention_statement(period: Period) -> Select[Any]:
    return (
        select(E.severity, func.count().filter(FollowUp.status == DONE), func.count())
        .select_from(FollowUp)
        .join(E, E.id == FollowUp.escalation_id)
        .where(*_opened_in(period), FollowUp.kind == FollowUpKind.PREVENTION.value)
        .group_by(E.severity)
    )


def _customers(session: Session, period: Period) -> tuple[int, list[CustomerCount]]:
    """(distinct customers, the top ones by their non-private escalations). Private escalations count
    towards the customers, never towards a name in the list."""
    shown = func.count().filter(E.is_private == false())
    per_customer = (
        select(E.customer_id, shown.label("shown"), func.count().over().label("customers"))
        .where(*_opened_in(period))
        .group_by(E.customer_id)
        .subquery()
    )
    stmt = (
        select(Customer.name, per_customer.c.shown, per_customer.c.customers)
        .join(Customer, Customer.id == per_customer.c.customer_id)
        .order_by(per_customer.c.shown.desc(), Customer.name)
        .limit(TOP_CUSTOMERS)
    )
    rows = session.execute(stmt).all()
    customers = int(rows[0].customers) if rows else 0
    return customers, [CustomerCount(name, int(n)) for name, n, _ in rows if n]


def _arr_at_risk(session: Session) -> tuple[int, int]:
    """(sum, customers): each customer with an escalation not closed counted once, at its largest ARR."""
    # `+ 0`: grouping by the bare column, SQLite walks the whole customer_id index to spare itself a sort,
    # ten times slower than reading the escalations not closed and sorting those.
    customer = (E.customer_id + 0).label("customer")
    per_customer = (
        select(customer, func.max(E.arr_at_risk).label("arr"))
        .where(E.status.in_(WORKED_STATUSES))
        .group_by(customer)
        .subquery()
    )
    total, customers = session.execute(
        select(func.coalesce(func.sum(per_customer.c.arr), 0), func.count()).select_from(per_customer)
    ).one()
    return int(total), int(customers)


def _ms_between(earlier: Any, later: Any, dialect: str) -> ColumnElement[int]:
    """later - earlier in whole milliseconds, by the database (NULL when either is NULL)."""
    if dialect == "postgresql":
        # date_part gives double precision; EXTRACT would give numeric, several times slower to sum up.
        return cast(func.round(func.date_part("epoch", later - earlier) * 1000), BigInteger)
    # SQLite keeps timestamps as text; julianday() reads them as days, exact to some 40 µs at today's
    # dates, so rounding to the millisecond gives back exactly what was stored (15 min is 900000).
    return cast(func.round((func.julianday(later) - func.julianday(earlier)) * 86_400_000.0), Integer)


def _collect(value: ColumnElement[int], where: ColumnElement[bool], dialect: str) -> Any:
    """The array of `value` over the group's rows where `where` holds: a list, or None when none do."""
    if dialect == "postgresql":
        return func.array_agg(value, type_=ARRAY(BigInteger)).filter(where)
    return func.json_group_array(value, type_=JSON).filter(where)
