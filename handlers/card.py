"""Buttons on the triage card."""

from __future__ import annotations

from collections.abc import Callable

from slack_bolt import Ack, App
from slack_sdk import WebClient

from blocks.escalations.messages import build_error
from blocks.escalations.triage_card import ACKNOWLEDGE, TAKE_COMMAND
from bot.escalations.service import EscalationNotFound, EscalationService, Outcome


def register(app: App, service: EscalationService) -> None:
    """Listen for Acknowledge and Take command."""

    @app.action(ACKNOWLEDGE)
    def handle_acknowledge(ack: Ack, body: dict, action: dict, client: WebClient) -> None:
        ack()
        _run(client, body, lambda: service.acknowledge(int(action["value"]), body["user"]["id"]))

    @app.action(TAKE_COMMAND)
    def handle_take_command(ack: Ack, body: dict, action: dict, client: WebClient) -> None:
        ack()
        _run(client, body, lambda: service.take_command(int(action["value"]), body["user"]["id"]))


def _run(client: WebClient, body: dict, act: Callable[[], Outcome]) -> None:
    try:
        act()
    except EscalationNotFound:
        channel = (body.get("channel") or {}).get("id")
        if channel:
            message = "That escalation no longer exists in warroom's records."
            client.chat_postEphemeral(
                channel=channel, user=body["user"]["id"], text=message, blocks=build_error(message)
            )
