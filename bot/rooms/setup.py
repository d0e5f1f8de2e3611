"""The war-room flow: every Slack side effect of opening an escalation, recorded and resumable.

Each step is written down as started (with what it intends, e.g. the channel name) before Slack is
called, and as done (with what Slack returned) after. A Slack retry, a double click or a crash
mid-way therefore resumes where it stopped and never makes a second room, card or pin. A lease on
the escalation keeps two workers from building the same room at the same time.
"""

from __future__ import annotations

import logging
import os
import re
import socket
import uuid
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session

from blocks.escalations.messages import (
    build_announcement,
    build_created_confirmation,
    build_thread_kickoff,
    build_topic,
)
from blocks.escalations.triage_card import (
    build_triage_card,
    card_fallback_text,
    severity_badge,
)
from bot.escalations.naming import war_room_name, with_suffix
from bot.escalations.read_model import EscalationSnapshot
from bot.policy.model import Policy
from bot.reports.red_flags import detect_red_flags
from bot.rooms.lease import LEASE, LeaseKeeper
from bot.rooms.steps import Action, Apply, StepFailed, StepLog
from bot.settings import Settings
from bot.slack.gateway import SlackGateway, error_code, slack_error
from storage import claims
from storage import repository as repo
from storage.db import Database, utcnow

log = logging.getLogger(__name__)

RETRY_FIRST = timedelta(seconds=30)
RETRY_MAX = timedelta(hours=1)
MAX_NAME_ATTEMPTS = 20
# The steps of a channel room, run again when a reopened escalation needs a new room.
CHANNEL_ROOM_STEPS = (
    "channel",
    "invite",
    "topic",
    "room_card",
    "bookmark",
    "earlier_room",
    "announce",
    "pin",
    "notify",
    "link_back",
)
SLACK_CODE = re.compile(r"[a-z_]{2,60}")


