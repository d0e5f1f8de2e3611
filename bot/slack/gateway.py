"""The only code that calls the Slack Web API: one typed method per call the product makes.

`SlackGateway` wraps a `slack_sdk.WebClient` whose base URL comes from `SLACK_API_URL` (slack.com,
GovSlack, or the sandbox) and whose retry handlers ride out 429s (honouring `Retry-After`), 5xx answers
and dropped connections. Tests swap the edge, never this module: the loopback fake Slack over HTTP, or
the in-memory seam (`bot.sandbox.in_memory.InMemoryWebClient`) in-process.
"""

from __future__ import annotations

import logging
from collections import deque
from typing import Any

from slack_sdk.errors import SlackApiError

from blocks.limits import MESSAGE_TEXT
from blocks.text import truncate
from bot.slack.client import (
    Person,
    Posted,
    build_web_client,
    error_code,
    slack_error,
)
from bot.slack.conversations import ConversationCalls
from bot.slack.people import PeopleCalls

log = logging.getLogger(__name__)
THREAD_PAGE = 200  # replies per conversations.replies page when a thread is read to its end
__all__ = ["Person", "Posted", "SlackGateway", "build_web_client", "error_code", "slack_error"]


class SlackGateway(ConversationCalls, PeopleCalls):
    """Typed Web API calls: messages and views here, channels and people in their own modules."""

    # --- messages -----------------------------------------------------------------------------------

    def post_message(
        self,
        channel: str,
        text: str,
        *,
        blocks: list[dict[str, Any]] | None = None,
        thread_ts: str | None = None,
    ) -> Posted:
        """Post a message (in a thread when `thread_ts` is given); links are never unfurled."""
        posted = self._acting.chat_postMessage(
            channel=channel,
            text=truncate(text, MESSAGE_TEXT),
            blocks=blocks,
            thread_ts=thread_ts,
            unfurl_links=False,
            unfurl_media=False,
        )
        return Posted(str(posted["channel"]), str(posted["ts"]))

    def post_ephemeral(
        self, channel: str, user: str, text: str, *, blocks: list[dict[str, Any]] | None = None
    ) -> None:
        """A message only `user` sees, in `channel`."""
        self.client.chat_postEphemeral(
            channel=channel, user=user, text=truncate(text, MESSAGE_TEXT), blocks=blocks
        )

    def update_message(
        self, channel: str, ts: str, text: str, *, blocks: list[dict[str, Any]] | None = None
    ) -> None:
        """Edit a message the bot posted."""
        self.client.chat_update(channel=channel, ts=ts, text=truncate(text, MESSAGE_TEXT), blocks=blocks)

    def permalink(self, channel: str, ts: str) -> str | None:
        """A link to a message, or None if Slack will not give one."""
        try:
            return str(self.client.chat_getPermalink(channel=channel, message_ts=ts)["permalink"])
        except SlackApiError as exc:
            log.info("no permalink for %s/%s: %s", channel, ts, slack_error(exc))
            return None

    def history(self, channel: str, limit: int) -> list[dict[str, Any]]:
        """The latest `limit` messages of a channel, newest first."""
        return list(self.client.conversations_history(channel=channel, limit=limit).get("messages") or [])

    def thread(self, channel: str, ts: str, limit: int) -> list[dict[str, Any]]:
        """A thread's parent and up to `limit` replies, oldest first."""
        page = self.client.conversations_replies(channel=channel, ts=ts, limit=limit)
        return list(page.get("messages") or [])

    def thread_latest(self, channel: str, ts: str, limit: int) -> list[dict[str, Any]]:
        """A thread's parent and its latest `limit` replies, oldest first (Slack pages a thread from its
        start, so a long one is read to its end)."""

        def page(cursor: str | None) -> Any:
            return self.client.conversations_replies(channel=channel, ts=ts, limit=THREAD_PAGE, cursor=cursor)

        messages = self._pages(page, "messages")
        parent = next(iter(messages), None)
        latest = deque(messages, maxlen=limit)
        return ([parent] if parent else []) + list(latest)

    def message(self, channel: str, ts: str) -> dict[str, Any] | None:
        """One message, top-level or a thread reply (conversations.replies answers for both); None if
        Slack will not show it."""
        try:
            page = self.client.conversations_replies(channel=channel, ts=ts, limit=200)
        except SlackApiError as exc:
            log.info("cannot read message %s in %s: %s", ts, channel, slack_error(exc))
            return None
        return next((dict(m) for m in page.get("messages") or [] if m.get("ts") == ts), None)

    def find_own_message(
        self, channel: str, containing: str, *, thread_ts: str | None = None, block_id: str | None = None
    ) -> str | None:
        """The ts of the bot's latest message in `channel` (or the thread) that says `containing` (in the
        block `block_id`, if given); None if there is none or Slack will not say."""
        try:
            return self.own_message(channel, containing, thread_ts=thread_ts, block_id=block_id)
        except SlackApiError as exc:
            log.info("cannot look for an earlier post in %s: %s", channel, slack_error(exc))
            return None

    def own_message(
        self, channel: str, containing: str, *, thread_ts: str | None = None, block_id: str | None = None
    ) -> str | None:
        """As `find_own_message`, but a Slack that will not show the channel raises: for a caller to whom
        not knowing must never read as "not posted"."""
        recent = self.thread(channel, thread_ts, limit=100) if thread_ts else self.history(channel, limit=100)
        for message in recent:
            if message.get("user") != self.bot_user_id:
                continue
            blocks = message.get("blocks") or []
            said = [str(b.get("text")) for b in blocks if block_id is None or b.get("block_id") == block_id]
            if block_id is None:
                said.append(str(message.get("text") or ""))
            if any(containing in text for text in said):
                return str(message["ts"])
        return None

    # --- views --------------------------------------------------------------------------------------

    def open_view(self, trigger_id: str, view: dict[str, Any]) -> dict[str, Any]:
        """Open a modal for the person whose click or command gave `trigger_id`; the opened view (its id
        and hash) comes back, or {} when a retry after a lost answer finds the trigger used: the first try
        opened it."""
        try:
            return dict(self.client.views_open(trigger_id=trigger_id, view=view).get("view") or {})
        except SlackApiError as exc:
            if error_code(exc) != "exchanged_trigger_id":
                raise
            log.info("views.open: the trigger was already used (an earlier try opened the modal)")
            return {}

    def update_view(self, view_id: str, view_hash: str | None, view: dict[str, Any]) -> bool:
        """Replace an open modal unless it changed since `view_hash` (a newer change will replace it, or
        the person submitted or closed it); True if it was replaced."""
        try:
            self.client.views_update(view_id=view_id, hash=view_hash, view=view)
            return True
        except SlackApiError as exc:
            if exc.response.get("error") in ("hash_conflict", "not_found", "view_not_found"):
                return False
            raise

    # --- files and canvases -------------------------------------------------------------------------

    def upload_file(
        self,
        channel: str,
        filename: str,
        content: bytes,
        *,
        title: str,
        comment: str | None = None,
        thread_ts: str | None = None,
    ) -> str | None:
        """Share a file in a channel (or thread) through Slack's files upload v2 flow (get an upload URL,
        send the bytes, complete); the file's permalink. Never repeated blindly: Slack may have shared it."""
        done = self._acting.files_upload_v2(
            channel=channel,
            filename=filename,
            content=content,
            title=title,
            initial_comment=comment,
            thread_ts=thread_ts,
        )
        files = done.get("files") or [done.get("file") or {}]
        return (files[0] or {}).get("permalink")

    def create_channel_canvas(self, channel: str, title: str, markdown: str) -> str:
        """The channel's canvas, written from markdown; its id. Slack refuses on tiers without canvases
        (`team_tier_cannot_create_channel_canvases`) and when the channel has one already."""
        created = self._acting.conversations_canvases_create(
            channel_id=channel, title=title, document_content={"type": "markdown", "markdown": markdown}
        )
        return str(created["canvas_id"])

    def publish_home(self, user_id: str, view: dict[str, Any]) -> None:
        """Publish a person's App Home tab."""
        self.client.views_publish(user_id=user_id, view=view)
