"""The load of the reminder-clocks benchmark (bench_clocks.py): open escalations, each owed exactly one
planned reminder in the window or none (clock_plan.py chooses their clock inputs and checks them with the
bot's own clock math), their timeline, and the reminders that fell due before the window recorded as claimed
and posted, as a running bot would have left them (`next_reminder_at` as of the window's start).

`load()` runs in a child process (clock_harness.load_in_child), asks the fake Slack for the rooms and cards
it needs over a pipe, builds the rows and writes them through clock_write.py (COPY on PostgreSQL); it
times each phase. (Not a `bench_*.py`: `dev.py bench` runs those as scripts.)
"""

from __future__ import annotations

import random
import time
import uuid
from collections import Counter
from dataclasses import MISSING, dataclass, field, fields
from datetime import timedelta
from multiprocessing.connection import Connection
from typing import Any

from clock_plan import LIAISON, LoadSpec, Profile, clocked, draw_profiles, pick
from clock_write import LoadRows, write_load  # benchmarks/ is on the path

from blocks.escalations.messages import build_announcement, build_topic
from bot.escalations.read_model import EscalationSnapshot
from bot.policy.model import Policy, default_policy
from storage.db import Database
from storage.repository import customer_name_key, format_public_id

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
# What a snapshot shows of the columns the loader leaves to the models' defaults.
SNAPSHOT_DEFAULTS: dict[str, Any] = {
    **{f.name: f.default for f in fields(EscalationSnapshot) if f.default is not MISSING},
    **{f.name: f.default_factory() for f in fields(EscalationSnapshot) if f.default_factory is not MISSING},
    "is_private": False,
}
HISTORY_WORKER = "bench-history"  # `claimed_by` of the reminders recorded as posted before the window


