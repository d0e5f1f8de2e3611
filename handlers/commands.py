"""`/escalate`: help, list, the intake modal for free text, and the subcommands that act on one escalation.

The acknowledgement is sent before any work (`ack` runs in the request; everything else is a lazy
listener), so it never waits behind a database, Slack or another request's work.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from slack_bolt import Ack, App, Respond

from blocks.clocks.nudges import build_clock_status
from blocks.escalations.intake_modal import IntakeSource
from blocks.escalations.messages import build_choices, build_help, build_open_list
from blocks.escalations.timeline import build_timeline
from bot.core.vocabulary import Role
from bot.escalations.access import Permission, not_found
from bot.escalations.changes import Actor
from bot.escalations.commands import Subcommand, next_local_time, parse_subcommand, split_promise
from bot.escalations.read_model import EscalationSnapshot
from bot.escalations.record import InvalidChange
from bot.escalations.record_core import CLOSE_USAGE, REOPEN_USAGE, RESOLVE_USAGE
from bot.services import Services
from handlers import follow_ups, reports
from handlers.escalations import open_intake_modal
from handlers.replies import by_respond, told_on_failure

COMMAND = "/escalate"
NOT_IN_A_ROOM = (
    "Run this in an escalation's war room (or the channel of its card), or name it, e.g. "
    "`/escalate {name} ESC-2026-007 …`. To open a new escalation, just describe what happened."
)
USAGE = {
    "severity": "Usage: `/escalate severity SEV-2 [why]`",
    "update": "Usage: `/escalate update &lt;what changed, what is next&gt;`",
    "customer-update": "Usage: `/escalate customer-update &lt;what you told them&gt; [next update at 14:30]`",
    "role": "Usage: `/escalate role liaison|engineering|csm|ic @person`",
    "action": follow_ups.ACTION_USAGE,
    "resolve": RESOLVE_USAGE,
    "close": CLOSE_USAGE,
    "reopen": REOPEN_USAGE,
}
# Free text that reads as a new report when there is nowhere it could go.
REPORT_LIKE = ("update", "customer-update")


def register(app: App, services: Services) -> None:
    """Listen for `/escalate`."""

    def acknowledge_escalate_command(ack: Ack, command: dict) -> None:
        sub = parse_subcommand(command.get("text") or "")
        if sub.name == "help":
            ack(response_type="ephemeral", text="How to use warroom", blocks=build_help())
        else:
            ack()

    def run_escalate_command(command: dict, respond: Respond) -> None:
        # Opening a modal (intake, the report) races the 3 s trigger: it stays here. Anything else may take
        # a while.
        sub = parse_subcommand(command.get("text") or "")
        if sub.name in ("", "report"):
            _run(services, sub, command, respond)
        else:
            services.background.submit(_run, services, sub, command, respond)

    app.command(COMMAND)(ack=acknowledge_escalate_command, lazy=[run_escalate_command])


def _run(services: Services, sub: Subcommand, command: dict, respond: Respond) -> None:
    with told_on_failure(by_respond(respond)):
        handle_escalate(services, sub, command, respond)


def handle_escalate(services: Services, sub: Subcommand, command: dict, respond: Respond) -> None:
    """Everything `/escalate <sub>` does after the acknowledgement."""
    actor = Actor(command["user_id"], command.get("channel_id"))
    escalations = services.escalations
    if sub.name == "help":
        return
    if sub.name == "metrics":
        reports.answer_metrics(services, actor, sub.rest, respond)
        return
    if sub.name == "list":
        listing = escalations.list_open(actor)
        respond(
            response_type="ephemeral",
            text=f"{listing.total} open escalations",
            blocks=build_open_list(listing.shown, listing.total, listing.hidden),
        )
        return
    if sub.name == "":
        here = escalations.target(actor, None) if sub.is_single_word else None
        in_a_room = here is not None and (here.escalation is not None or bool(here.choices))
        if sub.suggestion or in_a_room:
            respond(
                response_type="ephemeral",
                text="How to use warroom",
                blocks=build_help(sub.rest, sub.suggestion),
            )
            return
        _intake(services, command, sub.rest)
        return
    target = escalations.target(actor, sub.public_id)
    esc = target.escalation
    sure = esc is not None and (sub.public_id is not None or esc.room_channel_id == actor.channel_id)
    if sub.reads_as_report and not sure:
        _intake(services, command, command.get("text") or "")  # "update from Hooli: …" is a new report
        return
    if sub.name == "actions" and not sure and sub.public_id is None:
        follow_ups.list_actions(services, None, actor, respond)  # everywhere: no room or id says which
    elif esc is not None:
        _run_in_room(services, sub, esc, actor, respond, command)
    elif target.choices:
        respond(
            response_type="ephemeral",
            text="Which escalation?",
            blocks=build_choices(sub.name, target.choices),
        )
    elif sub.public_id:
        raise InvalidChange(not_found(sub.public_id))
    elif sub.name in REPORT_LIKE and sub.rest:
        _intake(services, command, command.get("text") or "")  # nowhere to post it: it is a new report
    else:
        raise InvalidChange(NOT_IN_A_ROOM.format(name=sub.name))


def _intake(services: Services, command: dict, text: str) -> None:
    source = IntakeSource(intake_key=uuid.uuid4().hex, channel_id=command.get("channel_id"))
    open_intake_modal(services, command["trigger_id"], command["user_id"], text, source)


def _run_in_room(
    services: Services,
    sub: Subcommand,
    esc: EscalationSnapshot,
    actor: Actor,
    respond: Respond,
    command: dict,
) -> None:
    rooms = services.rooms
    if sub.name == "actions":
        services.rooms.may(esc.id, actor, Permission.VIEW)
        follow_ups.list_actions(services, esc, actor, respond)
    elif sub.name == "action":
        follow_ups.add_action(services, sub, esc, actor, respond)
    elif sub.name == "recovery":
        reports.show_recovery_plan(services, esc, actor)
    elif sub.name == "report":
        reports.open_report_modal(services, esc, actor, command["trigger_id"])
    elif sub.name == "export":
        reports.attach_export(services, esc, actor)
    elif sub.name == "status" and not sub.rest:
        respond(
            response_type="ephemeral",
            text=f"Clocks of {esc.public_id}",
            blocks=build_clock_status(esc, rooms.clock()),
        )
    elif sub.name == "timeline":
        entries = services.escalations.timeline(esc.id)
        respond(
            response_type="ephemeral",
            text=f"Timeline of {esc.public_id}",
            blocks=build_timeline(esc, entries),
        )
    elif sub.name == "status":
        rooms.change_status(esc.id, sub.rest, actor)
    elif sub.name == "confirm":
        rooms.confirm(esc.id, actor, sub.rest)
    elif sub.name == "role":
        _assign_role(services, sub, esc, actor)
    elif not sub.rest:
        raise InvalidChange(USAGE[sub.name])
    elif sub.name == "resolve":
        rooms.resolve(esc.id, actor, sub.rest)
    elif sub.name == "close":
        rooms.close(esc.id, actor, sub.rest)
    elif sub.name == "reopen":
        rooms.reopen(esc.id, actor, sub.rest)
    elif sub.name == "severity":
        level, _, reason = sub.rest.partition(" ")
        rooms.change_severity(esc.id, level, actor, reason)
    elif sub.name == "update":
        rooms.post_update(esc.id, actor, sub.rest)
    elif sub.name == "customer-update":
        text, promise = split_promise(sub.rest)
        promised_at = _promised_at(services, actor.user_id, promise, rooms.clock()) if promise else None
        rooms.customer_updated(esc.id, actor, text, promised_at)


def _assign_role(services: Services, sub: Subcommand, esc: EscalationSnapshot, actor: Actor) -> None:
    role = Role.parse(sub.rest.split()[0]) if sub.rest else None
    if role is None or sub.user_id is None:
        raise InvalidChange(USAGE["role"])
    person = services.gateway.find_person(sub.user_id)
    if person is None or person.is_bot:
        raise InvalidChange(f"I can't find that person in Slack. {USAGE['role']}")
    if person.deleted:
        raise InvalidChange(f"<@{person.user_id}>'s account is deactivated: pick someone who can act on it.")
    services.rooms.assign_role(esc.id, role, sub.user_id, actor)


def _promised_at(services: Services, user_id: str, promise: tuple[int, int], now: datetime) -> datetime:
    # "next update at 14:30" means 14:30 on the clock of the person who typed it.
    offset = services.gateway.person(user_id).tz_offset_seconds
    return next_local_time(*promise, now, offset)
