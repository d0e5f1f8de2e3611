"""After a change is committed: keep what Slack shows in line with the record.

The card (edited, never re-posted), the old thread card of an escalation that moved up, the room topic
and the announcement in the escalations channel follow every change; people given a role are invited;
a reopened escalation whose room was archived gets a new one (`provision`). Each is a `RoomEffects` call
of the change pipeline.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from contextlib import ExitStack
from datetime import datetime
from typing import Any

from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session

from blocks.escalations.messages import build_announcement, build_topic
from blocks.escalations.triage_card import build_moved_card, build_triage_card, card_fallback_text
from bot.escalations.read_model import EscalationSnapshot
from bot.policy.model import Policy
from bot.reports.flagging import red_flags_each
from bot.reports.red_flags import RedFlag
from bot.rooms.setup import WarRoomFlow
from bot.slack.gateway import SlackGateway, error_code, slack_error
from storage import claims
from storage import repository as repo
from storage.db import Database, utcnow

log = logging.getLogger(__name__)
REFRESH_STRIPES = 64
# Escalations a batch refresh reads and calls Slack for at once: each has up to three calls, so a group
# asks the gateway's pool for about two dozen at most (three rounds of its eight threads).
REFRESH_GROUP = 8
# The refresh steps that remember what they last said (the others edit a message and return nothing).
REMEMBERED = ("topic", "announce")


class RoomUpkeep:
    """The Slack side of committed changes (the pipeline's `RoomEffects`)."""

    def __init__(
        self,
        db: Database,
        gateway: SlackGateway,
        policy: Policy,
        flow: WarRoomFlow,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.db = db
        self.clock = clock
        self.gateway = gateway
        self.policy = policy
        self.flow = flow
        # Two changes to one escalation refresh one at a time, each from the record as it is then, so an
        # older refresh can never land after a newer one. Striped: bounded memory, rare sharing.
        self._refreshing = [threading.Lock() for _ in range(REFRESH_STRIPES)]

    def say(self, esc: EscalationSnapshot, text: str) -> None:
        """Post a line where the escalation is worked: its war room, or the thread under its card."""
        channel, thread_ts = esc.worked_in
        if channel is None:
            log.warning("%s has no room or card yet; not posting: %s", esc.public_id, text[:80])
            return
        try:
            self.gateway.post_message(channel, text, thread_ts=thread_ts)
        except SlackApiError as exc:
            moved = (
                self._instead_of_a_room_archived_by_hand(esc) if error_code(exc) == "is_archived" else None
            )
            if moved is None or moved.room_channel_id is None:
                log.warning("posting in the room of %s failed: %s", esc.public_id, slack_error(exc))
                return
            self.say(moved, text)

    def _instead_of_a_room_archived_by_hand(self, esc: EscalationSnapshot) -> EscalationSnapshot | None:
        """Someone archived the war room of an escalation still being worked (or reopened): it gets a new
        room, as after warroom's own archiving. Once: only while the archived room is still its room."""
        if esc.is_closed or esc.room_channel_id is None:
            return None
        with self.db.session() as session:
            claims.room_archived(session, esc.id, esc.room_channel_id, utcnow())
        log.info("the room of %s was archived in Slack; setting up a new one", esc.public_id)
        self.flow.provision(esc.id)
        current = self._load(esc.id)
        return current if current.room_channel_id != esc.room_channel_id else None

    def invite(self, esc: EscalationSnapshot, users: list[str]) -> None:
        """Invite people to the war room; if Slack refuses, the room is told who could not be added."""
        try:
            self.gateway.invite(esc.room_channel_id or "", users)
        except SlackApiError as exc:
            log.warning("inviting %s to the room of %s failed: %s", users, esc.public_id, slack_error(exc))
            who = ", ".join(f"<@{u}>" for u in users)
            self.say(esc, f"⚠️ I could not invite {who} to this room (Slack said `{error_code(exc)}`).")

    def provision(self, escalation_id: int) -> EscalationSnapshot | None:
        """Set up the room an escalation now needs (a SEV-3/4 moved up)."""
        return self.flow.provision(escalation_id)

    def refresh(self, escalation_id: int) -> EscalationSnapshot:
        """Bring the posted card, the topic and the announcement in line with the record: edit, never
        re-post, and only what changed (the topic and the announcement remember what they last said)."""
        return self.refresh_each([escalation_id])[escalation_id]

    def refresh_each(self, escalation_ids: list[int]) -> dict[int, EscalationSnapshot]:
        """`refresh` several escalations (a sweep's breaches), a few at a time: for each few, one read of
        the record, their Slack calls side by side, one write of what the topics and announcements now
        say. A few, not all at once: a person's refresh or a new room's set-up never waits behind more
        than one group's calls (their locks and the gateway's pool). By id; one that no longer exists, or
        whose group failed (logged), is left out."""
        ids = sorted(set(escalation_ids))
        if len(ids) == 1:  # `refresh`: a failure is raised to its caller, as it always was
            return self._refresh_group(ids)
        fresh: dict[int, EscalationSnapshot] = {}
        for start in range(0, len(ids), REFRESH_GROUP):
            group = ids[start : start + REFRESH_GROUP]
            try:
                fresh.update(self._refresh_group(group))
            except Exception:  # one group's bug must not cost the others their refresh
                log.exception("refreshing escalations %s failed", group)
        return fresh

    def _refresh_group(self, ids: list[int]) -> dict[int, EscalationSnapshot]:
        with ExitStack() as held:  # stripes taken in one order: two groups cannot wait on each other
            for stripe in sorted({id_ % REFRESH_STRIPES for id_ in ids}):
                held.enter_context(self._refreshing[stripe])
            return self._refresh(ids)

    def _refresh(self, ids: list[int]) -> dict[int, EscalationSnapshot]:
        with self.db.session() as session:  # one read of what the cards, the topics and the flags need
            escs = {
                row.id: EscalationSnapshot.of(row, self.policy) for row in repo.get_escalations(session, ids)
            }
            steps = {
                id_: {name: dict(step.result) for name, step in by_name.items()}
                for id_, by_name in claims.steps_of_each(session, ids).items()
            }
            flags = red_flags_each(session, list(escs.values()), self.policy, self.clock())
        calls: dict[tuple[int, str], Callable[[], Any]] = {}
        for esc in escs.values():
            for name, call in self._calls(esc, steps.get(esc.id, {}), flags[esc.id]).items():
                calls[esc.id, name] = call
        said: dict[tuple[int, str], dict[str, Any]] = {}
        for (id_, name), result in self.gateway.in_parallel(calls).items():
            if isinstance(result, Exception):
                log.warning("refreshing %s of %s failed: %s", name, escs[id_].public_id, slack_error(result))
            elif name in REMEMBERED and result is not None:  # changed: what it says now
                said[id_, name] = result
        if said:
            with self.db.session() as session:
                claims.remember_steps(session, said)
        return escs

    def _calls(
        self, esc: EscalationSnapshot, steps: dict[str, dict[str, Any]], flags: tuple[RedFlag, ...]
    ) -> dict[str, Callable[[], Any]]:
        """The Slack calls that bring one escalation's messages in line, by the step they keep current."""
        calls: dict[str, Callable[[], Any]] = {}
        in_room = esc.archived_at is None  # an archived room's card and topic can no longer change
        if in_room and esc.card_channel_id and esc.card_ts:
            calls["card"] = lambda: self.gateway.update_message(
                esc.card_channel_id or "",
                esc.card_ts or "",
                card_fallback_text(esc),
                blocks=build_triage_card(esc, flags),
            )
        thread_card = steps.get("card", {})
        if esc.room_channel_id and thread_card.get("ts") not in (None, esc.card_ts):
            # A SEV-3/4 moved up: its first card, under which people talked, says where it went.
            calls["thread_card"] = lambda: self.gateway.update_message(
                thread_card["channel_id"],
                thread_card["ts"],
                card_fallback_text(esc),
                blocks=build_moved_card(esc),
            )
        if in_room and esc.room_channel_id:
            calls["topic"] = lambda: self._topic(esc, steps.get("topic", {}).get("topic"))
        announced = steps.get("announce", {})
        if announced.get("ts"):
            calls["announce"] = lambda: self._announcement(esc, announced)
        return calls

    def _topic(self, esc: EscalationSnapshot, current: str | None) -> dict[str, Any] | None:
        """Set the room's topic if it says something else now; what it says then (to remember)."""
        topic = build_topic(esc)
        if topic == current:
            return None
        self.gateway.set_topic(esc.room_channel_id or "", topic)
        return {"topic": topic}

    def _announcement(self, esc: EscalationSnapshot, announced: dict[str, Any]) -> dict[str, Any] | None:
        """Edit the announcement if it says something else now; what it says then (to remember)."""
        text, blocks = build_announcement(esc)
        said = blocks[0]["text"]["text"]
        if said == announced.get("said"):
            return None
        self.gateway.update_message(announced["channel_id"], announced["ts"], text, blocks=blocks)
        return {"said": said}

    def _load(self, escalation_id: int) -> EscalationSnapshot:
        with self.db.session() as session:
            return self._snapshot(session, escalation_id)

    def _snapshot(self, session: Session, escalation_id: int) -> EscalationSnapshot:
        row = repo.get_escalation(session, escalation_id)
        assert row is not None, f"escalation {escalation_id} vanished"
        return EscalationSnapshot.of(row, self.policy)
