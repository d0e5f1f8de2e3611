"""The load of the reminder-clocks benchmark (bench_clocks.py): open escalations bulk-inserted with clock
inputs chosen so that each is owed exactly one reminder at a planned moment in the window, and the
reminders that fell due before the run recorded as posted (as a running bot would have left them).

`load()` runs in a child process (clock_harness.load_in_child) and asks the fake Slack for the rooms and
cards it needs over a pipe. (Not a `bench_*.py`: `dev.py bench` runs those as scripts.)
"""

from __future__ import annotations

import random
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from multiprocessing.connection import Connection
from typing import Any

from sqlalchemy import insert, text

from bot.clocks.schedule import CLOCKS, ClockInputs, due_times, plan, schedule
from bot.policy.model import Policy, default_policy
from storage.db import Database
from storage.models import Customer, Escalation, IdSequence, Reminder, TimelineEvent
from storage.repository import customer_name_key, format_public_id

SEVERITY_MIX = {"SEV-1": 0.15, "SEV-2": 0.30, "SEV-3": 0.35, "SEV-4": 0.20}
# Which reminder each escalation is owed in the window, and how often: mostly update nudges, some SLAs.
TARGET_MIX = {
    ("internal", "warning"): 28,
    ("internal", "due"): 12,
    ("customer", "warning"): 10,
    ("customer", "due"): 10,
    ("first_response", "warning"): 15,
    ("first_response", "breach"): 5,
    ("resolution", "warning"): 14,
    ("resolution", "breach"): 6,
}
STATUS_MIX = {"investigating": 0.5, "identified": 0.3, "monitoring": 0.2}
CARD_CHANNELS = 20  # thread rooms' cards, spread so the fake's linear message lookup stays cheap
PEOPLE = ("U0ANA", "U0BEN", "U0CHLOE", "U0DAVE")
TITLES = (
    "Reports missing six months of history after migration",
    "SSO login loop for all users",
    "Checkout API returning 502 intermittently",
    "Nightly export delayed by several hours",
    "Dashboard slow for some users in EU",
    "Billing double-charged on renewal",
    "Webhooks not delivered since deploy",
    "Typo in the invoice footer",
)


def _pick(rng: random.Random, weights: dict[Any, float]) -> Any:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


@dataclass(frozen=True)
class Profile:
    """What an escalation is: drawn first, since its room kind decides which fake channels to make."""

    severity: str
    escalation_type: str
    room_kind: str
    status: str
    target: tuple[str, str] | None  # the reminder owed in the window; None: nothing due in the run


@dataclass(frozen=True)
class LoadSpec:
    """Everything the loader process needs."""

    database_url: str
    escalations: int
    due: int  # how many of them are owed a reminder in the window
    t0: datetime  # everything due before this was posted already
    window_start: datetime
    window: float
    horizon_end: datetime  # nothing else may fall due before this
    seed: int


@dataclass(frozen=True)
class Loaded:
    """What the loader wrote."""

    escalations: int
    prior_reminders: int
    owed_in_window: int
    by_target: dict[str, int]
    seconds: float


def draw_profiles(n: int, due: int, policy: Policy, rng: random.Random) -> list[Profile]:
    """`n` escalations, the first `due` of which are owed a reminder in the window (then shuffled)."""
    profiles = []
    for i in range(n):
        severity = _pick(rng, SEVERITY_MIX)
        kind = rng.choice(policy.escalation_types)
        room_kind = "channel" if policy.is_private(kind) else policy.room_kind(severity)
        target = None
        if i < due:
            target = _pick(rng, TARGET_MIX)
            while target[0] == "internal" and policy.for_severity(severity).internal_update is None:
                target = _pick(rng, TARGET_MIX)
        profiles.append(Profile(severity, kind, room_kind, _pick(rng, STATUS_MIX), target))
    rng.shuffle(profiles)
    return profiles


