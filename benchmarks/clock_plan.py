"""Which reminder each escalation of the reminder-clocks benchmark's load (clock_load.py) is owed, and
clock inputs that make it so: drawn, then checked with the bot's own clock math, read from the row the way
the sweep reads it (bot.clocks.recompute), and drawn again if the check fails.

History is taken as of the window's start: whatever falls due before the window opens is recorded as
posted, and `next_reminder_at` is computed as of then, so the clocks need only stay quiet from the window's
start to the horizon. (Not a `bench_*.py`: `dev.py bench` runs those as scripts; this one is imported.)
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import islice
from types import SimpleNamespace
from typing import Any

from bot.clocks.recompute import clock_inputs
from bot.clocks.schedule import CLOCKS, Reminder, due_times, plan, schedule
from bot.policy.model import Policy

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
LIAISON = "U0ERIN"  # every escalation has one: the `roles` nudge (SEV-1/2 without a liaison) stays out
TRIES = 50  # draws of an escalation's clock inputs before giving up on it
# What the clock math reads from a row beyond what the loader sets (bot.clocks.recompute.clock_inputs).
ROW_DEFAULTS = {
    "last_internal_update_at": None,
    "last_customer_update_at": None,
    "internal_snoozed_until": None,
    "customer_snoozed_until": None,
    "resolved_at": None,
    "closed_at": None,
    "reopened_at": None,
    "archived_at": None,
    "room_channel_id": None,  # `archivable` only matters once closed
}


def pick(rng: random.Random, weights: dict[Any, float]) -> Any:
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
    t0: datetime  # now, as loading starts: every recorded event happened before it
    window_start: datetime  # everything due before this counts as posted already
    window: float
    horizon_end: datetime  # nothing else may fall due between window_start and this
    seed: int


def target_fits(severity: str, target: tuple[str, str], spec: LoadSpec, policy: Policy) -> bool:
    """Whether `target` can be the one reminder of its clock in the run: the stage before it fires before
    the window opens (whenever in the window it falls), the one after it past the horizon."""
    clock, stage = target
    base = spec.window_start
    times = [(r.stage, r.fire_at) for r in islice(schedule(clock, base, severity, policy), 3)]
    at = next((i for i, (s, _) in enumerate(times) if s == stage), None)
    if at is None:
        return False
    fire = times[at][1]
    before = fire - times[at - 1][1] if at > 0 else timedelta.max
    after = times[at + 1][1] - fire if at + 1 < len(times) else timedelta.max
    quiet = spec.horizon_end - spec.window_start
    return before > timedelta(seconds=spec.window + 1) and after > quiet + timedelta(seconds=1)


def draw_profiles(spec: LoadSpec, policy: Policy, rng: random.Random) -> list[Profile]:
    """`spec.escalations` escalations, the first `spec.due` of which are owed a reminder in the window
    (a target their schedule cannot fit in the run is drawn again), then shuffled."""
    fits = {
        (severity, target): (
            target[0] != "internal" or policy.for_severity(severity).internal_update is not None
        )
        and target_fits(severity, target, spec, policy)
        for severity in SEVERITY_MIX
        for target in TARGET_MIX
    }
    profiles = []
    for i in range(spec.escalations):
        severity = pick(rng, SEVERITY_MIX)
        kind = rng.choice(policy.escalation_types)
        room_kind = "channel" if policy.is_private(kind) else str(policy.room_kind(severity))
        target = None
        if i < spec.due:
            for _ in range(TRIES):
                target = pick(rng, TARGET_MIX)
                if fits[severity, target]:
                    break
            else:
                raise SystemExit(f"no reminder of a {severity} fits a {spec.window:g} s window: shorten it")
        profiles.append(Profile(severity, kind, room_kind, pick(rng, STATUS_MIX), target))
    rng.shuffle(profiles)
    return profiles


def clock_fields(
    profile: Profile, t: datetime | None, spec: LoadSpec, policy: Policy, rng: random.Random
) -> dict[str, Any]:
    """Clock inputs, all at or before t0, such that what falls due in [window_start, horizon_end] is
    `profile.target`, at `t`, alone (a draw: load() checks it, and draws again if not)."""
    rules = policy.for_severity(profile.severity)
    fr, res, lead = rules.first_response, rules.resolution_target, policy.reminder_lead
    internal, customer = rules.internal_update, rules.customer_update
    ahead = spec.horizon_end - spec.t0 + timedelta(minutes=1)  # silent until the horizon, from t0
    clock, stage = profile.target or ("", "")

    min_age, max_age = fr + timedelta(minutes=1), res * policy.sla_warning_fraction - ahead
    if clock == "internal" and internal is not None:
        min_age = max(min_age, internal + fr + timedelta(minutes=2))
    if clock == "customer" and customer is not None and not customer.business_days:
        min_age = max(min_age, customer.default + fr + timedelta(minutes=2))
    if max_age <= min_age:
        raise SystemExit(
            f"a {profile.severity} cannot stay quiet from loading to the horizon "
            f"({ahead.total_seconds():.0f} s): shorten --lead-in, --window or --drain"
        )
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
    for key, cadence in (
        ("last_internal_update_at", internal),
        ("last_customer_update_at", customer.default if customer is not None else None),
    ):
        if cadence is not None:  # not warned before the horizon if it can be; else anything (load() checks)
            span = cadence - lead - ahead
            fields[key] = (
                spec.t0 - (min(since_ack, span) if span > timedelta(0) else since_ack) * rng.random()
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


@dataclass(frozen=True)
class Clocked:
    """An escalation's clock inputs that pass, and what the bot's clock math makes of them."""

    fields: dict[str, Any]
    dues: Any  # bot.clocks.schedule.DueTimes
    history: list[Reminder]  # fell due before the window: recorded as posted
    next_at: datetime | None


def clocked(
    profile: Profile, t: datetime | None, spec: LoadSpec, policy: Policy, rng: random.Random
) -> Clocked:
    """Draw clock inputs until the bot's math agrees: nothing owed at window_start once the history is
    claimed, and nothing but the target (at `t`) due until the horizon."""
    ws, horizon = spec.window_start, spec.horizon_end
    for _ in range(TRIES):
        f = clock_fields(profile, t, spec, policy, rng)
        row = SimpleNamespace(
            **ROW_DEFAULTS
            | f
            | {"severity": profile.severity, "status": profile.status, "liaison_user_id": LIAISON}
        )
        inputs = clock_inputs(row)  # type: ignore[arg-type]  # what the sweep reads, the way it reads it
        dues = due_times(inputs, policy)
        history, soon = [], []
        for clock in CLOCKS:
            due_at = dues.of(clock)
            if due_at is None:
                continue
            for reminder in schedule(clock, due_at, profile.severity, policy):
                if reminder.fire_at > horizon:
                    break
                (history if reminder.fire_at <= ws else soon).append(reminder)
        owes = plan(inputs, dues, policy, ws, {r.key for r in history})
        got = [((r.clock, r.stage), r.fire_at) for r in soon]
        if t is None:
            fine = not got and (owes.next_at is None or owes.next_at > horizon)
        else:
            fine = (
                len(got) == 1
                and got[0][0] == profile.target
                and abs(got[0][1] - t) < timedelta(milliseconds=1)
            )
            fine = fine and owes.next_at == got[0][1]
        if fine and not owes.send:
            return Clocked(f, dues, history, owes.next_at)
    raise AssertionError(
        f"{profile}: expected only {profile.target} at {t} to fall due in "
        f"[{ws:%H:%M:%S}, {horizon:%H:%M:%S}], got {got} (after {TRIES} draws)"
    )