class WarRoomFlow:
    """Builds the room (SEV-1/2, private types) or the card thread (SEV-3/4) for an escalation."""

    def __init__(self, db: Database, gateway: SlackGateway, policy: Policy, settings: Settings) -> None:
        self.db = db
        self.gateway = gateway
        self.policy = policy
        self.settings = settings
        self.worker_id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.steps = StepLog(db)

    # --- entry points ---------------------------------------------------------------------------

    def new_lease(self, now: datetime) -> tuple[str, datetime]:
        """A set-up lease to take: who holds it and until when. One per call, not per process: two request
        threads of one process must not share it."""
        return f"{self.worker_id}:{uuid.uuid4().hex[:8]}", now + LEASE

    def provision(
        self,
        escalation_id: int,
        now: datetime | None = None,
        *,
        claimed: tuple[str, EscalationSnapshot] | None = None,
    ) -> EscalationSnapshot | None:
        """Finish the escalation's Slack set-up; None if another worker holds it or a retry is not due.
        `claimed`: the lease was taken when the escalation was created (its owner, and the escalation)."""
        now = now or utcnow()
        if claimed is not None:
            owner, esc = claimed
        else:
            owner, _ = self.new_lease(now)
            with self.db.session() as session:
                if not claims.claim_provisioning(session, escalation_id, owner, LEASE, now):
                    return None
                esc = self._view(session, escalation_id)
        finished, retry_at = False, None
        keeper = LeaseKeeper(self.db, escalation_id, owner)
        try:
            if esc.archived_at and esc.room_channel_id:
                esc = self._instead_of_the_archived_room(esc)
            if esc.source_message_ts and not esc.source_permalink:
                found = self.steps.run(
                    esc.id, "permalink", lambda _: self._permalink(esc), self._permalink_of
                )
                esc = replace(esc, **self._permalink_of(found))
            if esc.room_kind == "channel":
                self._channel_room(esc)
            else:
                self._thread_room(esc)
            finished = True
        except StepFailed as failure:
            log.warning("set-up of escalation %s stopped at %s", escalation_id, failure)
            attempts = self.steps.attempts(escalation_id, failure.step)
            # A step that keeps failing (a missing scope, an archived channel) is retried less and less often.
            retry_at = now + min(RETRY_FIRST * 2 ** max(attempts - 1, 0), RETRY_MAX)
            if attempts <= 1:  # tell once, not on every retry
                self._tell_caller_about_failure(self._load(escalation_id), failure)
        finally:
            keeper.stop()
            with self.db.session() as session:
                claims.release_provisioning(session, escalation_id, owner, finished, retry_at)
                esc = self._view(session, escalation_id)
        return esc

    def resume_unfinished(self, now: datetime) -> int:
        """Provision every escalation whose set-up was interrupted; how many were picked up."""
        with self.db.session() as session:
            pending = claims.needing_provisioning(session, now)
        for escalation_id in pending:
            self.provision(escalation_id, now)
        return len(pending)

    def _instead_of_the_archived_room(self, esc: EscalationSnapshot) -> EscalationSnapshot:
        """A reopened escalation whose room was archived: Slack does not let apps unarchive a channel, so
        it gets a new one. The channel-room steps run again; the archived room is remembered (and
        bookmarked in the new one). Done under the set-up lease, so it happens once."""
        old = {"room_channel_name": None, "card_channel_id": None, "card_ts": None, "archived_at": None}
        with self.db.session() as session:
            claims.forget_steps(session, esc.id, CHANNEL_ROOM_STEPS)
            claims.set_columns(
                session,
                esc.id,
                {**old, "room_channel_id": None, "previous_room_channel_id": esc.room_channel_id},
            )
            return self._view(session, esc.id)

    # --- the two shapes of room -----------------------------------------------------------------

    def _channel_room(self, esc: EscalationSnapshot) -> None:
        created = self.steps.run(
            esc.id,
            "channel",
            lambda prior: self._create_channel(esc, prior),
            self._room_of,
            intent=lambda prior: self._channel_intent(esc, int(prior.get("attempt", 1))),
        )
        esc = replace(esc, **self._room_of(created))
        channel = esc.room_channel_id
        together: dict[str, tuple[Action, Apply | None]] = {
            "invite": (lambda _: self._invite(esc), None),
            "topic": (lambda _: self._topic(esc), None),
            # "room_card", not "card": an escalation moved up from a thread keeps its thread card too.
            "room_card": (
                lambda prior: self._post_card(esc, channel, resumed=prior["run"] > 1),
                self._card_of,
            ),
        }
        raised_at = self._where_raised(esc)
        if raised_at:
            together["bookmark"] = (
                lambda prior: self._bookmark(esc, "Where it was raised", raised_at, prior["run"] > 1),
                None,
            )
        if esc.previous_room_channel_id:
            earlier = self.gateway.channel_link(esc.previous_room_channel_id)
            together["earlier_room"] = (
                lambda prior: self._bookmark(esc, "Earlier war room (archived)", earlier, prior["run"] > 1),
                None,
            )
        if self.settings.escalations_channel:
            together["announce"] = (lambda prior: self._announce(esc, prior["run"] > 1), None)
        done = self.steps.run_together(esc.id, together, self.gateway.in_parallel)
        if isinstance(done.get("room_card"), dict):
            esc = replace(esc, **self._card_of(done["room_card"]))
        elif "room_card" not in done:  # posted on an earlier run: the record has it
            esc = self._load(esc.id)
        after: dict[str, tuple[Action, Apply | None]] = {
            "pin": (lambda _: self._pin(esc), None),
            "notify": (lambda _: self._notify_caller(esc), None),
        }
        if esc.source_message_ts:
            after["link_back"] = (lambda prior: self._link_back(esc, prior["run"] > 1), None)
        self.steps.run_together(esc.id, after, self.gateway.in_parallel)

    def _thread_room(self, esc: EscalationSnapshot) -> None:
        posted = self.steps.run(
            esc.id,
            "card",
            lambda prior: self._post_card_where_raised(esc, resumed=prior["run"] > 1),
            self._card_of,
        )
        esc = replace(esc, **self._card_of(posted))
        self.steps.run(esc.id, "kickoff", lambda prior: self._kickoff(esc, prior["run"] > 1))
        if esc.card_channel_id != esc.source_channel_id:
            self.steps.run(esc.id, "notify", lambda _: self._notify_caller(esc))

    # --- steps ----------------------------------------------------------------------------------

    def _room_name(self, esc: EscalationSnapshot) -> str:
        return war_room_name(
            esc.public_id,
            esc.customer,
            esc.title,
            prefix=self.policy.channel.prefix,
            max_length=self.policy.channel.max_length,
        )

    def _channel_intent(self, esc: EscalationSnapshot, attempt: int) -> dict[str, Any]:
        return {"name": with_suffix(self._room_name(esc), attempt), "attempt": attempt, "tried": True}

    def _create_channel(self, esc: EscalationSnapshot, prior: dict[str, Any]) -> dict[str, Any]:
        base = self._room_name(esc)
        interrupted = prior.get("name") if prior.get("tried") else None
        first = int(prior.get("attempt", 1))
        for attempt in range(first, MAX_NAME_ATTEMPTS + 1):
            name = with_suffix(base, attempt)
            if attempt != first:  # the first name was recorded when the step started
                with self.db.session() as session:
                    claims.start_step(session, esc.id, "channel", self._channel_intent(esc, attempt))
            try:
                channel_id, created_name = self.gateway.create_channel(name, is_private=esc.is_private)
                return {"channel_id": channel_id, "name": created_name}
            except SlackApiError as exc:
                if error_code(exc) != "name_taken":
                    raise
                # Only after a crash between conversations.create and recording its answer: the channel
                # is ours if the bot created it.
                if name == interrupted and (own := self.gateway.own_channel_named(name)):
                    return {"channel_id": own, "name": name, "adopted": True}
        raise StepFailed(
            "channel", f"every name from {base} to {with_suffix(base, MAX_NAME_ATTEMPTS)} is taken"
        )

    def _permalink(self, esc: EscalationSnapshot) -> dict[str, Any]:
        link = self.gateway.permalink(esc.source_channel_id or "", esc.source_message_ts or "")
        return {"permalink": link}

    def _invite(self, esc: EscalationSnapshot) -> dict[str, Any]:
        users = list(esc.people)
        self.gateway.invite(esc.room_channel_id or "", users)
        return {"users": [u for u in users if u != self.gateway.bot_user_id]}

    def _topic(self, esc: EscalationSnapshot) -> dict[str, Any]:
        topic = build_topic(esc)
        self.gateway.set_topic(esc.room_channel_id or "", topic)
        return {"topic": topic}

    def _post_card(
        self,
        esc: EscalationSnapshot,
        channel: str | None,
        thread_ts: str | None = None,
        resumed: bool = False,
    ) -> dict[str, Any]:
        if resumed and channel and (found := self._already_posted(esc, channel, thread_ts, "card_title")):
            return found
        # As it stood when it was raised: filed below what the rules read is the one flag it can carry yet.
        flags = detect_red_flags(esc, (), (), self.policy, esc.created_at)
        posted = self.gateway.post_message(
            channel or "", card_fallback_text(esc), blocks=build_triage_card(esc, flags), thread_ts=thread_ts
        )
        return {"channel_id": posted.channel, "ts": posted.ts}

    def _already_posted(
        self, esc: EscalationSnapshot, channel: str, thread_ts: str | None, block_id: str | None = None
    ) -> dict[str, Any] | None:
        """The bot's message about `esc`, if a step that started but was never recorded as done posted it
        before a crash: found and adopted, not posted twice."""
        ts = self.gateway.find_own_message(channel, esc.public_id, thread_ts=thread_ts, block_id=block_id)
        return {"channel_id": channel, "ts": ts, "adopted": True} if ts else None

    def _post_card_where_raised(self, esc: EscalationSnapshot, resumed: bool) -> dict[str, Any]:
        source = esc.source_channel_id
        if source and self._shared_with_customers(source):
            source = None  # the card shows ARR, flags and internal drafts: never in a channel customers read
        if source and source[0] == "D" and self.settings.escalations_channel:
            source = None  # typed in a DM with warroom: a card only the caller sees would be worked by nobody
        candidates = [source, self.settings.escalations_channel, esc.caller_user_id]
        last_error: Exception | None = None
        for channel in [c for c in candidates if c]:
            try:
                return self._post_card(esc, channel, resumed=resumed)
            except SlackApiError as exc:
                last_error = exc
                if error_code(exc) == "not_in_channel" and self.gateway.join(channel):
                    try:
                        return self._post_card(esc, channel)
                    except SlackApiError as retry_exc:
                        last_error = retry_exc
        raise StepFailed("card", slack_error(last_error) if last_error else "nowhere to post the card")

    def _shared_with_customers(self, channel: str) -> bool:
        """A customer's Slack Connect channel (the account directory's, or any Slack says is shared)."""
        if not channel or channel[0] not in "CG":
            return False  # a DM is the caller's own
        with self.db.reading() as session:
            if repo.is_customer_channel(session, channel):
                return True
        return self.gateway.shared_outside(channel)

    def _pin(self, esc: EscalationSnapshot) -> dict[str, Any]:
        self.gateway.pin(esc.card_channel_id or "", esc.card_ts or "")
        return {}

    def _where_raised(self, esc: EscalationSnapshot) -> str | None:
        """The message it was raised from; else the card's thread it was worked in before it moved up;
        else the channel `/escalate` was typed in (not a DM: nobody else can open that)."""
        if esc.source_permalink:
            return esc.source_permalink
        with self.db.reading() as session:  # no write lock: the set-up of other rooms goes on meanwhile
            thread_card = claims.steps_of(session, esc.id).get("card")
            card = dict(thread_card.result) if thread_card is not None else {}
        if card.get("ts") and (link := self.gateway.permalink(card["channel_id"], card["ts"])):
            return link
        source = esc.source_channel_id
        return self.gateway.channel_link(source) if source and source[0] in "CG" else None

    def _bookmark(self, esc: EscalationSnapshot, title: str, link: str, resumed: bool) -> dict[str, Any]:
        if resumed and (found := self.gateway.find_bookmark(esc.room_channel_id or "", link)):
            return {"bookmark_id": found, "adopted": True}
        return {"bookmark_id": self.gateway.add_bookmark(esc.room_channel_id or "", title, link)}

    def _announce(self, esc: EscalationSnapshot, resumed: bool) -> dict[str, Any]:
        channel = self.settings.escalations_channel or ""
        if resumed and (found := self._already_posted(esc, channel, None, "announcement")):
            return found
        text, blocks = build_announcement(esc)
        posted = self.gateway.post_message(channel, text, blocks=blocks)
        return {"channel_id": posted.channel, "ts": posted.ts, "said": blocks[0]["text"]["text"]}

    def _kickoff(self, esc: EscalationSnapshot, resumed: bool) -> dict[str, Any]:
        channel, thread = esc.card_channel_id or "", esc.card_ts
        if resumed and (found := self._already_posted(esc, channel, thread)):
            return found
        return {"ts": self.gateway.post_message(channel, build_thread_kickoff(esc), thread_ts=thread).ts}

    def _link_back(self, esc: EscalationSnapshot, resumed: bool) -> dict[str, Any]:
        channel, thread = esc.source_channel_id or "", esc.source_message_ts
        if self._shared_with_customers(channel):
            return {"skipped": "a customer's channel"}  # the room's name and severity stay inside
        where = "its private war room" if esc.is_private else f"<#{esc.room_channel_id}>"
        text = f"{severity_badge(esc.severity)} Escalated as *{esc.public_id}* → {where}"
        try:
            if resumed and (found := self._already_posted(esc, channel, thread)):
                return found
            return {"ts": self.gateway.post_message(channel, text, thread_ts=thread).ts}
        except SlackApiError as exc:  # a courtesy, not worth failing the set-up for
            return {"skipped": slack_error(exc)}

    def _notify_caller(self, esc: EscalationSnapshot) -> dict[str, Any]:
        text = build_created_confirmation(esc)
        if esc.source_channel_id and not esc.source_channel_id.startswith("D"):
            try:
                self.gateway.post_ephemeral(esc.source_channel_id, esc.caller_user_id, text)
                return {"via": "ephemeral"}
            except SlackApiError as exc:
                log.info("ephemeral to caller failed (%s); sending a DM", slack_error(exc))
        self.gateway.post_message(esc.caller_user_id, text)
        return {"via": "dm"}

    def _tell_caller_about_failure(self, esc: EscalationSnapshot, failure: StepFailed) -> None:
        # Slack's own error codes help an admin (`missing_scope`); anything else stays in the logs.
        said = (
            f"Slack said `{failure.error}`" if SLACK_CODE.fullmatch(failure.error) else "a temporary problem"
        )
        text = (
            f"⚠️ *{esc.public_id}* is saved, but setting up its room stopped at *{failure.step}* ({said}). "
            "warroom will retry by itself; nothing you entered is lost."
        )
        try:
            self.gateway.post_message(esc.caller_user_id, text)
        except SlackApiError as exc:
            log.warning("could not tell the caller about the failure: %s", slack_error(exc))

    # --- bookkeeping ----------------------------------------------------------------------------

    @staticmethod
    def _room_of(result: dict[str, Any]) -> dict[str, Any]:
        return {"room_channel_id": result["channel_id"], "room_channel_name": result["name"]}

    @staticmethod
    def _permalink_of(result: dict[str, Any]) -> dict[str, Any]:
        return {"source_permalink": result["permalink"]}

    @staticmethod
    def _card_of(result: dict[str, Any]) -> dict[str, Any]:
        return {"card_channel_id": result["channel_id"], "card_ts": result["ts"]}

    def _view(self, session: Session, escalation_id: int) -> EscalationSnapshot:
        row = repo.get_escalation(session, escalation_id)
        assert row is not None, f"escalation {escalation_id} vanished"
        return EscalationSnapshot.of(row, self.policy)

    def _load(self, escalation_id: int) -> EscalationSnapshot:
        with self.db.session() as session:
            return self._view(session, escalation_id)
