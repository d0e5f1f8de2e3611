"""The one door for changes (`ChangePipeline.change`), in-process against the in-memory Slack seam.

No HTTP server runs and FakeSlack is never started: `InMemoryWebClient(fake)` answers every Web API call
in the calling thread. Each test runs on SQLite and on PostgreSQL (the `db` fixture).
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from blocks.escalations.intake_modal import IntakeSource
from bot.app import Warroom, build_warroom
from bot.escalations.changes import Actor, Outcome
from bot.escalations.intake import Intake
from bot.escalations.read_model import EscalationSnapshot
from bot.escalations.record import InvalidChange, NotAllowed
from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.in_memory import IN_MEMORY_API_URL, InMemoryWebClient
from bot.sandbox.stack import ControlledClock
from bot.settings import load_settings
from storage.db import Database
from storage.models import Draft as DraftRow
from storage.models import Escalation

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
IC, CALLER, MEMBER = "U0ANA", "U0BEN", "U0CHLOE"  # CHLOE is a responder: invited to the room
STRANGER, MANAGER = "U0EVE", "U0MGR"
SECRET_CUSTOMER = "Hooli"
SECRET_TITLE = "Unauthorized access to the admin console"


@dataclass
class InProcess:
    """A warroom wired to an unstarted FakeSlack through the in-memory seam, on a controlled clock."""

    warroom: Warroom
    fake: FakeSlack
    clock: ControlledClock
    managers_group: str

    def open(
        self,
        customer: str = "Okafor Analytics",
        severity: str = "SEV-1",
        escalation_type: str = "technical",
        summary: str = "Migration corrupted 6 months of historical reports",
        responders: tuple[str, ...] = (MEMBER,),
    ) -> EscalationSnapshot:
        """Create an escalation raised by CALLER with IC as incident commander, and build its room."""
        intake = Intake(
            customer=customer,
            summary=summary,
            escalation_type=escalation_type,
            severity=severity,
            ic_user_id=IC,
            responder_user_ids=responders,
        )
        esc, created = self.warroom.service.create(
            intake, CALLER, IntakeSource(uuid.uuid4().hex, channel_id="C0SUPPORT")
        )
        assert created
        provisioned = self.warroom.flow.provision(esc.id)
        assert provisioned is not None and provisioned.card_ts, "the room and its card exist in the fake"
        return provisioned

    def row(self, escalation_id: int) -> Escalation:
        with self.warroom.db.session() as session:
            row = session.get(Escalation, escalation_id)
            assert row is not None
            return row

    def kinds(self, escalation_id: int) -> list[str]:
        return [entry.kind for entry in self.warroom.service.timeline(escalation_id)]

    def card_updates(self, esc: EscalationSnapshot) -> int:
        """chat.update calls on the escalation's card."""
        return len(
            [
                call
                for call in self.fake.calls_to("chat.update")
                if call.params.get("channel") == esc.card_channel_id and call.params.get("ts") == esc.card_ts
            ]
        )


@pytest.fixture
def in_process(db: Database) -> Iterator[InProcess]:
    """`build_warroom` over `InMemoryWebClient(FakeSlack())`, with a managers group and an outsider."""
    fake = FakeSlack()  # never started: no server, no port
    fake.add_user(STRANGER, "eve", "Eve Outsider", "Contractor")
    fake.add_user(MANAGER, "mgr", "Morgan Manager", "Head of Support")
    group = fake.add_usergroup("escalation-managers", [MANAGER])
    settings = load_settings(
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_SIGNING_SECRET="x",
        SLACK_API_URL=IN_MEMORY_API_URL,
        DATABASE_URL=db.url,
        WARROOM_ESCALATIONS_CHANNEL="C0ESCALATIONS",
        WARROOM_MANAGERS_GROUP=group,
        _env_file=None,
    )
    clock = ControlledClock(T0)
    warroom = build_warroom(settings, db=db, clock=clock, web_client=InMemoryWebClient(fake))
    try:
        yield InProcess(warroom, fake, clock, group)
    finally:
        warroom.close(dispose_db=False)


