"""Bolt listeners: thin. Each group parses the request, calls the service and renders the answer."""

from __future__ import annotations

from slack_bolt import App

from bot.escalations import EscalationService
from handlers import card, commands, intake


def register_all(app: App, service: EscalationService) -> None:
    """Attach every listener group to `app`."""
    commands.register(app, service)
    intake.register(app, service)
    card.register(app, service)
