"""Slack calls about channels: create, find, invite, join, topic, pins, bookmarks, members, archive."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from slack_sdk.errors import SlackApiError

from bot.slack.client import PAGE_LIMIT, GatewayCore, slack_error

log = logging.getLogger(__name__)


class ConversationCalls(GatewayCore):
    """The channel calls of the gateway."""

    def create_channel(self, name: str, *, is_private: bool) -> tuple[str, str]:
        """Create a channel; (id, name) as Slack made it."""
        created = self._acting.conversations_create(name=name, is_private=is_private)
        return str(created["channel"]["id"]), str(created["channel"]["name"])

    def own_channel_named(self, name: str) -> str | None:
        """The id of the live channel called `name` if the bot created it, else None."""
        for channel in self._pages(
            lambda cursor: self.client.conversations_list(
                types="public_channel,private_channel",
                limit=PAGE_LIMIT,
                cursor=cursor,
                exclude_archived=False,
            ),
            "channels",
        ):
            # An archived one is an earlier room (a reopened escalation gets a new one), never the one
            # a crash interrupted.
            mine = channel.get("creator") == self.bot_user_id and not channel.get("is_archived")
            if channel["name"] == name and mine:
                return str(channel["id"])
        return None

    def invite(self, channel: str, users: Iterable[str]) -> None:
        """Invite people to a channel; those already in it are fine."""
        wanted = [u for u in dict.fromkeys(users) if u and u != self.bot_user_id]
        if not wanted:
            return
        self.ok_if(
            ("already_in_channel",),
            lambda: self.client.conversations_invite(channel=channel, users=",".join(wanted), force=True),
        )
        self.forget_members(channel)

    def join(self, channel: str) -> bool:
        """Join a public channel; False if the bot cannot."""
        try:
            self.client.conversations_join(channel=channel)
            return True
        except SlackApiError as exc:
            log.info("cannot join %s: %s", channel, slack_error(exc))
            return False

    def set_topic(self, channel: str, topic: str) -> None:
        """Set a channel's topic."""
        self.client.conversations_setTopic(channel=channel, topic=topic)

    def pin(self, channel: str, ts: str) -> None:
        """Pin a message; one already pinned is fine."""
        self.ok_if(("already_pinned",), lambda: self.client.pins_add(channel=channel, timestamp=ts))

    def add_bookmark(self, channel: str, title: str, link: str) -> str | None:
        """Bookmark a link in a channel's header; the bookmark's id."""
        added = self._acting.bookmarks_add(channel_id=channel, title=title, type="link", link=link)
        return (added.get("bookmark") or {}).get("id")

    def find_bookmark(self, channel: str, link: str) -> str | None:
        """The id of the channel's bookmark to `link`, if there is one (None if Slack will not say)."""
        try:
            bookmarks = self.client.bookmarks_list(channel_id=channel).get("bookmarks") or []
        except SlackApiError as exc:
            log.info("cannot list the bookmarks of %s: %s", channel, slack_error(exc))
            return None
        return next((str(b["id"]) for b in bookmarks if b.get("link") == link), None)

    def members(self, channel: str) -> frozenset[str]:
        """Who is in a channel (cached briefly)."""
        with self._lock:
            cached = self._members.get(channel)
        if cached is not None:
            return cached
        found = frozenset(
            str(user)
            for user in self._pages(
                lambda cursor: self.client.conversations_members(
                    channel=channel, limit=PAGE_LIMIT, cursor=cursor
                ),
                "members",
            )
        )
        with self._lock:
            self._members[channel] = found
        return found

    def forget_members(self, channel: str) -> None:
        """Drop what is cached about a channel's members (after an invite)."""
        with self._lock:
            self._members.pop(channel, None)

    def archive(self, channel: str) -> None:
        """Archive a channel; one already archived is fine."""
        self.ok_if(("already_archived",), lambda: self.client.conversations_archive(channel=channel))

    def shared_outside(self, channel: str) -> bool:
        """True when people of another organisation are in the channel (Slack Connect), or it is being
        shared; a channel Slack will not describe counts as shared: nothing internal goes where unsure."""
        info = self.channel_info(channel)
        return info is None or bool(info.get("is_ext_shared") or info.get("is_pending_ext_shared"))

    def channel_info(self, channel: str) -> dict[str, Any] | None:
        """Slack's channel object (name, is_member, is_ext_shared…), or None when Slack will not say."""
        try:
            return dict(self.client.conversations_info(channel=channel)["channel"])
        except (SlackApiError, KeyError) as exc:
            log.info("no information on channel %s: %s", channel, exc)
            return None

    def channel_name(self, channel: str) -> str | None:
        """A channel's name ("ext-acme"), or None when Slack will not say."""
        name = (self.channel_info(channel) or {}).get("name")
        return str(name) if name else None

    def open_dm(self, user_id: str) -> str:
        """The id of the bot's DM with a person (opened if new)."""
        return str(self.client.conversations_open(users=user_id)["channel"]["id"])

    def channel_link(self, channel: str) -> str:
        """The web address of a channel, for a bookmark back to it."""
        return f"{self.team_url}archives/{channel}"

    def message_link(self, channel: str, ts: str) -> str:
        """The web address of a top-level message, built as Slack builds its permalinks (no round trip)."""
        return f"{self.channel_link(channel)}/p{ts.replace('.', '')}"
