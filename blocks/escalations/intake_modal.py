"""The `/escalate` intake modal, and reading its submitted state back."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from blocks import limits
from blocks.escalations.triage_card import severity_badge
from blocks.text import escape, mrkdwn, plain, truncate
from bot.core.vocabulary import EscalationType, Tier, label_of
from bot.escalations.intake import CUSTOMER_MAX, SUMMARY_MAX, IntakeDraft, IntakeForm
from bot.escalations.read_model import EscalationSnapshot

CALLBACK_ID = "escalation_intake"
FLAG_LABELS = {
    "public_exposure": "Public exposure risk (social media, press)",
    "regulatory": "Regulatory or legal implications",
}


@dataclass(frozen=True)
class IntakeSource:
    """Where the escalation was raised; kept in the modal's private_metadata."""

    intake_key: str
    channel_id: str | None = None
    message_ts: str | None = None
    permalink: str | None = None
    # The customer (name key) whose open escalations the form already showed, so a second submit
    # after that warning goes through.
    warned_for: str | None = None
    # The severity the form suggested as its initial value: submitted unchanged, it is not the person's
    # choice, and the suggestion is made again from what they submitted.
    suggested: str | None = None

    def to_metadata(self) -> str:
        """Compact JSON for `private_metadata` (≤ 3000 characters)."""
        data = {
            "k": self.intake_key,
            "c": self.channel_id,
            "m": self.message_ts,
            "p": self.permalink,
            "w": self.warned_for,
            "s": self.suggested,
        }
        text = json.dumps({k: v for k, v in data.items() if v})
        if len(text) > limits.VIEW_PRIVATE_METADATA:  # an absurd permalink or name is the only way here
            text = json.dumps({"k": self.intake_key, "c": self.channel_id, "m": self.message_ts})
        return text

    @classmethod
    def from_metadata(cls, text: str) -> IntakeSource:
        """Read back what `to_metadata` wrote."""
        data = json.loads(text or "{}")
        return cls(
            intake_key=data["k"],
            channel_id=data.get("c"),
            message_ts=data.get("m"),
            permalink=data.get("p"),
            warned_for=data.get("w"),
            suggested=data.get("s"),
        )


def build_intake_modal(
    draft: IntakeDraft,
    source: IntakeSource,
    caller_user_id: str,
    suggestion: tuple[str, Sequence[str]],
    severity_labels: dict[str, str],
    escalation_types: Sequence[str],
    open_for_customer: Sequence[EscalationSnapshot] = (),
) -> dict[str, Any]:
    """The modal, prefilled from the free text, with the suggested severity and its reasons."""
    suggested, reasons = suggestion
    blocks: list[dict[str, Any]] = []
    if open_for_customer:
        blocks.append(_already_open_notice(draft.customer or "", open_for_customer))
    blocks += [
        _text_input(
            "customer",
            "Customer",
            draft.customer,
            max_length=CUSTOMER_MAX,
            placeholder="Account name, e.g. Acme Corp",
        ),
        _text_input(
            "contact_name",
            "Customer contact",
            draft.contact_name,
            optional=True,
            max_length=CUSTOMER_MAX,
            placeholder="Who at the customer, e.g. David Okafor (drafts greet them by name)",
        ),
        _text_input(
            "summary",
            "Summary",
            draft.summary,
            max_length=SUMMARY_MAX,
            placeholder="One line: what is wrong, for whom",
        ),
        _select(
            "severity",
            "Severity",
            {s: f"{severity_badge(s)} · {label}" for s, label in severity_labels.items()},
            initial=draft.severity or suggested,
            hint=truncate(f"Suggested {suggested}: " + "; ".join(reasons), limits.INPUT_HINT),
        ),
        _select(
            "escalation_type",
            "Type",
            {t: label_of(EscalationType, t) for t in escalation_types},
            initial=draft.escalation_type if draft.escalation_type in escalation_types else None,
        ),
        _select(
            "tier",
            "Customer tier",
            {tier.value: tier.label for tier in Tier},
            initial=draft.tier,
            optional=True,
        ),
        _text_input(
            "arr",
            "ARR at risk (USD)",
            f"{draft.arr}" if draft.arr else None,
            optional=True,
            placeholder="e.g. 180000 or $180k",
        ),
        _text_input(
            "users_affected",
            "Users affected",
            f"{draft.users_affected}" if draft.users_affected else None,
            optional=True,
            placeholder="e.g. 250",
        ),
        _text_input(
            "description",
            "What happened",
            draft.text or None,
            optional=True,
            multiline=True,
            placeholder="Impact, since when, what the customer said",
        ),
        _text_input(
            "tried",
            "What has been tried",
            draft.tried or None,
            optional=True,
            multiline=True,
            placeholder="Troubleshooting so far and its results",
        ),
        _flags(draft),
        {
            "type": "input",
            "block_id": "ic",
            "label": plain("Incident commander", limits.INPUT_LABEL),
            "element": {
                "type": "users_select",
                "action_id": "value",
                "initial_user": draft.ic_user_id or caller_user_id,
            },
        },
        {
            "type": "input",
            "block_id": "responders",
            "optional": True,
            "label": plain("Responders to invite", limits.INPUT_LABEL),
            "element": {
                "type": "multi_users_select",
                "action_id": "value",
                "placeholder": plain("Engineers, CSM, manager…", limits.PLACEHOLDER),
                **({"initial_users": list(draft.responder_user_ids)} if draft.responder_user_ids else {}),
            },
        },
    ]
    return {
        "type": "modal",
        "callback_id": CALLBACK_ID,
        "private_metadata": source.to_metadata(),
        "title": plain("Escalate", limits.VIEW_TITLE),
        "submit": plain("Open escalation", limits.VIEW_SUBMIT),
        "close": plain("Cancel", limits.VIEW_CLOSE),
        "blocks": blocks[: limits.VIEW_BLOCKS],
    }


