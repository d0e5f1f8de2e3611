"""The recovery plan for an escalation (seed 001 workflow 4, pure): the impact level and why, the level's
recommended actions, the goodwill gestures to choose from, the recovery conversation and the increased
check-ins after it.

The level starts from the severity (the policy's recovery table) and moves up one for a strategic account
and one for a customer who suffered past the resolution target, when the policy says so; at most severe.
A person chooses what is offered: nothing here is sent to the customer.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.core.durations import humanize_duration
from bot.escalations.read_model import EscalationSnapshot
from bot.escalations.severity import account_reasons, is_strategic
from bot.policy.loop import RecoveryLevel
from bot.policy.model import Policy
from bot.reports.red_flags import span

LEVELS: tuple[RecoveryLevel, ...] = tuple(RecoveryLevel)


@dataclass(frozen=True)
class GestureChoice:
    """One of the policy's goodwill gestures, offered as a choice."""

    index: int  # its position in the policy's list: what the checkbox sends back
    text: str
    preselected: bool  # the level's recommended actions name it


@dataclass(frozen=True)
class RecoveryPlan:
    """What the recovery of one escalation could look like; a person picks and accepts."""

    level: RecoveryLevel
    reasons: tuple[str, ...]
    actions: tuple[str, ...]
    gestures: tuple[GestureChoice, ...]
    conversation: tuple[str, ...]
    check_ins: tuple[datetime, ...]  # due times of the increased check-ins, earliest first
    check_in_owner: str  # who is reminded of them: the CSM, else the liaison, else the IC
    suffered: timedelta  # how long the customer was affected: created to resolved (or now)

    @property
    def preselected(self) -> tuple[GestureChoice, ...]:
        """The gestures the level's actions imply."""
        return tuple(gesture for gesture in self.gestures if gesture.preselected)


def recovery_plan(esc: EscalationSnapshot, policy: Policy, now: datetime) -> RecoveryPlan:
    """The recovery plan for `esc` at `now` (check-ins are scheduled from `now`)."""
    recovery = policy.recovery
    start = recovery.by_severity[esc.severity]
    rank = start.rank
    reasons = [f"{esc.severity} starts at {start.value} impact (seed 001's recovery table)"]
    if is_strategic(esc.account, policy):
        why = ", ".join(account_reasons(esc.account, policy))
        if recovery.bump_for_strategic_account:
            rank += 1
            reasons.append(f"Strategic account ({why}): one level up")
        else:
            reasons.append(f"Strategic account ({why}); the policy does not move the level for it")
    suffered = time_suffered(esc, now)
    target = policy.for_severity(esc.severity).resolution_target
    if esc.resolution_breached or suffered > target:
        past = (
            f"Affected for {span(suffered)}, past the {humanize_duration(target)} resolution target"
            if suffered > target
            else "The resolution target was breached"
        )
        if recovery.bump_for_resolution_breach:
            rank += 1
            reasons.append(f"{past}: one level up")
        else:
            reasons.append(f"{past}; the policy does not move the level for it")
    if rank > len(LEVELS) - 1:
        rank = len(LEVELS) - 1
        reasons.append(f"{LEVELS[rank].value.capitalize()} is the most there is")
    level = LEVELS[rank]
    rules = recovery.levels[level]
    return RecoveryPlan(
        level=level,
        reasons=tuple(reasons),
        actions=rules.actions,
        gestures=tuple(
            GestureChoice(index, text, implied(text, rules.actions))
            for index, text in enumerate(recovery.gestures)
        ),
        conversation=recovery.conversation,
        check_ins=tuple(sorted(now + offset for offset in rules.check_ins)),
        check_in_owner=esc.csm_user_id or esc.liaison_user_id or esc.ic_user_id,
        suffered=suffered,
    )


def time_suffered(esc: EscalationSnapshot, now: datetime) -> timedelta:
    """How long the customer was affected: from the escalation to its resolution (or closing, or now)."""
    end = esc.resolved_at or esc.closed_at or now
    return max(end - esc.created_at, timedelta(0))


def implied(gesture: str, actions: Sequence[str]) -> bool:
    """True when one of `actions` names `gesture`: every word of the action is in it ("Service credit"
    names "Service credit (1-3 months)")."""
    words = _words(gesture)
    return any(_words(action) and _words(action) <= words for action in actions)


def _words(text: str) -> frozenset[str]:
    # Plurals folded, so "Service credits" names "Service credit (1-3 months)" too.
    return frozenset(
        word[:-1] if len(word) > 3 and word.endswith("s") else word
        for word in re.findall(r"[a-z0-9]+", text.lower())
    )
