"""Slack calls about people: who someone is (name, time zone) and who is in a user group."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError

from bot.slack.client import GatewayCore, Person, slack_error

log = logging.getLogger(__name__)


class PeopleCalls(GatewayCore):
    """The people calls of the gateway."""

    def person(self, user_id: str) -> Person:
        """A user's display name and time zone (cached); the id itself if Slack will not say."""
        return self.find_person(user_id) or Person(user_id, user_id)

    def find_person(self, user_id: str) -> Person | None:
        """A user's display name and time zone (cached); None when Slack has no such user or will not
        say."""
        with self._lock:
            cached = self._people.get(user_id)
        if cached is not None:
            return cached
        try:
            user = self.client.users_info(user=user_id)["user"]
        except SlackApiError as exc:
            log.info("users.info %s failed: %s", user_id, slack_error(exc))
            return None
        found = Person(
            user_id,
            user.get("real_name")
            or (user.get("profile") or {}).get("real_name")
            or user.get("name")
            or user_id,
            int(user.get("tz_offset") or 0),
            is_bot=bool(user.get("is_bot")) or user_id == "USLACKBOT",
            deleted=bool(user.get("deleted")),
            tz=user.get("tz") or None,
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
