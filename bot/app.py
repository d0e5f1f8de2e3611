"""Wiring: settings → database, Slack gateway, services → the Bolt app and its HTTP face."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime

from slack_bolt import App, BoltResponse
from slack_sdk import WebClient
from sqlalchemy.exc import SQLAlchemyError

from bot.accounts.service import AccountDirectory
from bot.background import Background
from bot.clocks.sweep import ClockService
from bot.drafting.claude import ClaudeDrafter
from bot.drafting.service import DraftService
from bot.escalations.changes import ChangePipeline
from bot.escalations.claude_triage import ClaudeTriage
from bot.escalations.service import EscalationService
from bot.escalations.triage import IntakeTriage
from bot.escalations.viewers import Viewers
from bot.followups.service import FollowUpService
from bot.patterns.service import PatternService
from bot.policy.model import Policy, load_policy
from bot.reports.digest import DigestService
from bot.reports.service import ReportService
from bot.rooms.service import RoomService
from bot.rooms.setup import WarRoomFlow
from bot.rooms.timeline import FOLLOWED_SUBTYPES, TimelineCapture
from bot.rooms.upkeep import RoomUpkeep
from bot.services import Services
from bot.settings import Settings
from bot.slack.gateway import SlackGateway, build_web_client
from handlers import register_all
from storage import claims
from storage.db import Database, utcnow

log = logging.getLogger(__name__)
# Lazy listeners open modals and answer commands: a few threads, so they do not fight over the GIL.
LISTENER_WORKERS = 4


@dataclass
class Warroom:
    """Everything a running warroom holds, built once at start-up."""

    settings: Settings
    policy: Policy
    db: Database
    gateway: SlackGateway
    flow: WarRoomFlow
    changes: ChangePipeline
    service: EscalationService
    rooms: RoomService
    clocks: ClockService
    drafts: DraftService
    background: Background
    follow_ups: FollowUpService
    reports: ReportService
    digest: DigestService
    patterns: PatternService | None = None

    @property
    def services(self) -> Services:
        """What the handlers call."""
        timeline = TimelineCapture(self.changes, self.service, self.gateway)
        return Services(
            self.service,
            self.rooms,
            timeline,
            self.drafts,
            self.gateway,
            self.background,
            self.follow_ups,
            self.reports,
        )

    def close(self, dispose_db: bool = True, drain_seconds: float | None = None) -> int:
        """Finish the work in flight (at most `drain_seconds`; None: all of it), release the pool threads
        and (unless the database is shared) its connections; how much work was left unfinished."""
        unfinished = self.background.close(drain_seconds)
        self.clocks.close()
        self.gateway.close()
        if dispose_db:
            self.db.dispose()
        return unfinished


def build_warroom(
    settings: Settings,
    policy: Policy | None = None,
    db: Database | None = None,
    clock: Callable[[], datetime] = utcnow,
    web_client: WebClient | None = None,
) -> Warroom:
    """The services for `settings`; the database must already be migrated. `web_client` replaces the
    Slack edge (the in-memory seam in tests)."""
    policy = policy or load_policy(settings.policy_path)
    db = db or Database(settings.database_url)
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    gateway = SlackGateway(web_client or build_web_client(token, settings.slack_api_url))
    flow = WarRoomFlow(db, gateway, policy, settings)
    viewers = Viewers(gateway, settings.managers_group)
    upkeep = RoomUpkeep(db, gateway, policy, flow, clock)
    changes = ChangePipeline(db=db, policy=policy, effects=upkeep, viewers=viewers, clock=clock)
    drafter = build_drafter(settings)
    claude_triage = ClaudeTriage(drafter.client, settings.draft_model) if drafter else None
    triage = IntakeTriage(policy, AccountDirectory(db), clock, claude_triage)
    patterns = PatternService(db, gateway, policy, settings.escalations_channel, clock)
    service = EscalationService(changes=changes, rooms=flow, triage=triage, patterns=patterns)
    rooms = RoomService(changes)
    clocks = ClockService(
        db=db, gateway=gateway, changes=changes, policy=policy, settings=settings, clock=clock
    )
    drafts = DraftService(gateway=gateway, escalations=service, settings=settings, drafter=drafter)
    background = Background(settings.background_workers)
    follow_ups = FollowUpService(changes)
    reports = ReportService(changes, follow_ups, gateway, service.timeline, narrator=drafter)
    digest = DigestService(db, gateway, policy, settings.escalations_channel, clock)
    return Warroom(
        settings,
        policy,
        db,
        gateway,
        flow,
        changes,
        service,
        rooms,
        clocks,
        drafts,
        background,
        follow_ups,
        reports,
        digest,
        patterns,
    )


def build_drafter(settings: Settings) -> ClaudeDrafter | None:
    """Claude when `ANTHROPIC_API_KEY` is set (at `ANTHROPIC_BASE_URL` if given); None means templates."""
    if settings.anthropic_api_key is None:
        return None
    import anthropic  # 50 MB of SDK, loaded only when Claude drafting is configured

    client = anthropic.Anthropic(
        api_key=settings.anthropic_api_key.get_secret_value(),
        base_url=settings.anthropic_base_url,
        timeout=settings.draft_timeout_seconds,
        max_retries=2,
    )
    return ClaudeDrafter(client=client, model=settings.draft_model)


def build_bolt_app(warroom: Warroom) -> App:
    """The Bolt app with every listener registered."""
    settings = warroom.settings
    app = App(
        signing_secret=(
            settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else None
        ),
        client=warroom.gateway.client,
        # Acknowledge in the request thread, before any work; every listener's work is a lazy listener
        # run on this pool, so an acknowledgement never queues behind another request's work.
        process_before_response=True,
        listener_executor=ThreadPoolExecutor(max_workers=LISTENER_WORKERS, thread_name_prefix="listener"),
    )
    app.middleware(once_per_event(warroom.db))
    register_all(app, warroom.services)

    @app.error
    def handle_listener_error(error: Exception, body: dict) -> None:
        log.error("listener failed on %s: %s", body.get("type", "request"), error, exc_info=error)

    return app


def once_per_event(db: Database) -> Callable[..., BoltResponse | None]:
    """Bolt middleware: an Events API delivery whose `event_id` was already taken in (Slack retries when an
    answer is late; another replica may have it) is acknowledged and dropped."""

    def drop_repeated_events(body: dict, next: Callable[[], None]) -> BoltResponse | None:
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        event = body.get("event") or {}
        if event.get("type") == "message" and event.get("subtype") not in FOLLOWED_SUBTYPES:
            # Every message in every room arrives (message.channels): only edits and deletions matter, so
            # the rest is acknowledged here, without a database write.
            return BoltResponse(status=200, body="")
        if event_id:
            try:
                with db.session() as session:
                    first = claims.first_delivery(session, str(event_id), utcnow())
            except SQLAlchemyError as exc:  # answering twice beats dropping a person's request
                log.warning("cannot record event %s: %s", event_id, type(exc).__name__)
                first = True
            if not first:
                log.info("event %s already taken in; dropped", event_id)
                return BoltResponse(status=200, body="")
        next()
        return None

    return drop_repeated_events
