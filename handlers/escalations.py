"""Opening escalations (the intake modal, from `/escalate` or the message shortcut) and the triage card's
Acknowledge and Take command buttons."""

from __future__ import annotations

import logging
import re
import uuid
from dataclasses import replace
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import SQLAlchemyError

from blocks.escalations.intake_modal import (
    CALLBACK_ID,
    REFRESH,
    IntakeSource,
    build_intake_modal,
    read_intake_form,
)
from blocks.escalations.patterns import JOIN_ROOM, OPEN_CARD, OpenElsewhere
from blocks.escalations.triage_card import ACKNOWLEDGE, TAKE_COMMAND
from blocks.text import escape, truncate
from bot.accounts.service import AccountProfile
from bot.escalations.access import not_found
from bot.escalations.changes import Actor
from bot.escalations.intake import Intake, IntakeDraft, draft_from_form, draft_from_intake, validate_intake
from bot.escalations.read_model import EscalationSnapshot
from bot.escalations.triage import with_account
from bot.services import Services
from bot.slack.gateway import error_code
from handlers.replies import ack_only, actor_of, by_ephemeral, told_on_failure
from storage.repository import customer_name_key

log = logging.getLogger(__name__)
SHORTCUT = "escalate_message"
ACCEPTED = "warroom_intake_accepted"


def intake_view(
    services: Services,
    draft: IntakeDraft,
    source: IntakeSource,
    caller: str,
    account: AccountProfile | None = None,
    *,
    join_problem: str | None = None,
) -> dict[str, Any]:
    """The intake modal for `draft`, with the suggested severity, the customer's open escalations and the
    same issue open for other customers."""
    service = services.escalations
    suggestion = service.triage.suggest(draft, account, source.opinion)
    if draft.severity is None:  # the form's severity shows the suggestion, not anyone's choice
        source = replace(source, suggested=suggestion.severity)
    actor = Actor(caller, source.channel_id)
    already_open = service.open_for_customer(draft.customer, actor)
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
        open_elsewhere(services, draft, source, actor, problem=join_problem),
    )


def open_elsewhere(
    services: Services,
    draft: IntakeDraft,
    source: IntakeSource,
    actor: Actor,
    *,
    problem: str | None = None,
) -> OpenElsewhere:
    """The same issue open for other customers (those `actor` may see), the room joined from this form, and
    links to the cards of the similar ones worked in a thread."""
    try:
        similar = services.escalations.similar_open(draft.summary, draft.customer, actor)
        joined = services.escalations.target(actor, source.joined).escalation if source.joined else None
    except (SQLAlchemyError, SlackApiError) as exc:  # a courtesy: the form opens without it
        log.warning("could not look for the same issue open elsewhere: %s", type(exc).__name__)
        return OpenElsewhere(problem=problem)
    # Built from the workspace's address, not asked of Slack: the form must open inside its 3 s trigger.
    links = {
        esc.id: services.gateway.message_link(esc.card_channel_id, esc.card_ts)
        for esc in similar
        if not esc.room_channel_id and esc.card_channel_id and esc.card_ts
    }
    return OpenElsewhere(similar, links, joined if joined and joined.room_channel_id else None, problem)


def join_room_instead(
    services: Services, public_id: str, caller: str
) -> tuple[EscalationSnapshot | None, str]:
    """Invite `caller` to the war room of the open escalation `public_id` (one they may see): the
    escalation, or None and what went wrong. A private one they may not see is not found, like a typo."""
    esc = services.escalations.target(Actor(caller), public_id).escalation
    if esc is None:
        return None, not_found(escape(truncate(public_id, 40)))
    if not esc.is_open:
        return None, f"*{esc.public_id}* is {esc.status_label.lower()} now, so I did not add you to its room."
    if not esc.room_channel_id:
        return None, f"*{esc.public_id}* has no war room yet; its card's thread is where it is worked."
    try:
        services.gateway.invite(esc.room_channel_id, [caller])
    except SlackApiError as exc:
        said = error_code(exc) or "a temporary problem"
        return None, f"I could not add you to <#{esc.room_channel_id}> (Slack said `{escape(said)}`)."
    return esc, ""


