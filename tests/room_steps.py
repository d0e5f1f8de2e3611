"""Steps and looks shared by the end-to-end tests of running the room (roles, closing the loop, the
timeline): open an escalation through the modal, type a command and read its one reply, read the card and
the rows back."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.clocks.sweep import ClockService
from bot.sandbox.stack import ControlledClock, Sandbox, wait_until
from storage.db import Database
from storage.models import Escalation, TimelineEvent
from tests.flows import SEV1_TEXT, SEV3_TEXT, escalate, room_ready, settled

STRANGER = "U0EVE"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(name="clock")
def clock_fixture() -> ControlledClock:
    """A clock standing at T0 until a test moves it."""
    return ControlledClock(T0)


@pytest.fixture(name="timed")
def timed_fixture(db: Database, clock: ControlledClock) -> Iterator[Sandbox]:
    """The sandbox on the controlled clock."""
    with Sandbox(db=db, clock=clock) as sandbox:
        yield sandbox


def second_clock_replica(sandbox: Sandbox, db: Database, clock: ControlledClock) -> ClockService:
    """Another replica's sweep: its own connection pool to the same database, the same fake Slack. Close
    it and dispose of its database after."""
    second_db = Database(db.url)
    return ClockService(
        db=second_db,
        gateway=sandbox.warroom.gateway,
        changes=dataclasses.replace(sandbox.warroom.changes, db=second_db),
        policy=sandbox.warroom.policy,
        settings=sandbox.warroom.settings,
        clock=clock,
        worker_id="replica-2",
    )


def count(sandbox: Sandbox) -> int:
    with sandbox.warroom.db.session() as session:
        return session.execute(select(func.count()).select_from(Escalation)).scalar_one()


def row(sandbox: Sandbox, escalation_id: int) -> Escalation:
    with sandbox.warroom.db.session() as session:
        found = session.get(Escalation, escalation_id)
        assert found is not None
        return found


def events(sandbox: Sandbox, escalation_id: int, kind: str) -> list[TimelineEvent]:
    with sandbox.warroom.db.session() as session:
        return list(
            session.execute(
                select(TimelineEvent)
                .where(TimelineEvent.escalation_id == escalation_id, TimelineEvent.kind == kind)
                .order_by(TimelineEvent.id)
            ).scalars()
        )


def open_escalation(
    sandbox: Sandbox, text: str, values: dict[str, Any], user: str = "U0BEN", channel: str = "C0SUPPORT"
) -> Escalation:
    """Open an escalation through /escalate (typed in `channel`) and its modal, and wait until its room or
    card is set up."""
    before = count(sandbox)
    reply = escalate(sandbox, text, values, user=user, channel=channel)
    assert reply.status == 200 and reply.body == "", reply.body
    wait_until(lambda: count(sandbox) == before + 1)
    settled(sandbox)
    with sandbox.warroom.db.session() as session:
        return session.execute(select(Escalation).order_by(Escalation.id.desc()).limit(1)).scalar_one()


def sev1_room(sandbox: Sandbox, **values: Any) -> Escalation:
    """A public SEV-1 war room for Okafor Analytics raised by @ben, @ana its IC."""
    esc = open_escalation(sandbox, SEV1_TEXT, {"customer": "Okafor Analytics", "ic": "U0ANA", **values})
    room_ready(sandbox)
    assert esc.severity == "SEV-1" and esc.room_channel_id and esc.card_ts
    return esc


def under_severity_room(sandbox: Sandbox, **values: Any) -> Escalation:
    """Okafor's SEV-1 situation filed as SEV-2 (seed 001's under-severity), a war room all the same."""
    given = {"customer": "Okafor Analytics", "ic": "U0ANA", "severity": "SEV-2", **values}
    esc = open_escalation(sandbox, SEV1_TEXT, given)
    room_ready(sandbox)
    return esc


def sev3_card(sandbox: Sandbox) -> Escalation:
    """A SEV-3 card for Initech in #support raised by @ben, @ana its IC."""
    esc = open_escalation(sandbox, SEV3_TEXT, {"customer": "Initech", "ic": "U0ANA", "severity": "SEV-3"})
    assert esc.room_channel_id is None and esc.card_channel_id == "C0SUPPORT" and esc.card_ts
    return esc


def command(sandbox: Sandbox, text: str, *, user: str = "U0ANA", channel: str = "C0SUPPORT") -> str:
    """Type `/escalate <text>` and return its one ephemeral reply (as JSON text), if it gives one; "" when it
    answers in the room instead (waited for until the command's work has run)."""
    before = len(sandbox.fake.responses)
    reply = sandbox.slack.slash_command(text, user_id=user, channel_id=channel)
    assert reply.status == 200, reply.body
    if reply.body:
        return reply.body
    new = wait_until(lambda: sandbox.fake.responses[before:] or None, timeout=5)
    return json.dumps(new[0][1], ensure_ascii=False)


def run(sandbox: Sandbox, text: str, *, user: str = "U0ANA", channel: str, until: Any) -> None:
    """Type `/escalate <text>` and wait until `until()` holds (a command that answers in the room)."""
    reply = sandbox.slack.slash_command(text, user_id=user, channel_id=channel)
    assert reply.status == 200 and reply.body == "", reply.body
    wait_until(until)


def card(sandbox: Sandbox, esc: Escalation) -> list[dict[str, Any]]:
    """The card's blocks as the fake Slack holds them now."""
    channel = esc.card_channel_id or ""
    message = next(m for m in sandbox.fake.messages(channel) if m["ts"] == esc.card_ts)
    return list(message.get("blocks") or [])


def card_text(sandbox: Sandbox, esc: Escalation) -> str:
    return json.dumps(card(sandbox, esc), ensure_ascii=False)


def said_in(sandbox: Sandbox, channel: str, thread_ts: str | None = None) -> list[str]:
    """What was posted in a channel (or thread), oldest first."""
    messages = sandbox.fake.thread(channel, thread_ts) if thread_ts else sandbox.fake.messages(channel)
    return [str(m.get("text") or "") for m in messages]
