"""How long `/escalate metrics` takes to compute over 100,000 escalations, on SQLite and on PostgreSQL.

100,000 escalations of 20,000 customers (a few escalate often, most once or twice), SEV-1..SEV-4 mixed,
8 % private, with acknowledgements, first customer updates, resolutions and closures spread around their
SLA targets (some late, some missing, the recent ones still open), update promises made and kept, and
prevention actions (some done), recovery gestures and check-ins on about half of them, are bulk-loaded
into a fresh migrated database (Core executemany on SQLite, COPY on PostgreSQL). Then
`storage.metrics.metrics_for` runs `--repeat` times for each period (7d, 30d, 90d, quarter): the median
wall time is reported, split into the database read (`load_metrics_inputs`) and the pure figures
(`compute_metrics`), with the plans of the two big reads (which index finds the escalations).

Two scenarios by default (`--days 730,90`): the escalations opened over two years, a long history of
which each period holds a part; and all of them opened within 90 days (1,100 a day), so that the 90d
period holds every one of the 100,000: the worst case.

Run: `.venv/bin/python benchmarks/bench_metrics.py [--database-url URL] [--escalations N] [--days D,D]`.
Without `--database-url` it runs on a temp SQLite file and on PostgreSQL at `$WARROOM_BENCH_POSTGRES_URL`
(default postgresql+psycopg://postgres@127.0.0.1:5432/test, in a fresh schema dropped after) if reachable;
`--no-postgres` keeps it to SQLite. `--json FILE` also writes the medians there (for benchmarks/table.py).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from measure import percentile, verdict, write_json  # benchmarks/ is on the path when a script runs
from scratch_db import scratch_database
from sqlalchemy import event, insert, text
from sqlalchemy.orm import Session

from bot.core.vocabulary import FollowUpKind, Status
from bot.policy.model import Policy, default_policy
from bot.reports.metrics import PERIOD_CHOICES, compute_metrics, parse_period
from storage.db import Database, answers
from storage.metrics import load_metrics_inputs, repeats_statement, times_statement
from storage.migrate import upgrade
from storage.models import Customer, Escalation, FollowUp
from storage.repository import customer_name_key, format_public_id

AIM_MS = 300.0
POSTGRES_URL = os.environ.get(
    "WARROOM_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
SEVERITY_MIX = {"SEV-1": 0.10, "SEV-2": 0.25, "SEV-3": 0.40, "SEV-4": 0.25}
PUBLIC_TYPES = ("technical", "service", "business", "billing", "relationship")
PRIVATE_SHARE = 0.08
PEOPLE = ("U0ANA", "U0BEN", "U0CHLOE", "U0DAVE")


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def generate(
    n: int, customers: int, days: float, now: datetime, policy: Policy, seed: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """(customers, escalations, follow-ups) as rows for Core inserts. Escalations get ids 1..n in the
    order they were opened, as the bot gives them."""
    rng = random.Random(seed)
    accounts = []
    for i in range(customers):
        name = f"Customer {i:05d} {rng.choice(('Analytics', 'Logistics', 'Health', 'Retail', 'Labs'))}"
        accounts.append(
            {
                "id": i + 1,
                "name": name,
                "name_key": customer_name_key(name),
                "tier": rng.choice(("enterprise", "business", "starter")),
                "arr": rng.randrange(5_000, 500_000, 1_000),
                "contacts": [],
                "in_directory": True,
                "created_at": now - timedelta(days=days + 30),
                "updated_at": now - timedelta(days=30),
            }
        )
    # A long tail: customer k is drawn with weight 1/(k+10), so the first ones escalate again and again
    # (the busiest one some 1.3 % of all escalations) and most only once or twice.
    drawn = rng.choices(range(customers), weights=[1 / (k + 10) for k in range(customers)], k=n)
    opened = sorted(now - timedelta(days=days) * rng.random() for _ in range(n))
    escalations, follow_ups = [], []
    for number, (created, customer_index) in enumerate(zip(opened, drawn, strict=True), start=1):
        severity = _pick(rng, SEVERITY_MIX)
        rules = policy.for_severity(severity)
        first_response, target = rules.first_response, rules.resolution_target
        private = rng.random() < PRIVATE_SHARE
        kind = rng.choice(("security", "compliance")) if private else rng.choice(PUBLIC_TYPES)
        customer = accounts[customer_index]

        def by_now(moment: datetime | None, likely: float) -> datetime | None:
            return moment if moment is not None and moment <= now and rng.random() < likely else None

        # Around their SLA: most acknowledged within it, some late, a few never; updates and fixes alike.
        acked = by_now(created + first_response * rng.lognormvariate(-0.5, 0.6), 0.97)
        first_update = by_now(created + first_response * rng.lognormvariate(0.7, 0.5), 0.9)
        resolved = by_now(created + target * rng.lognormvariate(-0.4, 0.5), 1.0) if acked else None
        closed = by_now(resolved + timedelta(hours=rng.uniform(1, 72)), 0.97) if resolved else None
        status = Status.CLOSED if closed else Status.RESOLVED if resolved else Status.INVESTIGATING
        if resolved is None and now - created > timedelta(days=14):  # closed without ever being resolved
            status, closed = Status.CLOSED, min(now, created + target * rng.uniform(0.5, 3))
        made = rng.choice((0, 0, 1, 2, 3, 4))
        escalations.append(
            {
                "id": number,
                "public_id": format_public_id(created.year, number),
                "year": created.year,
                "number": number,
                "customer_id": customer["id"],
                "title": "Reports missing after migration",
                "escalation_type": kind,
                "severity": severity,
                "suggested_severity": severity,
                "status": status.value,
                "arr_at_risk": customer["arr"],
                "is_private": private,
                "caller_user_id": "U0BEN",
                "ic_user_id": rng.choice(PEOPLE),
                "room_kind": "channel" if private else policy.room_kind(severity).value,
                "created_at": created,
                "updated_at": max(t for t in (created, acked, resolved, closed) if t is not None),
                "first_response_due_at": created + first_response,
                "acknowledged_at": acked,
                "first_customer_update_at": first_update,
                "resolved_at": resolved,
                "closed_at": closed,
                "promises_made": made,
                "promises_kept": sum(rng.random() < 0.8 for _ in range(made)),
            }
        )
        if closed is not None and rng.random() < 0.55:
            for _ in range(rng.randint(1, 3)):
                done = rng.random() < 0.6
                follow_ups.append(_follow_up(number, FollowUpKind.PREVENTION, closed, done))
            if rng.random() < 0.4:
                follow_ups.append(_follow_up(number, FollowUpKind.RECOVERY, closed, rng.random() < 0.7))
                follow_ups.append(_follow_up(number, FollowUpKind.CHECK_IN, closed, False))
    return accounts, escalations, follow_ups


def _follow_up(number: int, kind: FollowUpKind, at: datetime, done: bool) -> dict[str, Any]:
    return {
        "escalation_id": number,
        "kind": kind.value,
        "horizon": "immediate" if kind == FollowUpKind.PREVENTION else None,
        "text": "Add a checksum step to the migration runbook",
        "owner_user_id": "U0ANA",
        "due_at": at + timedelta(days=14),
        "status": "done" if done else "open",
        "created_by": "U0ANA",
        "created_at": at,
        "done_at": at + timedelta(days=3) if done else None,
        "done_by": "U0ANA" if done else None,
    }


# Every NOT NULL column the generator leaves out, with the value the ORM would have given it.
ESCALATION_DEFAULTS: dict[str, Any] = {
    "description": "",
    "tried": "",
    "started": "",
    "affected": "",
    "business_impact": "",
    "severity_reasons": [],
    "public_exposure": False,
    "regulatory": False,
    "responder_user_ids": [],
    "closed_without_confirmation": False,
    "contributing_factors": [],
    "lessons": [],
    "first_response_breached": False,
    "resolution_breached": False,
}


def bulk_load(db: Database, accounts: list, escalations: list, follow_ups: list) -> None:
    rows = [{**ESCALATION_DEFAULTS, **row} for row in escalations]
    with db.session() as session:
        if db.backend == "postgresql":
            _copy(session, Customer.__table__, accounts)
            _copy(session, Escalation.__table__, rows)
            _copy(session, FollowUp.__table__, follow_ups)
            for table in ("customers", "escalations", "follow_ups"):  # ids were given: sequences follow
                session.execute(
                    text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table}")
                )
        else:
            # Core tables, not ORM entities: the ORM's bulk insert splits rows by which values are None.
            connection = session.connection()
            connection.execute(insert(Customer.__table__), accounts)
            connection.execute(insert(Escalation.__table__), rows)
            connection.execute(insert(FollowUp.__table__), follow_ups)
    if db.backend == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("ANALYZE"))
    else:
        with db.engine.begin() as connection:
            connection.execute(text("ANALYZE"))


def _copy(session: Session, table: Any, rows: list[dict[str, Any]]) -> None:
    """COPY … FROM STDIN through psycopg: PostgreSQL's bulk path, some 10× an executemany."""
    columns = list(rows[0])
    cursor = session.connection().connection.dbapi_connection.cursor()
    quoted = ", ".join(f'"{c}"' for c in columns)
    with cursor.copy(f'COPY "{table.name}" ({quoted}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row([json.dumps(v) if isinstance(v, list) else v for v in row.values()])


def query_plans(db: Database, now: datetime, policy: Policy) -> dict[str, list[str]]:
    """The database's plan of the two big reads for the 7d period: how each finds the escalations."""
    prefix = "EXPLAIN " if db.backend == "postgresql" else "EXPLAIN QUERY PLAN "

    def explained(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> Any:
        return prefix + statement, parameters

    period = parse_period("7d", now, policy)
    statements = {
        "times by severity": times_statement(period, now, db.backend),
        "repeats": repeats_statement(period, policy, db.backend),
    }
    plans = {}
    with db.engine.connect() as connection:
        event.listen(connection, "before_cursor_execute", explained, retval=True)
        for name, stmt in statements.items():
            cursor = connection.execute(stmt).cursor  # the plan's rows, not the statement's: read them raw
            rows = [str(row[-1] if db.backend == "sqlite" else row[0]) for row in cursor.fetchall()]
            plans[name] = [r.strip() for r in rows if any(w in r for w in ("SCAN", "SEARCH", "Scan", "Sort"))]
        event.remove(connection, "before_cursor_execute", explained)
        connection.rollback()
    return plans


def bench(url: str, described: str, days: float, args: argparse.Namespace) -> dict[str, Any]:
    """Load one scenario into `url` and time every period; per period its median (ms) and size."""
    policy = default_policy()
    now = datetime.now(UTC).replace(microsecond=0)
    db = Database(url)
    periods: dict[str, Any] = {}
    try:
        upgrade(db.engine)
        began = time.perf_counter()
        accounts, escalations, follow_ups = generate(
            args.escalations, args.customers, days, now, policy, args.seed
        )
        generated = time.perf_counter() - began
        began = time.perf_counter()
        bulk_load(db, accounts, escalations, follow_ups)
        loaded = time.perf_counter() - began
        print(
            f"Escalation metrics on {described}: {len(escalations):,} escalations opened over {days:g} days"
        )
        print(
            f"  {len(accounts):,} customers, {len(follow_ups):,} follow-ups; generated in {generated:.1f} s, "
            f"bulk-loaded in {loaded:.1f} s"
        )
        for name, plan in query_plans(db, now, policy).items():
            print(f"  plan of the {name} read (7d): " + " | ".join(plan))
        for choice in PERIOD_CHOICES:
            period = parse_period(choice, now, policy)
            reads, figures, totals = [], [], []
            result = None
            for _ in range(args.repeat):
                with db.reading() as session:
                    t0 = time.perf_counter()
                    inputs = load_metrics_inputs(session, period, policy, now)
                    t1 = time.perf_counter()
                    result = compute_metrics(inputs, policy, period, now)
                    t2 = time.perf_counter()
                reads.append((t1 - t0) * 1000)
                figures.append((t2 - t1) * 1000)
                totals.append((t2 - t0) * 1000)
            assert result is not None
            median = statistics.median(totals)
            periods[choice] = {"median_ms": median, "escalations": result.overall.escalations}
            print(
                f"  {choice:>7} ({result.overall.escalations:>7,} in the period): median {median:6.1f} ms "
                f"(read {statistics.median(reads):6.1f} + figures {statistics.median(figures):5.1f})   "
                f"p90 {percentile(totals, 0.9):6.1f} ms   → " + verdict(median, AIM_MS, "ms")
            )
    finally:
        db.dispose()
    return {"backend": db.backend, "days": days, "escalations": args.escalations, "periods": periods}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", help="only this database (default: temp SQLite, then PostgreSQL)")
    parser.add_argument("--escalations", type=int, default=100_000)
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument(
        "--days",
        type=lambda text: [float(d) for d in text.split(",")],
        default=[730.0, 90.0],
        help="the scenarios: escalations opened over the last D days, comma-separated (default 730,90)",
    )
    parser.add_argument("--repeat", type=int, default=9, help="computations per period (median reported)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-postgres", action="store_true", help="without --database-url: SQLite only")
    parser.add_argument("--json", metavar="FILE", help="also write the medians to FILE")
    args = parser.parse_args()
    targets: list[str | None] = [args.database_url] if args.database_url else [None]
    if not args.database_url and not args.no_postgres:
        if answers(POSTGRES_URL):
            targets.append(POSTGRES_URL)
        else:
            print(f"PostgreSQL not reachable at {POSTGRES_URL}: SQLite only")
    scenarios = []
    for target in targets:
        for days in args.days:
            with scratch_database(target) as (url, described):
                scenarios.append(bench(url, described, days, args))
    write_json(args.json, {"aim_ms": AIM_MS, "scenarios": scenarios})


if __name__ == "__main__":
    main()
