"""The policy for closing the loop (seed 001 workflows 4 and 5, its metrics and red flags): follow-up
reminders, the recovery table, red-flag thresholds, metrics and the weekly digest."""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator

from bot.policy.fields import Duration, Strict


class RecoveryLevel(StrEnum):
    """Seed 001's impact levels for customer recovery, least to most."""

    MINOR = "minor"
    MODERATE = "moderate"
    SIGNIFICANT = "significant"
    SEVERE = "severe"

    @property
    def rank(self) -> int:
        """0 for minor .. 3 for severe."""
        return tuple(RecoveryLevel).index(self)


class Weekday(StrEnum):
    """Days of the week, as the digest's `day` is written."""

    MONDAY = "monday"
    TUESDAY = "tuesday"
    WEDNESDAY = "wednesday"
    THURSDAY = "thursday"
    FRIDAY = "friday"
    SATURDAY = "saturday"
    SUNDAY = "sunday"

    @property
    def cron(self) -> str:
        """APScheduler's `day_of_week` name: `mon`, `tue`..."""
        return self.value[:3]


class FollowUpPolicy(Strict):
    """When the owner of a prevention action, recovery gesture or check-in is reminded: `reminder_lead`
    before it is due, at the due time, then `overdue_reminders` times `overdue_every` apart."""

    reminder_lead: Duration
    overdue_every: Duration
    overdue_reminders: int = Field(ge=0, le=20)
    default_due: Duration  # an action given without a date is due this long after it was added


class RecoveryLevelPolicy(Strict):
    """What one impact level of seed 001's recovery table offers, and the check-ins it schedules."""

    actions: tuple[str, ...] = Field(min_length=1)
    check_ins: tuple[Duration, ...] = ()  # after the recovery conversation: one check-in at each offset


class RecoveryPolicy(Strict):
    """Seed 001's recovery table. The level starts from the severity, and moves up one for a strategic
    account and one for a customer who suffered past the resolution target (at most `severe`)."""

    by_severity: dict[str, RecoveryLevel]
    bump_for_strategic_account: bool
    bump_for_resolution_breach: bool
    levels: dict[RecoveryLevel, RecoveryLevelPolicy]
    gestures: tuple[str, ...] = Field(min_length=1)
    conversation: tuple[str, ...] = Field(min_length=1)

    @field_validator("levels")
    @classmethod
    def _every_level(
        cls, value: dict[RecoveryLevel, RecoveryLevelPolicy]
    ) -> dict[RecoveryLevel, RecoveryLevelPolicy]:
        missing = [level.value for level in RecoveryLevel if level not in value]
        if missing:
            raise ValueError(f"every level needs its actions; missing: {', '.join(missing)}")
        return value

    @field_validator("by_severity")
    @classmethod
    def _every_severity(cls, value: dict[str, RecoveryLevel]) -> dict[str, RecoveryLevel]:
        missing = [s for s in ("SEV-1", "SEV-2", "SEV-3", "SEV-4") if s not in value]
        if missing or len(value) != 4:
            raise ValueError("name a level for each of SEV-1, SEV-2, SEV-3 and SEV-4")
        return value


class RedFlagPolicy(Strict):
    """Thresholds of seed 001's red flags that are a matter of degree."""

    # A silence longer than this many times the update cadence, while open, is a communication gap.
    communication_gap: float = Field(gt=1, le=10)


class MetricsPolicy(Strict):
    """How the metrics read the record. A repeat escalation is the triage's: `triage.repeat_escalations`."""

    default_period: Duration  # `/escalate metrics` without a period

    @field_validator("default_period")
    @classmethod
    def _positive(cls, value: timedelta) -> timedelta:
        if value <= timedelta(0):
            raise ValueError("must be longer than zero")
        return value


class DigestPolicy(Strict):
    """When the weekly digest goes to the escalations channel."""

    day: Weekday
    hour: int = Field(ge=0, le=23)
    timezone: str

    @field_validator("day", mode="before")
    @classmethod
    def _day_name(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not an IANA time zone such as 'UTC' or 'Europe/Berlin'") from None
        return value
