"""What the black-box attack on closing the loop found, each as a test: the review modal submitted twice or
with a date that has passed, Slack losing its answer after it made the canvas, shared the file or posted
the owner's reminder, a room archived by hand, an owner who cannot own anything, an archived escalation."""

from __future__ import annotations

import json
import time
from datetime import timedelta

from sqlalchemy import select

from bot.core.vocabulary import FollowUpKind
from bot.escalations.changes import Actor
from bot.sandbox.stack import wait_until
from storage.models import FollowUp
from tests.flows import open_modal, submit
from tests.room_steps import (
    T0,
    clock_fixture,
    command,
    events,
    row,
    sev1_room,
    timed_fixture,
)

__all__ = ["clock_fixture", "timed_fixture"]


def _follow_ups(sandbox) -> list[FollowUp]:
    with sandbox.warroom.db.session() as session:
        return list(session.execute(select(FollowUp).order_by(FollowUp.id)).scalars())


def _closed(sandbox, clock):
    esc = sev1_room(sandbox)
    rooms, ana = sandbox.warroom.rooms, Actor("U0ANA")
    clock.now = T0 + timedelta(hours=2)
    rooms.resolve(esc.id, ana, "Restored the reports")
    rooms.confirm(esc.id, ana)
    return esc


def _modal(sandbox, esc) -> dict:
    """`/escalate report` in the room: the review modal as Slack holds it (with the id it gave it)."""
    opened = open_modal(sandbox, "report", user="U0ANA", channel=esc.room_channel_id)
    held = [v for v in sandbox.fake.views.values() if v.get("callback_id") == opened["callback_id"]]
    return held[-1]


def _dm(sandbox, user: str) -> list[dict]:
    channel = sandbox.fake.dm_channel(user)
    return sandbox.fake.messages(channel) if channel else []


ACTION = {"action_1": "Add a row-count check", "owner_1": "U0CHLOE", "due_1": "2026-03-20"}


def test_the_same_review_submitted_twice_counts_once(timed, clock) -> None:
    esc = _closed(timed, clock)
    modal = _modal(timed, esc)
    for _ in range(2):
        submit(timed, modal, {"root_cause": "A migration without a dry run", **ACTION}, user="U0ANA")
    wait_until(lambda: row(timed, esc.id).report_link)
    wait_until(lambda: events(timed, esc.id, "report_posted"))
    assert len(_follow_ups(timed)) == 1
    assert len(events(timed, esc.id, "report_posted")) == 1
    assert not [f for f in timed.fake.files() if f["name"].endswith(".md")], "one report: the canvas"


def test_a_date_that_has_passed_is_refused_in_the_form_and_nothing_is_saved(timed, clock) -> None:
    esc = _closed(timed, clock)
    reply = submit(
        timed, _modal(timed, esc), {"root_cause": "x", **ACTION, "due_1": "2026-02-20"}, user="U0ANA"
    )
    assert json.loads(reply.body)["errors"] == {"due_1": "That date has passed: pick a later one."}
    reply = submit(timed, _modal(timed, esc), {"factors": "y" * 301}, user="U0ANA")
    assert "under 300 characters" in json.loads(reply.body)["errors"]["factors"]
    assert not _follow_ups(timed) and row(timed, esc.id).root_cause is None


def test_today_picked_late_in_the_day_is_due_within_the_hour(timed, clock) -> None:
    esc = _closed(timed, clock)
    clock.now = T0.replace(hour=18, minute=30)  # 17:00 has passed
    submit(timed, _modal(timed, esc), {**ACTION, "due_1": "2026-03-02"}, user="U0ANA")
    wait_until(lambda: row(timed, esc.id).report_link)
    assert _follow_ups(timed)[0].due_at == clock.now + timedelta(hours=1)


def test_an_owner_who_cannot_own_it_gives_it_to_the_submitter_and_says_so(timed, clock) -> None:
    esc = _closed(timed, clock)
    submit(timed, _modal(timed, esc), {**ACTION, "owner_1": "U0WARROOM"}, user="U0ANA")
    wait_until(lambda: row(timed, esc.id).report_link)
    assert _follow_ups(timed)[0].owner_user_id == "U0ANA"
    assert any("can't own" in m["text"] for m in _dm(timed, "U0ANA"))


def test_a_canvas_made_but_unanswered_is_not_made_twice_nor_doubled_by_a_file(timed, clock) -> None:
    esc = _closed(timed, clock)
    timed.fake.drop_after_acting("conversations.canvases.create")
    submit(timed, _modal(timed, esc), {"root_cause": "A bad migration"}, user="U0ANA")
    wait_until(lambda: row(timed, esc.id).report_link)
    assert timed.fake.canvas(esc.room_channel_id) is not None
    assert not timed.fake.files()
    [posted] = events(timed, esc.id, "report_posted")
    assert posted.data["where"] == "canvas"


def test_a_file_shared_but_unanswered_is_adopted_not_uploaded_again(timed, clock) -> None:
    timed.fake.without_canvases()
    esc = _closed(timed, clock)
    timed.fake.drop_after_acting("files.completeUploadExternal")
    submit(timed, _modal(timed, esc), {"root_cause": "A bad migration"}, user="U0ANA")
    wait_until(lambda: row(timed, esc.id).report_link)
    assert len([f for f in timed.fake.files() if f["shared"]]) == 1