def card_channels(escalations: int) -> int:
    """Channels the thread rooms' cards are spread over: ~250 cards each, so the fake's linear lookup of
    a thread's parent stays cheap at any size."""
    return max(20, escalations // 250)


@dataclass(frozen=True)
class Loaded:
    """What the loader wrote, and where its time went."""

    escalations: int
    prior_reminders: int
    owed_in_window: int
    by_target: dict[str, int]
    seconds: float
    phases: dict[str, float] = field(default_factory=dict)  # draw, rooms, rows, write → seconds


def generate(spec: LoadSpec, profiles: list[Profile], rooms: list[tuple], rng: random.Random) -> LoadRows:
    """The rows: customers, escalations (id = number), their timeline and the reminders posted before."""
    policy = default_policy()
    tiers = {"enterprise": 0.25, "business": 0.45, "pro": 0.30}
    customers = []
    for n in range(max(1, spec.escalations // 5)):
        name = f"Customer {n:05d} {rng.choice(('Analytics', 'Logistics', 'Health', 'Retail', 'Labs'))}"
        customers.append(
            {
                "id": n + 1,
                "name": name,
                "name_key": customer_name_key(name),
                "tier": pick(rng, tiers),
                "arr": rng.randrange(5_000, 500_000, 1_000),
                "created_at": spec.t0 - timedelta(days=400),
                "updated_at": spec.t0 - timedelta(days=30),
            }
        )
    owed = [p for p in profiles if p.target is not None]
    slots = list(range(len(owed)))
    rng.shuffle(slots)
    slot_of = {id(p): s for p, s in zip(owed, slots, strict=True)}
    rows = LoadRows(customers=customers, year=spec.t0.year)
    for n, (profile, room) in enumerate(zip(profiles, rooms, strict=True)):
        number = n + 1
        t = None
        if profile.target is not None:
            t = spec.window_start + timedelta(seconds=spec.window * (slot_of[id(profile)] + 0.5) / len(owed))
            rows.owed_in_window += 1
        c = clocked(profile, t, spec, policy, rng)
        f, dues, history = c.fields, c.dues, c.history
        room_channel, room_name, card_channel, card_ts, announced_in, announcement_ts = room
        ic = rng.choice(PEOPLE)
        customer = customers[rng.randrange(len(customers))]
        acked, internal_at = f["acknowledged_at"], f.get("last_internal_update_at")
        rows.escalations.append(
            {
                "id": number,
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
                "liaison_user_id": LIAISON,
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
                "updated_at": max(v for v in (f["created_at"], acked, internal_at) if v),
                "first_response_due_at": f["created_at"]
                + policy.for_severity(profile.severity).first_response,
                "acknowledged_at": acked,
                "acknowledged_by": ic if acked else None,
                "last_internal_update_at": internal_at,
                "last_internal_update_by": ic if internal_at else None,
                "last_internal_update_text": "Rollback in progress; next check in 20 min"
                if internal_at
                else None,
                "last_customer_update_at": f.get("last_customer_update_at"),
                "last_customer_update_by": ic if f.get("last_customer_update_at") else None,
                "customer_update_promised_at": f["customer_update_promised_at"],
                "internal_update_due_at": dues.internal,
                "customer_update_due_at": dues.customer,
                "resolution_due_at": dues.resolution,
                "next_reminder_at": c.next_at,
                "first_response_breached": any(r.key[0::2] == ("first_response", "breach") for r in history),
                "resolution_breached": any(r.key[0::2] == ("resolution", "breach") for r in history),
                "provisioned_at": f["created_at"] + timedelta(seconds=3),
            }
        )
        if room_channel:  # what its room's topic and its announcement say, as the bot recorded them
            rows.steps += said_in_slack(
                rows.escalations[-1], customer["name"], announced_in, announcement_ts, policy
            )
        for kind, at, actor in (
            ("created", f["created_at"], "U0BEN"),
            ("ic_assigned", f["created_at"], "U0BEN"),
        ):
            rows.events.append(
                {"escalation_id": number, "kind": kind, "at": at, "actor_user_id": actor, "text": kind}
            )
        if acked:
            rows.events.append(
                {
                    "escalation_id": number,
                    "kind": "acknowledged",
                    "at": acked,
                    "actor_user_id": ic,
                    "text": "acknowledged",
                }
            )
        for r in history:
            rows.reminders.append(
                {
                    "escalation_id": number,
                    "clock": str(r.clock),
                    "due_at": r.due_at,
                    "stage": r.stage,
                    "fire_at": r.fire_at,
                    "claimed_at": r.fire_at,
                    "claimed_by": HISTORY_WORKER,
                    "posted_at": r.fire_at + timedelta(milliseconds=400),
                    "channel_id": card_channel,
                    "message_ts": f"{r.fire_at.timestamp():.6f}",
                }
            )
    return rows


def said_in_slack(
    escalation: dict[str, Any], customer: str, channel: str, ts: str, policy: Policy
) -> list[dict[str, Any]]:
    """The `topic` and `announce` steps of a war room as the bot leaves them (so that a change that does
    not alter them does not set them again), each built by the bot's own builders."""
    esc = EscalationSnapshot.of_columns({**SNAPSHOT_DEFAULTS, **escalation}, customer, policy)
    _, blocks = build_announcement(esc)
    done_at = escalation["provisioned_at"]
    return [
        {
            "escalation_id": esc.id,
            "step": step,
            "status": "done",
            "result": result,
            "attempts": 1,
            "started_at": done_at,
            "done_at": done_at,
        }
        for step, result in (
            ("topic", {"topic": build_topic(esc)}),
            ("announce", {"channel_id": channel, "ts": ts, "said": blocks[0]["text"]["text"]}),
        )
    ]


def load(spec: LoadSpec, fake: Connection) -> Loaded:
    """Draw, get the rooms from the fake Slack, build the rows and write them; each phase timed."""
    started = time.perf_counter()
    phases: dict[str, float] = {}
    rng = random.Random(spec.seed)
    profiles = draw_profiles(spec, default_policy(), rng)
    phases["draw"] = time.perf_counter() - started
    fake.send(("rooms", ([p.room_kind for p in profiles], card_channels(spec.escalations))))
    rooms = fake.recv()
    phases["rooms"] = time.perf_counter() - started - sum(phases.values())
    rows = generate(spec, profiles, rooms, rng)
    phases["rows"] = time.perf_counter() - started - sum(phases.values())
    db = Database(spec.database_url)
    try:
        write_load(db, rows)
    finally:
        db.dispose()
    phases["write"] = time.perf_counter() - started - sum(phases.values())
    by_target = Counter(f"{p.target[0]} {p.target[1]}" for p in profiles if p.target is not None)
    return Loaded(
        len(rows.escalations),
        len(rows.reminders),
        rows.owed_in_window,
        dict(by_target),
        time.perf_counter() - started,
        phases,
    )
