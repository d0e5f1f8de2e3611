"""The only code that calls the Slack Web API: one typed method per call the product makes.

`SlackGateway` wraps a `slack_sdk.WebClient` whose base URL comes from `SLACK_API_URL` (slack.com,
GovSlack, or the sandbox) and whose retry handlers ride out 429s (honouring `Retry-After`), 5xx answers
and dropped connections. Tests swap the edge, never this module: the loopback fake Slack over HTTP, or
the in-memory seam (`bot.sandbox.in_memory.InMemoryWebClient`) in-process.
"""

from __future__ import annotations

import copy
import logging
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from cachetools import TTLCache
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from blocks.limits import MESSAGE_TEXT
from blocks.text import truncate

log = logging.getLogger(__name__)
T = TypeVar("T")

REQUEST_TIMEOUT_S = 15
# Who is in a room or a user group changes rarely within a minute; asking Slack on every click would not.
MEMBERSHIP_TTL_S = 30
PAGE_LIMIT = 200
MAX_PAGES = 50


def build_web_client(token: str | None, base_url: str, *, max_retries: int = 3) -> WebClient:
    """A WebClient for `base_url` that retries rate limits, server errors and connection errors."""
    return WebClient(
        token=token,
        base_url=base_url,
        timeout=REQUEST_TIMEOUT_S,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=max_retries),
            RateLimitErrorRetryHandler(max_retry_count=max_retries),
            ServerErrorRetryHandler(max_retry_count=max_retries),
        ],
    )


def slack_error(exc: BaseException) -> str:
    """Slack's error code for a failed call (`name_taken`, `not_in_channel`...), else the exception text."""
    if isinstance(exc, SlackApiError):
        return str(exc.response.get("error") or exc.response.status_code)
    return f"{type(exc).__name__}: {exc}"


def error_code(exc: BaseException) -> str | None:
    """Slack's error code, or None when the failure was not an answer from Slack."""
    return str(exc.response.get("error")) if isinstance(exc, SlackApiError) else None


@dataclass(frozen=True)
class Posted:
    """Where a message landed."""

    channel: str
    ts: str


@dataclass(frozen=True)
class Person:
    """What warroom needs to know about a Slack user."""

    user_id: str
    name: str
    tz_offset_seconds: int = 0


