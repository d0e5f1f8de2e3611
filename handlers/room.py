"""In-room buttons and their modals: Post update, Customer updated, Snooze."""

from __future__ import annotations

from slack_bolt import Ack, App
from slack_sdk import WebClient

from blocks.clocks.nudges import SNOOZE, SNOOZE_MINUTES
from blocks.escalations.messages import build_error
from blocks.escalations.triage_card import CUSTOMER_UPDATED, POST_UPDATE
from blocks.rooms.update_modals import (
    CUSTOMER_UPDATE_MODAL,
    POST_UPDATE_MODAL,
    build_customer_update_modal,
    build_post_update_modal,
    read_update,
)
from bot.clocks.schedule import cadence_of
from bot.escalations.service import EscalationNotFound
from bot.rooms.service import InvalidChange
from bot.services import Services


def register(app: App, services: Services) -> None:
    """Listen for the update buttons, snooze, and the two update modals."""
    rooms = services.rooms

    @app.action(POST_UPDATE)
    def handle_post_update_button(ack: Ack, body: dict, action: dict, client: WebClient) -> None:
        ack()
        esc = services.escalations.get(int(action["value"]))
        client.views_open(trigger_id=body["trigger_id"], view=build_post_update_modal(esc))

    @app.action(CUSTOMER_UPDATED)
    def handle_customer_updated_button(ack: Ack, body: dict, action: dict, client: WebClient) -> None:
        ack()
        esc = services.escalations.get(int(action["value"]))
        cadence = cadence_of("customer", esc.severity, rooms.policy)
        suggested = rooms.clock() + cadence if cadence else None
        client.views_open(trigger_id=body["trigger_id"], view=build_customer_update_modal(esc, suggested))

    @app.action(SNOOZE)
    def handle_snooze(ack: Ack, body: dict, action: dict, client: WebClient) -> None:
        ack()
        escalation_id, _, clock = action["value"].partition(":")
        try:
            rooms.snooze(int(escalation_id), clock, body["user"]["id"], SNOOZE_MINUTES)
        except (EscalationNotFound, InvalidChange) as problem:
            channel = (body.get("channel") or {}).get("id")
            if channel:
                message = str(problem) or "That escalation no longer exists."
                client.chat_postEphemeral(
                    channel=channel, user=body["user"]["id"], text=message, blocks=build_error(message)
                )

    @app.view(POST_UPDATE_MODAL)
    def handle_post_update_submission(ack: Ack, body: dict, view: dict) -> None:
        update = read_update(view)
        if not update.text:
            ack(response_action="errors", errors={"update": "Write the update: what changed, what is next."})
            return
        ack()
        rooms.post_update(update.escalation_id, body["user"]["id"], update.text, update.status)

    @app.view(CUSTOMER_UPDATE_MODAL)
    def handle_customer_update_submission(ack: Ack, body: dict, view: dict) -> None:
        update = read_update(view)
        if update.promised_at is not None and update.promised_at <= rooms.clock():
            ack(response_action="errors", errors={"next_update": "That time has passed; pick a later one."})
            return
        ack()
        rooms.customer_updated(update.escalation_id, body["user"]["id"], update.text, update.promised_at)
