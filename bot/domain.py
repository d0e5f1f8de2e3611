"""Plain snapshots of escalations that builders and pure functions take (no ORM, no session)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

STATUS_LABELS = {
    "investigating": "Investigating",
    "identified": "Identified",
    "monitoring": "Monitoring",
    "resolved": "Resolved",
    "closed": "Closed",
}
TYPE_LABELS = {
    "technical": "Technical",
    "service": "Service",
    "business": "Business",
    "security": "Security",
    "compliance": "Compliance",
    "billing": "Billing",
    "relationship": "Relationship",
}
TIER_LABELS = {"enterprise": "Enterprise", "business": "Business", "starter": "Starter"}


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
    arr_at_risk: int | None = None
    users_affected: int | None = None
    description: str = ""
    tried: str = ""
    public_exposure: bool = False
    regulatory: bool = False
    responder_user_ids: tuple[str, ...] = field(default_factory=tuple)
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None
    room_channel_id: str | None = None
    room_channel_name: str | None = None
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
    first_response_breached: bool = False
    resolution_breached: bool = False

    @property
    def status_label(self) -> str:
        """`Investigating`, `Resolved`..."""
        return STATUS_LABELS.get(self.status, self.status.title())

    @property
    def type_label(self) -> str:
        """`Technical`, `Security`..."""
        return TYPE_LABELS.get(self.escalation_type, self.escalation_type.title())

    @property
    def tier_label(self) -> str:
        """`Enterprise`, or an em dash when unknown."""
        return TIER_LABELS.get(self.tier or "", self.tier.title() if self.tier else "—")

    @property
    def is_open(self) -> bool:
        """True until resolved or closed."""
        return self.status not in ("resolved", "closed")

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


@dataclass(frozen=True)
class TimelineEntry:
    """One line of an escalation's timeline."""

    at: datetime
    kind: str
    text: str
    actor_user_id: str | None = None
