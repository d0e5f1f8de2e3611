"""The one door for changes (`ChangePipeline.change`), in-process against the in-memory Slack seam: every
change appends its timeline event, re-times the clocks and refreshes the card once; a change that changes
nothing records nothing; an invalid one is refused; moving a SEV-3 card up opens its war room.

Who may change what, and concurrent clicks, are covered in test_one_door_access.py. The `in_process`
fixture (tests/in_process.py) runs each test on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest

from bot.app import Warroom
from bot.core.vocabulary import Role
from bot.escalations.changes import Actor, Outcome
from bot.escalations.read_model import EscalationSnapshot
from bot.escalations.record import InvalidChange, Record
from storage import claims
from storage.models import Escalation
from tests.in_process import CALLER, IC, MEMBER, NOW, STRANGER, T0, InProcess, at, dues
from tests.in_process import in_process_fixture as in_process_fixture  # the `in_process` fixture


def test_the_fixture_talks_to_slack_in_process(in_process: InProcess) -> None:
    esc = in_process.open()
    with pytest.raises(RuntimeError, match="not started"):
        in_process.fake.base_url  # noqa: B018  (nothing listens: every call went through the seam)
    assert esc.room_channel_id and in_process.fake.pins(esc.room_channel_id) == [esc.card_ts]
    assert {IC, CALLER, MEMBER} <= in_process.fake.members(esc.room_channel_id)
    assert STRANGER not in in_process.fake.members(esc.room_channel_id)


# --- (a) every change: its timeline event, the clocks re-timed, the card refreshed once ------------


@dataclass(frozen=True)
class Change:
    kind: str  # the timeline event it appends
    apply: Callable[[Warroom, int], Outcome]
    check: Callable[[Escalation, Escalation], None]  # (before, after)


def _acknowledged(before: Escalation, after: Escalation) -> None:
    assert (after.acknowledged_at, after.acknowledged_by) == (NOW, IC)
    assert before.customer_update_due_at == at(120), "until acknowledged, the customer clock runs from T0"
    assert after.customer_update_due_at == NOW + timedelta(hours=2), "it now runs from the acknowledgement"


def _took_command(before: Escalation, after: Escalation) -> None:
    assert (before.ic_user_id, after.ic_user_id) == (IC, CALLER)
    assert dues(after) == dues(before), "a new IC changes no clock"


def _liaison_named(before: Escalation, after: Escalation) -> None:
    assert (before.liaison_user_id, after.liaison_user_id) == (None, MEMBER)
    assert dues(after) == dues(before)


def _identified(before: Escalation, after: Escalation) -> None:
    assert (before.status, after.status) == ("investigating", "identified")
    assert dues(after) == dues(before), "moving on within open statuses changes no clock"


def _updated(before: Escalation, after: Escalation) -> None:
    assert before.internal_update_due_at == at(30)
    assert after.internal_update_due_at == NOW + timedelta(minutes=30), "SEV-1: every 30 min from now"
    assert after.last_internal_update_text == "Rolled back the deploy; errors falling"


PROMISED = at(100)


def _customer_updated(before: Escalation, after: Escalation) -> None:
    assert before.customer_update_due_at == at(120)
    assert after.customer_update_due_at == PROMISED, "the time promised to the customer drives the clock"
    assert after.last_customer_update_at == NOW


def _snoozed(before: Escalation, after: Escalation) -> None:
    assert before.internal_snoozed_until is None
    assert after.internal_snoozed_until == NOW + timedelta(minutes=10)
    assert after.next_reminder_at is not None and after.next_reminder_at <= after.internal_snoozed_until


def _severity_changed(before: Escalation, after: Escalation) -> None:
    assert (before.severity, after.severity) == ("SEV-1", "SEV-2")
    assert (before.first_response_due_at, after.first_response_due_at) == (at(15), at(60))
    assert (before.internal_update_due_at, after.internal_update_due_at) == (at(30), at(120))
    assert (before.resolution_due_at, after.resolution_due_at) == (at(4 * 60), at(8 * 60))


def _resolved(before: Escalation, after: Escalation) -> None:
    assert before.resolution_due_at is not None and after.resolved_at == NOW
    assert dues(after) == (before.first_response_due_at, None, None, None), "resolved stops the clocks"


CHANGES = {
    "acknowledge": Change("acknowledged", lambda w, i: w.rooms.acknowledge(i, Actor(IC)), _acknowledged),
    "take_command": Change(
        "role_assigned", lambda w, i: w.rooms.take_command(i, Actor(CALLER)), _took_command
    ),
    "assign_role": Change(
        "role_assigned",
        lambda w, i: w.rooms.assign_role(i, Role.LIAISON, MEMBER, Actor(IC)),
        _liaison_named,
    ),
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
        "status_changed",
        lambda w, i: w.rooms.change_status(i, "identified", Actor(IC)),
        _identified,
    ),
    "resolve": Change(
        "status_changed", lambda w, i: w.rooms.resolve(i, Actor(IC), "Restored from the backup"), _resolved
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
    assert events[-1].at == NOW and events[-1].actor_user_id in (IC, CALLER, MEMBER)


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
    assert (after.acknowledged_by, after.ic_user_id, after.severity, after.status, dues(after)) == (
        before.acknowledged_by,
        before.ic_user_id,
        before.severity,
        before.status,
        dues(before),
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


def test_changes_to_several_escalations_in_one_unit_of_work_each_take_every_step(
    in_process: InProcess,
) -> None:
    """`change_each` (what a sweep does after posting a batch of reminders): each escalation gets its events
    and its re-timed clocks and one card edit; one that changes nothing records nothing; a vanished one is
    left out rather than failing the others."""
    first, second, quiet = (in_process.open(customer=name) for name in ("Initech", "Globex", "Hooli"))
    edits = [in_process.card_updates(esc) for esc in (first, second, quiet)]
    quiet_kinds = in_process.kinds(quiet.id)
    in_process.clock.now = at(20)

    def both_breached(record: Record) -> None:
        record.record_breach("first_response", at(15))
        record.record_breach("resolution", at(240))

    outcomes = in_process.warroom.changes.change_each(
        {
            second.id: lambda record: record.record_breach("first_response", at(15)),
            first.id: both_breached,
            quiet.id: lambda record: None,
            999_999: lambda record: record.record_breach("first_response", at(15)),
        }
    )

    assert sorted((o.escalation.id, o.changed) for o in outcomes) == sorted(
        [(first.id, True), (second.id, True), (quiet.id, False)]
    )
    assert in_process.kinds(first.id).count("sla_breach") == 2
    assert in_process.kinds(second.id).count("sla_breach") == 1
    assert in_process.kinds(quiet.id) == quiet_kinds
    rows = [in_process.row(esc.id) for esc in (first, second)]
    assert [(r.first_response_breached, r.resolution_breached) for r in rows] == [(True, True), (True, False)]
    assert all(r.next_reminder_at is not None for r in rows), "the clocks were re-timed"
    after = [in_process.card_updates(esc) for esc in (first, second, quiet)]
    assert after == [edits[0] + 1, edits[1] + 1, edits[2]], "one card edit per changed escalation"
    for esc in (first, second):  # the topic and the announcement say the first response is overdue
        assert "first response breached" in in_process.fake.topic(esc.room_channel_id or "")
        [announcement] = [
            m
            for m in in_process.fake.messages("C0ESCALATIONS")
            if esc.public_id in json.dumps(m.get("blocks"))
        ]
        assert "overdue since" in announcement["blocks"][0]["text"]["text"]
    assert "first response breached" not in in_process.fake.topic(quiet.room_channel_id or "")

    # What the topics and announcements say now was remembered for all at once: refreshing them again
    # (the next change to any of them) edits the cards and nothing else.
    said = {m: len(in_process.fake.calls_to(m)) for m in ("conversations.setTopic", "chat.update")}
    refreshed = in_process.warroom.changes.effects.refresh_each([first.id, second.id, quiet.id, 999_999])
    assert sorted(refreshed) == sorted([first.id, second.id, quiet.id]), "a vanished one is left out"
    assert len(in_process.fake.calls_to("conversations.setTopic")) == said["conversations.setTopic"]
    assert len(in_process.fake.calls_to("chat.update")) == said["chat.update"] + 3, "the three cards only"
    with in_process.warroom.db.session() as session:
        announced = claims.steps_of(session, first.id)["announce"].result
    assert announced["ts"] and "overdue since" in announced["said"], "what it says, beside where it is"


def test_a_sweeps_batch_refresh_holds_up_a_persons_refresh_for_one_group_at_most(
    in_process: InProcess,
) -> None:
    """A sweep refreshing many cards at once (its breaches) does so a few at a time: a person's change to
    one of them, made meanwhile, refreshes its card at once rather than after the whole batch."""
    escs = [in_process.open(customer=f"Customer {n:02d}", severity="SEV-3") for n in range(32)]
    ids = [esc.id for esc in escs]
    upkeep = in_process.warroom.changes.effects
    in_process.fake.latency = 0.05  # every Slack call now takes 50 ms: the batch takes 4 groups × that
    done: list[str] = []
    batch = threading.Thread(target=lambda: (upkeep.refresh_each(ids), done.append("batch")))
    before = len(in_process.fake.calls_to("chat.update"))
    batch.start()
    try:
        deadline = time.monotonic() + 10
        while len(in_process.fake.calls_to("chat.update")) == before and time.monotonic() < deadline:
            time.sleep(0.005)  # the batch's first group is under way
        upkeep.refresh(ids[-1])  # the last escalation: the batch reaches its group last
        done.append("person")
    finally:
        batch.join(timeout=30)
    assert done == ["person", "batch"], "the person's refresh waited for the whole batch"
    assert in_process.card_updates(escs[-1]) == 2 and in_process.card_updates(escs[0]) == 1