def test_the_fixture_talks_to_slack_in_process(in_process: InProcess) -> None:
    esc = in_process.open()
    with pytest.raises(RuntimeError, match="not started"):
        in_process.fake.base_url  # noqa: B018  (nothing listens: every call went through the seam)
    assert esc.room_channel_id and in_process.fake.pins(esc.room_channel_id) == [esc.card_ts]
    assert {IC, CALLER, MEMBER} <= in_process.fake.members(esc.room_channel_id)
    assert STRANGER not in in_process.fake.members(esc.room_channel_id)


# --- (a) every change: its timeline event, the clocks re-timed, the card refreshed once ------------


def _at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


NOW = _at(10)  # every change below happens 10 minutes after the SEV-1 was opened at T0


@dataclass(frozen=True)
class Change:
    kind: str  # the timeline event it appends
    apply: Callable[[Warroom, int], Outcome]
    check: Callable[[Escalation, Escalation], None]  # (before, after)


def _acknowledged(before: Escalation, after: Escalation) -> None:
    assert (after.acknowledged_at, after.acknowledged_by) == (NOW, IC)
    assert before.customer_update_due_at == _at(120), "until acknowledged, the customer clock runs from T0"
    assert after.customer_update_due_at == NOW + timedelta(hours=2), "it now runs from the acknowledgement"


def _took_command(before: Escalation, after: Escalation) -> None:
    assert (before.ic_user_id, after.ic_user_id) == (IC, MEMBER)
    assert _dues(after) == _dues(before), "a new IC changes no clock"


def _updated(before: Escalation, after: Escalation) -> None:
    assert before.internal_update_due_at == _at(30)
    assert after.internal_update_due_at == NOW + timedelta(minutes=30), "SEV-1: every 30 min from now"
    assert after.last_internal_update_text == "Rolled back the deploy; errors falling"


PROMISED = _at(100)


def _customer_updated(before: Escalation, after: Escalation) -> None:
    assert before.customer_update_due_at == _at(120)
    assert after.customer_update_due_at == PROMISED, "the time promised to the customer drives the clock"
    assert after.last_customer_update_at == NOW


def _snoozed(before: Escalation, after: Escalation) -> None:
    assert before.internal_snoozed_until is None
    assert after.internal_snoozed_until == NOW + timedelta(minutes=10)
    assert after.next_reminder_at is not None and after.next_reminder_at <= after.internal_snoozed_until


def _severity_changed(before: Escalation, after: Escalation) -> None:
    assert (before.severity, after.severity) == ("SEV-1", "SEV-2")
    assert (before.first_response_due_at, after.first_response_due_at) == (_at(15), _at(60))
    assert (before.internal_update_due_at, after.internal_update_due_at) == (_at(30), _at(120))
    assert (before.resolution_due_at, after.resolution_due_at) == (_at(4 * 60), _at(8 * 60))


def _resolved(before: Escalation, after: Escalation) -> None:
    assert before.resolution_due_at is not None and after.resolved_at == NOW
    assert _dues(after) == (before.first_response_due_at, None, None, None), "resolved stops the clocks"


def _dues(row: Escalation) -> tuple[datetime | None, ...]:
    return (
        row.first_response_due_at,
        row.internal_update_due_at,
        row.customer_update_due_at,
        row.resolution_due_at,
    )


