"""Drafting: `@warroom draft …` mentions, the card's "Draft customer update", and the draft's buttons."""

from __future__ import annotations

import logging
from collections.abc import Callable

from slack_bolt import Ack, App
from slack_sdk import WebClient

from blocks.drafting.drafts import MARK_SENT, MORE_FORMAL, REGENERATE, SHORTER
from blocks.escalations.triage_card import DRAFT_UPDATE
from bot.drafting.requests import CAPABILITIES, parse_mention
from bot.drafting.service import DraftService
from bot.escalations.service import EscalationNotFound

log = logging.getLogger(__name__)
OUTSIDE = (
    "I draft inside an escalation: mention me in its war room or in its triage card's thread. "
    "To open one, use `/escalate`."
)


def register(app: App, drafts: DraftService) -> None:
    """Listen for mentions and the draft buttons."""

    @app.event("app_mention")
    def handle_app_mention(body: dict, event: dict, client: WebClient) -> None:
        channel, thread_ts = event["channel"], event.get("thread_ts") or event["ts"]
        request = parse_mention(event.get("text") or "")
        esc = drafts.escalation_in(channel, event.get("thread_ts"))
        if esc is None:
            client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=OUTSIDE)
            return
        if request is None:
            client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=CAPABILITIES)
            return
        drafts.write(
            esc,
            request.kind,
            event.get("user") or "",
            channel_id=channel,
            thread_ts=thread_ts,
            brief_target=request.brief_target,
            request_key=f"event:{body.get('event_id') or event['ts']}",
        )

    @app.action(DRAFT_UPDATE)
    def handle_draft_update_button(ack: Ack, body: dict, action: dict) -> None:
        ack()
        esc = drafts.escalations.get(int(action["value"]))
        channel, thread_ts = esc.worked_in
        drafts.write(esc, "update", body["user"]["id"], channel_id=channel or "", thread_ts=thread_ts)

    @app.action(MARK_SENT)
    def handle_mark_sent(ack: Ack, body: dict, action: dict) -> None:
        ack()
        _safely(lambda: drafts.mark_sent(int(action["value"]), body["user"]["id"]))

    @app.action(REGENERATE)
    def handle_regenerate(ack: Ack, body: dict, action: dict) -> None:
        ack()
        _safely(lambda: drafts.redo(int(action["value"]), body["user"]["id"]))

    @app.action(SHORTER)
    def handle_shorter(ack: Ack, body: dict, action: dict) -> None:
        ack()
        _safely(lambda: drafts.redo(int(action["value"]), body["user"]["id"], style="shorter"))

    @app.action(MORE_FORMAL)
    def handle_more_formal(ack: Ack, body: dict, action: dict) -> None:
        ack()
        _safely(lambda: drafts.redo(int(action["value"]), body["user"]["id"], style="formal"))


def _safely(act: Callable[[], object]) -> None:
    try:
        act()
    except EscalationNotFound:
        log.info("a draft button referred to a draft that no longer exists")
