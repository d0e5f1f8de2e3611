"""The services handlers call, in one container."""

from __future__ import annotations

from dataclasses import dataclass

from bot.escalations import EscalationService
from bot.room_service import RoomService


@dataclass(frozen=True)
class Services:
    """Escalation lifecycle and in-room actions."""

    escalations: EscalationService
    rooms: RoomService
