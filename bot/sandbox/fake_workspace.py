"""FakeSlack's workspace state: the team and bot identity, the seeded users and channels, `Channel`,
`Workspace` (everything the Web API methods read and change) and `SlackError`, which its look-ups raise.

Nothing here knows about HTTP; `fake_slack.FakeSlack` owns a Workspace and guards it with its lock.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

TEAM_ID = "T0WARROOM"
TEAM_NAME = "Warroom Sandbox"
TEAM_URL = "https://warroom-sandbox.slack.com/"
BOT_USER_ID = "U0WARROOM"
BOT_ID = "B0WARROOM"
BOT_NAME = "warroom"

_HUMANS = (
    ("U0ANA", "ana", "Ana Lima", "Support Lead"),
    ("U0BEN", "ben", "Ben Ortiz", "Support Engineer"),
    ("U0CHLOE", "chloe", "Chloe Park", "Engineering Manager"),
    ("U0DAVE", "dave", "Dave Iyer", "Customer Success Manager"),
)
_CHANNELS = (
    ("C0GENERAL", "general", True),
    ("C0SUPPORT", "support", True),
    ("C0ESCALATIONS", "escalations", True),
    ("C0LEADERSHIP", "support-leadership", True),
    ("C0RANDOM", "random", False),
)


class SlackError(Exception):
    """A Slack API error: becomes `{"ok": false, "error": code, **extra}`."""

    def __init__(self, code: str, **extra: Any) -> None:
        super().__init__(code)
        self.code = code
        self.extra = extra

    def body(self) -> dict[str, Any]:
        """The JSON body Slack would send."""
        return {"ok": False, "error": self.code, **self.extra}


@dataclass
class Channel:
    """A conversation: public/private channel or a bot DM (`is_im`)."""

    id: str
    name: str
    created: int
    creator: str
    is_private: bool = False
    is_im: bool = False
    is_archived: bool = False
    is_ext_shared: bool = False  # a Slack Connect channel: people of another organisation are in it
    topic: dict[str, Any] = field(default_factory=dict)
    purpose: dict[str, Any] = field(default_factory=dict)
    members: set[str] = field(default_factory=set)
    messages: list[dict[str, Any]] = field(default_factory=list)  # posting order, replies included
    pins: list[str] = field(default_factory=list)
    bookmarks: list[dict[str, Any]] = field(default_factory=list)

    def to_api(self) -> dict[str, Any]:
        """The channel object Slack returns."""
        if self.is_im:
            user = next(iter(self.members - {BOT_USER_ID}), BOT_USER_ID)
            return {
                "id": self.id,
                "created": self.created,
                "is_im": True,
                "is_org_shared": False,
                "user": user,
                "is_archived": False,
            }
        return {
            "id": self.id,
            "name": self.name,
            "name_normalized": self.name,
            "is_channel": True,
            "is_group": False,
            "is_im": False,
            "is_mpim": False,
            "is_private": self.is_private,
            "created": self.created,
            "creator": self.creator,
            "is_archived": self.is_archived,
            "is_ext_shared": self.is_ext_shared,
            "is_shared": self.is_ext_shared,
            "is_general": self.id == "C0GENERAL",
            "is_member": BOT_USER_ID in self.members,
            "topic": dict(self.topic),
            "purpose": dict(self.purpose),
            "num_members": len(self.members),
            "previous_names": [],
        }

    def find(self, ts: object) -> dict[str, Any] | None:
        """The message with this ts, if any."""
        return next((m for m in self.messages if m["ts"] == ts), None)


class Workspace:
    """All mutable workspace state. Callers hold FakeSlack's lock."""

    def __init__(self) -> None:
        self.started = int(time.time())
        self._ts_micros = self.started * 1_000_000
        self._ids = 0
        self.users: dict[str, dict[str, Any]] = {}
        self.channels: dict[str, Channel] = {}
        self.views: dict[str, dict[str, Any]] = {}
        self.home_views: dict[str, str] = {}  # user id -> view id
        self.used_triggers: set[str] = set()
        self.edits: dict[tuple[str, str], int] = {}
        self.ephemerals: list[dict[str, Any]] = []
        self.response_uses: dict[str, int] = {}
        self.responses: list[tuple[str, dict[str, Any]]] = []
        self.usergroups: dict[str, dict[str, Any]] = {}  # id -> record; see fake_usergroups
        self.files: dict[str, dict[str, Any]] = {}  # id -> record with its bytes; see fake_files
        self.canvases: dict[str, dict[str, Any]] = {}  # channel id -> its canvas
        self.socket_url: str | None = None  # the fake Socket Mode endpoint's, once started
        self.socket_opens = 0  # apps.connections.open calls: a reconnect makes another
        self.canvases_enabled = True  # False: a workspace on a tier without channel canvases
        # Where uploads go: the server's /upload/ route once started; the in-memory seam catches this one.
        self.upload_base = "http://fake-slack.invalid/upload/"
        self.users[BOT_USER_ID] = user_record(BOT_USER_ID, BOT_NAME, "Warroom", "", is_bot=True)
        for user_id, name, real_name, title in _HUMANS:
            self.users[user_id] = user_record(user_id, name, real_name, title)
        humans = [h[0] for h in _HUMANS]
        for channel_id, name, bot_member in _CHANNELS:
            members = set(humans) | ({BOT_USER_ID} if bot_member else set())
            self.channels[channel_id] = self.make_channel(channel_id, name, "U0ANA", members=members)

    def next_ts(self) -> str:
        """A unique, strictly increasing message timestamp."""
        self._ts_micros += 100
        return f"{self._ts_micros // 1_000_000}.{self._ts_micros % 1_000_000:06d}"

    def next_id(self, prefix: str) -> str:
        """A fresh object id such as C00000001."""
        self._ids += 1
        return f"{prefix}{self._ids:08d}"

    def make_channel(
        self,
        channel_id: str,
        name: str,
        creator: str,
        *,
        is_private: bool = False,
        is_im: bool = False,
        members: Iterable[str] = (),
    ) -> Channel:
        """Build (but do not register) a channel."""
        empty = {"value": "", "creator": "", "last_set": 0}
        return Channel(
            id=channel_id,
            name=name,
            created=int(time.time()),
            creator=creator,
            is_private=is_private,
            is_im=is_im,
            topic=dict(empty),
            purpose=dict(empty),
            members=set(members),
        )

    def channel(self, channel_id: object) -> Channel:
        """The channel visible to the bot with this id, or SlackError channel_not_found."""
        ch = self.channels.get(channel_id) if isinstance(channel_id, str) else None
        if ch is None or (ch.is_private and BOT_USER_ID not in ch.members):
            raise SlackError("channel_not_found")
        return ch

    def by_name(self, name: str) -> Channel | None:
        """The non-DM channel with this name, archived or not."""
        return next((c for c in self.channels.values() if c.name == name and not c.is_im), None)

    def append(self, ch: Channel, msg: dict[str, Any], parent: dict[str, Any] | None) -> None:
        """Store a message, threading it under `parent` and keeping the parent's reply stats."""
        if parent is not None:
            msg["thread_ts"] = parent["thread_ts"] = parent["ts"]
            msg["parent_user_id"] = parent["user"]
            parent["reply_count"] = parent.get("reply_count", 0) + 1
            parent["reply_users"] = sorted({*parent.get("reply_users", []), msg["user"]})
            parent["reply_users_count"] = len(parent["reply_users"])
            parent["latest_reply"] = msg["ts"]
        ch.messages.append(msg)

    def find_dm(self, user_id: str) -> Channel | None:
        """The bot's DM with a user, if opened."""
        pair = {BOT_USER_ID, user_id}
        return next((c for c in self.channels.values() if c.is_im and c.members == pair), None)

    def dm_with(self, user_id: str) -> Channel:
        """The bot's DM with a user, opened on first use."""
        if (ch := self.find_dm(user_id)) is not None:
            return ch
        ch = self.make_channel(
            self.next_id("D"),
            user_id,
            BOT_USER_ID,
            is_im=True,
            is_private=True,
            members={BOT_USER_ID, user_id},
        )
        self.channels[ch.id] = ch
        return ch


def user_record(
    user_id: str, name: str, real_name: str, title: str, *, is_bot: bool = False, deleted: bool = False
) -> dict[str, Any]:
    """Slack's user object for a member of the sandbox team."""
    profile = {"real_name": real_name, "display_name": name, "title": title}
    return {
        "id": user_id,
        "team_id": TEAM_ID,
        "name": name,
        "real_name": real_name,
        "profile": profile,
        "is_bot": is_bot,
        "deleted": deleted,
        "tz": "UTC",
        "is_admin": False,
        "is_app_user": False,
    }
