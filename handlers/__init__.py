"""Bolt listeners: thin. Each group acknowledges first, then parses, calls a service and renders."""

from __future__ import annotations

from slack_bolt import App

from bot.services import Services
from handlers import commands, drafting, escalations, follow_ups, home, reports, rooms, timeline


def register_all(app: App, services: Services) -> None:
    """Attach every listener group to `app`."""
    commands.register(app, services)
    escalations.register(app, services)
    rooms.register(app, services)
    drafting.register(app, services)
    timeline.register(app, services)
    home.register(app, services)
    follow_ups.register(app, services)
    reports.register(app, services)