class SlackGateway:
    """Typed Web API calls, plus a small pool for calls that do not depend on each other."""

    def __init__(self, client: WebClient, *, workers: int = 8) -> None:
        self.client = client
        # Calls that create something (a channel, a message, a bookmark) are never repeated blindly after a
        # dropped connection: Slack may have acted. They fail instead, and the step log looks before it
        # tries again. Rate limits and server errors (Slack did not act) are still retried.
        self._acting = copy.copy(client)
        self._acting.retry_handlers = [
            h for h in client.retry_handlers if not isinstance(h, ConnectionErrorRetryHandler)
        ]
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="slack")
        self._bot_user_id: str | None = None
        self._lock = threading.Lock()
        self._members: TTLCache[str, frozenset[str]] = TTLCache(maxsize=2048, ttl=MEMBERSHIP_TTL_S)
        self._people: TTLCache[str, Person] = TTLCache(maxsize=4096, ttl=3600)

    # --- the app itself -----------------------------------------------------------------------------

    @property
    def bot_user_id(self) -> str:
        """The bot's own user id (asked once, then remembered)."""
        if self._bot_user_id is None:
            self._bot_user_id = str(self.client.auth_test()["user_id"])
        return self._bot_user_id

    def in_parallel(self, calls: dict[str, Callable[[], T]]) -> dict[str, T | Exception]:
        """Run independent calls at once; each name maps to its result or the exception it raised."""
        futures = {name: self._pool.submit(call) for name, call in calls.items()}
        results: dict[str, T | Exception] = {}
        for name, future in futures.items():
            try:
                results[name] = future.result()
            except Exception as exc:  # one failed step must not hide the others' results
                log.warning("slack step %s failed: %s", name, slack_error(exc))
                results[name] = exc
        return results

    def close(self) -> None:
        """Stop the worker pool."""
        self._pool.shutdown(wait=False, cancel_futures=True)

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

    def find_own_message(
        self, channel: str, containing: str, *, thread_ts: str | None = None, block_id: str | None = None
    ) -> str | None:
        """The ts of the bot's latest message in `channel` (or the thread) that says `containing` (in the
        block `block_id`, if given); None if there is none or Slack will not say."""
        try:
            recent = (
                self.thread(channel, thread_ts, limit=100) if thread_ts else self.history(channel, limit=100)
            )
        except SlackApiError as exc:
            log.info("cannot look for an earlier post in %s: %s", channel, slack_error(exc))
            return None
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

    # --- channels -----------------------------------------------------------------------------------

    def create_channel(self, name: str, *, is_private: bool) -> tuple[str, str]:
        """Create a channel; (id, name) as Slack made it."""
        created = self._acting.conversations_create(name=name, is_private=is_private)
        return str(created["channel"]["id"]), str(created["channel"]["name"])

    def own_channel_named(self, name: str) -> str | None:
        """The id of the channel called `name` if the bot created it, else None."""
        for channel in self._pages(
            lambda cursor: self.client.conversations_list(
                types="public_channel,private_channel",
                limit=PAGE_LIMIT,
                cursor=cursor,
                exclude_archived=False,
            ),
            "channels",
        ):
            if channel["name"] == name and channel.get("creator") == self.bot_user_id:
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

    # --- people -------------------------------------------------------------------------------------

    def person(self, user_id: str) -> Person:
        """A user's display name and time zone (cached); the id itself if Slack will not say."""
        with self._lock:
            cached = self._people.get(user_id)
        if cached is not None:
            return cached
        try:
            user = self.client.users_info(user=user_id)["user"]
        except SlackApiError as exc:
            log.info("users.info %s failed: %s", user_id, slack_error(exc))
            return Person(user_id, user_id)
        found = Person(
            user_id,
            user.get("real_name")
            or (user.get("profile") or {}).get("real_name")
            or user.get("name")
            or user_id,
            int(user.get("tz_offset") or 0),
        )
        with self._lock:
            self._people[user_id] = found
        return found

    def usergroup_members(self, group: str) -> frozenset[str]:
        """The members of a user group given by id (`S0…`) or handle (`@support-leads`), cached briefly."""
        key = f"usergroup:{group}"
        with self._lock:
            cached = self._members.get(key)
        if cached is not None:
            return cached
        group_id = group if group[:1] == "S" and group[1:].isalnum() else self._usergroup_id(group)
        users = (
            frozenset(self.client.usergroups_users_list(usergroup=group_id).get("users") or ())
            if group_id
            else frozenset()
        )
        with self._lock:
            self._members[key] = users
        return users

    def _usergroup_id(self, handle: str) -> str | None:
        wanted = handle.lstrip("@").lower()
        for usergroup in self.client.usergroups_list().get("usergroups") or []:
            if str(usergroup.get("handle", "")).lower() == wanted:
                return str(usergroup["id"])
        log.warning("no user group with the handle %s", wanted)
        return None

    # --- views --------------------------------------------------------------------------------------

    def open_view(self, trigger_id: str, view: dict[str, Any]) -> dict[str, Any]:
        """Open a modal for the person whose click or command gave `trigger_id`; the opened view (its id
        and hash) comes back."""
        return dict(self.client.views_open(trigger_id=trigger_id, view=view).get("view") or {})

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

    # --- helpers ------------------------------------------------------------------------------------

    @staticmethod
    def ok_if(error_codes: tuple[str, ...], call: Callable[[], Any]) -> bool:
        """Run a call where some Slack errors mean "already so"; True if it was already so."""
        try:
            call()
            return False
        except SlackApiError as exc:
            if exc.response.get("error") in error_codes:
                return True
            raise

    @staticmethod
    def _pages(fetch: Callable[[str | None], Any], key: str) -> Iterable[Any]:
        cursor: str | None = None
        for _ in range(MAX_PAGES):
            page = fetch(cursor)
            yield from page.get(key) or []
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return
