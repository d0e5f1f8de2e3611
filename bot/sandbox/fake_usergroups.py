"""User groups (`@support-leads`) for FakeSlack: the workspace record and the read-only Web API methods.

Importing this module registers `usergroups.list` and `usergroups.users.list` in `fake_methods.METHODS`;
FakeSlack imports it where it reads METHODS. Shapes follow Slack's usergroup object and the method docs
(https://api.slack.com/methods/usergroups.list, https://api.slack.com/methods/usergroups.users.list).
"""

from __future__ import annotations

import copy
import time
from collections.abc import Iterable
from typing import Any

from bot.sandbox.fake_methods import Params, _flag, _method, _required
from bot.sandbox.fake_workspace import TEAM_ID, SlackError, Workspace


def new_usergroup(ws: Workspace, handle: str, users: Iterable[str], name: str = "") -> dict[str, Any]:
    """Register a user group in the workspace (caller holds the lock); returns the stored record.

    Raises ValueError for an unknown user or a taken handle: a typo in test set-up should fail loudly
    rather than produce a group Slack itself would have refused.
    """
    handle = handle.lstrip("@")
    members = list(dict.fromkeys(users))  # Slack keeps one entry per user; keep the caller's order
    unknown = [u for u in members if u not in ws.users]
    if not handle:
        raise ValueError("a user group needs a handle")
    if unknown:
        raise ValueError(f"unknown user ids: {', '.join(unknown)}")
    if any(g["handle"] == handle for g in ws.usergroups.values()):
        raise ValueError(f"handle already taken: @{handle}")
    now = int(time.time())
    group: dict[str, Any] = {
        "id": ws.next_id("S"),
        "team_id": TEAM_ID,
        "is_usergroup": True,
        "is_subteam": True,
        "name": name or handle,
        "description": "",
        "handle": handle,
        "is_external": False,
        "date_create": now,
        "date_update": now,
        "date_delete": 0,
        "auto_type": None,
        "created_by": "U0ANA",  # the workspace's default creator, as for seeded channels
        "updated_by": "U0ANA",
        "deleted_by": None,
        "prefs": {"channels": [], "groups": []},
        "users": members,
    }
    ws.usergroups[group["id"]] = group
    return group


def _to_api(group: dict[str, Any], *, include_users: bool) -> dict[str, Any]:
    """Slack's usergroup object: `users` only on request, `user_count` always (an int, as Slack now sends)."""
    out = {k: copy.deepcopy(v) for k, v in group.items() if k != "users"}
    out["user_count"] = len(group["users"])
    if include_users:
        out["users"] = list(group["users"])
    return out


@_method("usergroups.list")
def usergroups_list(ws: Workspace, p: Params) -> dict[str, Any]:
    """Every user group in the workspace (Slack does not paginate this method)."""
    include_users = _flag(p, "include_users")
    return {"usergroups": [_to_api(g, include_users=include_users) for g in ws.usergroups.values()]}


@_method("usergroups.users.list")
def usergroups_users_list(ws: Workspace, p: Params) -> dict[str, Any]:
    """Member ids of one user group."""
    group = ws.usergroups.get(_required(p, "usergroup"))
    if group is None:
        raise SlackError("no_such_subteam")
    return {"users": list(group["users"])}