CHANGES = {
    "acknowledge": Change("acknowledged", lambda w, i: w.rooms.acknowledge(i, Actor(IC)), _acknowledged),
    "take_command": Change("ic_assigned", lambda w, i: w.rooms.take_command(i, Actor(MEMBER)), _took_command),
    "post_update": Change(
        "internal_update",
        lambda w, i: w.rooms.post_update(i, Actor(IC), "Rolled back the deploy; errors falling"),
        _updated,
    ),
    "customer_updated": Change(
        "customer_update",
        lambda w, i: w.rooms.customer_updated(i, Actor(IC), "Called David", PROMISED),
        _customer_updated,
    ),
    "snooze": Change("snoozed", lambda w, i: w.rooms.snooze(i, "internal", Actor(MEMBER), 10), _snoozed),
    "change_severity": Change(
        "severity_changed",
        lambda w, i: w.rooms.change_severity(i, "SEV-2", Actor(IC), "contained to one region"),
        _severity_changed,
    ),
    "change_status": Change(
        "status_changed", lambda w, i: w.rooms.change_status(i, "resolved", Actor(IC)), _resolved
    ),
}


@pytest.mark.parametrize("name", list(CHANGES))
def test_a_change_appends_its_event_retimes_the_clocks_and_refreshes_the_card_once(
    in_process: InProcess, name: str
) -> None:
    change = CHANGES[name]
    esc = in_process.open()
    before, kinds, edits = in_process.row(esc.id), in_process.kinds(esc.id), in_process.card_updates(esc)
    in_process.clock.now = NOW

    outcome = change.apply(in_process.warroom, esc.id)

    assert outcome.changed
    assert in_process.kinds(esc.id) == [*kinds, change.kind]
    after = in_process.row(esc.id)
    change.check(before, after)
    assert in_process.card_updates(esc) == edits + 1, "the card is edited once per change, never re-posted"
    assert len(in_process.fake.pins(esc.room_channel_id or "")) == 1
    assert outcome.escalation.id == esc.id
    events = in_process.warroom.service.timeline(esc.id)
    assert events[-1].at == NOW and events[-1].actor_user_id in (IC, MEMBER)


NO_OPS = {
    "acknowledge twice": (
        lambda w, i: w.rooms.acknowledge(i, Actor(IC)),
        lambda w, i: w.rooms.acknowledge(i, Actor(MEMBER)),
    ),
    "take command you hold": (
        lambda w, i: None,
        lambda w, i: w.rooms.take_command(i, Actor(IC)),
    ),
    "the same severity": (
        lambda w, i: None,
        lambda w, i: w.rooms.change_severity(i, "sev1", Actor(IC)),
    ),
    "the same status": (
        lambda w, i: w.rooms.change_status(i, "identified", Actor(IC)),
        lambda w, i: w.rooms.change_status(i, "Identified", Actor(MEMBER)),
    ),
}


@pytest.mark.parametrize("name", list(NO_OPS))
def test_a_change_that_changes_nothing_records_and_refreshes_nothing(
    in_process: InProcess, name: str
) -> None:
    first, again = NO_OPS[name]
    esc = in_process.open()
    first(in_process.warroom, esc.id)
    in_process.clock.now = NOW
    before, kinds, edits = in_process.row(esc.id), in_process.kinds(esc.id), in_process.card_updates(esc)
    said = len(in_process.fake.messages(esc.room_channel_id or ""))

    outcome = again(in_process.warroom, esc.id)

    assert not outcome.changed
    assert in_process.kinds(esc.id) == kinds
    assert in_process.card_updates(esc) == edits
    assert len(in_process.fake.messages(esc.room_channel_id or "")) == said, "nothing said in the room"
    after = in_process.row(esc.id)
    assert (after.acknowledged_by, after.ic_user_id, after.severity, after.status, _dues(after)) == (
        before.acknowledged_by,
        before.ic_user_id,
        before.severity,
        before.status,
        _dues(before),
    )