def read_intake_form(view: dict[str, Any]) -> IntakeForm:
    """The values a person submitted, as typed (validation is `bot.escalations.intake.validate_intake`)."""
    values: dict[str, dict[str, Any]] = view.get("state", {}).get("values", {})

    def element(block_id: str) -> dict[str, Any]:
        return values.get(block_id, {}).get("value", {})

    def text(block_id: str) -> str:
        return element(block_id).get("value") or ""

    def selected(block_id: str) -> str | None:
        option = element(block_id).get("selected_option")
        return option["value"] if option else None

    return IntakeForm(
        customer=text("customer"),
        contact_name=text("contact_name"),
        summary=text("summary"),
        severity=selected("severity"),
        escalation_type=selected("escalation_type"),
        tier=selected("tier"),
        arr=text("arr"),
        users_affected=text("users_affected"),
        description=text("description"),
        tried=text("tried"),
        flags=tuple(option["value"] for option in element("flags").get("selected_options") or []),
        ic_user_id=element("ic").get("selected_user"),
        responder_user_ids=tuple(element("responders").get("selected_users") or []),
    )


def _already_open_notice(customer: str, open_escalations: Sequence[EscalationSnapshot]) -> dict[str, Any]:
    listed = ", ".join(
        f"*{e.public_id}* ({e.severity}, {e.status_label.lower()})"
        + (f" in <#{e.room_channel_id}>" if e.room_channel_id else "")
        for e in open_escalations[:5]
    ) + (f" and {len(open_escalations) - 5} more" if len(open_escalations) > 5 else "")
    text = (
        f"⚠️ *{escape(customer)}* already has an open escalation: {listed}. "
        "Consider adding to it instead of opening a second one."
    )
    return {"type": "section", "block_id": "already_open", "text": mrkdwn(text, limits.SECTION_TEXT)}


def _text_input(
    block_id: str,
    label: str,
    initial: str | None,
    *,
    optional: bool = False,
    multiline: bool = False,
    max_length: int | None = None,
    placeholder: str | None = None,
) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "plain_text_input", "action_id": "value", "multiline": multiline}
    if initial:
        element["initial_value"] = truncate(
            initial, min(max_length or limits.PLAIN_TEXT_INPUT_INITIAL, limits.PLAIN_TEXT_INPUT_INITIAL)
        )
    if max_length:
        element["max_length"] = max_length
    if placeholder:
        element["placeholder"] = plain(placeholder, limits.PLACEHOLDER)
    return {
        "type": "input",
        "block_id": block_id,
        "optional": optional,
        "label": plain(label, limits.INPUT_LABEL),
        "element": element,
    }


def _option(value: str, label: str) -> dict[str, Any]:
    return {"text": plain(label, limits.OPTION_TEXT), "value": value[: limits.OPTION_VALUE]}


def _select(
    block_id: str,
    label: str,
    options: dict[str, str],
    *,
    initial: str | None = None,
    optional: bool = False,
    hint: str | None = None,
) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "static_select",
        "action_id": "value",
        "options": [_option(value, text) for value, text in options.items()][: limits.SELECT_OPTIONS],
    }
    if initial in options:
        element["initial_option"] = _option(initial, options[initial])
    block: dict[str, Any] = {
        "type": "input",
        "block_id": block_id,
        "optional": optional,
        "label": plain(label, limits.INPUT_LABEL),
        "element": element,
    }
    if hint:
        block["hint"] = plain(hint, limits.INPUT_HINT)
    return block


def _flags(draft: IntakeDraft) -> dict[str, Any]:
    options = [_option(value, label) for value, label in FLAG_LABELS.items()]
    element: dict[str, Any] = {"type": "checkboxes", "action_id": "value", "options": options}
    initial = [
        o
        for o in options
        if (o["value"] == "public_exposure" and draft.public_exposure)
        or (o["value"] == "regulatory" and draft.regulatory)
    ]
    if initial:
        element["initial_options"] = initial
    return {
        "type": "input",
        "block_id": "flags",
        "optional": True,
        "label": plain("Risk flags", limits.INPUT_LABEL),
        "element": element,
    }
