"""The services handlers call, in one container."""

from __future__ import annotations

from dataclasses import dataclass

from bot.background import Background
from bot.drafting.service import DraftService
from bot.escalations.service import EscalationService
from bot.followups.service import FollowUpService
from bot.reports.service import ReportService
from bot.rooms.service import RoomService
from bot.rooms.timeline import TimelineCapture
from bot.slack.gateway import SlackGateway


@dataclass(frozen=True)
class Services:
    """Escalation lifecycle, in-room changes, the timeline, drafting, follow-ups, closing the loop, the Slack
    gateway for replies, and the pool for slow listener work."""

    escalations: EscalationService
    rooms: RoomService
    timeline: TimelineCapture
    drafts: DraftService
    gateway: SlackGateway
    background: Background
    follow_ups: FollowUpService
    reports: ReportService
