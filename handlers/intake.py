"""The intake modal: opened by `/escalate` or the message shortcut, submitted into an escalation."""

from __future__ import annotations

import logging
import uuid
from dataclasses import replace
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from blocks.escalations.intake_modal import CALLBACK_ID, IntakeSource, build_intake_modal, read_intake_form
from blocks.text import truncate
from bot.escalations.intake import Intake, IntakeDraft, draft_from_intake, parse_free_text, validate_intake
from bot.escalations.service import EscalationService
from storage.repository import customer_name_key

log = logging.getLogger(__name__)
SHORTCUT = "escalate_message"


def intake_view(
    service: EscalationService, draft: IntakeDraft, source: IntakeSource, caller: str
) -> dict[str, Any]:
    """The intake modal for `draft`, with the suggested severity and the customer's open escalations."""
    suggestion = service.suggest(draft)
    already_open = service.open_for_customer(draft.customer)
    if already_open and draft.customer:
        source = replace(source, warned_for=customer_name_key(draft.customer))
    return build_intake_modal(
        draft,
        source,
        caller,
        (suggestion.severity, suggestion.reasons),
        {severity: policy.label for severity, policy in service.policy.severities.items()},
        service.policy.escalation_types,
        already_open,
    )


def open_intake_modal(
    client: WebClient,
    service: EscalationService,
    trigger_id: str,
    caller: str,
    text: str,
    source: IntakeSource,
) -> None:
    """Open the intake modal prefilled from `text`."""
    client.views_open(trigger_id=trigger_id, view=intake_view(service, parse_free_text(text), source, caller))


def register(app: App, service: EscalationService) -> None:
    """Listen for the message shortcut and the modal's submission."""

    @app.shortcut(SHORTCUT)
    def handle_escalate_message_shortcut(ack: Ack, shortcut: dict, client: WebClient) -> None:
        ack()
        message = shortcut.get("message") or {}
        source = IntakeSource(
            intake_key=uuid.uuid4().hex, channel_id=shortcut["channel"]["id"], message_ts=message.get("ts")
        )
        open_intake_modal(
            client, service, shortcut["trigger_id"], shortcut["user"]["id"], message.get("text") or "", source
        )

    @app.view(CALLBACK_ID)
    def handle_intake_submission(ack: Ack, body: dict, view: dict, client: WebClient) -> None:
        caller = body["user"]["id"]
        intake, errors = validate_intake(read_intake_form(view), caller)
        if intake is None:
            ack(response_action="errors", errors=errors)
            return
        source = IntakeSource.from_metadata(view.get("private_metadata", ""))
        if source.warned_for != customer_name_key(intake.customer) and service.open_for_customer(
            intake.customer
        ):
            # Show the open escalations before a second one is opened; submitting again goes through.
            ack(
                response_action="update", view=intake_view(service, draft_from_intake(intake), source, caller)
            )
            return
        ack()
        try:
            service.open(intake, caller, source)
        except Exception:
            log.exception("opening an escalation failed")
            client.chat_postMessage(channel=caller, text=_could_not_open(intake))


def _could_not_open(intake: Intake) -> str:
    # Hand the person back what they typed, so nothing they entered is lost.
    return truncate(
        "⚠️ I could not open this escalation because of an internal error, and it is not saved. "
        "Here is what you entered, so you can try again with `/escalate`:\n"
        f"*Customer:* {intake.customer}\n*Summary:* {intake.summary}\n"
        f"*What happened:* {intake.description or '—'}",
        3000,
    )
