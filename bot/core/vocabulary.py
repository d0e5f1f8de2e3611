"""The words of the domain, defined once: severity, status, clock, tier, type, room kind, mood, draft kind,
role.

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
    """Where an escalation stands. Resolved means fixed on our side and awaiting the customer's
    confirmation; closed means confirmed (or closed without it, which is flagged)."""

    INVESTIGATING = "investigating"
    IDENTIFIED = "identified"
    MONITORING = "monitoring"
    RESOLVED = "resolved"
    CLOSED = "closed"

    @property
    def is_open(self) -> bool:
        """True until resolved or closed: the update and SLA clocks run."""
        return self in OPEN_STATUSES


class Clock(_Word):
    """The clocks of an escalation: four while it is open, then the ones that close the loop."""

    FIRST_RESPONSE = "first_response"
    INTERNAL = "internal"
    CUSTOMER = "customer"
    RESOLUTION = "resolution"
    ROLES = "roles"  # a SEV-1/2 whose customer liaison is still nobody
    CONFIRMATION = "confirmation"  # resolved: the liaison is reminded to get the customer's confirmation
    ARCHIVE = "archive"  # closed: the war room is archived after a quiet period

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


class Role(_Word):
    """Who runs an escalation (seed 001's war-room protocol); each is one column of the escalation."""

    IC = "ic"
    LIAISON = "liaison"
    ENGINEERING = "engineering"
    CSM = "csm"

    @property
    def label(self) -> str:
        return _ROLE_LABELS[self]

    @property
    def short_label(self) -> str:
        """`IC`, `Liaison`...: for the room topic, where every character counts."""
        return _ROLE_SHORT_LABELS[self]

    @property
    def column(self) -> str:
        """The escalation column that holds the person: `ic_user_id`, `liaison_user_id`..."""
        return f"{self.value}_user_id"

    @classmethod
    def parse(cls, text: str | None) -> Role | None:
        """`ic`, `commander`, `liaison`, `eng`, `engineering`, `csm`... → the role; None otherwise."""
        key = (text or "").strip().lower().replace("-", " ").replace("_", " ")
        return _ROLE_WORDS.get(key) or super().parse(text)  # type: ignore[return-value]


class FollowUpKind(_Word):
    """What a person committed to after the fix."""

    PREVENTION = "prevention"  # seed 001's prevention actions (seed 004: immediate and long-term)
    RECOVERY = "recovery"  # a goodwill gesture offered to the customer (seed 001's recovery table)
    CHECK_IN = "check_in"  # an increased check-in with the customer after recovery

    @property
    def label(self) -> str:
        return {"prevention": "Prevention action", "recovery": "Recovery gesture", "check_in": "Check-in"}[
            self.value
        ]


class RootCause(_Word):
    """Seed 004's root-cause categories."""

    PRODUCT = "product"
    PROCESS = "process"
    PEOPLE = "people"
    EXTERNAL = "external"


class Mood(_Word):
    """How the customer feels (seed 000's emotional state): the tone every draft takes follows it."""

    CALM = "calm"
    DISAPPOINTED = "disappointed"
    ANGRY = "angry"
    THREATENING = "threatening"  # to leave, go public, call the CEO or a lawyer

    @property
    def label(self) -> str:
        return {
            "calm": "Calm",
            "disappointed": "Disappointed, let down",
            "angry": "Angry, frustrated",
            "threatening": "Threatening to leave or go public",
        }[self.value]


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
ROLES: tuple[Role, ...] = tuple(Role)
OPEN_STATUSES: tuple[Status, ...] = (Status.INVESTIGATING, Status.IDENTIFIED, Status.MONITORING)
# What a person can set with `/escalate status …`: resolving says what fixed it (`/escalate resolve`),
# closing comes with the customer's confirmation (`/escalate confirm`) or a reason (`/escalate close`).
SETTABLE_STATUSES: tuple[Status, ...] = OPEN_STATUSES
CLOCKS: tuple[Clock, ...] = tuple(Clock)
UPDATE_CLOCKS: tuple[Clock, ...] = (Clock.INTERNAL, Clock.CUSTOMER)
SLA_CLOCKS: tuple[Clock, ...] = (Clock.FIRST_RESPONSE, Clock.RESOLUTION)
_CLOCK_LABELS = {
    Clock.FIRST_RESPONSE: "First response",
    Clock.INTERNAL: "Internal update",
    Clock.CUSTOMER: "Customer update",
    Clock.RESOLUTION: "Resolution target",
    Clock.ROLES: "Roles",
    Clock.CONFIRMATION: "Customer confirmation",
    Clock.ARCHIVE: "Archiving",
}
_ROLE_LABELS = {
    Role.IC: "Incident commander",
    Role.LIAISON: "Customer liaison",
    Role.ENGINEERING: "Engineering owner",
    Role.CSM: "CSM",
}
_ROLE_SHORT_LABELS = {Role.IC: "IC", Role.LIAISON: "Liaison", Role.ENGINEERING: "Eng", Role.CSM: "CSM"}
_ROLE_WORDS = {
    **dict.fromkeys(("ic", "commander", "incident commander"), Role.IC),
    **dict.fromkeys(("liaison", "customer liaison", "comms"), Role.LIAISON),
    **dict.fromkeys(("eng", "engineering", "engineer", "engineering owner"), Role.ENGINEERING),
    **dict.fromkeys(("csm", "account manager"), Role.CSM),
}


def label_of(word_type: type[_Word], value: str | None, missing: str = "—") -> str:
    """The label of a stored value, its title-cased text if the vocabulary does not know it, or `missing`."""
    if not value:
        return missing
    member = word_type.parse(value)
    return member.label if member is not None else value.title()