def clock_fields(
    profile: Profile, t: datetime | None, spec: LoadSpec, policy: Policy, rng: random.Random
) -> dict[str, Any]:
    """Clock inputs such that all that falls due in [t0, horizon_end] is `profile.target`, at `t`."""
    rules = policy.for_severity(profile.severity)
    fr, res, lead = rules.first_response, rules.resolution_target, policy.reminder_lead
    internal, customer = rules.internal_update, rules.customer_update
    quiet = spec.horizon_end - spec.t0 + timedelta(minutes=1)  # how far ahead clocks must stay silent
    clock, stage = profile.target or ("", "")

    min_age, max_age = fr + timedelta(minutes=1), res * policy.sla_warning_fraction - quiet
    if clock == "internal" and internal is not None:
        min_age = max(min_age, internal + fr + timedelta(minutes=2))
    if clock == "customer" and customer is not None and not customer.business_days:
        min_age = max(min_age, customer.default + fr + timedelta(minutes=2))
    created = spec.t0 - (min_age + (max_age - min_age) * rng.random())
    if clock == "first_response":
        created = t - (fr * policy.sla_warning_fraction if stage == "warning" else fr)
    elif clock == "resolution":
        created = t - (res * policy.sla_warning_fraction if stage == "warning" else res)
    fields: dict[str, Any] = {"created_at": created, "customer_update_promised_at": None}
    if clock == "first_response":  # not acknowledged yet, and nobody has posted an update
        fields |= {"acknowledged_at": None, "last_internal_update_at": None, "last_customer_update_at": None}
        return fields

    acknowledged = created + fr * rng.uniform(0.2, 0.9)
    fields["acknowledged_at"] = acknowledged
    since_ack = spec.t0 - acknowledged
    if internal is not None:
        fields["last_internal_update_at"] = spec.t0 - min(since_ack, internal - lead - quiet) * rng.random()
    if customer is not None:
        fields["last_customer_update_at"] = spec.t0 - min(since_ack, customer.default - lead - quiet) * (
            rng.random()
        )
    shift = lead if stage == "warning" else timedelta(0)
    if clock == "internal":
        fields["last_internal_update_at"] = t + shift - internal
    elif clock == "customer":
        if customer is None or customer.business_days or rng.random() < 0.3:
            fields["customer_update_promised_at"] = t + shift  # "next update to the customer at 14:00"
        else:
            fields["last_customer_update_at"] = t + shift - customer.default
    return fields


