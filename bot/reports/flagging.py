"""Seed 001's red flags of escalations as the record says now: what the card and the digest show."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.escalations.read_model import EscalationSnapshot, timeline_entries_each
from bot.followups.model import FollowUpView
from bot.policy.model import Policy
from bot.reports.red_flags import RedFlag, detect_red_flags
from storage import follow_ups as follow_up_store
from storage import patterns as pattern_store


def red_flags_now(
    session: Session, esc: EscalationSnapshot, policy: Policy, now: datetime
) -> tuple[RedFlag, ...]:
    """The red flags `esc` raises at `now`, read from its timeline, follow-ups and pattern membership."""
    return red_flags_each(session, [esc], policy, now)[esc.id]


def red_flags_each(
    session: Session, escs: list[EscalationSnapshot], policy: Policy, now: datetime
) -> dict[int, tuple[RedFlag, ...]]:
    """`red_flags_now` of several escalations, by id, in three queries whatever their number."""
    ids = [esc.id for esc in escs]
    follow_ups = follow_up_store.of_escalations(session, ids)
    in_pattern = pattern_store.memberships(session, ids)
    timelines = timeline_entries_each(session, ids)
    return {
        esc.id: detect_red_flags(
            esc,
            timelines.get(esc.id, []),
            [FollowUpView.of(row) for row in follow_ups.get(esc.id, [])],
            policy,
            now,
            in_pattern=esc.id in in_pattern,
        )
        for esc in escs
    }