def open_intake_modal(
    services: Services, trigger_id: str, caller: str, text: str, source: IntakeSource
) -> None:
    """Open the intake modal prefilled from `text` and the account directory."""
    triage = services.escalations.triage
    draft, account = triage.prefill(text)
    source = replace(source, account_id=account.customer_id if account else None)
    opened = services.gateway.open_view(trigger_id, intake_view(services, draft, source, caller, account))
    if triage.claude is not None and opened.get("id"):
        # The form is open with the rules' suggestion; Claude's reading follows within a few seconds.
        services.background.submit(add_claude_reading, services, opened, draft, account, caller)


def add_claude_reading(
    services: Services,
    opened: dict[str, Any],
    draft: IntakeDraft,
    account: AccountProfile | None,
    caller: str,
) -> None:
    """Update the just-opened form with Claude's reading, unless the person changed it meanwhile (the
    hash no longer matches) or Claude gave none: then the rules' suggestion stays."""
    opinion = services.escalations.triage.read_with_claude(draft)
    if opinion is None:
        return
    source = replace(IntakeSource.from_metadata(opened.get("private_metadata", "")), opinion=opinion)
    draft = replace(
        draft,
        escalation_type=opinion.escalation_type,
        users_affected=draft.users_affected or opinion.users_affected,
        # Claude writes the customer's side better than the rules; the person still edits it.
        customer_wording=opinion.customer_wording or draft.customer_wording,
        customer_mood=opinion.mood or draft.customer_mood,
    )
    services.gateway.update_view(
        opened["id"], opened.get("hash"), intake_view(services, draft, source, caller, account)
    )


def refreshed_intake_view(
    services: Services,
    view: dict[str, Any],
    changed: str,
    caller: str,
    *,
    source: IntakeSource | None = None,
    join_problem: str | None = None,
) -> dict[str, Any]:
    """The intake modal again after the person changed the `changed` field (or clicked a button in it): the
    suggestion follows what the form now holds; a customer the directory knows fills the fields still
    empty. `source`: the form's metadata as it now is, if it changed."""
    source = source or IntakeSource.from_metadata(view.get("private_metadata", ""))
    form = read_intake_form(view)
    draft = draft_from_form(form)
    if form.severity is None or form.severity == source.suggested:
        draft = replace(draft, severity=None)  # untouched: it keeps following the suggestion
    triage = services.escalations.triage
    account = triage.recognise(draft.customer)
    if changed == "customer" and account is not None and account.customer_id != source.account_id:
        draft = with_account(draft, account)
        source = replace(source, account_id=account.customer_id)
    return intake_view(services, draft, source, caller, account, join_problem=join_problem)