def load(spec: LoadSpec, fake: Connection) -> Loaded:
    """Bulk-insert customers, escalations, their timeline and the reminders already posted."""
    started = time.perf_counter()
    policy = default_policy()
    rng = random.Random(spec.seed)
    profiles = draw_profiles(spec.escalations, spec.due, policy, rng)
    fake.send(("rooms", [p.room_kind for p in profiles]))
    rooms = fake.recv()
    tiers = {"enterprise": 0.25, "business": 0.45, "pro": 0.30}
    customers = []
    for n in range(max(1, spec.escalations // 5)):
        name = f"Customer {n:05d} {rng.choice(('Analytics', 'Logistics', 'Health', 'Retail', 'Labs'))}"
        customers.append(
            {
                "id": n + 1,
                "name": name,
                "name_key": customer_name_key(name),
                "tier": _pick(rng, tiers),
                "arr": rng.randrange(5_000, 500_000, 1_000),
                "created_at": spec.t0 - timedelta(days=400),
                "updated_at": spec.t0 - timedelta(days=30),
            }
        )

    owed = [p for p in profiles if p.target is not None]
    slots = list(range(len(owed)))
    rng.shuffle(slots)
    slot_of = {id(p): s for p, s in zip(owed, slots, strict=True)}
    escalations, events, prior = [], [], []
    owed_in_window = 0
    for n, (profile, room) in enumerate(zip(profiles, rooms, strict=True)):
        number = n + 1
        t = None
        if profile.target is not None:
            t = spec.window_start + timedelta(seconds=spec.window * (slot_of[id(profile)] + 0.5) / len(owed))
        f = clock_fields(profile, t, spec, policy, rng)
        inputs = ClockInputs(
            severity=profile.severity,
            status=profile.status,
            created_at=f["created_at"],
            acknowledged_at=f["acknowledged_at"],
            last_internal_update_at=f.get("last_internal_update_at"),
            last_customer_update_at=f.get("last_customer_update_at"),
            customer_update_promised_at=f["customer_update_promised_at"],
        )
        dues = due_times(inputs, policy)
        history, soon = [], []
        for clock in CLOCKS:
            due_at = dues.of(clock)
            if due_at is None:
                continue
            for reminder in schedule(clock, due_at, profile.severity, policy):
                if reminder.fire_at > spec.t0:
                    if reminder.fire_at <= spec.horizon_end:
                        soon.append(reminder)
                    break
                history.append(reminder)
        owes = plan(inputs, dues, policy, spec.t0, {r.key for r in history})
        got = [((r.clock, r.stage), r.fire_at) for r in soon]
        if owes.send or not (
            (t is None and not got)
            or (
                len(got) == 1
                and got[0][0] == profile.target
                and abs(got[0][1] - t) < timedelta(milliseconds=1)
            )
        ):
            raise AssertionError(
                f"{profile}: expected only {profile.target} at {t} to fall due soon, got {got}"
            )
        owed_in_window += len(got)
        room_channel, room_name, card_channel, card_ts = room
        ic = rng.choice(PEOPLE)
        customer = customers[rng.randrange(len(customers))]
        acked = f["acknowledged_at"]
        escalations.append(
            {
                "public_id": format_public_id(spec.t0.year, number),
                "year": spec.t0.year,
                "number": number,
                "intake_key": f"bench-{uuid.uuid4().hex}",
                "customer_id": customer["id"],
                "title": rng.choice(TITLES),
                "description": "Customer reports the problem since this morning; see the thread for logs.",
                "tried": "Restarted the sync worker; cleared the cache.",
                "escalation_type": profile.escalation_type,
                "severity": profile.severity,
                "suggested_severity": profile.severity,
                "severity_reasons": [f"Matched impact keywords for {profile.severity}"],
                "status": profile.status,
                "tier": customer["tier"],
                "arr_at_risk": customer["arr"],
                "users_affected": rng.choice((None, 12, 150, 2_000)),
                "public_exposure": rng.random() < 0.05,
                "regulatory": rng.random() < 0.03,
                "caller_user_id": "U0BEN",
                "ic_user_id": ic,
                "responder_user_ids": rng.sample(PEOPLE, 2),
                "source_channel_id": "C0SUPPORT",
                "source_message_ts": None,
                "source_permalink": None,
                "room_kind": profile.room_kind,
                "room_channel_id": room_channel,
                "room_channel_name": room_name,
                "card_channel_id": card_channel,
                "card_ts": card_ts,
                "created_at": f["created_at"],
                "updated_at": max(v for v in (f["created_at"], acked, f.get("last_internal_update_at")) if v),
                "first_response_due_at": f["created_at"]
                + policy.for_severity(profile.severity).first_response,
                "acknowledged_at": acked,
                "acknowledged_by": ic if acked else None,
                "last_internal_update_at": f.get("last_internal_update_at"),
                "last_internal_update_by": ic if f.get("last_internal_update_at") else None,
                "last_internal_update_text": "Rollback in progress; next check in 20 min"
                if f.get("last_internal_update_at")
                else None,
                "last_customer_update_at": f.get("last_customer_update_at"),
                "last_customer_update_by": ic if f.get("last_customer_update_at") else None,
                "customer_update_promised_at": f["customer_update_promised_at"],
                "internal_update_due_at": dues.internal,
                "customer_update_due_at": dues.customer,
                "resolution_due_at": dues.resolution,
                "next_reminder_at": owes.next_at,
                "first_response_breached": any(r.key[0::2] == ("first_response", "breach") for r in history),
                "resolution_breached": any(r.key[0::2] == ("resolution", "breach") for r in history),
                "provisioned_at": f["created_at"] + timedelta(seconds=3),
            }
        )
        events.append((number, "created", f["created_at"], "U0BEN"))
        events.append((number, "ic_assigned", f["created_at"], "U0BEN"))
        if acked:
            events.append((number, "acknowledged", acked, ic))
        prior.extend((number, r, card_channel) for r in history)

    db = Database(spec.database_url)
    try:
        with db.session() as session:
            session.execute(insert(Customer), customers)
            ids = dict(  # (a Result has keys(): dict() would take it for a mapping)
                list(
                    session.connection().execute(
                        insert(Escalation.__table__).returning(
                            Escalation.number, Escalation.id, sort_by_parameter_order=True
                        ),
                        escalations,
                    )
                )
            )
            session.execute(insert(IdSequence), [{"year": spec.t0.year, "last_value": len(escalations)}])
            session.execute(
                insert(TimelineEvent),
                [
                    {
                        "escalation_id": ids[number],
                        "kind": kind,
                        "at": at,
                        "actor_user_id": actor,
                        "text": kind,
                    }
                    for number, kind, at, actor in events
                ],
            )
            if prior:
                session.execute(
                    insert(Reminder),
                    [
                        {
                            "escalation_id": ids[number],
                            "clock": r.clock,
                            "due_at": r.due_at,
                            "stage": r.stage,
                            "fire_at": r.fire_at,
                            "claimed_at": r.fire_at,
                            "claimed_by": "bench-history",
                            "posted_at": r.fire_at + timedelta(milliseconds=400),
                            "channel_id": channel,
                            "message_ts": f"{r.fire_at.timestamp():.6f}",
                        }
                        for number, r, channel in prior
                    ],
                )
            if db.backend == "postgresql":  # rows were given ids: keep the sequences ahead of them
                for table in ("customers", "escalations", "timeline_events", "reminders"):
                    session.execute(
                        text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table}")
                    )
        if db.backend == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("ANALYZE"))
    finally:
        db.dispose()
    by_target = Counter(f"{p.target[0]} {p.target[1]}" for p in owed)
    return Loaded(
        len(escalations), len(prior), owed_in_window, dict(by_target), time.perf_counter() - started
    )
