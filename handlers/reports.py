"""Closing the loop: the recovery plan (*Recovery plan*, `/escalate recovery`, *Accept and schedule*), the
post-incident review (*Write the report*, `/escalate report` and its modal), `/escalate export` and
`/escalate metrics`."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from slack_bolt import Ack, App, Respond

from blocks.escalations.triage_card import RECOVERY, REPORT
from blocks.reports.metrics import build_metrics
from blocks.reports.recovery import ACCEPT_ACTION, GESTURES_ACTION
from blocks.reports.report_modal import REPORT_MODAL, ReportSubmission, build_report_modal, read_report
from bot.core.vocabulary import FollowUpKind
from bot.escalations.access import Permission
from bot.escalations.changes import Actor
from bot.escalations.follow_through import FOLLOW_UP_TEXT_LIMIT, MAX_DUE_YEARS, REVIEW_LIST_LIMIT
from bot.escalations.read_model import EscalationSnapshot
from bot.reports.chart import render_chart
from bot.services import Services
from bot.slack.gateway import slack_error
from handlers.replies import ack_only, actor_of, by_dm, by_ephemeral, told_on_failure

REPORT_NOT_POSTED = (
    "Your review is saved (root cause, lessons and any new prevention actions), but the report could not "
    "be posted: Slack did not take it. Press *Write the report* on the card (or `/escalate report`) to post "
    "it; the actions are recorded already, so leave the new-action fields empty."
)
log = logging.getLogger(__name__)


def register(app: App, services: Services) -> None:
    """Listen for the card's *Recovery plan* and *Write the report*, the plan's choices and acceptance, and
    the report modal."""
    gateway, reports = services.gateway, services.reports

    def post_recovery_plan(body: dict, action: dict) -> None:
        with told_on_failure(by_ephemeral(gateway, body)):
            reports.post_recovery_plan(int(action["value"]), actor_of(body))

    def accept_recovery_plan(body: dict, action: dict) -> None:
        actor = actor_of(body)
        with told_on_failure(by_ephemeral(gateway, body)):
            plan = reports.accept_recovery(int(action["value"]), actor, chosen_gestures(body))
            message, channel = body.get("message") or {}, actor.channel_id
            if message.get("ts") and channel:
                accepted = [b for b in message.get("blocks") or [] if b.get("type") != "actions"]
                note = (
                    f"✅ Accepted by <@{actor.user_id}>: {len(plan.check_ins)} check-ins and what to offer "
                    f"are reminded to <@{plan.check_in_owner}>; `/escalate actions` lists them."
                )
                accepted.append({"type": "context", "elements": [{"type": "mrkdwn", "text": note}]})
                try:
                    gateway.update_message(channel, message["ts"], note, blocks=accepted)
                except Exception as exc:  # accepted and said in the room: only the plan's button stays
                    log.warning("the accepted plan's message was not updated: %s", slack_error(exc))

    def open_report_from_card(body: dict, action: dict) -> None:
        with told_on_failure(by_ephemeral(gateway, body)):
            esc = services.rooms.may(int(action["value"]), actor_of(body), Permission.CHANGE)
            _open_report(services, esc, body["trigger_id"])

    def check_report(ack: Ack, view: dict) -> None:
        try:
            submitted = read_report(view)
        except ValueError:
            ack()
            return
        errors = report_errors(submitted, services.rooms.clock())
        ack(response_action="errors", errors=errors) if errors else ack()

    def post_submitted_report(body: dict, view: dict) -> None:
        try:
            submitted = read_report(view)
        except ValueError:
            return
        actor = Actor(body["user"]["id"])
        if report_errors(submitted, services.rooms.clock()):
            return  # the form showed what to fix and stayed open (Bolt runs this lazy part regardless)
        view_id = view.get("id")  # Slack gives every opened view one
        if view_id and not reports.first_submission(f"view:{view_id}"):
            return  # the same form submitted twice (a double click, a retry): its first submission counts
        with told_on_failure(by_dm(gateway, actor.user_id)):
            offset = gateway.person(actor.user_id).tz_offset_seconds
            notes = reports.record_review(submitted.escalation_id, actor, submitted, offset)
            for note in notes:
                gateway.post_message(actor.user_id, f"⚠️ {note}")
        with told_on_failure(by_dm(gateway, actor.user_id), instead=REPORT_NOT_POSTED):
            reports.post_report(submitted.escalation_id, actor)

    slow = services.background.listener
    app.action(RECOVERY)(ack=ack_only, lazy=[slow(post_recovery_plan)])
    app.action(ACCEPT_ACTION)(ack=ack_only, lazy=[slow(accept_recovery_plan)])
    app.action(GESTURES_ACTION)(ack_only)  # ticking a box changes nothing until *Accept and schedule*
    app.action(REPORT)(ack=ack_only, lazy=[open_report_from_card])
    app.view(REPORT_MODAL)(ack=check_report, lazy=[slow(post_submitted_report)])


def report_errors(submitted: ReportSubmission, now: datetime) -> dict[str, str]:
    """What the review modal must say before it closes: nothing typed there is refused after."""
    # Today somewhere on Earth (UTC-12 to UTC+14) is a date a person may pick.
    earliest = (now - timedelta(hours=12)).date()
    errors = {
        f"due_{n}": "That date has passed: pick a later one."
        for n, action in enumerate(submitted.actions, start=1)
        if action.due is not None and action.due < earliest
    }
    errors |= {
        f"due_{n}": f"Pick a date within {MAX_DUE_YEARS} years."
        for n, action in enumerate(submitted.actions, start=1)
        # A day short of the domain's limit: the picked day is due at 17:00 on the submitter's clock.
        if action.due is not None and action.due >= (now + timedelta(days=365 * MAX_DUE_YEARS - 1)).date()
    }
    for block_id, lines in (("factors", submitted.contributing_factors), ("lessons", submitted.lessons)):
        if len(lines) > REVIEW_LIST_LIMIT:
            errors[block_id] = f"At most {REVIEW_LIST_LIMIT} lines, one point each."
        elif any(len(line) > FOLLOW_UP_TEXT_LIMIT for line in lines):
            errors[block_id] = f"Keep each line under {FOLLOW_UP_TEXT_LIMIT} characters."
    return errors


def chosen_gestures(body: dict) -> list[int] | None:
    """The gestures ticked on the plan (their indexes in the policy's list); None when the message carries
    no state for them (Slack sends state once a box was touched): the suggested ones then."""
    chosen: list[int] = []
    found = False
    for block in ((body.get("state") or {}).get("values") or {}).values():
        for action_id, element in block.items():
            if not str(action_id).startswith(GESTURES_ACTION):
                continue
            found = True
            chosen += [int(o["value"]) for o in element.get("selected_options") or [] if o["value"].isdigit()]
    return chosen if found else None


def _open_report(services: Services, esc: EscalationSnapshot, trigger_id: str) -> None:
    recorded = [f for f in services.follow_ups.of_escalation(esc.id) if f.kind == FollowUpKind.PREVENTION]
    services.gateway.open_view(trigger_id, build_report_modal(esc, recorded))


def open_report_modal(services: Services, esc: EscalationSnapshot, actor: Actor, trigger_id: str) -> None:
    """`/escalate report`: the review modal, for someone who may change the escalation."""
    services.rooms.may(esc.id, actor, Permission.CHANGE)
    _open_report(services, esc, trigger_id)


def show_recovery_plan(services: Services, esc: EscalationSnapshot, actor: Actor) -> None:
    """`/escalate recovery`: the plan, posted where the escalation is worked."""
    services.reports.post_recovery_plan(esc.id, actor)


def attach_export(services: Services, esc: EscalationSnapshot, actor: Actor) -> None:
    """`/escalate export`: seed 004's YAML as a file."""
    services.reports.attach_export(esc.id, actor)


def answer_metrics(services: Services, actor: Actor, period: str, respond: Respond) -> None:
    """`/escalate metrics [7d|30d|90d|quarter]`: the figures to the person, and the chart in their DM with
    warroom (a file needs a channel; the figures are aggregates, but the person asked, not the channel)."""
    metrics = services.reports.metrics(period or None)
    text, blocks = build_metrics(metrics)
    respond(response_type="ephemeral", text=text, blocks=blocks)
    dm = services.gateway.post_message(actor.user_id, text, blocks=blocks).channel
    services.gateway.upload_file(
        dm,
        "escalation-metrics.png",
        render_chart(metrics, services.rooms.changes.policy),
        title=f"Escalation metrics · {metrics.period.label}",
    )