def register(app: App, services: Services) -> None:
    """Listen for the message shortcut, the modal's submission and the card's buttons."""

    def open_intake_for_message(shortcut: dict) -> None:
        message = shortcut.get("message") or {}
        source = IntakeSource(
            intake_key=uuid.uuid4().hex, channel_id=shortcut["channel"]["id"], message_ts=message.get("ts")
        )
        open_intake_modal(
            services, shortcut["trigger_id"], shortcut["user"]["id"], message.get("text") or "", source
        )

    def check_intake_submission(ack: Ack, body: dict, view: dict, context: BoltContext) -> None:
        # Runs before the acknowledgement: field errors and the open-escalation warning are part of it.
        caller = body["user"]["id"]
        intake, errors = submitted_intake(view, caller)
        if intake is None:
            ack(response_action="errors", errors=errors)
            return
        source = IntakeSource.from_metadata(view.get("private_metadata", ""))
        warned = source.warned_for == customer_name_key(intake.customer)
        try:
            if not warned and services.escalations.open_for_customer(intake.customer, Actor(caller)):
                # Show the open escalations before a second one is opened; submitting again goes through.
                ack(
                    response_action="update",
                    view=intake_view(services, draft_from_intake(intake), source, caller),
                )
                return
        except SQLAlchemyError as exc:  # the warning is a courtesy; the ack must not become an error page
            log.warning("could not look for open escalations of the customer: %s", type(exc).__name__)
        context[ACCEPTED] = True  # the lazy listener gets a copy of the context: decided once, here
        ack()

    def open_submitted_escalation(body: dict, view: dict, context: BoltContext) -> None:
        if not context.get(ACCEPTED):
            return  # the acknowledgement showed errors or the warning instead
        caller = body["user"]["id"]
        intake, _ = submitted_intake(view, caller)
        if intake is None:
            return
        try:
            services.escalations.open(
                intake, caller, IntakeSource.from_metadata(view.get("private_metadata", ""))
            )
        except Exception:
            log.exception("opening an escalation failed")
            services.gateway.post_message(caller, _could_not_open(intake))

    def resuggest_intake(body: dict) -> None:
        view = body["view"]
        changed = (body.get("actions") or [{}])[0].get("block_id", "")
        services.gateway.update_view(
            view["id"], view.get("hash"), refreshed_intake_view(services, view, changed, body["user"]["id"])
        )

    def join_similar_room(body: dict, action: dict) -> None:
        view, caller = body["view"], body["user"]["id"]
        joined, problem = join_room_instead(services, str(action.get("value") or ""), caller)
        source = IntakeSource.from_metadata(view.get("private_metadata", ""))
        if joined is not None:
            source = replace(source, joined=joined.public_id)
        updated = services.gateway.update_view(
            view["id"],
            view.get("hash"),
            refreshed_intake_view(services, view, "", caller, source=source, join_problem=problem or None),
        )
        if joined is not None and not updated:  # the form changed meanwhile: say it where they will see it
            services.gateway.post_message(
                caller,
                f"✅ You're in <#{joined.room_channel_id}> now, the room of *{joined.public_id}*. "
                "Nothing new was opened.",
            )

    def acknowledge_button(body: dict, action: dict) -> None:
        with told_on_failure(by_ephemeral(services.gateway, body)):
            services.rooms.acknowledge(int(action["value"]), actor_of(body))

    def take_command_button(body: dict, action: dict) -> None:
        with told_on_failure(by_ephemeral(services.gateway, body)):
            services.rooms.take_command(int(action["value"]), actor_of(body))

    slow = services.background.listener  # modals open on Bolt's pool; the rest may take a while
    app.shortcut(SHORTCUT)(ack=ack_only, lazy=[open_intake_for_message])
    app.view(CALLBACK_ID)(ack=check_intake_submission, lazy=[slow(open_submitted_escalation)])
    app.action(re.compile(rf"^{REFRESH}"))(ack=ack_only, lazy=[resuggest_intake])
    app.action(JOIN_ROOM)(ack=ack_only, lazy=[join_similar_room])
    app.action(OPEN_CARD)(ack_only)  # a link button: Slack opens the card; the click needs only its ack
    app.action(ACKNOWLEDGE)(ack=ack_only, lazy=[slow(acknowledge_button)])
    app.action(TAKE_COMMAND)(ack=ack_only, lazy=[slow(take_command_button)])


def submitted_intake(view: dict, caller: str) -> tuple[Intake | None, dict[str, str]]:
    """The submitted form as an intake (or its field errors). A severity left at the form's suggestion is
    no choice: the suggestion is made again from the submitted facts (a type changed to Security, a
    tier or ARR filled in), and only a severity the person picked is recorded as their override."""
    form = read_intake_form(view)
    source = IntakeSource.from_metadata(view.get("private_metadata", ""))
    if form.severity is not None and form.severity == source.suggested:
        form = replace(form, severity=None)
    return validate_intake(form, caller)


def _could_not_open(intake: Intake) -> str:
    # Hand the person back what they typed, so nothing they entered is lost.
    return truncate(
        "⚠️ I could not open this escalation because of an internal error, and it is not saved. "
        "Here is what you entered, so you can try again with `/escalate`:\n"
        f"*Customer:* {escape(intake.customer)}\n*Summary:* {escape(intake.summary)}\n"
        f"*What happened:* {escape(intake.description) or '—'}",
        3000,
    )
