"""Follow-ups: `/escalate action …` and `/escalate actions`, and *Mark done* (on the list and on the owner's
reminder)."""

from __future__ import annotations

from slack_bolt import App, Respond

from blocks.followups.follow_ups import MARK_DONE, build_follow_up_list
from blocks.text import escape
from bot.core.vocabulary import FollowUpKind
from bot.escalations.changes import Actor
from bot.escalations.commands import Subcommand
from bot.escalations.read_model import EscalationSnapshot
from bot.escalations.record import InvalidChange
from bot.followups.parsing import parse_action, parse_due
from bot.services import Services
from handlers.home import publish_home
from handlers.replies import ack_only, actor_of, by_ephemeral, privately, told_on_failure

ACTION_USAGE = (
    "Usage: `/escalate action <what> @owner <date>`, e.g. `/escalate action Alert on bulk deletes in the "
    "sync @ana 2026-12-20` (owner: you, unless named; date: in two weeks, unless given)."
)


def register(app: App, services: Services) -> None:
    """Listen for *Mark done*."""
    gateway = services.gateway

    def mark_follow_up_done(body: dict, action: dict) -> None:
        actor = actor_of(body)
        with told_on_failure(by_ephemeral(gateway, body)):
            done, esc = services.follow_ups.complete(int(action["value"]), actor)
            if (body.get("view") or {}).get("type") == "home":
                publish_home(services, actor.user_id)  # the row goes, without reopening the tab
            if not done:
                channel = (body.get("channel") or {}).get("id")
                privately(
                    gateway, channel, actor.user_id, f"That one was already marked done ({esc.public_id})."
                )

    app.action(MARK_DONE)(ack=ack_only, lazy=[mark_follow_up_done])


def add_action(
    services: Services, sub: Subcommand, esc: EscalationSnapshot, actor: Actor, respond: Respond
) -> None:
    """`/escalate action <what> @owner <date>` in the room (or naming the escalation). The room hears of
    it; once the room is archived, the person typing and the owner are told instead."""
    request = parse_action(sub.raw_rest, services.rooms.clock())
    if request.problem:
        raise InvalidChange(f"{request.problem} {ACTION_USAGE}")
    if not request.what:
        raise InvalidChange(ACTION_USAGE)
    try:
        offset = services.gateway.person(actor.user_id).tz_offset_seconds
        due_at = parse_due(request.due_text, services.rooms.clock(), offset)
    except ValueError as problem:
        raise InvalidChange(str(problem)) from None
    if request.owner_user_id is not None:
        person = services.gateway.find_person(request.owner_user_id)
        if person is None or person.is_bot or person.deleted:
            raise InvalidChange(f"I can't find an active person to own that. {ACTION_USAGE}")
    outcome = services.follow_ups.add(
        esc.id, actor, FollowUpKind.PREVENTION, request.what, request.owner_user_id, due_at, "immediate"
    )
    if outcome.escalation.archived_at is None:
        return
    owner = request.owner_user_id or actor.user_id
    said = f"📋 Prevention action added to *{esc.public_id}* (its room is archived): {escape(request.what)}"
    respond(response_type="ephemeral", text=f"{said}. <@{owner}> is reminded before it is due.")
    if owner != actor.user_id and services.rooms.changes.may_see(Actor(owner), outcome.escalation):
        services.gateway.post_message(
            owner, f"{said}. <@{actor.user_id}> made you its owner; you are reminded before it is due."
        )


def list_actions(services: Services, esc: EscalationSnapshot | None, actor: Actor, respond: Respond) -> None:
    """Every follow-up of one escalation (done ones too), or every open one `actor` may see."""
    now = services.rooms.clock()
    if esc is not None:
        items = [(follow_up, esc) for follow_up in services.follow_ups.of_escalation(esc.id)]
        blocks = build_follow_up_list(items, now, title=f"Follow-ups of {esc.public_id}")
        respond(response_type="ephemeral", text=f"Follow-ups of {esc.public_id}", blocks=blocks)
        return
    listing = services.follow_ups.open_for(actor)
    mine = [item for item in listing.items if item[0].owner_user_id == actor.user_id]
    others = [item for item in listing.items if item[0].owner_user_id != actor.user_id]
    shown_total = listing.total - listing.hidden  # those past the read are counted, whoever's they are
    blocks = build_follow_up_list(
        [*mine, *others], now, title="Open follow-ups (yours first)", total=shown_total, hidden=listing.hidden
    )
    respond(response_type="ephemeral", text=f"{shown_total} open follow-ups", blocks=blocks)