def test_an_invalid_change_is_refused_and_records_nothing(in_process: InProcess) -> None:
    esc = in_process.open()
    kinds, edits = in_process.kinds(esc.id), in_process.card_updates(esc)
    for invalid in (
        lambda: in_process.warroom.rooms.post_update(esc.id, Actor(IC), "   "),
        lambda: in_process.warroom.rooms.change_severity(esc.id, "SEV-9", Actor(IC)),
        lambda: in_process.warroom.rooms.change_status(esc.id, "closed", Actor(IC)),
        lambda: in_process.warroom.rooms.snooze(esc.id, "resolution", Actor(IC)),
        lambda: in_process.warroom.rooms.customer_updated(esc.id, Actor(IC), "x", T0 - timedelta(hours=1)),
    ):
        with pytest.raises(InvalidChange):
            invalid()
    assert in_process.kinds(esc.id) == kinds and in_process.card_updates(esc) == edits
    assert in_process.row(esc.id).last_internal_update_at is None


# --- (b) a private escalation: outsiders cannot see it or act on it; managers and the room can --------


def _private(in_process: InProcess) -> EscalationSnapshot:
    esc = in_process.open(
        customer=SECRET_CUSTOMER, severity="SEV-2", escalation_type="security", summary=SECRET_TITLE
    )
    assert esc.is_private and in_process.fake.channel(esc.room_channel_id or "")["is_private"]
    return esc


ACTS: dict[str, Callable[[Warroom, int, Actor], Outcome]] = {
    "post_update": lambda w, i, a: w.rooms.post_update(i, a, "Rotated the admin credentials"),
    "change_severity": lambda w, i, a: w.rooms.change_severity(i, "SEV-1", a),
    "change_status": lambda w, i, a: w.rooms.change_status(i, "identified", a),
    "snooze": lambda w, i, a: w.rooms.snooze(i, "internal", a, 10),
    "acknowledge": lambda w, i, a: w.rooms.acknowledge(i, a),
    "take_command": lambda w, i, a: w.rooms.take_command(i, a),
    "customer_updated": lambda w, i, a: w.rooms.customer_updated(i, a, "Told their CISO"),
}


def test_a_stranger_can_neither_act_on_nor_see_a_private_escalation(in_process: InProcess) -> None:
    public = in_process.open(customer="Initech", severity="SEV-2")
    esc = _private(in_process)
    kinds, edits, row = in_process.kinds(esc.id), in_process.card_updates(esc), in_process.row(esc.id)
    stranger = Actor(STRANGER, "C0GENERAL")

    for name, act in ACTS.items():
        with pytest.raises(NotAllowed) as refused:
            act(in_process.warroom, esc.id, stranger)
        assert refused.value.decision.hidden, name
        said = str(refused.value)
        assert "can't find" in said and SECRET_CUSTOMER not in said and "admin console" not in said, name

    after = in_process.row(esc.id)
    assert in_process.kinds(esc.id) == kinds and in_process.card_updates(esc) == edits
    assert (after.severity, after.status, after.acknowledged_at, after.ic_user_id) == (
        row.severity,
        row.status,
        row.acknowledged_at,
        row.ic_user_id,
    )
    listing = in_process.warroom.service.list_open(stranger)
    assert [e.customer for e in listing.shown] == ["Initech"]
    assert (listing.total, listing.hidden) == (1, 1)
    target = in_process.warroom.service.target(stranger, esc.public_id)
    assert target.escalation is None and target.choices == ()
    assert in_process.warroom.service.target(stranger, public.public_id).escalation is not None


@pytest.mark.parametrize("who", [MANAGER, MEMBER])
def test_a_manager_and_a_room_member_see_and_act_on_a_private_escalation(
    in_process: InProcess, who: str
) -> None:
    in_process.open(customer="Initech", severity="SEV-2")
    esc = _private(in_process)
    actor = Actor(who)  # asked from nowhere in particular: membership and the group come from Slack
    in_room = who in in_process.fake.members(esc.room_channel_id or "")
    assert in_room is (who == MEMBER), "the manager is not in the private room; the responder is"

    listing = in_process.warroom.service.list_open(actor)
    assert {e.customer for e in listing.shown} == {"Initech", SECRET_CUSTOMER}
    assert (listing.total, listing.hidden) == (2, 0)
    assert in_process.warroom.service.target(actor, esc.public_id).escalation is not None

    expected = {
        "post_update": "internal_update",
        "change_severity": "severity_changed",
        "change_status": "status_changed",
        "snooze": "snoozed",
        "acknowledge": "acknowledged",
        "customer_updated": "customer_update",
    }
    for name, kind in expected.items():
        outcome = ACTS[name](in_process.warroom, esc.id, actor)
        assert outcome.changed, name
        assert in_process.kinds(esc.id)[-1] == kind, name
    assert in_process.row(esc.id).severity == "SEV-1"


