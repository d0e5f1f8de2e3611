"""The facts a draft may use, gathered from the record, its timeline and the room (pure)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from bot.clocks.schedule import add_business_time
from bot.core.durations import cadence_in_words
from bot.core.zones import known_zone
from bot.drafting.context import DraftContext
from bot.drafting.since import started_at
from bot.escalations.read_model import EscalationSnapshot, TimelineEntry
from bot.escalations.severity import is_strategic
from bot.policy.model import Policy

_TENURE = re.compile(r"\b(\d{1,2})[- ]years?\b(?![- ]old)", re.I)
_TENURE_WORDS = re.compile(r"\bcustomer (?:for|since) (\d{1,2}) years\b", re.I)
_CONTACTS = re.compile(r"\b(?:in touch with|contacted|emailed|called)\b[^.]{0,40}?\b(\d{1,2}) times\b", re.I)
_MESSAGE_LIMIT = 400


def customer_tenure(text: str) -> str | None:
    """ "4 years" from "4-year enterprise customer" or "customer for 4 years"."""
    match = _TENURE_WORDS.search(text) or _TENURE.search(text)
    if not match:
        return None
    years = int(match.group(1))
    return f"{years} year{'s' if years != 1 else ''}"


def contacts_so_far(text: str) -> int | None:
    """How many times the customer contacted support, from "in touch with our tier-1 team 8 times"."""
    match = _CONTACTS.search(text)
    return int(match.group(1)) if match else None


def next_update_due(esc: EscalationSnapshot, policy: Policy, now: datetime) -> datetime | None:
    """When the update after the one being drafted is due: a customer cadence from now (sending this one
    restarts the clock), else what the clock or the last promise says; None when nothing says."""
    cadence = policy.for_severity(esc.severity).customer_update
    if cadence is not None:
        return add_business_time(now, cadence.default) if cadence.business_days else now + cadence.default
    due = esc.customer_update_promised_at or esc.customer_update_due_at
    if due is None:
        return None
    return max(due, now)  # late with no cadence to go by: a new time soon (see next_promise)


def build_context(
    esc: EscalationSnapshot,
    timeline: Sequence[TimelineEntry],
    room_messages: Sequence[str],
    policy: Policy,
    now: datetime,
    *,
    ic_name: str | None = None,
    ic_zone: str | None = None,
    reported_by_name: str | None = None,
    company_name: str | None = None,
    brief_target: str = "engineering",
) -> DraftContext:
    """The draft's facts: only what the record, timeline and room say; the rest stays unknown. Promised
    times are in the contact's zone, else the incident commander's (`ic_zone`), else UTC."""
    history = f"{esc.description}\n{esc.tried}"
    cadence = policy.for_severity(esc.severity).customer_update
    return DraftContext(
        escalation=esc,
        customer_tenure=customer_tenure(history),
        contacts_so_far=contacts_so_far(history),
        ic_name=ic_name,
        reported_by_name=reported_by_name,
        waiting_since=started_at(esc.started, esc.created_at) if esc.started else None,
        zone=known_zone(esc.contact_timezone) or known_zone(ic_zone) or "UTC",
        contacts_zone=known_zone(esc.contact_timezone) is not None,
        company_name=company_name,
        next_customer_update_at=next_update_due(esc, policy, now),
        update_owed_at=esc.customer_update_promised_at or esc.customer_update_due_at,
        customer_update_cadence=(
            cadence_in_words(cadence.default, business_days=cadence.business_days) if cadence else None
        ),
        timeline=tuple(timeline),
        recent_messages=tuple(m[:_MESSAGE_LIMIT] for m in room_messages if m.strip()),
        brief_target=brief_target,
        strategic=is_strategic(esc.account, policy),
        now=now,
    )
