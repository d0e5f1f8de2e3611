"""Drafting: `@warroom draft …` mentions, the card's "Draft customer update", and the draft's buttons."""

from __future__ import annotations

from slack_bolt import Ack, App

from blocks.drafting.drafts import (
    COPY_EMAIL,
    MARK_SENT,
    MORE_FORMAL,
    OPEN_EMAIL,
    POST_TO_CUSTOMER,
    REGENERATE,
    SHORTER,
)
from blocks.drafting.sending import (
    POST_MODAL,
    build_email_copy,
    build_post_modal,
    build_text_copy,
    read_post_modal,
)
from blocks.escalations.triage_card import DRAFT_UPDATE
from bot.drafting.requests import CAPABILITIES, parse_mention
from bot.drafting.sending import AlreadySent
from bot.escalations.access import Permission
from bot.escalations.changes import Actor
from bot.services import Services
from handlers.replies import ack_only, actor_of, by_dm, by_ephemeral, privately, told_on_failure

OUTSIDE = (
    "I draft inside an escalation: mention me in its war room or in its triage card's thread. "
    "To open one, use `/escalate`."
)


def register(app: App, services: Services) -> None:
    """Listen for mentions and the draft buttons."""
    drafts, gateway, slow = services.drafts, services.gateway, services.background.listener

    def draft_on_mention(body: dict, event: dict) -> None:
        channel, thread_ts = event["channel"], event.get("thread_ts") or event["ts"]
        actor = Actor(event.get("user") or "", channel)

        def reply(text: str) -> None:
            gateway.post_message(channel, text, thread_ts=thread_ts)

        with told_on_failure(reply):
            # A mention carries its thread, so only the war room or that card's thread counts: no guessing.
            esc = services.escalations.target(
                actor, None, event.get("thread_ts"), single_card=False
            ).escalation
            request = parse_mention(event.get("text") or "")
            if esc is None:
                reply(OUTSIDE)
            elif request is None:
                reply(CAPABILITIES)
            else:
                services.rooms.may(esc.id, actor, Permission.CHANGE)
                drafts.write(
                    esc,
                    request.kind,
                    actor.user_id,
                    channel_id=channel,
                    thread_ts=thread_ts,
                    brief_target=request.brief_target,
                    request_key=f"event:{body.get('event_id') or event['ts']}",
                )

    def draft_update_button(body: dict, action: dict) -> None:
        with told_on_failure(by_ephemeral(gateway, body)):
            actor = actor_of(body)
            esc = services.rooms.may(int(action["value"]), actor, Permission.CHANGE)
            # In the card's own thread, wherever the card is: the room's top level stays for people.
            channel = esc.card_channel_id or esc.worked_in[0] or ""
            drafts.write(esc, "update", actor.user_id, channel_id=channel, thread_ts=esc.card_ts)

    def mark_draft_sent(body: dict, action: dict) -> None:
        with told_on_failure(by_ephemeral(gateway, body)):
            drafts.mark_sent(int(action["value"]), actor_of(body))

    def regenerate_draft(body: dict, action: dict) -> None:
        with told_on_failure(by_ephemeral(gateway, body)):
            drafts.redo(int(action["value"]), actor_of(body))

    def shorten_draft(body: dict, action: dict) -> None:
        with told_on_failure(by_ephemeral(gateway, body)):
            drafts.redo(int(action["value"]), actor_of(body), style="shorter")

    def formalise_draft(body: dict, action: dict) -> None:
        with told_on_failure(by_ephemeral(gateway, body)):
            drafts.redo(int(action["value"]), actor_of(body), style="formal")

    def copy_as_email(body: dict, action: dict) -> None:
        with told_on_failure(by_ephemeral(gateway, body)):
            actor = actor_of(body)
            letter = drafts.sending.letter(int(action["value"]), actor)
            blocks = build_email_copy(letter.to, letter.subject, letter.body)
            privately(gateway, actor.channel_id, actor.user_id, "The draft as an email to copy", blocks)

    def open_post_form(body: dict, action: dict) -> None:
        tell = by_ephemeral(gateway, body)
        with told_on_failure(tell):
            row, channel = drafts.sending.check_post(int(action["value"]), actor_of(body))
            info = gateway.channel_info(channel) or {}
            if info.get("is_member") is False:  # said before the person writes anything, not after
                tell(
                    f"Invite warroom to <#{channel}> first (`/invite @warroom` there), then press the "
                    "button again."
                )
                return
            name = str(info.get("name") or "the customer's channel")
            gateway.open_view(body["trigger_id"], build_post_modal(row.id, row.body, name))

    def post_errors(view: dict) -> tuple[int, str, dict[str, str]]:
        draft_id, text = read_post_modal(view)
        problem = "Write the message first." if not text.strip() else None
        problem = problem or drafts.sending.post_problems(draft_id, text.strip())
        return draft_id, text.strip(), ({"text": problem} if problem else {})

    def check_post_form(ack: Ack, view: dict) -> None:
        try:
            errors = post_errors(view)[2]
        except Exception:  # not our form, or the draft is gone: the lazy part says so in a DM
            errors = {}
        ack(response_action="errors", errors=errors) if errors else ack()

    def post_to_customer(body: dict, view: dict) -> None:
        actor = Actor(body["user"]["id"])
        tell = by_dm(gateway, actor.user_id)
        with told_on_failure(tell):
            draft_id, text, errors = post_errors(view)
            if errors:
                return  # the form said what to fix and stayed open (Bolt runs this lazy part regardless)
            try:
                posting = drafts.sending.post_to_customer(draft_id, actor, text)
                if posting.earlier:
                    tell(
                        f"An earlier try had already posted this draft to <#{posting.channel}>, so that text "
                        "stands: your latest edits were not posted."
                    )
            except AlreadySent:
                raise  # it went out (a second click on the same form): said, with nothing to hand back
            except Exception:
                # Nothing typed is lost: the text as confirmed comes back with what went wrong.
                gateway.post_message(
                    actor.user_id, "Your message, as you confirmed it:", blocks=build_text_copy(text)
                )
                raise

    app.event("app_mention")(ack=ack_only, lazy=[slow(draft_on_mention)])
    app.action(DRAFT_UPDATE)(ack=ack_only, lazy=[slow(draft_update_button)])
    app.action(MARK_SENT)(ack=ack_only, lazy=[slow(mark_draft_sent)])
    app.action(REGENERATE)(ack=ack_only, lazy=[slow(regenerate_draft)])
    app.action(SHORTER)(ack=ack_only, lazy=[slow(shorten_draft)])
    app.action(MORE_FORMAL)(ack=ack_only, lazy=[slow(formalise_draft)])
    app.action(OPEN_EMAIL)(ack_only)  # the link opens the mail program; there is nothing to record yet
    app.action(COPY_EMAIL)(ack=ack_only, lazy=[slow(copy_as_email)])
    app.action(POST_TO_CUSTOMER)(ack=ack_only, lazy=[open_post_form])
    app.view(POST_MODAL)(ack=check_post_form, lazy=[slow(post_to_customer)])
