"""Prevention actions end to end against the fake Slack: `/escalate action` in the room, the owner's
reminders in a DM (before, at and after the due date, once each, with two replicas sweeping), *Mark done*
from the reminder, `/escalate actions`, and what bad or hostile input gets."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

from sqlalchemy import select

from bot.clocks.sweep import ClockService
from bot.sandbox.stack import wait_until
from storage.models import FollowUp
from tests.room_steps import (
    STRANGER,
    T0,
    clock_fixture,
    command,
    events,
    run,
    said_in,
    second_clock_replica,
    sev1_room,
    timed_fixture,
)

__all__ = ["clock_fixture", "timed_fixture"]
# T0 is Monday 2 March 2026, 09:00 UTC; "2026-03-20" is due at 17:00 on the typing person's clock (UTC).
DUE = T0.replace(day=20, hour=17)


def _follow_ups(sandbox) -> list[FollowUp]:
    with sandbox.warroom.db.session() as session:
        return list(session.execute(select(FollowUp).order_by(FollowUp.id)).scalars())


def _dm(sandbox, user: str) -> list[dict]:
    channel = sandbox.fake.dm_channel(user)
    return sandbox.fake.messages(channel) if channel else []


def _add_action(sandbox, esc, text: str = "Alert on bulk deletes in the sync <@U0CHLOE|chloe> 2026-03-20"):
    before = len(_follow_ups(sandbox))
    run(
        sandbox,
        f"action {text}",
        channel=esc.room_channel_id,
        until=lambda: len(_follow_ups(sandbox)) > before,
    )
    return _follow_ups(sandbox)[-1]


def test_an_action_has_what_an_owner_and_a_due_date_and_the_room_hears_it(timed, clock) -> None:
    esc = sev1_room(timed)
    action = _add_action(timed, esc)
    assert (action.kind, action.text, action.owner_user_id, action.due_at) == (
        "prevention",
        "Alert on bulk deletes in the sync",
        "U0CHLOE",
        DUE,
    )
    assert action.created_by == "U0ANA" and action.status == "open"
    wait_until(lambda: any("Prevention action added" in t for t in said_in(timed, esc.room_channel_id)))
    said = next(t for t in said_in(timed, esc.room_channel_id) if "Prevention action added" in t)
    assert "<@U0CHLOE>" in said and "Alert on bulk deletes in the sync" in said
    assert "U0CHLOE" in timed.fake.members(esc.room_channel_id), "the owner is invited to the room"
    [event] = events(timed, esc.id, "follow_up_added")
    assert event.data["follow_up_id"] == action.id

    listed = command(timed, "actions", channel=esc.room_channel_id)
    assert "Alert on bulk deletes in the sync" in listed and '"follow_up_done"' in listed


def test_without_an_owner_or_date_it_is_yours_and_due_in_two_weeks(timed, clock) -> None:
    esc = sev1_room(timed)
    action = _add_action(timed, esc, "Write the runbook for sync rollbacks")
    assert action.owner_user_id == "U0ANA"
    assert action.due_at == T0 + timedelta(days=14)
    by_friday = _add_action(timed, esc, "Review the sync's delete guard by friday")
    assert by_friday.text == "Review the sync's delete guard" and by_friday.due_at == T0.replace(
        day=6, hour=17
    )


def test_the_owner_is_reminded_in_a_dm_before_at_and_after_the_due_date_once_each(timed, clock) -> None:
    esc = sev1_room(timed)
    action = _add_action(timed, esc)
    clocks = timed.warroom.clocks

    clock.now = DUE - timedelta(days=1, minutes=1)
    clocks.sweep()
    assert not [m for m in _dm(timed, "U0CHLOE") if "Alert on bulk deletes" in m["text"]]

    clock.now = DUE - timedelta(days=1)
    clocks.sweep()
    clocks.sweep()
    reminders = [m["text"] for m in _dm(timed, "U0CHLOE") if "Alert on bulk deletes" in m["text"]]
    assert len(reminders) == 1 and reminders[0].startswith("⏰ Due") and esc.public_id in reminders[0]

    clock.now = DUE
    clocks.sweep()
    clock.now = DUE + timedelta(days=1)
    clocks.sweep()
    reminders = [m["text"] for m in _dm(timed, "U0CHLOE") if "Alert on bulk deletes" in m["text"]]
    assert len(reminders) == 3
    assert reminders[1].startswith("⏰ Due today") and reminders[2].startswith("⚠️ Overdue since")
    assert f'"value": "{action.id}"' in json.dumps(_dm(timed, "U0CHLOE")[-1]["blocks"])


def test_two_replicas_sweeping_at_once_send_the_reminder_once(timed, clock, db) -> None:
    esc = sev1_room(timed)
    _add_action(timed, esc)
    clock.now = DUE
    replicas = [timed.warroom.clocks, second_clock_replica(timed, db, clock)]
    start = threading.Barrier(len(replicas))
    posted: list[int] = []

    def sweep(replica: ClockService) -> None:
        start.wait()
        posted.append(sum(replica.sweep().posted for _ in range(5)))

    threads = [threading.Thread(target=sweep, args=(replica,)) for replica in replicas]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    replicas[1].db.dispose()
    replicas[1].close()
    due = [m for m in _dm(timed, "U0CHLOE") if m["text"].startswith("⏰ Due today")]
    assert len(due) == 1, "one DM, whichever replica claimed it"
    assert len(posted) == 2


def test_mark_done_from_the_reminder_stops_the_reminders_and_counts_once(timed, clock) -> None:
    esc = sev1_room(timed)
    action = _add_action(timed, esc)
    clock.now = DUE - timedelta(days=1)
    timed.warroom.clocks.sweep()
    [reminder] = [m for m in _dm(timed, "U0CHLOE") if "Alert on bulk deletes" in m["text"]]
    dm = timed.fake.dm_channel("U0CHLOE")
    button = reminder["blocks"][0]["accessory"]
    assert button["action_id"] == "follow_up_done" and button["value"] == str(action.id)
    for _ in range(3):  # a triple click, the owner's
        timed.slack.button(
            "follow_up_done", button["value"], user_id="U0CHLOE", channel_id=dm, message_ts=reminder["ts"]
        )
    wait_until(lambda: _follow_ups(timed)[-1].status == "done")
    wait_until(lambda: len(events(timed, esc.id, "follow_up_done")) == 1)
    assert _follow_ups(timed)[-1].done_by == "U0CHLOE"

    before = len(_dm(timed, "U0CHLOE"))
    for days in (0, 1, 2):
        clock.now = DUE + timedelta(days=days)
        timed.warroom.clocks.sweep()
    assert len(_dm(timed, "U0CHLOE")) == before, "a done action is not reminded again"


def test_someone_outside_the_room_cannot_mark_another_persons_action_done(timed, clock) -> None:
    esc = sev1_room(timed)
    action = _add_action(timed, esc)
    timed.fake.add_user(STRANGER, "eve", "Eve Outsider", "Contractor")
    timed.slack.button(
        "follow_up_done", str(action.id), user_id=STRANGER, channel_id="C0SUPPORT", message_ts="1.0"
    )
    told = lambda: [*timed.fake.ephemerals, *_dm(timed, STRANGER)]  # noqa: E731
    wait_until(lambda: any("Only people in" in json.dumps(e) for e in told()))
    assert _follow_ups(timed)[-1].status == "open"


def test_bad_dates_and_huge_or_hostile_text_get_a_clear_answer(timed, clock) -> None:
    esc = sev1_room(timed)
    room = esc.room_channel_id
    assert "has passed" in command(timed, "action Fix it <@U0CHLOE|chloe> 2026-03-01", channel=room)
    assert "can't read" in command(timed, "action Fix it <@U0CHLOE|chloe> someday soonish", channel=room)
    assert "under 300 characters" in command(timed, "action " + "x" * 40_000, channel=room)
    assert "Usage" in command(timed, "action", channel=room)
    assert "within 2 years" in command(timed, "action Fix it <@U0CHLOE|chloe> in 999 weeks", channel=room)
    assert not _follow_ups(timed)

    _add_action(
        timed, esc, "Tell <!channel> about <https://evil.example|the fix> <@U0CHLOE|chloe> 2026-03-20"
    )
    wait_until(lambda: any("Prevention action added" in t for t in said_in(timed, room)))
    said = next(t for t in said_in(timed, room) if "Prevention action added" in t)
    assert (
        "<!channel>" not in said and "<https://evil" not in said and "&lt;" not in _follow_ups(timed)[-1].text
    )
    clock.now = DUE
    timed.warroom.clocks.sweep()
    [reminder] = [m for m in _dm(timed, "U0CHLOE") if "Tell" in m["text"]]
    assert "<!channel>" not in json.dumps(reminder) and "<https://evil" not in json.dumps(reminder)


def test_actions_outside_a_room_list_every_open_one_you_may_see(timed, clock) -> None:
    public = sev1_room(timed)
    _add_action(timed, public)
    timed.fake.add_user(STRANGER, "eve", "Eve Outsider", "Contractor")
    listed = command(timed, "actions", user=STRANGER, channel="C0SUPPORT")
    assert "Alert on bulk deletes in the sync" in listed and public.public_id in listed