def test_a_manager_outside_the_room_may_downgrade(in_process: InProcess) -> None:
    esc = in_process.open()
    assert MANAGER not in in_process.fake.members(esc.room_channel_id or "")
    assert in_process.warroom.rooms.change_severity(esc.id, "SEV-3", Actor(MANAGER)).changed
    assert in_process.row(esc.id).severity == "SEV-3"


# --- (c) downgrading is for the IC, the caller or a manager --------------------------------------


def test_a_room_member_cannot_downgrade_and_is_told_who_can(in_process: InProcess) -> None:
    esc = in_process.open()
    assert MEMBER in in_process.fake.members(esc.room_channel_id or "")
    kinds, edits, said = (
        in_process.kinds(esc.id),
        in_process.card_updates(esc),
        len(in_process.fake.messages(esc.room_channel_id or "")),
    )
    before = in_process.row(esc.id)

    with pytest.raises(NotAllowed) as refused:
        in_process.warroom.rooms.change_severity(esc.id, "SEV-3", Actor(MEMBER), "looks minor")

    assert not refused.value.decision.hidden
    assert f"<@{IC}>" in str(refused.value) and "downgrade" in str(refused.value)
    after = in_process.row(esc.id)
    assert (after.severity, after.severity_reasons, _dues(after)) == (
        "SEV-1",
        before.severity_reasons,
        _dues(before),
    )
    assert in_process.kinds(esc.id) == kinds
    assert in_process.card_updates(esc) == edits
    assert len(in_process.fake.messages(esc.room_channel_id or "")) == said


def test_the_same_room_member_may_upgrade(in_process: InProcess) -> None:
    esc = in_process.open(severity="SEV-2")
    outcome = in_process.warroom.rooms.change_severity(esc.id, "SEV-1", Actor(MEMBER), "second region down")
    assert outcome.changed and outcome.escalation.severity == "SEV-1"
    assert in_process.kinds(esc.id)[-1] == "severity_changed"
    assert in_process.row(esc.id).severity == "SEV-1"


@pytest.mark.parametrize("owner", [IC, CALLER])
def test_the_ic_and_the_caller_may_downgrade(in_process: InProcess, owner: str) -> None:
    esc = in_process.open()
    assert in_process.warroom.rooms.change_severity(esc.id, "SEV-3", Actor(owner)).changed
    assert in_process.row(esc.id).severity == "SEV-3"


# --- (d, e) concurrent clicks: one transition, however many at once --------------------------------

CLICKS = 20
CLICKERS = (IC, CALLER, MEMBER, MANAGER)


def _all_at_once(work: Callable[[int], Any]) -> list[Any]:
    """Run `work(n)` for n in 0..CLICKS-1 on CLICKS threads released together; re-raise any failure."""
    start = threading.Barrier(CLICKS)

    def one(n: int) -> Any:
        start.wait(timeout=30)
        return work(n)

    with ThreadPoolExecutor(max_workers=CLICKS) as pool:
        return list(pool.map(one, range(CLICKS)))


