"""Seed 001's escalation metrics over a period: pure figures from plain numbers (no Slack, no database).

`parse_period` turns `7d | 30d | 90d | quarter` (or nothing: the policy's default) into a `Period`;
`storage.metrics` reads, per severity, the counts and the elapsed times of the escalations opened in it
(`MetricsInputs`); `compute_metrics` turns those into a frozen `Metrics` per severity and overall.

Elapsed times arrive as whole milliseconds computed by the database, because parsing 100,000 timestamps
in Python would cost more than the whole computation may take. SLA compliance is judged here, against
the policy of each escalation's current severity: one past its target without the event (no
acknowledgement, not resolved) has missed it; one still inside its window is not counted yet.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import chain

from bot.core.vocabulary import SEVERITIES
from bot.policy.model import Policy

PERIOD_CHOICES = ("7d", "30d", "90d", "quarter")
_DAY_PERIODS = {"7d": 7, "30d": 30, "90d": 90}
QUARTER = "quarter"
TOP_CUSTOMERS = 5


@dataclass(frozen=True)
class Period:
    """Escalations opened from `start` to `end` (both included, UTC); `label` reads "last 30 days"."""

    start: datetime
    end: datetime
    label: str
    key: str  # what was asked: "30d", "quarter"...


def parse_period(text: str | None, now: datetime, policy: Policy) -> Period:
    """The period `text` names, ending `now`: `7d`, `30d`, `90d` (the last N days) or `quarter` (the
    current calendar quarter to date, UTC); nothing means `policy.metrics.default_period`. Anything else
    is a `ValueError` whose message lists the choices."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    now = now.astimezone(UTC)
    key = " ".join((text or "").lower().split())
    if not key:
        length = policy.metrics.default_period
        return Period(now - length, now, f"last {_span_words(length)}", _compact(length))
    if key in _DAY_PERIODS:
        days = _DAY_PERIODS[key]
        return Period(now - timedelta(days=days), now, f"last {days} days", key)
    if key in (QUARTER, "this quarter"):
        first_month = 3 * ((now.month - 1) // 3) + 1
        return Period(datetime(now.year, first_month, 1, tzinfo=UTC), now, "this quarter", QUARTER)
    shown = (text or "").strip()[:40]
    raise ValueError(
        f"{shown!r} is not a period: choose 7d, 30d or 90d (the last 7, 30 or 90 days) or quarter "
        f"(this calendar quarter so far), or leave it out for the last "
        f"{_span_words(policy.metrics.default_period)}."
    )


@dataclass(frozen=True)
class SeverityInputs:
    """What the database counted and measured for the escalations of one (current) severity opened in
    the period. Times are whole milliseconds from each escalation's creation, in no particular order."""

    escalations: int = 0
    private: int = 0
    first_response_ms: Sequence[int] = ()  # acknowledged ones: → acknowledged
    unacknowledged_age_ms: Sequence[int] = ()  # the others: → now
    first_update_ms: Sequence[int] = ()  # → first customer update
    resolution_ms: Sequence[int] = ()  # resolved ones (or closed without being resolved): → then
    unresolved_age_ms: Sequence[int] = ()  # the others: → now
    promises_made: int = 0
    promises_kept: int = 0
    repeats: int = 0  # whose customer was escalated within `triage.repeat_escalations.window` before
    prevention_done: int = 0  # prevention follow-ups done, of
    prevention_total: int = 0


@dataclass(frozen=True)
class CustomerCount:
    """A customer and its non-private escalations in the period."""

    name: str
    escalations: int


@dataclass(frozen=True)
class MetricsInputs:
    """What `storage.metrics` reads for `compute_metrics`: plain numbers."""

    by_severity: Mapping[str, SeverityInputs]
    customers: int = 0  # distinct customers with an escalation in the period, private ones included
    # Customers by their non-private escalations in the period, most first (at least TOP_CUSTOMERS).
    top_customers: Sequence[CustomerCount] = ()
    # Now, whatever the period: each customer with an escalation not closed, at its largest ARR at risk.
    arr_at_risk: int = 0
    arr_customers: int = 0


@dataclass(frozen=True)
class Share:
    """`part` of `whole`; `ratio` is None when there is nothing to divide by."""

    part: int
    whole: int

    @property
    def ratio(self) -> float | None:
        """part / whole, or None when whole is 0."""
        return self.part / self.whole if self.whole else None

    def __add__(self, other: Share) -> Share:
        return Share(self.part + other.part, self.whole + other.whole)


NO_SHARE = Share(0, 0)


@dataclass(frozen=True)
class Figures:
    """The metrics of one severity, or of all of them."""

    escalations: int
    private: int  # of which private: counted, never named
    first_response_median: timedelta | None
    first_response_p90: timedelta | None
    first_update_median: timedelta | None
    resolution_median: timedelta | None
    first_response_sla: Share  # first responses within the severity's `first_response`
    resolution_sla: Share  # resolved within the severity's `resolution_target`
    promises_kept: Share  # sum(promises_kept) of sum(promises_made)
    repeats: Share  # escalations of a customer escalated within `triage.repeat_escalations.window` before
    prevention_done: Share  # prevention follow-ups done


@dataclass(frozen=True)
class Targets:
    """A severity's SLA targets in the policy the figures were judged against."""

    first_response: timedelta
    resolution: timedelta


@dataclass(frozen=True)
class Metrics:
    """Seed 001's escalation metrics for a period, per severity (SEV-1 .. SEV-4, always all four, most
    severe first) and overall."""

    period: Period
    computed_at: datetime
    overall: Figures
    by_severity: Mapping[str, Figures]
    customers: int  # distinct customers, private escalations' included
    # Customers by their non-private escalations: a private escalation is counted, its customer never named.
    top_customers: tuple[CustomerCount, ...] = field(default_factory=tuple)
    arr_at_risk: int = 0  # now, not over the period: escalations open or awaiting confirmation
    arr_customers: int = 0
    targets: Mapping[str, Targets] = field(default_factory=dict)  # per severity
    repeat_window: timedelta = timedelta(days=90)

    @property
    def per_customer(self) -> float | None:
        """Escalations per distinct customer, or None when there were none."""
        return self.overall.escalations / self.customers if self.customers else None


def compute_metrics(inputs: MetricsInputs, policy: Policy, period: Period, now: datetime) -> Metrics:
    """The figures of `inputs` (escalations opened in `period`) judged against `policy` at `now`."""
    by_severity: dict[str, Figures] = {}
    targets: dict[str, Targets] = {}
    sorted_times: list[tuple[list[int], list[int], list[int]]] = []
    for severity in SEVERITIES:
        got = inputs.by_severity.get(severity.value, SeverityInputs())
        times = (sorted(got.first_response_ms), sorted(got.first_update_ms), sorted(got.resolution_ms))
        sorted_times.append(times)
        rules = policy.for_severity(severity)
        targets[severity.value] = Targets(rules.first_response, rules.resolution_target)
        response_target, resolution_target = _ms(rules.first_response), _ms(rules.resolution_target)
        first_response_sla = Share(
            bisect_right(times[0], response_target),
            len(times[0]) + sum(age > response_target for age in got.unacknowledged_age_ms),
        )
        resolution_sla = Share(
            bisect_right(times[2], resolution_target),
            len(times[2]) + sum(age > resolution_target for age in got.unresolved_age_ms),
        )
        by_severity[severity.value] = _figures(got, *times, first_response_sla, resolution_sla)
    parts = list(by_severity.values())
    # Each severity's times are sorted already: sorting them together is a merge of runs.
    together = [sorted(chain.from_iterable(times[i] for times in sorted_times)) for i in range(3)]
    overall = Figures(
        escalations=sum(f.escalations for f in parts),
        private=sum(f.private for f in parts),
        first_response_median=_median(together[0]),
        first_response_p90=_percentile(together[0], 90),
        first_update_median=_median(together[1]),
        resolution_median=_median(together[2]),
        first_response_sla=_total(parts, "first_response_sla"),
        resolution_sla=_total(parts, "resolution_sla"),
        promises_kept=_total(parts, "promises_kept"),
        repeats=_total(parts, "repeats"),
        prevention_done=_total(parts, "prevention_done"),
    )
    top = sorted(
        (c for c in inputs.top_customers if c.escalations > 0), key=lambda c: (-c.escalations, c.name)
    )
    return Metrics(
        period=period,
        computed_at=now,
        overall=overall,
        by_severity=by_severity,
        customers=inputs.customers,
        top_customers=tuple(top[:TOP_CUSTOMERS]),
        arr_at_risk=inputs.arr_at_risk,
        arr_customers=inputs.arr_customers,
        targets=targets,
        repeat_window=policy.triage.repeat_escalations.window,
    )


def _figures(
    got: SeverityInputs,
    responses: list[int],
    updates: list[int],
    resolutions: list[int],
    first_response_sla: Share,
    resolution_sla: Share,
) -> Figures:
    return Figures(
        escalations=got.escalations,
        private=got.private,
        first_response_median=_median(responses),
        first_response_p90=_percentile(responses, 90),
        first_update_median=_median(updates),
        resolution_median=_median(resolutions),
        first_response_sla=first_response_sla,
        resolution_sla=resolution_sla,
        promises_kept=Share(got.promises_kept, got.promises_made),
        repeats=Share(got.repeats, got.escalations),
        prevention_done=Share(got.prevention_done, got.prevention_total),
    )


def _total(parts: Sequence[Figures], name: str) -> Share:
    return sum((getattr(f, name) for f in parts), NO_SHARE)


def _median(ordered: Sequence[int]) -> timedelta | None:
    """The median of sorted milliseconds (the mean of the middle two when their number is even)."""
    if not ordered:
        return None
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return timedelta(milliseconds=ordered[middle])
    return timedelta(milliseconds=(ordered[middle - 1] + ordered[middle]) / 2)


def _percentile(ordered: Sequence[int], percent: int) -> timedelta | None:
    """Nearest rank over sorted milliseconds: the smallest value with at least `percent` % of them at or
    below it (the 90th percentile of 10 values is the 9th, of 11 the 10th)."""
    if not ordered:
        return None
    rank = -(-percent * len(ordered) // 100)  # ceil in whole numbers: 0.9 * 100 is 90.00000000000001
    return timedelta(milliseconds=ordered[max(0, rank - 1)])


def _ms(duration: timedelta) -> int:
    return round(duration.total_seconds() * 1000)


def _span_words(length: timedelta) -> str:
    """`30 days`, `day`, `12 hours`: how a period's length reads after "last"."""
    seconds = int(length.total_seconds())
    for unit, name in ((86_400, "day"), (3_600, "hour"), (60, "minute")):
        if seconds % unit == 0:
            amount = seconds // unit
            return name if amount == 1 else f"{amount} {name}s"
    return f"{seconds} seconds"


def _compact(length: timedelta) -> str:
    seconds = int(length.total_seconds())
    return f"{seconds // 86_400}d" if seconds % 86_400 == 0 else f"{seconds}s"
