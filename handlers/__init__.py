"""Bolt listeners: thin. Each group parses the request, calls the service and renders the answer."""

from __future__ import annotations

from slack_bolt import App

from bot.services import Services
from handlers import card, commands, drafts, intake, room


def register_all(app: App, services: Services) -> None:
    """Attach every listener group to `app`."""
    commands.register(app, services)
    intake.register(app, services.escalations)
    card.register(app, services.escalations)
    room.register(app, services)
    drafts.register(app, services.drafts)
