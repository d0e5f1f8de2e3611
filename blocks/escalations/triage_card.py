"""The triage card: the pinned, always-current summary of an escalation."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from blocks import limits
from blocks.reports.red_flags import build_red_flags_block
from blocks.text import button, count, escape, escape_within, money, mrkdwn, plain, slack_date, truncate, user
from bot.core.vocabulary import ROLES
from bot.escalations.read_model import EscalationSnapshot
from bot.reports.red_flags import RedFlag, RedFlagKind

SEVERITY_EMOJI = {"SEV-1": "🔴", "SEV-2": "🟠", "SEV-3": "🟡", "SEV-4": "🔵"}
ACKNOWLEDGE = "card_acknowledge"
TAKE_COMMAND = "card_take_command"
POST_UPDATE = "post_update"
DRAFT_UPDATE = "draft_customer_update"
CUSTOMER_UPDATED = "customer_updated"
RESOLVE = "card_resolve"
CONFIRM = "card_confirm"
CLOSE = "card_close"
REOPEN = "card_reopen"
RECOVERY = "card_recovery"
REPORT = "card_report"
# One action id per role (ids must differ within a block): `card_claim_liaison`...
CLAIM_ROLE = "card_claim_"


def severity_badge(severity: str) -> str:
    """`🔴 SEV-1`."""
    return f"{SEVERITY_EMOJI.get(severity, '⚪')} {severity}"


def card_fallback_text(esc: EscalationSnapshot) -> str:
    """The notification text of the card (what shows in a push notification or screen reader)."""
    # Notifications render this as mrkdwn: the customer's words must not become a mention or a link.
    return escape_within(f"{esc.severity} {esc.public_id} · {esc.customer}: {esc.title}", 3000)


def build_moved_card(esc: EscalationSnapshot) -> list[dict[str, Any]]:
    """What the thread card of a SEV-3/4 says once it has moved up to a war room: where it went, and no
    buttons (the room's pinned card is the live one)."""
    where = "its private war room" if esc.is_private else f"<#{esc.room_channel_id}>"
    return [
        {
            "type": "header",
            "block_id": "card_header",
            "text": plain(f"{severity_badge(esc.severity)} · {esc.customer}", limits.HEADER_TEXT),
        },
        {
            "type": "section",
            "block_id": "card_title",
            "text": mrkdwn(
                f"*{esc.public_id}* · {escape(esc.title)}\n"
                f"Moved up to *{esc.severity}*: now worked in {where}.",
                limits.SECTION_TEXT,
            ),
        },
        {
            "type": "context",
            "block_id": "card_moved",
            "elements": [
                mrkdwn(
                    "This card no longer changes; the card pinned in the war room does.", limits.CONTEXT_TEXT
                )
            ],
        },
    ]


def build_triage_card(esc: EscalationSnapshot, flags: Sequence[RedFlag] = ()) -> list[dict[str, Any]]:
    """The card's blocks: who, how bad, why, who owns it, seed 001's red flags it raises, and the buttons
    that work today."""
    blocks: list[dict[str, Any]] = [
        {
            "type": "header",
            "block_id": "card_header",
            "text": plain(f"{severity_badge(esc.severity)} · {esc.customer}", limits.HEADER_TEXT),
        },
        {
            "type": "section",
            "block_id": "card_title",
            "text": mrkdwn(f"*{esc.public_id}* · {escape(esc.title)}", limits.SECTION_TEXT),
        },
        {"type": "section", "block_id": "card_facts", "fields": _facts(esc)},
        {"type": "section", "block_id": "card_roles", "fields": _roles(esc)},
    ]
    claims = _claims(esc)
    if claims:
        blocks.append({"type": "actions", "block_id": "card_claims", "elements": claims})
    blocks.append({"type": "section", "block_id": "card_clocks", "fields": _clocks(esc)})
    if esc.closed_without_confirmation:
        blocks.append({"type": "section", "block_id": "card_flag", "text": _premature(esc)})
    # Premature closure has its own block above, with who closed it and why.
    flagged = build_red_flags_block([f for f in flags if f.kind != RedFlagKind.PREMATURE_CLOSURE])
    if flagged:
        blocks.append(flagged)
    blocks.append(
        {"type": "section", "block_id": "card_reasons", "text": mrkdwn(_reasons(esc), limits.SECTION_TEXT)}
    )
    if esc.description:
        blocks.append(_long_text("card_description", "What happened", esc.description))
    if esc.tried:
        blocks.append(_long_text("card_tried", "What has been tried", esc.tried))
    blocks.append({"type": "context", "block_id": "card_context", "elements": _context(esc)})
    actions = _actions(esc)
    if actions:
        blocks.append({"type": "actions", "block_id": "card_actions", "elements": actions})
    return blocks


def _facts(esc: EscalationSnapshot) -> list[dict[str, Any]]:
    if esc.first_response_breached and esc.acknowledged_at is None:
        response = f"🚨 Overdue since {slack_date(esc.first_response_due_at)}"
    elif esc.acknowledged_at is not None:
        response = f"✅ Acknowledged by {user(esc.acknowledged_by)} {slack_date(esc.acknowledged_at)}"
    elif not esc.is_open:
        response = "Never acknowledged"
    else:
        response = f"⏱️ Due {slack_date(esc.first_response_due_at)}"
    room = f"<#{esc.room_channel_id}>" if esc.room_channel_id else "This thread"
    if esc.archived_at:
        room += " (archived)"
    facts = [
        ("Severity", f"{severity_badge(esc.severity)} {esc.severity_label}"),
        ("Status", _status(esc)),
        ("Customer", escape(esc.customer)),
        ("Tier", esc.tier_label),
        ("ARR at risk", money(esc.arr_at_risk)),
        ("Users affected", count(esc.users_affected)),
        ("Type", ("🔒 " if esc.is_private else "") + esc.type_label),
        ("First response", response),
        ("Room", room),
    ]
    return [mrkdwn(f"*{label}*\n{value}", limits.SECTION_FIELD_TEXT) for label, value in facts][
        : limits.SECTION_FIELDS
    ]


def _status(esc: EscalationSnapshot) -> str:
    if esc.is_closed:
        return "🔒 Closed" + (" (customer confirmed)" if esc.confirmed_at else " without confirmation")
    if esc.awaiting_confirmation:
        return "✅ Resolved, awaiting customer confirmation"
    return ("↩️ Reopened · " if esc.reopened_at else "") + esc.status_label


def _roles(esc: EscalationSnapshot) -> list[dict[str, Any]]:
    return [mrkdwn(f"*{role.label}*\n{user(esc.holder(role))}", limits.SECTION_FIELD_TEXT) for role in ROLES]


def _claims(esc: EscalationSnapshot) -> list[dict[str, Any]]:
    """A claim button for each empty role while the escalation is being worked."""
    if esc.is_closed:
        return []
    return [
        button(f"Be the {role.label.lower()}", f"{CLAIM_ROLE}{role.value}", str(esc.id))
        for role in ROLES
        if esc.holder(role) is None
    ]


def _premature(esc: EscalationSnapshot) -> dict[str, Any]:
    """Seed 001's "premature closure" red flag: who closed it without the customer's confirmation, and why."""
    when = f" {slack_date(esc.closed_at)}" if esc.closed_at else ""
    heading = (
        f"*⚠️ Premature closure*: closed by {user(esc.closed_by)}{when} without the customer's confirmation. "
    )
    why = escape_within(esc.close_reason or "", limits.SECTION_TEXT - len(heading) - 8)
    return mrkdwn(f"{heading}Reason: {why}", limits.SECTION_TEXT)


def _clocks(esc: EscalationSnapshot) -> list[dict[str, Any]]:
    if esc.last_internal_update_at:
        quoted = truncate(escape(esc.last_internal_update_text or ""), 300)
        last = f"“{quoted}” {user(esc.last_internal_update_by)}, {slack_date(esc.last_internal_update_at)}"
    else:
        last = "None yet"
    fixed = truncate(escape(esc.resolution_summary or ""), 300)
    if esc.is_closed:
        closed = f"🔒 {slack_date(esc.closed_at)} by {user(esc.closed_by)}" if esc.closed_at else "🔒"
        confirmed = (
            f"✅ {slack_date(esc.confirmed_at)} (recorded by {user(esc.confirmed_by)})"
            if esc.confirmed_at
            else "⚠️ Not confirmed"
        )
        clocks = [("Closed", closed), ("Customer confirmation", confirmed), ("Last update", last)]
        if fixed:
            clocks.insert(1, ("What fixed it", fixed))
    elif esc.resolved_at:
        chaser = user(esc.liaison_user_id or esc.ic_user_id)
        reminder = f"{_due(esc.confirmation_due_at)} to {chaser}" if esc.confirmation_due_at else "—"
        clocks = [
            ("Resolved", f"✅ {slack_date(esc.resolved_at)} by {user(esc.resolved_by)}"),
            ("What fixed it", fixed or "—"),
            ("Next confirmation reminder", reminder),
            ("Last update", last),
        ]
    else:
        promised = esc.customer_update_promised_at is not None and esc.customer_update_promised_at == (
            esc.customer_update_due_at
        )
        clocks = [
            ("Last update", last),
            ("Next internal update", _due(esc.internal_update_due_at)),
            ("Next customer update", _due(esc.customer_update_due_at) + (" (promised)" if promised else "")),
            ("Resolution target", ("🚨 " if esc.resolution_breached else "") + _due(esc.resolution_due_at)),
        ]
    return [mrkdwn(f"*{label}*\n{value}", limits.SECTION_FIELD_TEXT) for label, value in clocks]


def _due(moment: datetime | None) -> str:
    return slack_date(moment) if moment else "On change"


def _reasons(esc: EscalationSnapshot) -> str:
    lines = [f"*Why {esc.severity}*"]
    lines += [f"• {_reason(reason)}" for reason in esc.severity_reasons] or ["• Set by the person escalating"]
    return "\n".join(lines)


# warroom's own "who set it" opening of a reason ("Set to SEV-2 by <@U…>", "Changed from … by <@U…>"):
# only there, at the start, is a mention ours; anything a person typed comes after it and stays inert.
_WHO_SET_IT = re.compile(r"^((?:Set to|Changed from SEV-\d to) SEV-\d by )&lt;@(U[A-Z0-9]{2,20})&gt;")


def _reason(reason: str) -> str:
    return _WHO_SET_IT.sub(r"\1<@\2>", escape(reason), count=1)


def _long_text(block_id: str, label: str, text: str) -> dict[str, Any]:
    heading = f"*{label}*\n"
    body = escape_within(text, limits.SECTION_TEXT - len(heading))
    return {"type": "section", "block_id": block_id, "text": mrkdwn(heading + body, limits.SECTION_TEXT)}


def _context(esc: EscalationSnapshot) -> list[dict[str, Any]]:
    where = (
        f" in <#{esc.source_channel_id}>"
        if esc.source_channel_id and esc.source_channel_id[0] in "CG"
        else ""
    )
    parts = [f"Raised by {user(esc.caller_user_id)}{where} {slack_date(esc.created_at)}"]
    if esc.source_permalink:
        parts.append(f"<{esc.source_permalink}|where it was raised>")
    if esc.public_exposure:
        parts.append("📣 Public exposure risk")
    if esc.regulatory:
        parts.append("⚖️ Regulatory implications")
    if esc.responder_user_ids:
        parts.append("Responders: " + ", ".join(user(r) for r in esc.responder_user_ids))
    return [mrkdwn(truncate(" · ".join(parts), limits.CONTEXT_TEXT), limits.CONTEXT_TEXT)]


def _actions(esc: EscalationSnapshot) -> list[dict[str, Any]]:
    value = str(esc.id)
    if esc.is_closed:
        report = "Update the report" if esc.report_link else "Write the report"
        return [
            button(report, REPORT, value, style=None if esc.report_link else "primary"),
            button("Recovery plan", RECOVERY, value),
            button("Reopen", REOPEN, value),
        ]
    if esc.awaiting_confirmation:
        return [
            button("Customer confirmed", CONFIRM, value, style="primary"),
            button("Customer updated", CUSTOMER_UPDATED, value),
            button("Recovery plan", RECOVERY, value),
            button("Reopen", REOPEN, value),
            button("Close without confirmation", CLOSE, value, style="danger"),
        ]
    buttons: list[dict[str, Any]] = []
    if esc.acknowledged_at is None:
        buttons.append(button("Acknowledge", ACKNOWLEDGE, value, style="primary"))
    buttons.append(button("Post update", POST_UPDATE, value))
    buttons.append(button("Draft customer update", DRAFT_UPDATE, value))
    buttons.append(button("Customer updated", CUSTOMER_UPDATED, value))
    buttons.append(button("Resolve", RESOLVE, value))
    buttons.append(button("Take command", TAKE_COMMAND, value))
    return buttons