def test_a_room_archived_by_hand_sends_the_report_and_the_plan_to_the_person(timed, clock) -> None:
    esc = _closed(timed, clock)
    timed.fake.channel_archived_by_hand(esc.room_channel_id)
    submit(timed, _modal(timed, esc), {"root_cause": "A bad migration"}, user="U0ANA")
    wait_until(lambda: row(timed, esc.id).report_link)
    [file] = [f for f in timed.fake.files() if f["shared"]]
    assert file["channel_id"] == timed.fake.dm_channel("U0ANA")
    timed.slack.slash_command(f"recovery {esc.public_id}", user_id="U0ANA", channel_id="C0SUPPORT")
    wait_until(lambda: any("recovery.accept" in json.dumps(m.get("blocks")) for m in _dm(timed, "U0ANA")))


def test_an_owners_reminder_posted_but_unanswered_is_sent_once(timed, clock) -> None:
    esc = _closed(timed, clock)  # closed: the follow-up's is the only reminder due in these days
    timed.warroom.follow_ups.add(
        esc.id, Actor("U0ANA"), FollowUpKind.PREVENTION, "Add a guard", "U0CHLOE", T0 + timedelta(days=3)
    )
    clock.now = T0 + timedelta(days=3)
    timed.fake.drop_after_acting("chat.postMessage")
    before = len(timed.fake.calls_to("chat.postMessage"))
    for minutes in (0, 1, 2):
        clock.now = T0 + timedelta(days=3, minutes=minutes)
        timed.warroom.clocks.sweep()
    assert len(timed.fake.calls_to("chat.postMessage")) == before + 1, "looked for, not posted again"
    assert len([m for m in _dm(timed, "U0CHLOE") if m["text"].startswith("⏰ Due today")]) == 1


def test_an_action_on_an_archived_escalation_is_confirmed_to_its_author_and_owner(timed, clock) -> None:
    esc = _closed(timed, clock)
    clock.now = T0 + timedelta(days=8)
    timed.warroom.clocks.sweep()  # the quiet period is over: the room is archived
    wait_until(lambda: row(timed, esc.id).archived_at)
    said = command(
        timed, f"action {esc.public_id} Add a guard <@U0CHLOE|chloe> in 2 weeks", channel="C0SUPPORT"
    )
    assert "its room is archived" in said and "Add a guard" in said
    wait_until(lambda: any("made you its owner" in m["text"] for m in _dm(timed, "U0CHLOE")))


def test_unclear_commands_get_clear_answers(timed, clock) -> None:
    assert "choose 7d, 30d or 90d" in command(timed, "metrics 30d extra", channel="C0SUPPORT")
    assert "can't find *ESC-2026-999*" in command(timed, "actions ESC-2026-999", channel="C0SUPPORT")


def test_a_report_slack_would_not_take_says_the_review_is_saved_and_the_form_lists_its_actions(
    timed, clock
) -> None:
    esc = _closed(timed, clock)
    timed.fake.fail_next("conversations.canvases.create", error="internal_error")
    timed.fake.fail_next("files.getUploadURLExternal", error="internal_error")
    submit(timed, _modal(timed, esc), {"root_cause": "A bad migration", **ACTION}, user="U0ANA")
    wait_until(lambda: any("Your review is saved" in m["text"] for m in _dm(timed, "U0ANA")))
    assert row(timed, esc.id).root_cause == "A bad migration" and len(_follow_ups(timed)) == 1
    note = next(b for b in _modal(timed, esc)["blocks"] if b.get("block_id") == "note")["text"]["text"]
    assert "already recorded" in note and "Add a row-count check" in note


def test_an_accepted_plan_whose_message_cannot_be_edited_is_not_reported_as_failed(timed, clock) -> None:
    esc = _closed(timed, clock)
    timed.slack.slash_command("recovery", user_id="U0ANA", channel_id=esc.room_channel_id)
    plan = wait_until(
        lambda: next(
            (
                m
                for m in timed.fake.messages(esc.room_channel_id)
                if "recovery.accept" in json.dumps(m.get("blocks"))
            ),
            None,
        )
    )
    timed.fake.fail_next("chat.update", error="internal_error", times=5)
    timed.slack.button(
        "recovery.accept", str(esc.id), user_id="U0ANA", channel_id=esc.room_channel_id, message_ts=plan["ts"]
    )
    wait_until(lambda: [c for c in timed.fake.calls_to("chat.update") if c.params.get("ts") == plan["ts"]])
    time.sleep(0.3)  # a failure would be told right after the refused edit, in the same listener
    assert events(timed, esc.id, "recovery_planned")
    told = json.dumps([*timed.fake.ephemerals, *_dm(timed, "U0ANA")])
    assert "did not go through" not in told


def test_every_open_follow_up_is_counted_past_the_read(timed, clock) -> None:
    esc = sev1_room(timed)
    with timed.warroom.db.session() as session:
        session.add_all(
            FollowUp(
                escalation_id=esc.id,
                kind="prevention",
                text=f"Action {n}",
                owner_user_id="U0ANA",
                due_at=T0 + timedelta(days=1 + n % 30),
                status="open",
                created_at=T0,
            )
            for n in range(505)
        )
    listed = command(timed, "actions", user="U0ANA", channel="C0SUPPORT")
    assert "505 open follow-ups" in listed and "485 more not shown" in listed
