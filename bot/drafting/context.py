"""What a draft may be grounded in: the escalation's read model, and what grounding adds from its history,
the room and the policy, for templates, prompts and the lint."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from bot.escalations.read_model import EscalationSnapshot, TimelineEntry

BRIEF_TARGETS = ("engineering", "product", "security", "leadership")
# The team a customer is told is on it, by escalation type; anything else goes to support leadership.
FIXING_TEAMS = {
    "technical": "engineering",
    "security": "security",
    "compliance": "compliance",
    "billing": "billing",
}


def placeholder(label: str) -> str:
    """A visible gap for a fact the record lacks: `[next update time]`, never an invented value."""
    return f"[{label}]"


def format_update_time(moment: datetime, now: datetime) -> str:
    """`3:00 PM UTC`, with `tomorrow` or the date when it is not today."""
    moment, now = moment.astimezone(UTC), now.astimezone(UTC)
    text = moment.strftime("%I:%M %p UTC").lstrip("0")
    if moment.date() == now.date():
        return text
    if moment.date() == now.date() + timedelta(days=1):
        return f"{text} tomorrow"
    return f"{text} on {moment:%A} {moment.day} {moment:%B}"


def format_duration(delta: timedelta) -> str:
    """`45 min`, `3 h 20 min`, `2 d 4 h`."""
    minutes = max(int(delta.total_seconds() // 60), 0)
    days, hours, minutes = minutes // 1440, minutes // 60 % 24, minutes % 60
    if days:
        return f"{days} d {hours} h"
    return f"{hours} h {minutes} min" if hours else f"{minutes} min"


@dataclass(frozen=True, kw_only=True)
class DraftContext:
    """Everything a draft may say about one escalation; `None` means the record does not know.

    The escalation's own facts are read from `escalation` (the one read model); this class only adds
    what grounding finds beyond the row and what the drafts derive from both.
    """

    escalation: EscalationSnapshot
    customer_tenure: str | None = None
    contacts_so_far: int | None = None
    ic_name: str | None = None
    company_name: str | None = None
    next_customer_update_at: datetime | None = None
    customer_update_cadence: str | None = None
    timeline: tuple[TimelineEntry, ...] = field(default_factory=tuple)
    recent_messages: tuple[str, ...] = field(default_factory=tuple)
    brief_target: str = "engineering"
    strategic: bool = False  # `is_strategic` under the policy in force
    now: datetime

    @property
    def first_name(self) -> str | None:
        """The contact's first name ("David" for "David Okafor"), or None."""
        parts = (self.escalation.contact_name or "").split()
        return parts[0] if parts else None

    @property
    def addressee(self) -> str:
        """Who a customer message greets: the contact's first name, else the account's team."""
        return self.first_name or f"{self.escalation.customer} team"

    @property
    def issue(self) -> str:
        """The title as a phrase inside a sentence: "data export missing rows", "API returning 500 errors"."""
        title = self.escalation.title.strip().rstrip(".!")
        first = title.split(" ", 1)[0]
        return title if first.isupper() or not first[:1].isupper() else title[:1].lower() + title[1:]

    @property
    def next_update(self) -> str:
        """When the customer hears from us next ("3:00 PM UTC"), or `[next update time]`."""
        if self.next_customer_update_at is None:
            return placeholder("next update time")
        return format_update_time(self.next_customer_update_at, self.now)

    @property
    def team(self) -> str:
        """The team working on it, as the customer is told: "engineering", "security"..."""
        return FIXING_TEAMS.get(self.escalation.escalation_type, "support leadership")

    @property
    def company(self) -> str:
        """Our company's name, or `[company]`."""
        return self.company_name or placeholder("company")

    @property
    def repeat_contacts(self) -> bool:
        """True when the customer has had to contact support more than once."""
        return self.contacts_so_far is not None and self.contacts_so_far >= 2

    @property
    def account_facts(self) -> list[str]:
        """What weighs on the account, as short phrases ("Enterprise tier", "$180,000 a year at risk")."""
        esc = self.escalation
        facts = [
            f"a customer for {self.customer_tenure}" if self.customer_tenure else "",
            f"{esc.tier.title()} tier" if esc.tier else "",
            f"${esc.arr_at_risk:,} a year at risk" if esc.arr_at_risk is not None else "",
            f"{self.contacts_so_far} contacts without a fix" if self.repeat_contacts else "",
            "a public-exposure risk" if esc.public_exposure else "",
            "regulatory implications" if esc.regulatory else "",
        ]
        return [fact for fact in facts if fact]

    @property
    def tried_items(self) -> list[str]:
        """What has been tried, one item per line or semicolon, capitalised."""
        items = (item.strip(" -•*.") for item in re.split(r"\n+|;\s*", self.escalation.tried))
        return [item[:1].upper() + item[1:] for item in items if item]

    @property
    def progress_items(self) -> list[str]:
        """What we have done: the room's latest internal updates, else what has been tried."""
        updates = [
            entry.text.strip() for entry in self.timeline if entry.kind == "internal_update" and entry.text
        ]
        return updates[-3:] or self.tried_items

    def clock(self, moment: datetime) -> str:
        """`14:05 UTC` today, `2 Mar 14:05 UTC` on another day."""
        moment = moment.astimezone(UTC)
        if moment.date() == self.now.astimezone(UTC).date():
            return f"{moment:%H:%M} UTC"
        return f"{moment.day} {moment:%b %H:%M} UTC"

    def timeline_lines(self, limit: int) -> list[str]:
        """The last `limit` timeline entries as `14:05 UTC: text`."""
        return [f"{self.clock(entry.at)}: {entry.text}" for entry in self.timeline[-limit:]]

    @property
    def time_in_queue(self) -> str | None:
        """How long since the escalation opened and how often they contacted us, or None if unknown."""
        parts = []
        if self.timeline:
            started = self.timeline[0].at
            parts.append(f"{format_duration(self.now - started)} since {self.clock(started)}")
        if self.contacts_so_far:
            parts.append(f"{self.contacts_so_far} contacts with support")
        return "; ".join(parts) or None