def test_twenty_concurrent_mark_sent_record_one_customer_update(in_process: InProcess) -> None:
    esc = in_process.open()
    view = in_process.warroom.drafts.write(
        esc, "update", IC, channel_id=esc.room_channel_id or "", thread_ts=None
    )
    assert view is not None and view.sent_at is None
    kinds = in_process.kinds(esc.id)
    in_process.clock.now = NOW

    views = _all_at_once(
        lambda n: in_process.warroom.drafts.mark_sent(view.draft_id, Actor(CLICKERS[n % len(CLICKERS)]))
    )

    new = in_process.kinds(esc.id)[len(kinds) :]
    assert new == ["customer_update"], new
    with in_process.warroom.db.session() as session:
        draft = session.execute(select(DraftRow).where(DraftRow.id == view.draft_id)).scalar_one()
        assert draft.sent_at == NOW and draft.sent_by in CLICKERS
        sent_by = draft.sent_by
    assert {(v.sent_by, v.sent_at) for v in views} == {(sent_by, NOW)}, "every click sees the one send"
    row = in_process.row(esc.id)
    assert row.last_customer_update_at == NOW and row.last_customer_update_by == sent_by


def test_twenty_concurrent_acknowledgements_record_one(in_process: InProcess) -> None:
    esc = in_process.open()
    in_process.clock.now = NOW
    edits = in_process.card_updates(esc)

    outcomes = _all_at_once(
        lambda n: in_process.warroom.rooms.acknowledge(esc.id, Actor(CLICKERS[n % len(CLICKERS)]))
    )

    assert sum(outcome.changed for outcome in outcomes) == 1
    assert in_process.kinds(esc.id).count("acknowledged") == 1
    row = in_process.row(esc.id)
    winner = next(outcome for outcome in outcomes if outcome.changed)
    assert row.acknowledged_at == NOW and row.acknowledged_by in CLICKERS
    assert winner.escalation.acknowledged_by == row.acknowledged_by
    assert in_process.card_updates(esc) == edits + 1, "one acknowledgement, one card refresh"


# --- moving a SEV-3 card up opens its war room ----------------------------------------------------


def _moved_up(in_process: InProcess) -> tuple[EscalationSnapshot, EscalationSnapshot]:
    """A SEV-3 card in #support, escalated to SEV-1 by a #support member from #support."""
    esc = in_process.open(customer="Initech", severity="SEV-3", summary="Dashboard charts load slowly")
    assert esc.room_kind == "thread" and esc.card_channel_id == "C0SUPPORT" and esc.room_channel_id is None
    outcome = in_process.warroom.rooms.change_severity(
        esc.id, "SEV-1", Actor(MEMBER, "C0SUPPORT"), "every user is locked out now"
    )
    assert outcome.changed
    return esc, outcome.escalation


def test_moving_a_card_up_opens_a_war_room_with_its_own_card(in_process: InProcess) -> None:
    esc, moved = _moved_up(in_process)
    room = moved.room_channel_id
    assert room and moved.room_kind == "channel" and moved.severity == "SEV-1"
    assert in_process.fake.pins(room) == [moved.card_ts]
    assert in_process.card_updates(moved) == 1, "the room's card is refreshed once"
    room_card = next(m for m in in_process.fake.messages(room) if m["ts"] == moved.card_ts)
    assert "SEV-1" in json.dumps(room_card["blocks"])
    thread = in_process.fake.thread("C0SUPPORT", esc.card_ts or "")
    assert "Opening a war room" in thread[-1]["text"], "said where it was worked until now"
    assert in_process.kinds(esc.id).count("severity_changed") == 1


def test_moving_a_card_up_updates_the_card_where_it_was_raised(in_process: InProcess) -> None:
    esc, _moved = _moved_up(in_process)
    thread_card = next(m for m in in_process.fake.messages("C0SUPPORT") if m["ts"] == esc.card_ts)
    shown = json.dumps(thread_card["blocks"], ensure_ascii=False)
    assert in_process.fake.edit_count("C0SUPPORT", esc.card_ts or "") >= 1
    assert "SEV-3" not in shown and "SEV-1" in shown
    assert f"<#{_moved.room_channel_id}>" in shown, "it says where the escalation went"
    assert not [b for b in thread_card["blocks"] if b["type"] == "actions"], "its buttons are gone"
