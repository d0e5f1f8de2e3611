"""The small modals behind "Post update" and "Customer updated", and reading them back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from blocks import limits
from blocks.escalations.triage_card import severity_badge
from blocks.text import escape, mrkdwn, plain
from bot.core.text import clean
from bot.core.vocabulary import SETTABLE_STATUSES
from bot.escalations.read_model import EscalationSnapshot

POST_UPDATE_MODAL = "post_update_modal"
CUSTOMER_UPDATE_MODAL = "customer_update_modal"
UPDATE_MAX = 2_000


@dataclass(frozen=True)
class SubmittedUpdate:
    """What was typed in either modal."""

    escalation_id: int
    text: str
    status: str | None = None
    promised_at: datetime | None = None


def which_escalation(esc: EscalationSnapshot) -> dict[str, Any]:
    """The line at the top of a modal saying which escalation it is about."""
    return {
        "type": "context",
        "block_id": "which",
        "elements": [
            mrkdwn(
                f"{severity_badge(esc.severity)} *{esc.public_id}* · {escape(esc.customer)}",
                limits.CONTEXT_TEXT,
            )
        ],
    }


def build_post_update_modal(esc: EscalationSnapshot) -> dict[str, Any]:
    """Internal update: what changed, and optionally the new status."""
    options = [
        {"text": plain(status.label, limits.OPTION_TEXT), "value": status.value}
        for status in SETTABLE_STATUSES
    ]
    status = next((o for o in options if o["value"] == esc.status), None)
    element: dict[str, Any] = {"type": "static_select", "action_id": "value", "options": options}
    if status:
        element["initial_option"] = status
    return {
        "type": "modal",
        "callback_id": POST_UPDATE_MODAL,
        "private_metadata": str(esc.id),
        "title": plain("Post update", limits.VIEW_TITLE),
        "submit": plain("Post", limits.VIEW_SUBMIT),
        "close": plain("Cancel", limits.VIEW_CLOSE),
        "blocks": [
            which_escalation(esc),
            {
                "type": "input",
                "block_id": "update",
                "label": plain("Update for the room", limits.INPUT_LABEL),
                "element": {
                    "type": "plain_text_input",
                    "action_id": "value",
                    "multiline": True,
                    "max_length": UPDATE_MAX,
                    "placeholder": plain("What changed, what is next, who is on it", limits.PLACEHOLDER),
                },
            },
            {
                "type": "input",
                "block_id": "status",
                "optional": True,
                "label": plain("Status", limits.INPUT_LABEL),
                "element": element,
            },
        ],
    }


def build_customer_update_modal(esc: EscalationSnapshot, suggested_next: datetime | None) -> dict[str, Any]:
    """Customer update sent: what they were told, and the next update promised to them, if any."""
    picker: dict[str, Any] = {"type": "datetimepicker", "action_id": "value"}
    if suggested_next is not None:
        picker["initial_date_time"] = int(suggested_next.timestamp())
    return {
        "type": "modal",
        "callback_id": CUSTOMER_UPDATE_MODAL,
        "private_metadata": str(esc.id),
        "title": plain("Customer updated", limits.VIEW_TITLE),
        "submit": plain("Record", limits.VIEW_SUBMIT),
        "close": plain("Cancel", limits.VIEW_CLOSE),
        "blocks": [
            which_escalation(esc),
            {
                "type": "input",
                "block_id": "update",
                "label": plain(f"What did you tell {esc.customer}?", limits.INPUT_LABEL),
                "element": {
                    "type": "plain_text_input",
                    "action_id": "value",
                    "multiline": True,
                    "max_length": UPDATE_MAX,
                    "placeholder": plain("A line or two, for the timeline", limits.PLACEHOLDER),
                },
            },
            {
                "type": "input",
                "block_id": "next_update",
                "optional": True,
                "label": plain("Next update promised at", limits.INPUT_LABEL),
                "hint": plain(
                    "If you promised a time, warroom keeps that promise's clock instead of the "
                    "policy's cadence.",
                    limits.INPUT_HINT,
                ),
                "element": picker,
            },
        ],
    }


def read_update(view: dict[str, Any]) -> SubmittedUpdate:
    """The submitted values of either modal."""
    values: dict[str, dict[str, Any]] = view.get("state", {}).get("values", {})
    text = clean(values.get("update", {}).get("value", {}).get("value")).strip()
    status_option = values.get("status", {}).get("value", {}).get("selected_option")
    stamp = values.get("next_update", {}).get("value", {}).get("selected_date_time")
    return SubmittedUpdate(
        escalation_id=int(view["private_metadata"]),
        text=text,
        status=status_option["value"] if status_option else None,
        promised_at=datetime.fromtimestamp(int(stamp), UTC) if stamp else None,
    )
