"""The read model: one plain, frozen view of an escalation that builders and pure functions take.

It is derived from the row by field name (`EscalationSnapshot.of`), so a column added to the table and
to this class shows everywhere without being copied by hand.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Any

from bot.core.vocabulary import ROLES, EscalationType, Role, Status, Tier, label_of
from bot.escalations.severity import Account
from storage import repository as repo

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from bot.policy.model import Policy
    from storage.models import Escalation, TimelineEvent


@dataclass(frozen=True)
class EscalationSnapshot:
    """Everything the card, the topic and the messages show about one escalation."""

    id: int
    public_id: str
    customer: str
    title: str
    severity: str
    severity_label: str
    suggested_severity: str
    severity_reasons: tuple[str, ...]
    escalation_type: str
    status: str
    ic_user_id: str
    caller_user_id: str
    created_at: datetime
    first_response_due_at: datetime
    room_kind: str
    is_private: bool
    tier: str | None = None
    contact_name: str | None = None
    contact_email: str | None = None
    contact_timezone: str | None = None
    customer_wording: str | None = None
    customer_mood: str | None = None
    arr_at_risk: int | None = None
    users_affected: int | None = None
    description: str = ""
    tried: str = ""
    started: str = ""
    affected: str = ""
    business_impact: str = ""
    workaround: str | None = None
    public_exposure: bool = False
    regulatory: bool = False
    responder_user_ids: tuple[str, ...] = field(default_factory=tuple)
    liaison_user_id: str | None = None
    engineering_user_id: str | None = None
    csm_user_id: str | None = None
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None
    room_channel_id: str | None = None
    room_channel_name: str | None = None
    previous_room_channel_id: str | None = None
    card_channel_id: str | None = None
    card_ts: str | None = None
    source_channel_id: str | None = None
    source_message_ts: str | None = None
    source_permalink: str | None = None
    last_internal_update_at: datetime | None = None
    last_internal_update_by: str | None = None
    last_internal_update_text: str | None = None
    last_customer_update_at: datetime | None = None
    last_customer_update_by: str | None = None
    customer_update_promised_at: datetime | None = None
    internal_update_due_at: datetime | None = None
    customer_update_due_at: datetime | None = None
    resolution_due_at: datetime | None = None
    resolved_at: datetime | None = None
    resolved_by: str | None = None
    resolution_summary: str | None = None
    confirmation_due_at: datetime | None = None
    confirmed_at: datetime | None = None
    confirmed_by: str | None = None
    closed_at: datetime | None = None
    closed_by: str | None = None
    close_reason: str | None = None
    closed_without_confirmation: bool = False
    reopened_at: datetime | None = None
    archived_at: datetime | None = None
    first_customer_update_at: datetime | None = None
    promises_made: int = 0
    promises_kept: int = 0
    root_cause_category: str | None = None
    root_cause: str | None = None
    contributing_factors: tuple[str, ...] = field(default_factory=tuple)
    lessons: tuple[str, ...] = field(default_factory=tuple)
    customer_satisfaction: str | None = None
    report_link: str | None = None
    first_response_breached: bool = False
    resolution_breached: bool = False

    @classmethod
    def of(cls, row: Escalation, policy: Policy) -> EscalationSnapshot:
        """The view of a row: every field named like a column is read from it; the rest are derived."""
        # Loaded columns straight from the instance's dict (a digest or a batch refresh builds many; the
        # attribute descriptors cost more than the copy); anything not loaded is read as usual.
        loaded = vars(row)
        columns = {
            name: loaded[name] if name in loaded else getattr(row, name) for name in _column_fields(cls)
        }
        return cls._made(columns, row.customer.name, policy)

    @classmethod
    def of_columns(
        cls, columns: Mapping[str, Any], customer: str, policy: Policy, newer: Mapping[str, Any] | None = None
    ) -> EscalationSnapshot:
        """The view of an escalation's columns by name (a plain row a sweep read, not an entity), with
        `newer` values for some (what the sweep just wrote) taking their place."""
        values = {name: columns[name] for name in _column_fields(cls)}
        if newer:
            values.update((name, value) for name, value in newer.items() if name in values)
        return cls._made(values, customer, policy)

    @classmethod
    def _made(cls, values: dict[str, Any], customer: str, policy: Policy) -> EscalationSnapshot:
        """The snapshot of `values` (every column field, by name; the dict becomes the snapshot's own)."""
        for name in _LIST_FIELDS:  # JSON list columns become tuples: the view is immutable
            if isinstance(values[name], list):
                values[name] = tuple(values[name])
        values["customer"] = customer
        values["severity_label"] = policy.for_severity(values["severity"]).label
        # Every field is given, so the instance's dict is filled directly: a frozen dataclass's __init__
        # sets its 78 fields one object.__setattr__ at a time, three quarters of the cost of a snapshot, and
        # a sweep makes one for every reminder it posts. Still frozen: nothing can set a field afterwards.
        snapshot = object.__new__(cls)
        snapshot.__dict__.update(values)
        return snapshot

    @property
    def account(self) -> Account:
        """What weighs on the account, for the shared strategic-account rule."""
        return Account(
            tier=self.tier,
            arr=self.arr_at_risk,
            users_affected=self.users_affected,
            public_exposure=self.public_exposure,
            regulatory=self.regulatory,
            escalation_type=self.escalation_type,
        )

    @property
    def status_label(self) -> str:
        """`Investigating`, `Resolved`..."""
        return label_of(Status, self.status)

    @property
    def type_label(self) -> str:
        """`Technical`, `Security`..."""
        return label_of(EscalationType, self.escalation_type)

    @property
    def tier_label(self) -> str:
        """`Enterprise`, or an em dash when unknown."""
        return label_of(Tier, self.tier)

    @property
    def is_open(self) -> bool:
        """True until resolved or closed."""
        return Status(self.status).is_open

    @property
    def is_closed(self) -> bool:
        """True once closed (confirmed by the customer, or closed without it)."""
        return self.status == Status.CLOSED

    @property
    def awaiting_confirmation(self) -> bool:
        """Resolved on our side; the customer has not confirmed yet."""
        return self.status == Status.RESOLVED

    def holder(self, role: Role) -> str | None:
        """Who holds `role` (None: nobody yet)."""
        return getattr(self, role.column)

    @property
    def people(self) -> tuple[str, ...]:
        """Everyone who belongs in the room: the role holders, the person who raised it, the responders."""
        held = [self.holder(role) for role in ROLES]
        return tuple(u for u in dict.fromkeys([*held, self.caller_user_id, *self.responder_user_ids]) if u)

    @property
    def worked_in(self) -> tuple[str | None, str | None]:
        """(channel, thread_ts) where the room talks: the war room, or the thread under the card."""
        if self.room_channel_id:
            return self.room_channel_id, None
        return self.card_channel_id, self.card_ts

    @property
    def room_mention(self) -> str:
        """Where the escalation is worked: the war room, or "the thread" under its card."""
        if self.room_channel_id:
            return f"<#{self.room_channel_id}>"
        if self.card_channel_id:
            return f"the card's thread in <#{self.card_channel_id}>"
        return "the card's thread"


# The fields read from JSON list columns (reasons, responders, factors, lessons).
_LIST_FIELDS = tuple(f.name for f in fields(EscalationSnapshot) if str(f.type).startswith("tuple["))


@dataclass(frozen=True)
class TimelineEntry:
    """One line of an escalation's timeline."""

    at: datetime
    kind: str
    text: str
    actor_user_id: str | None = None
    data: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, event: TimelineEvent) -> TimelineEntry:
        """The entry of a timeline row."""
        return cls(
            at=event.at,
            kind=event.kind,
            text=event.text,
            actor_user_id=event.actor_user_id,
            data=dict(event.data),
        )

    @property
    def removed(self) -> bool:
        """A captured message its author deleted, or that was un-pinned: not part of the story any more."""
        return bool(self.data.get("removed"))


def timeline_entries(session: Session, escalation_id: int) -> list[TimelineEntry]:
    """What happened to an escalation, oldest first, without captured messages since deleted or un-pinned."""
    return timeline_entries_each(session, [escalation_id]).get(escalation_id, [])


def timeline_entries_each(session: Session, escalation_ids: list[int]) -> dict[int, list[TimelineEntry]]:
    """`timeline_entries` of several escalations, by id, in one query (absent: nothing on it)."""
    return {
        id_: [entry for entry in map(TimelineEntry.of, events) if not entry.removed]
        for id_, events in repo.timelines(session, escalation_ids).items()
    }


@cache
def _column_fields(cls: type) -> tuple[str, ...]:
    """The snapshot's fields read from the row (all but the derived ones), worked out once."""
    return tuple(f.name for f in fields(cls) if f.name not in ("customer", "severity_label"))
