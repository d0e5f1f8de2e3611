"""The facts the access rule needs about a person: are they in the room, are they a manager.

Both come from Slack (room members, the `WARROOM_MANAGERS_GROUP` user group), cached briefly by the
gateway, and are looked up only when the rule could depend on them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from slack_sdk.errors import SlackApiError

from bot.escalations.access import Viewer
from bot.escalations.read_model import EscalationSnapshot
from bot.slack.gateway import SlackGateway, slack_error

log = logging.getLogger(__name__)


@dataclass
class Viewers:
    """Builds `Viewer`s from Slack."""

    gateway: SlackGateway
    managers_group: str | None = None

    def is_manager(self, user_id: str) -> bool:
        """True if `user_id` is in the escalation managers' user group."""
        if not self.managers_group:
            return False
        try:
            return user_id in self.gateway.usergroup_members(self.managers_group)
        except SlackApiError as exc:  # a missing scope must not let anyone in, nor lock the owners out
            log.warning("cannot read the managers group %s: %s", self.managers_group, slack_error(exc))
            return False

    def of(self, user_id: str, esc: EscalationSnapshot, from_channel: str | None = None) -> Viewer:
        """The person as the rule sees them for `esc`, asking from `from_channel`."""
        room = esc.room_channel_id or esc.card_channel_id
        owner = user_id in (esc.ic_user_id, esc.caller_user_id)
        # A request from inside a public room is as good as membership (anyone may join it). For a private
        # one Slack is asked, rather than trusting the channel a payload names.
        in_room = not esc.is_private and from_channel in (esc.room_channel_id, esc.card_channel_id)
        if not in_room and not owner and room:
            in_room = self._in_channel(user_id, room)
        return Viewer(user_id=user_id, is_manager=self.is_manager(user_id), in_room=in_room)

    def _in_channel(self, user_id: str, channel: str) -> bool:
        try:
            return user_id in self.gateway.members(channel)
        except SlackApiError as exc:
            log.info("cannot read the members of %s: %s", channel, slack_error(exc))
            return False
