"""The words of the domain, defined once: severity, status, clock, tier, type, room kind, draft kind.

Each is a `StrEnum`, so a member equals the plain string stored in the database and sent to Slack
(`Status.RESOLVED == "resolved"`), and `label` is the one place a word is spelled for people.
"""

from __future__ import annotations

from enum import StrEnum


class _Word(StrEnum):
    @property
    def label(self) -> str:
        """How people read it: `Investigating`, `First response`..."""
        return self.value.replace("_", " ").replace("-", " ").capitalize()

    @classmethod
    def parse(cls, text: str | None) -> _Word | None:
        """The member spelled `text` (case, spaces, hyphens and underscores folded), or None."""
        key = "_".join((text or "").strip().lower().replace("-", " ").split())
        return next((m for m in cls if m.value.replace("-", "_") == key), None)


class Severity(_Word):
    """SEV-1 (critical) to SEV-4 (minor); lower numbers are more severe."""

    SEV1 = "SEV-1"
    SEV2 = "SEV-2"
    SEV3 = "SEV-3"
    SEV4 = "SEV-4"

    @property
    def label(self) -> str:
        return self.value

    @property
    def rank(self) -> int:
        """0 for SEV-1 .. 3 for SEV-4."""
        return SEVERITIES.index(self)

    @classmethod
    def parse(cls, text: str | None) -> Severity | None:
        """`SEV-2`, `sev2`, `Sev 2` or `2` → SEV-2; None for anything else."""
        digits = (text or "").strip().upper().removeprefix("SEV").strip(" -")
        return next((m for m in cls if m.value == f"SEV-{digits}"), None)


class Status(_Word):
    """Where an escalation stands."""

    INVESTIGATING = "investigating"
    IDENTIFIED = "identified"
    MONITORING = "monitoring"
    RESOLVED = "resolved"
    CLOSED = "closed"

    @property
    def is_open(self) -> bool:
        """True until resolved or closed: the clocks run."""
        return self in OPEN_STATUSES


class Clock(_Word):
    """The four clocks of an escalation."""

    FIRST_RESPONSE = "first_response"
    INTERNAL = "internal"
    CUSTOMER = "customer"
    RESOLUTION = "resolution"

    @property
    def label(self) -> str:
        return _CLOCK_LABELS[self]


class Tier(_Word):
    """The account's plan."""

    ENTERPRISE = "enterprise"
    BUSINESS = "business"
    STARTER = "starter"


class EscalationType(_Word):
    """What kind of problem (seed 001, plus billing and relationship from seed 004)."""

    TECHNICAL = "technical"
    SERVICE = "service"
    BUSINESS = "business"
    SECURITY = "security"
    COMPLIANCE = "compliance"
    BILLING = "billing"
    RELATIONSHIP = "relationship"


class RoomKind(_Word):
    """Where an escalation is worked: its own channel, or the thread under its triage card."""

    CHANNEL = "channel"
    THREAD = "thread"


class DraftKind(_Word):
    """What warroom can draft."""

    ACK = "ack"
    UPDATE = "update"
    RESOLUTION = "resolution"
    APOLOGY = "apology"
    RESPONSE = "response"
    PHONE = "phone"
    SOCIAL = "social"
    BRIEF = "brief"
    SUMMARY = "summary"


SEVERITIES: tuple[Severity, ...] = tuple(Severity)
OPEN_STATUSES: tuple[Status, ...] = (Status.INVESTIGATING, Status.IDENTIFIED, Status.MONITORING)
# What a person can set with `/escalate status …`; closing comes with the customer's confirmation.
SETTABLE_STATUSES: tuple[Status, ...] = (*OPEN_STATUSES, Status.RESOLVED)
CLOCKS: tuple[Clock, ...] = tuple(Clock)
UPDATE_CLOCKS: tuple[Clock, ...] = (Clock.INTERNAL, Clock.CUSTOMER)
SLA_CLOCKS: tuple[Clock, ...] = (Clock.FIRST_RESPONSE, Clock.RESOLUTION)
_CLOCK_LABELS = {
    Clock.FIRST_RESPONSE: "First response",
    Clock.INTERNAL: "Internal update",
    Clock.CUSTOMER: "Customer update",
    Clock.RESOLUTION: "Resolution target",
}


def label_of(word_type: type[_Word], value: str | None, missing: str = "—") -> str:
    """The label of a stored value, its title-cased text if the vocabulary does not know it, or `missing`."""
    if not value:
        return missing
    member = word_type.parse(value)
    return member.label if member is not None else value.title()
