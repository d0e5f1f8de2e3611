"""Who may change an escalation through the one door, and what concurrent clicks do, in-process against the
in-memory Slack seam: outsiders can neither see nor act on a private escalation while managers and the room
can; downgrading is for the IC, the caller or a manager; twenty simultaneous clicks make one transition.

What each change does is covered in test_one_door.py. The `in_process` fixture (tests/in_process.py) runs
each test on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import select

from bot.app import Warroom
from bot.escalations.changes import Actor, Outcome
from bot.escalations.read_model import EscalationSnapshot
from bot.escalations.record import NotAllowed
from storage.models import Draft as DraftRow
from tests.in_process import CALLER, IC, MANAGER, MEMBER, NOW, STRANGER, InProcess, dues
from tests.in_process import in_process_fixture as in_process_fixture  # the `in_process` fixture

SECRET_CUSTOMER = "Hooli"
SECRET_TITLE = "Unauthorized access to the admin console"


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
    assert (after.severity, after.severity_reasons, dues(after)) == (
        "SEV-1",
        before.severity_reasons,
        dues(before),
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
