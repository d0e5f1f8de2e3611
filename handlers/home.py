"""The App Home tab: published when a person opens it or presses Refresh; its Start button opens the
intake modal, as `/escalate` does."""

from __future__ import annotations

import uuid

from slack_bolt import App

from blocks.escalations.intake_modal import IntakeSource
from blocks.home.home_tab import REFRESH_HOME, START_ESCALATION, build_home_tab
from bot.home.service import HomeDashboard
from bot.services import Services
from handlers.escalations import open_intake_modal
from handlers.replies import ack_only, by_dm, told_on_failure

HOME_TAB = "home"


def publish_home(services: Services, user_id: str) -> None:
    """Draw a person's Home tab from the record as it is now."""
    dashboard = HomeDashboard(services.escalations.changes).for_viewer(user_id)
    services.gateway.publish_home(user_id, build_home_tab(dashboard))


def register(app: App, services: Services) -> None:
    """Listen for the Home tab being opened and for its buttons."""
    gateway, slow = services.gateway, services.background.listener

    def publish_home_of(user_id: str) -> None:
        publish_home(services, user_id)

    def publish_on_home_opened(event: dict) -> None:
        if event.get("tab", HOME_TAB) == HOME_TAB and event.get("user"):  # not the Messages tab
            publish_home_of(event["user"])

    def refresh_home_tab(body: dict) -> None:
        publish_home_of(body["user"]["id"])

    def open_intake_from_home(body: dict) -> None:
        caller = body["user"]["id"]
        # The Home tab is no channel: a SEV-3/4 card goes to the escalations channel instead.
        source = IntakeSource(intake_key=uuid.uuid4().hex, channel_id=None)
        with told_on_failure(by_dm(gateway, caller)):  # a button that silently did nothing is worse
            open_intake_modal(services, body["trigger_id"], caller, "", source)

    # The modal races its 3 s trigger on Bolt's pool; reading the dashboard may wait on Slack and the
    # database, so it goes to the background pool.
    app.event("app_home_opened")(ack=ack_only, lazy=[slow(publish_on_home_opened)])
    app.action(REFRESH_HOME)(ack=ack_only, lazy=[slow(refresh_home_tab)])
    app.action(START_ESCALATION)(ack=ack_only, lazy=[open_intake_from_home])
