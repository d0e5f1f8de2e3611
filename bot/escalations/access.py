"""Who may see and act on an escalation: one pure rule over plain facts.

- Public escalations: anyone may see them; people in the room (the war room, or the channel of a
  SEV-3/4 card), the IC, the person who raised it and escalation managers may change them.
- Private escalations (security, compliance, or made private): only the room, the IC, the person who
  raised it and managers see or change them; for everyone else they do not exist.
- Downgrading, handing over command, closing without the customer's confirmation and reopening are for
  the IC, the person who raised it or a manager (were anyone in the room able to make themselves IC, the
  rest would mean nothing).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.escalations.read_model import EscalationSnapshot


class Permission(StrEnum):
    """What someone wants to do with an escalation."""

    VIEW = "view"
    CHANGE = "change"
    DOWNGRADE = "downgrade"
    HAND_OVER = "hand_over"
    CLOSE = "close"
    REOPEN = "reopen"


# Decisions that change what the escalation *is*, or who owns it: its owners or a manager decide.
OWNER_DECISIONS = (Permission.DOWNGRADE, Permission.HAND_OVER, Permission.CLOSE, Permission.REOPEN)


@dataclass(frozen=True)
class Viewer:
    """The person asking, with the facts the rule needs (looked up once per request)."""

    user_id: str
    is_manager: bool = False
    in_room: bool = False


@dataclass(frozen=True)
class Decision:
    """Allowed, or refused with a sentence saying who can; `hidden` when the escalation must not be
    acknowledged to exist at all."""

    allowed: bool
    reason: str = ""
    hidden: bool = False


ALLOWED = Decision(True)


def decide(viewer: Viewer, esc: EscalationSnapshot, permission: Permission) -> Decision:
    """May `viewer` do `permission` to `esc`?"""
    owner = viewer.user_id in (esc.ic_user_id, esc.caller_user_id)
    insider = owner or viewer.in_room or viewer.is_manager
    if esc.is_private and not insider:
        return Decision(False, not_found(esc.public_id), hidden=True)
    if permission is Permission.VIEW:
        return ALLOWED
    if permission in OWNER_DECISIONS:
        if owner or viewer.is_manager:
            return ALLOWED
        return Decision(False, _owners_only(esc, permission))
    if insider:
        return ALLOWED
    where = f"<#{esc.room_channel_id}>" if esc.room_channel_id else esc.room_mention
    return Decision(
        False,
        f"Only people in {where}, its incident commander <@{esc.ic_user_id}> or an escalation manager "
        f"can change *{esc.public_id}*. Join the room first.",
    )


def not_found(public_id: str | None) -> str:
    """What someone is told about an escalation that does not exist or that they may not see."""
    named = f"*{public_id}*" if public_id else "that escalation"
    return f"I can't find {named}. Check the id with `/escalate list`."


def _owners_only(esc: EscalationSnapshot, permission: Permission) -> str:
    verb = {
        Permission.DOWNGRADE: "downgrade",
        Permission.HAND_OVER: "hand over command of",
        Permission.CLOSE: "close",
        Permission.REOPEN: "reopen",
    }
    who = f"<@{esc.ic_user_id}> (incident commander)"
    if esc.caller_user_id != esc.ic_user_id:
        who += f", <@{esc.caller_user_id}> (who raised it)"
    return f"Only {who} or an escalation manager can {verb[permission]} *{esc.public_id}*."
