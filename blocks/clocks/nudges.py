"""Reminders in the room: update nudges, SLA warnings and breaches, and the clock summary."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from blocks import limits
from blocks.escalations.triage_card import (
    ACKNOWLEDGE,
    CLAIM_ROLE,
    CONFIRM,
    CUSTOMER_UPDATED,
    DRAFT_UPDATE,
    POST_UPDATE,
    REOPEN,
    severity_badge,
)
from blocks.text import button, escape, money, mrkdwn, slack_date, truncate, user
from bot.clocks.schedule import Reminder
from bot.core.durations import humanize_duration
from bot.core.vocabulary import Clock, Role
from bot.escalations.read_model import EscalationSnapshot

SNOOZE = "nudge_snooze"
NUDGE_BLOCK = "nudge:"
SNOOZE_MINUTES = 10


@dataclass(frozen=True)
class ClockFacts:
    """A clock's policy as a nudge states it: how often, how long the SLA window, who owns a breach."""

    cadence: timedelta | None
    window: timedelta | None
    owner_level: str


def ago(moment: datetime, now: datetime) -> str:
    """`25 min ago`, `just now`."""
    span = now - moment
    return "just now" if span < timedelta(minutes=1) else f"{humanize_duration(_whole_minutes(span))} ago"


def _whole_minutes(span: timedelta) -> timedelta:
    return timedelta(minutes=max(1, int(span.total_seconds() // 60)))


def _in(moment: datetime, now: datetime) -> str:
    span = moment - now
    return "now" if span < timedelta(minutes=1) else f"in {humanize_duration(_whole_minutes(span))}"


def nudge_text(esc: EscalationSnapshot, reminder: Reminder, facts: ClockFacts, now: datetime) -> str:
    """The words of a reminder, addressed to the incident commander (the confirmation reminder to the
    customer liaison)."""
    ic = user(esc.ic_user_id)
    every = f"{esc.severity}: every {humanize_duration(facts.cadence)}" if facts.cadence else esc.severity
    within = humanize_duration(facts.cadence) if facts.cadence else "the policy's time"
    if reminder.clock == Clock.ROLES:
        return (
            f"{ic} 👥 *{esc.public_id}* has no customer liaison yet ({esc.severity}: name one within "
            f"{within}). Who keeps {escape(esc.customer)} informed? Claim it below or "
            "`/escalate role liaison @person`."
        )
    if reminder.clock == Clock.CONFIRMATION:
        chaser = user(esc.liaison_user_id or esc.ic_user_id)
        since = ago(esc.resolved_at, now) if esc.resolved_at else "a while ago"
        return (
            f"{chaser} ✅ *{esc.public_id}* was resolved {since}: has {escape(esc.customer)} confirmed the "
            f"fix? Ask them, then press *Customer confirmed* (or `/escalate confirm`); if it is not fixed, "
            f"*Reopen*. Reminded every {within} until then."
        )
    if reminder.clock == Clock.INTERNAL:
        last = (
            f"Last update {ago(esc.last_internal_update_at, now)} by {user(esc.last_internal_update_by)}."
            if esc.last_internal_update_at
            else f"No update yet since {esc.public_id} opened {ago(esc.created_at, now)}."
        )
        return f"{ic} {_when(Clock.INTERNAL.label, reminder, now)} ({every}). {last}"
    if reminder.clock == Clock.CUSTOMER:
        promised = esc.customer_update_promised_at == reminder.due_at
        why = (
            f"promised to {escape(esc.customer)} for {slack_date(reminder.due_at, '{time}')}"
            if promised
            else every
        )
        last = (
            f"Last customer update {ago(esc.last_customer_update_at, now)} "
            f"by {user(esc.last_customer_update_by)}."
            if esc.last_customer_update_at
            else f"{escape(esc.customer)} has not had an update from us yet."
        )
        new_time = _new_time(esc, reminder, now)
        return f"{ic} {_when(Clock.CUSTOMER.label, reminder, now)} ({why}). {last}{new_time}"
    window = humanize_duration(facts.window) if facts.window else "the SLA"
    name = Clock(reminder.clock).label
    if reminder.stage == "warning":
        action = (
            "Acknowledge on the card once the customer has heard from us."
            if reminder.clock == Clock.FIRST_RESPONSE
            else "Escalate for help now if it will not be met."
        )
        left = _in(reminder.due_at, now).removeprefix("in ")
        return f"{ic} ⏳ {name} SLA: {left} left ({esc.severity}: {window}). {action}"
    return (
        f"🚨 {name} SLA breached for *{esc.public_id}*: {window} ({esc.severity}) passed "
        f"{ago(reminder.due_at, now)}. Owner level for this severity: *{facts.owner_level}*. IC {ic}."
    )


def _new_time(esc: EscalationSnapshot, reminder: Reminder, now: datetime) -> str:
    """For a customer update already past due: what a draft written now does about it. The time itself is
    the draft's to name (in the contact's zone, or the incident commander's, a cadence on)."""
    if now - reminder.due_at < timedelta(minutes=1):
        return ""  # due now, not yet overdue: the time still holds
    return (
        f" The time has passed: *Draft customer update* writes one now that tells {escape(esc.customer)} "
        "so and offers a new time for the next, in their time zone."
    )


def _when(what: str, reminder: Reminder, now: datetime) -> str:
    if reminder.due_at - now >= timedelta(minutes=1):
        return f"⏰ {what} due {_in(reminder.due_at, now)}"
    if now - reminder.due_at < timedelta(minutes=1):
        return f"⏰ {what} due now"
    return f"🚨 {what} overdue by {humanize_duration(_whole_minutes(now - reminder.due_at))}"


def build_nudge(
    esc: EscalationSnapshot, reminder: Reminder, facts: ClockFacts, now: datetime
) -> tuple[str, list[dict[str, Any]]]:
    """The reminder message in the room: its text and the buttons that act on it."""
    text = truncate(nudge_text(esc, reminder, facts, now), limits.SECTION_TEXT)
    blocks: list[dict[str, Any]] = [
        {"type": "section", "block_id": nudge_block_id(reminder), "text": mrkdwn(text, limits.SECTION_TEXT)}
    ]
    buttons = _nudge_buttons(esc, reminder)
    if buttons:
        blocks.append({"type": "actions", "block_id": "nudge_actions", "elements": buttons})
    return text, blocks


def nudge_block_id(reminder: Reminder) -> str:
    """`nudge:internal:1772442000:due`: one per reminder, so a post whose answer was lost is found by it."""
    return f"{NUDGE_BLOCK}{reminder.clock}:{int(reminder.due_at.timestamp())}:{reminder.stage}"


def _nudge_buttons(esc: EscalationSnapshot, reminder: Reminder) -> list[dict[str, Any]]:
    value = str(esc.id)
    if reminder.clock == Clock.ROLES and esc.liaison_user_id is None:
        return [button(f"Be the {Role.LIAISON.label.lower()}", f"{CLAIM_ROLE}{Role.LIAISON.value}", value)]
    if reminder.clock == Clock.CONFIRMATION and esc.awaiting_confirmation:
        return [button("Customer confirmed", CONFIRM, value, "primary"), button("Reopen", REOPEN, value)]
    if reminder.clock == Clock.INTERNAL:
        return [button("Post update", POST_UPDATE, value, "primary"), _snooze(esc, Clock.INTERNAL)]
    if reminder.clock == Clock.CUSTOMER:
        return [
            button("Customer updated", CUSTOMER_UPDATED, value, "primary"),
            button("Draft customer update", DRAFT_UPDATE, value),
            _snooze(esc, Clock.CUSTOMER),
        ]
    if reminder.clock == Clock.FIRST_RESPONSE and esc.acknowledged_at is None:
        return [button("Acknowledge", ACKNOWLEDGE, value, "primary")]
    return []


def _snooze(esc: EscalationSnapshot, clock: str) -> dict[str, Any]:
    return button(f"Snooze {SNOOZE_MINUTES} min", SNOOZE, f"{esc.id}:{clock}")


def build_leadership_alert(esc: EscalationSnapshot, reminder: Reminder, facts: ClockFacts) -> str:
    """The breach alert for the leadership channel; discreet for private (security, compliance) rooms."""
    name = Clock(reminder.clock).label.lower()
    window = humanize_duration(facts.window) if facts.window else "the SLA"
    who = (
        f"a {esc.type_label.lower()} escalation (details in its private room)"
        if esc.is_private
        else f"{escape(esc.customer)}, {money(esc.arr_at_risk)} ARR at risk: {escape(esc.title)}"
    )
    where = "" if esc.is_private else f" Room: {esc.room_mention}."
    return truncate(
        f"🚨 SLA breach · {severity_badge(esc.severity)} *{esc.public_id}* · {who}. "
        f"The {name} of {window} was missed. Owner level: *{facts.owner_level}*. "
        f"IC {user(esc.ic_user_id)}.{where}",
        limits.SECTION_TEXT,
    )


def build_clock_status(esc: EscalationSnapshot, now: datetime) -> list[dict[str, Any]]:
    """`/escalate status`: each clock's last update, next due time and SLA time left."""
    lines = [
        f"{severity_badge(esc.severity)} *{esc.public_id}* · {escape(esc.customer)} · {esc.status_label}"
    ]
    stopped = None if esc.is_open else f"stopped ({esc.status_label.lower()})"
    if esc.acknowledged_at:
        lines.append(
            f"• *{Clock.FIRST_RESPONSE.label}:* given by {user(esc.acknowledged_by)} "
            f"{slack_date(esc.acknowledged_at)}"
        )
    else:
        lines.append(
            f"• *{Clock.FIRST_RESPONSE.label}:* {stopped or _due_phrase(esc.first_response_due_at, now)}"
        )
    last_internal = (
        f"last {ago(esc.last_internal_update_at, now)} by {user(esc.last_internal_update_by)}"
        if esc.last_internal_update_at
        else "none yet"
    )
    next_internal = stopped or f"next {_due_phrase(esc.internal_update_due_at, now)}"
    lines.append(f"• *{Clock.INTERNAL.label}:* {last_internal}; {next_internal}")
    last_customer = (
        f"last {ago(esc.last_customer_update_at, now)} by {user(esc.last_customer_update_by)}"
        if esc.last_customer_update_at
        else "none yet"
    )
    promised = (
        " (promised)"
        if esc.customer_update_promised_at and esc.customer_update_promised_at == (esc.customer_update_due_at)
        else ""
    )
    next_customer = stopped or f"next {_due_phrase(esc.customer_update_due_at, now)}{promised}"
    lines.append(f"• *{Clock.CUSTOMER.label}:* {last_customer}; {next_customer}")
    if esc.resolved_at:
        lines.append(f"• *Resolution:* resolved {slack_date(esc.resolved_at)}")
    else:
        lines.append(f"• *{Clock.RESOLUTION.label}:* {_due_phrase(esc.resolution_due_at, now, sla=True)}")
    return [
        {"type": "section", "block_id": "clock_status", "text": mrkdwn("\n".join(lines), limits.SECTION_TEXT)}
    ]


def _due_phrase(due: datetime | None, now: datetime, sla: bool = False) -> str:
    if due is None:
        return "on change (no fixed clock)"
    if due <= now:
        return f"*overdue* since {slack_date(due)} ({ago(due, now)})"
    left = f"{humanize_duration(_whole_minutes(due - now))} left" if sla else _in(due, now)
    return f"{slack_date(due)} ({left})"
