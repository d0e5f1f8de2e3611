"""`/escalate`: help, list, and the intake modal for everything else."""

from __future__ import annotations

import uuid

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from blocks.intake_modal import IntakeSource
from blocks.messages import build_help, build_open_list
from bot.escalations import EscalationService
from handlers.intake import open_intake_modal

COMMAND = "/escalate"


def register(app: App, service: EscalationService) -> None:
    """Listen for `/escalate`."""

    @app.command(COMMAND)
    def handle_escalate_command(ack: Ack, command: dict, client: WebClient, respond: Respond) -> None:
        text = (command.get("text") or "").strip()
        subcommand = text.split(maxsplit=1)[0].lower() if text else ""
        if subcommand == "help":
            ack(response_type="ephemeral", text="How to use warroom", blocks=build_help())
            return
        ack()
        if subcommand == "list":
            escalations, total = service.list_open()
            respond(
                response_type="ephemeral",
                text=f"{total} open escalations",
                blocks=build_open_list(escalations, total),
            )
            return
        source = IntakeSource(intake_key=uuid.uuid4().hex, channel_id=command.get("channel_id"))
        open_intake_modal(client, service, command["trigger_id"], command["user_id"], text, source)
