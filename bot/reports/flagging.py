"""Seed 001's red flags of one escalation as the record says now: what the card and the digest show."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.escalations.read_model import EscalationSnapshot, timeline_entries
from bot.followups.model import FollowUpView
from bot.policy.model import Policy
from bot.reports.red_flags import RedFlag, detect_red_flags
from storage import follow_ups as follow_up_store
from storage import patterns as pattern_store


def red_flags_now(
    session: Session, esc: EscalationSnapshot, policy: Policy, now: datetime
) -> tuple[RedFlag, ...]:
    """The red flags `esc` raises at `now`, read from its timeline, follow-ups and pattern membership."""
    follow_ups = [FollowUpView.of(row) for row in follow_up_store.of_escalation(session, esc.id)]
    in_pattern = esc.id in pattern_store.memberships(session, [esc.id])
    timeline = timeline_entries(session, esc.id)
    return detect_red_flags(esc, timeline, follow_ups, policy, now, in_pattern=in_pattern)
