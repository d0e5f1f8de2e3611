"""`/escalate`: help, list, the intake modal for free text, and the in-room subcommands."""

from __future__ import annotations

import uuid
from datetime import datetime

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from blocks.clocks.nudges import build_clock_status
from blocks.escalations.intake_modal import IntakeSource
from blocks.escalations.messages import build_error, build_help, build_open_list
from bot.escalations.commands import Subcommand, next_local_time, parse_subcommand, split_promise
from bot.escalations.read_model import EscalationSnapshot
from bot.rooms.service import InvalidChange
from bot.services import Services
from handlers.intake import open_intake_modal

COMMAND = "/escalate"
NOT_IN_A_ROOM = (
    "Run this in an escalation's war room (or its card's channel), or name it, e.g. "
    "`/escalate {name} ESC-2026-007 …`. To open a new escalation, just describe what happened."
)
USAGE = {
    "severity": "Usage: `/escalate severity SEV-2 [why]`",
    "update": "Usage: `/escalate update <what changed, what is next>`",
    "customer-update": "Usage: `/escalate customer-update <what you told them> [next update at 14:30]`",
}


def register(app: App, services: Services) -> None:
    """Listen for `/escalate`."""

    @app.command(COMMAND)
    def handle_escalate_command(ack: Ack, command: dict, client: WebClient, respond: Respond) -> None:
        sub = parse_subcommand(command.get("text") or "")
        if sub.name == "help":
            ack(response_type="ephemeral", text="How to use warroom", blocks=build_help())
            return
        ack()
        if sub.name == "list":
            escalations, total = services.escalations.list_open()
            respond(
                response_type="ephemeral",
                text=f"{total} open escalations",
                blocks=build_open_list(escalations, total),
            )
            return
        if sub.name == "":
            source = IntakeSource(intake_key=uuid.uuid4().hex, channel_id=command.get("channel_id"))
            open_intake_modal(
                client, services.escalations, command["trigger_id"], command["user_id"], sub.rest, source
            )
            return
        esc = services.rooms.find(command.get("channel_id"), sub.public_id)
        if esc is None:
            respond(
                response_type="ephemeral",
                text=NOT_IN_A_ROOM.format(name=sub.name),
                blocks=build_error(NOT_IN_A_ROOM.format(name=sub.name)),
            )
            return
        try:
            _run_in_room(services, sub, esc, command, client, respond)
        except InvalidChange as problem:
            respond(response_type="ephemeral", text=str(problem), blocks=build_error(str(problem)))


def _run_in_room(
    services: Services,
    sub: Subcommand,
    esc: EscalationSnapshot,
    command: dict,
    client: WebClient,
    respond: Respond,
) -> None:
    user_id, rooms = command["user_id"], services.rooms
    if sub.name == "status" and not sub.rest:
        respond(
            response_type="ephemeral",
            text=f"Clocks of {esc.public_id}",
            blocks=build_clock_status(esc, rooms.clock()),
        )
    elif sub.name == "status":
        rooms.change_status(esc.id, sub.rest.split()[0], user_id)
    elif not sub.rest:
        raise InvalidChange(USAGE[sub.name])
    elif sub.name == "severity":
        level, _, reason = sub.rest.partition(" ")
        rooms.change_severity(esc.id, level, user_id, reason)
    elif sub.name == "update":
        rooms.post_update(esc.id, user_id, sub.rest)
    elif sub.name == "customer-update":
        text, promise = split_promise(sub.rest)
        promised_at = _promised_at(client, user_id, promise, rooms.clock()) if promise else None
        rooms.customer_updated(esc.id, user_id, text, promised_at)


def _promised_at(client: WebClient, user_id: str, promise: tuple[int, int], now: datetime) -> datetime:
    # "next update at 14:30" means 14:30 on the clock of the person who typed it.
    offset = int(client.users_info(user=user_id)["user"].get("tz_offset") or 0)
    return next_local_time(*promise, now, offset)
