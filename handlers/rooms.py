"""In-room buttons and their modals: Post update, Customer updated, Snooze, the role claims, and Resolve,
Customer confirmed, Close without confirmation and Reopen."""

from __future__ import annotations

import re

from slack_bolt import Ack, App

from blocks.clocks.nudges import SNOOZE, SNOOZE_MINUTES
from blocks.escalations.triage_card import (
    CLAIM_ROLE,
    CLOSE,
    CONFIRM,
    CUSTOMER_UPDATED,
    POST_UPDATE,
    REOPEN,
    RESOLVE,
)
from blocks.rooms import closing_modals
from blocks.rooms.closing_modals import CLOSING_MODAL, MISSING, build_closing_modal, read_closing_step
from blocks.rooms.update_modals import (
    CUSTOMER_UPDATE_MODAL,
    POST_UPDATE_MODAL,
    build_customer_update_modal,
    build_post_update_modal,
    read_update,
)
from bot.clocks.schedule import cadence_of
from bot.core.vocabulary import Clock, Role
from bot.escalations.access import Permission
from bot.escalations.changes import Actor
from bot.services import Services
from handlers.replies import ack_only, actor_of, by_dm, by_ephemeral, told_on_failure


def register(app: App, services: Services) -> None:
    """Listen for the update buttons, snooze, and the two update modals."""
    rooms, gateway = services.rooms, services.gateway

    def open_post_update_modal(body: dict, action: dict) -> None:
        with told_on_failure(by_ephemeral(gateway, body)):
            esc = rooms.may(int(action["value"]), actor_of(body), Permission.CHANGE)
            gateway.open_view(body["trigger_id"], build_post_update_modal(esc))

    def open_customer_update_modal(body: dict, action: dict) -> None:
        with told_on_failure(by_ephemeral(gateway, body)):
            esc = rooms.may(int(action["value"]), actor_of(body), Permission.CHANGE)
            cadence = cadence_of(Clock.CUSTOMER, esc.severity, rooms.changes.policy)
            suggested = rooms.clock() + cadence if cadence else None
            gateway.open_view(body["trigger_id"], build_customer_update_modal(esc, suggested))

    def snooze_reminder(body: dict, action: dict) -> None:
        with told_on_failure(by_ephemeral(gateway, body)):
            escalation_id, _, clock = action["value"].partition(":")
            rooms.snooze(int(escalation_id), clock, actor_of(body), SNOOZE_MINUTES)

    def check_post_update(ack: Ack, view: dict) -> None:
        if not read_update(view).text:
            ack(response_action="errors", errors={"update": "Write the update: what changed, what is next."})
        else:
            ack()

    def post_submitted_update(body: dict, view: dict) -> None:
        update, user = read_update(view), body["user"]["id"]
        if update.text:
            with told_on_failure(by_dm(gateway, user)):
                rooms.post_update(update.escalation_id, Actor(user), update.text, update.status)

    def check_customer_update(ack: Ack, view: dict) -> None:
        update = read_update(view)
        if update.promised_at is not None and update.promised_at <= rooms.clock():
            ack(response_action="errors", errors={"next_update": "That time has passed; pick a later one."})
        else:
            ack()

    def record_submitted_customer_update(body: dict, view: dict) -> None:
        update, user = read_update(view), body["user"]["id"]
        if update.promised_at is None or update.promised_at > rooms.clock():
            with told_on_failure(by_dm(gateway, user)):
                rooms.customer_updated(update.escalation_id, Actor(user), update.text, update.promised_at)

    def opener(step: str, permission: Permission):
        def open_closing_modal(body: dict, action: dict) -> None:
            with told_on_failure(by_ephemeral(gateway, body)):
                esc = rooms.may(int(action["value"]), actor_of(body), permission)
                every = rooms.changes.policy.for_severity(esc.severity).confirmation_reminder
                gateway.open_view(body["trigger_id"], build_closing_modal(esc, step, every))

        open_closing_modal.__name__ = f"open_{step}_modal"  # Bolt tells lazy listeners apart by name
        return open_closing_modal

    def confirm_button(body: dict, action: dict) -> None:
        with told_on_failure(by_ephemeral(gateway, body)):
            rooms.confirm(int(action["value"]), actor_of(body))

    def claim_role(body: dict, action: dict) -> None:
        with told_on_failure(by_ephemeral(gateway, body)):
            role = Role(action["action_id"].removeprefix(CLAIM_ROLE))
            rooms.claim_role(int(action["value"]), role, actor_of(body))

    def check_closing_step(ack: Ack, view: dict) -> None:
        try:
            submitted = read_closing_step(view)
        except ValueError:  # not a form warroom opened: closed, and nothing is done
            ack()
            return
        if not submitted.text:
            ack(response_action="errors", errors={"reason": MISSING[submitted.step]})
        else:
            ack()

    def run_closing_step(body: dict, view: dict) -> None:
        try:
            submitted = read_closing_step(view)
        except ValueError:
            return
        actor = Actor(body["user"]["id"])
        steps = {
            closing_modals.RESOLVE: rooms.resolve,
            closing_modals.CLOSE: rooms.close,
            closing_modals.REOPEN: rooms.reopen,
        }
        if submitted.text and submitted.step in steps:
            with told_on_failure(by_dm(gateway, actor.user_id)):
                steps[submitted.step](submitted.escalation_id, actor, submitted.text)

    slow = services.background.listener  # modals open on Bolt's pool; the rest may take a while
    app.action(POST_UPDATE)(ack=ack_only, lazy=[open_post_update_modal])
    app.action(CUSTOMER_UPDATED)(ack=ack_only, lazy=[open_customer_update_modal])
    app.action(SNOOZE)(ack=ack_only, lazy=[slow(snooze_reminder)])
    app.view(POST_UPDATE_MODAL)(ack=check_post_update, lazy=[slow(post_submitted_update)])
    app.view(CUSTOMER_UPDATE_MODAL)(ack=check_customer_update, lazy=[slow(record_submitted_customer_update)])
    app.action(RESOLVE)(ack=ack_only, lazy=[opener(closing_modals.RESOLVE, Permission.CHANGE)])
    app.action(CLOSE)(ack=ack_only, lazy=[opener(closing_modals.CLOSE, Permission.CLOSE)])
    app.action(REOPEN)(ack=ack_only, lazy=[opener(closing_modals.REOPEN, Permission.REOPEN)])
    app.action(CONFIRM)(ack=ack_only, lazy=[slow(confirm_button)])
    app.action(re.compile(rf"^{CLAIM_ROLE}"))(ack=ack_only, lazy=[slow(claim_role)])
    app.view(CLOSING_MODAL)(ack=check_closing_step, lazy=[slow(run_closing_step)])
