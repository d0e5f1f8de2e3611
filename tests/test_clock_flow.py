"""The clocks end to end with a controlled clock: nudges, updates, snoozes, re-timing, SLAs, restarts."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from bot.clocks.recompute import retime
from bot.clocks.sweep import ClockService
from bot.core.vocabulary import Role
from bot.escalations.changes import Actor
from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.stack import ControlledClock, Sandbox, wait_until
from storage.db import Database
from storage.models import Escalation, Reminder, TimelineEvent
from tests.flows import SEV1_TEXT, create_sev1s, escalate, settled
from tests.room_steps import second_clock_replica

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> ControlledClock:
    return ControlledClock(T0)


@pytest.fixture
def room(db: Database, clock: ControlledClock) -> Iterator[tuple[Sandbox, Escalation]]:
    """A SEV-1 war room opened at T0 by @ben, with @ana as IC and @ben as customer liaison (so no
    nudge asks for one: these tests are about the update and SLA clocks)."""
    with Sandbox(db=db, clock=clock) as sandbox:
        escalate(sandbox, SEV1_TEXT, {"customer": "Okafor Analytics", "ic": "U0ANA"})
        settled(sandbox)
        sandbox.warroom.rooms.assign_role(_row(sandbox).id, Role.LIAISON, "U0BEN", Actor("U0ANA"))
        yield sandbox, _row(sandbox)


def _row(sandbox: Sandbox) -> Escalation:
    with sandbox.warroom.db.session() as session:
        return session.execute(select(Escalation)).scalars().one()


def _nudges(sandbox: Sandbox, channel: str) -> list[str]:
    return [
        m["text"]
        for m in sandbox.fake.messages(channel)
        if any(str(b.get("block_id")).startswith("nudge:") for b in m.get("blocks") or [])
    ]


def _at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def _sweep_at(sandbox: Sandbox, clock: ControlledClock, minutes: float) -> int:
    clock.now = _at(minutes)
    return sandbox.warroom.clocks.sweep().posted


def _acknowledge(sandbox: Sandbox, esc: Escalation, user: str = "U0ANA") -> None:
    sandbox.warroom.rooms.acknowledge(esc.id, Actor(user))


def test_internal_update_warning_then_an_update_restarts_the_cadence(room, clock) -> None:
    sandbox, esc = room
    _acknowledge(sandbox, esc)
    assert _sweep_at(sandbox, clock, 25) == 1
    [warning] = _nudges(sandbox, esc.room_channel_id)
    assert warning.startswith("<@U0ANA> ⏰ Internal update due in 5 min (SEV-1: every 30 min)")
    assert "No update yet" in warning

    clock.now = _at(27)
    sandbox.warroom.rooms.post_update(
        esc.id, Actor("U0ANA"), "Restore job running on a replica; ETA for a check 10:00"
    )
    assert _row(sandbox).internal_update_due_at == _at(57)
    posted = [m["text"] for m in sandbox.fake.messages(esc.room_channel_id) if "Update" in m.get("text", "")]
    assert posted and "Restore job running" in posted[-1]
    card = json.dumps(sandbox.fake.messages(esc.room_channel_id)[0]["blocks"])
    assert "Restore job running" in card, "the card shows the last update"

    assert _sweep_at(sandbox, clock, 30) == 0, "the update restarted the clock: nothing is due at 30 min"
    assert _sweep_at(sandbox, clock, 52) == 1
    assert "Last update 25 min ago by <@U0ANA>" in _nudges(sandbox, esc.room_channel_id)[-1]


def test_a_reminder_posted_but_unanswered_is_found_not_posted_again(room, clock) -> None:
    sandbox, esc = room
    _acknowledge(sandbox, esc)
    sandbox.fake.drop_after_acting("chat.postMessage")  # Slack posts the warning, the answer is lost
    assert _sweep_at(sandbox, clock, 25) == 1, "found in the room, so recorded as posted"
    assert _sweep_at(sandbox, clock, 26) == 0
    assert len([t for t in _nudges(sandbox, esc.room_channel_id) if "Internal update" in t]) == 1


def _as_if_a_sweep_died_before_recording(sandbox: Sandbox, claimed_at: datetime) -> None:
    """Leave every reminder claim as a sweep killed between claiming and recording would have."""
    with sandbox.warroom.db.session() as session:
        session.execute(
            update(Reminder).values(posted_at=None, channel_id=None, message_ts=None, claimed_by="dead:1")
        )
        session.execute(update(Reminder).values(claimed_at=claimed_at))


def test_a_reminder_claimed_by_a_sweep_that_died_is_posted_by_the_next_once(room, clock) -> None:
    sandbox, esc = room
    _acknowledge(sandbox, esc)
    assert _sweep_at(sandbox, clock, 25) == 1
    with sandbox.warroom.db.session() as session:  # as if it was claimed at 09:25 and never posted
        (row,) = session.execute(select(Reminder)).scalars().all()
        sandbox.warroom.gateway.client.chat_delete(channel=row.channel_id, ts=row.message_ts)
    assert _nudges(sandbox, esc.room_channel_id) == []
    _as_if_a_sweep_died_before_recording(sandbox, _at(21.5))  # (the clock's, back-dated: 09:30 is due)
    assert _sweep_at(sandbox, clock, 26) == 0, "within 5 min the dead sweep's claim is left alone"
    assert _sweep_at(sandbox, clock, 27) == 1, "after that, the reminder is taken over and posted"
    assert _sweep_at(sandbox, clock, 28) == 0
    assert len([t for t in _nudges(sandbox, esc.room_channel_id) if "Internal update" in t]) == 1
    with sandbox.warroom.db.session() as session:
        rows = session.execute(select(Reminder)).scalars().all()
        assert [(r.claimed_by, r.posted_at is not None) for r in rows] == [
            (sandbox.warroom.clocks.worker_id, True)
        ]


def test_a_reminder_posted_just_before_its_sweep_died_is_found_not_posted_again(room, clock) -> None:
    sandbox, esc = room
    _acknowledge(sandbox, esc)
    assert _sweep_at(sandbox, clock, 25) == 1  # posted in the room...
    _as_if_a_sweep_died_before_recording(sandbox, _at(21.5))  # ...and killed before it was recorded
    assert _sweep_at(sandbox, clock, 27) == 1, "found in the room, so recorded as posted"
    assert len([t for t in _nudges(sandbox, esc.room_channel_id) if "Internal update" in t]) == 1
    with sandbox.warroom.db.session() as session:
        (row,) = session.execute(select(Reminder)).scalars().all()
        assert row.posted_at is not None and row.message_ts and row.channel_id == esc.room_channel_id


def test_overdue_reminders_repeat_at_the_cadence_not_every_sweep(room, clock) -> None:
    sandbox, esc = room
    _acknowledge(sandbox, esc)
    posted_at = [m for m in range(24, 96) if _sweep_at(sandbox, clock, m)]
    internal = [t for t in _nudges(sandbox, esc.room_channel_id) if "Internal update" in t]
    assert [t.split(" (")[0].removeprefix("<@U0ANA> ") for t in internal] == [
        "⏰ Internal update due in 5 min",
        "⏰ Internal update due now",
        "🚨 Internal update overdue by 30 min",
        "🚨 Internal update overdue by 1 h",
    ]
    assert posted_at[:4] == [25, 30, 60, 90]


def test_snooze_holds_the_reminder_ten_minutes_and_records_who(room, clock) -> None:
    sandbox, esc = room
    _acknowledge(sandbox, esc)
    assert _sweep_at(sandbox, clock, 30) == 1
    sandbox.slack.button(
        "nudge_snooze",
        f"{esc.id}:internal",
        user_id="U0BEN",
        channel_id=esc.room_channel_id,
        message_ts=esc.card_ts,
    )
    wait_until(lambda: _row(sandbox).internal_snoozed_until is not None)
    assert _row(sandbox).internal_snoozed_until == _at(40)
    assert _sweep_at(sandbox, clock, 35) == 0
    assert _sweep_at(sandbox, clock, 40) == 1
    assert "overdue by 10 min" in _nudges(sandbox, esc.room_channel_id)[-1]
    with sandbox.warroom.db.session() as session:
        snoozes = (
            session.execute(select(TimelineEvent).where(TimelineEvent.kind == "snoozed")).scalars().all()
        )
        assert [e.actor_user_id for e in snoozes] == ["U0BEN"]


def test_a_severity_change_retimes_the_clocks_at_once(room, clock) -> None:
    sandbox, esc = room
    _acknowledge(sandbox, esc)
    clock.now = _at(10)
    sandbox.slack.slash_command(
        "severity SEV-2 workaround restores reads", user_id="U0ANA", channel_id=esc.room_channel_id
    )
    # The room hears of it after the commit: wait for what people see, not only for the row.
    wait_until(lambda: "De-escalated" in sandbox.fake.messages(esc.room_channel_id)[-1].get("text", ""))
    row = _row(sandbox)
    assert row.internal_update_due_at == _at(120)
    assert row.resolution_due_at == _at(480)
    assert _sweep_at(sandbox, clock, 30) == 0, "SEV-2 updates are every 2 h: nothing at 30 min"
    assert "De-escalated from SEV-1 to *SEV-2*" in sandbox.fake.messages(esc.room_channel_id)[-1]["text"]

    sandbox.warroom.rooms.change_severity(esc.id, "sev1", Actor("U0ANA"), "reads failing again")
    assert _row(sandbox).internal_update_due_at == _at(30)
    assert _sweep_at(sandbox, clock, 31) == 1


def test_sla_warning_then_breach_in_the_room_and_the_leadership_channel(room, clock) -> None:
    sandbox, esc = room
    assert _sweep_at(sandbox, clock, 12) == 1
    assert "First response SLA: 3 min left (SEV-1: 15 min)" in _nudges(sandbox, esc.room_channel_id)[-1]
    leadership_before = len(sandbox.fake.messages("C0LEADERSHIP"))
    assert _sweep_at(sandbox, clock, 15) == 1
    assert "First response SLA breached" in _nudges(sandbox, esc.room_channel_id)[-1]
    alert = sandbox.fake.messages("C0LEADERSHIP")[leadership_before:]
    assert len(alert) == 1 and "executive" in alert[0]["text"] and esc.public_id in alert[0]["text"]
    row = _row(sandbox)
    assert row.first_response_breached
    with sandbox.warroom.db.session() as session:
        kinds = session.execute(
            select(TimelineEvent.kind).where(TimelineEvent.escalation_id == esc.id)
        ).scalars()
        assert "sla_breach" in list(kinds)
    card = json.dumps(sandbox.fake.messages(esc.room_channel_id)[0]["blocks"])
    assert "Overdue since" in card
    assert _sweep_at(sandbox, clock, 16) == 0, "a breach is announced once"


def test_resolving_stops_the_clocks_and_starts_the_confirmation_reminder(room, clock) -> None:
    sandbox, esc = room
    _acknowledge(sandbox, esc)
    sandbox.slack.slash_command(
        "resolve Restored the reports from the backup", user_id="U0ANA", channel_id=esc.room_channel_id
    )
    wait_until(lambda: _row(sandbox).status == "resolved")
    row = _row(sandbox)
    assert (row.internal_update_due_at, row.customer_update_due_at, row.resolution_due_at) == (None,) * 3
    assert row.resolved_at == T0 and row.confirmation_due_at == row.next_reminder_at == _at(4 * 60)
    assert _sweep_at(sandbox, clock, 4 * 60 - 1) == 0
    assert _sweep_at(sandbox, clock, 4 * 60) == 1
    [reminder] = _nudges(sandbox, esc.room_channel_id)
    assert reminder.startswith("<@U0BEN> ✅ *ESC-") and "has Okafor Analytics confirmed the fix?" in reminder
    assert _sweep_at(sandbox, clock, 4 * 60 + 30) == 0, "next reminder: 4 h later (SEV-1)"
    assert _sweep_at(sandbox, clock, 8 * 60) == 1


def test_customer_update_with_a_promised_time_drives_the_customer_clock(room, clock) -> None:
    sandbox, esc = room
    _acknowledge(sandbox, esc)
    clock.now = _at(20)
    sandbox.slack.slash_command(
        "customer-update Called David with the recovery plan, next update at 10:15",
        user_id="U0BEN",
        channel_id=esc.room_channel_id,
    )
    # The room hears of it after the commit: wait for what people see, not only for the row.
    note = wait_until(
        lambda: next(
            (
                m["text"]
                for m in sandbox.fake.messages(esc.room_channel_id)
                if "updated Okafor" in m.get("text", "")
            ),
            None,
        )
    )
    promised = _at(75)  # the sandbox users' clocks are on UTC
    row = _row(sandbox)
    assert row.customer_update_promised_at == promised == row.customer_update_due_at
    assert "<@U0BEN> updated Okafor Analytics: Called David with the recovery plan." in note
    assert _sweep_at(sandbox, clock, 70) >= 1
    customer = [t for t in _nudges(sandbox, esc.room_channel_id) if "Customer update" in t][-1]
    assert "due in 5 min (promised to Okafor Analytics" in customer


def test_status_command_shows_every_clock(room, clock) -> None:
    sandbox, esc = room
    sandbox.slack.slash_command("status", user_id="U0BEN", channel_id=esc.room_channel_id)
    answer = json.dumps(wait_until(lambda: sandbox.fake.responses)[-1][1])
    for words in ("First response", "Internal update", "Customer update", "Resolution target", "none yet"):
        assert words in answer


def test_a_restart_after_two_hours_down_fires_each_overdue_clock_once(
    db: Database, clock: ControlledClock
) -> None:
    with FakeSlack() as fake:
        with Sandbox(db=db, clock=clock, fake=fake) as before:
            escalate(before, SEV1_TEXT, {"customer": "Okafor Analytics", "ic": "U0ANA"})
            settled(before)
            channel = _row(before).room_channel_id
        clock.now = _at(120)  # two hours later, a new process starts
        with Sandbox(db=db, clock=clock, fake=fake) as after:
            assert after.warroom.clocks.sweep().posted == 4
            fired = _nudges(after, channel)
            assert len([t for t in fired if "Internal update overdue by 1 h 30 min" in t]) == 1
            assert len([t for t in fired if "First response SLA breached" in t]) == 1
            assert len([t for t in fired if "Customer update due now" in t]) == 1
            assert len([t for t in fired if "has no customer liaison yet" in t]) == 1
            clock.now += timedelta(minutes=1)
            assert after.warroom.clocks.sweep().posted == 0


def test_two_schedulers_post_each_of_500_due_reminders_exactly_once(
    db: Database, clock: ControlledClock
) -> None:
    with Sandbox(db=db, clock=clock) as sandbox:
        create_sev1s(sandbox, 500, "bulk")
        with db.session() as session:
            session.execute(
                update(Escalation).values(
                    room_channel_id="C0GENERAL", acknowledged_at=T0, liaison_user_id="U0BEN"
                )
            )
        clock.now = _at(30)
        with db.session() as session:  # re-time after the bulk change, as the app does after any change
            for row in session.execute(select(Escalation)).scalars():
                retime(session, row, sandbox.warroom.policy, clock.now)

        replicas = [sandbox.warroom.clocks, second_clock_replica(sandbox, db, clock)]
        totals: list[int] = []

        def run(replica: ClockService) -> None:
            posted = 0
            for _ in range(20):
                posted += replica.sweep(batch=100).posted
            totals.append(posted)

        threads = [threading.Thread(target=run, args=(replica,)) for replica in replicas]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        replicas[1].db.dispose()

        nudges = _nudges(sandbox, "C0GENERAL")
        assert sum(totals) == 500 and len(nudges) == 500
        assert all(n > 0 for n in totals), f"both replicas took part: {totals}"
        with db.session() as session:
            rows = session.execute(select(Reminder)).scalars().all()
            assert len(rows) == 500 and all(r.posted_at is not None for r in rows)
            assert len({r.escalation_id for r in rows}) == 500


def test_room_commands_explain_themselves_when_misused(room, clock) -> None:
    sandbox, esc = room
    sandbox.slack.slash_command("status", user_id="U0BEN", channel_id="C0GENERAL")
    sandbox.slack.slash_command("severity SEV-9", user_id="U0BEN", channel_id=esc.room_channel_id)
    sandbox.slack.slash_command("customer-update", user_id="U0BEN", channel_id=esc.room_channel_id)
    answers = [
        json.dumps(body)
        for _, body in wait_until(lambda: len(sandbox.fake.responses) >= 3 and sandbox.fake.responses)
    ]
    assert any("Run this in an escalation's war room" in a for a in answers)
    assert any("Severity must be one of SEV-1, SEV-2, SEV-3, SEV-4" in a for a in answers)
    assert any("Usage: `/escalate customer-update" in a for a in answers)
    assert _row(sandbox).severity == "SEV-1"


def test_update_modals_reject_empty_updates_and_past_promises(room, clock) -> None:
    sandbox, esc = room
    sandbox.slack.button(
        "post_update", str(esc.id), user_id="U0ANA", channel_id=esc.room_channel_id, message_ts=esc.card_ts
    )
    view = wait_until(
        lambda: [
            c
            for c in sandbox.fake.calls_to("views.open")
            if c.params["view"]["callback_id"] == "post_update_modal"
        ]
    )[-1].params["view"]
    reply = sandbox.slack.view_submission(view, {"update": "  "}, user_id="U0ANA")
    assert reply.json()["response_action"] == "errors" and "update" in reply.json()["errors"]

    sandbox.slack.button(
        "customer_updated",
        str(esc.id),
        user_id="U0ANA",
        channel_id=esc.room_channel_id,
        message_ts=esc.card_ts,
    )
    view = wait_until(
        lambda: [
            c
            for c in sandbox.fake.calls_to("views.open")
            if c.params["view"]["callback_id"] == "customer_update_modal"
        ]
    )[-1].params["view"]
    past = int((T0 - timedelta(hours=1)).timestamp())
    reply = sandbox.slack.view_submission(
        view, {"update": "Called David", "next_update": past}, user_id="U0ANA"
    )
    assert reply.json()["errors"] == {"next_update": "That time has passed; pick a later one."}
    assert _row(sandbox).last_customer_update_at is None

    later = int((T0 + timedelta(hours=1)).timestamp())
    assert (
        sandbox.slack.view_submission(
            view, {"update": "Called David", "next_update": later}, user_id="U0ANA"
        ).body
        == ""
    )
    wait_until(lambda: _row(sandbox).customer_update_promised_at == T0 + timedelta(hours=1))


def test_a_button_for_a_vanished_escalation_says_so(room, clock) -> None:
    sandbox, esc = room
    sandbox.slack.button(
        "card_acknowledge", "999999", user_id="U0ANA", channel_id=esc.room_channel_id, message_ts=esc.card_ts
    )
    told = wait_until(
        lambda: [
            e for e in sandbox.fake.ephemerals if e["user"] == "U0ANA" and "no longer exists" in e["text"]
        ]
    )
    assert told


def test_a_thread_escalation_moved_up_to_sev1_gets_a_war_room(db: Database, clock: ControlledClock) -> None:
    from tests.flows import SEV3_TEXT

    with Sandbox(db=db, clock=clock) as sandbox:
        escalate(sandbox, SEV3_TEXT, {"customer": "Initech"})
        settled(sandbox)
        before = _row(sandbox)
        assert before.room_kind == "thread" and before.room_channel_id is None
        sandbox.slack.slash_command(
            f"severity SEV-1 {before.public_id} all exports failing now",
            user_id="U0BEN",
            channel_id="C0SUPPORT",
        )
        wait_until(lambda: _row(sandbox).room_channel_id and _row(sandbox).provisioned_at)
        after = _row(sandbox)
        assert after.severity == "SEV-1" and after.room_kind == "channel"
        assert sandbox.fake.pins(after.room_channel_id) == [after.card_ts]
        thread = sandbox.fake.thread("C0SUPPORT", before.card_ts)
        assert any("Opening a war room" in m.get("text", "") for m in thread)
        assert after.internal_update_due_at == _at(30)
