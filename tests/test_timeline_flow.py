"""The timeline end to end, on both databases: a 📌 on a message (a thread reply included) in a war room or
a card's thread adds it once; its edit updates the entry and its deletion removes it; the "Add to
timeline" shortcut says where it went; `/escalate timeline` shows everything in order, for those who may
see it, with hostile text inert."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from bot.escalations.changes import Actor
from bot.sandbox.stack import Sandbox, wait_until
from storage.models import SlackEvent
from tests.flows import room_ready
from tests.room_steps import STRANGER, command, events, open_escalation, row, sev1_room, sev3_card


def _captured(sandbox: Sandbox, escalation_id: int) -> list:
    return events(sandbox, escalation_id, "message_captured")


def test_a_pin_on_a_thread_reply_reaches_the_timeline_and_its_edit_follows(sandbox: Sandbox) -> None:
    esc = sev1_room(sandbox)
    room = esc.room_channel_id or ""
    parent = sandbox.fake.add_message(room, "U0CHLOE", "Looking at the migration job logs")
    reply = sandbox.fake.add_message(room, "U0CHLOE", "Found it: the job skipped <@U0BEN>'s mapping", parent)

    assert sandbox.slack.reaction("pushpin", user_id="U0ANA", channel_id=room, ts=reply).status == 200
    [entry] = wait_until(lambda: _captured(sandbox, esc.id))
    assert entry.text == "Found it: the job skipped @Ben Ortiz's mapping", "mentions read as names"
    assert (entry.actor_user_id, entry.data["author"], entry.message_ts) == ("U0ANA", "U0CHLOE", reply)

    # A second 📌 (someone else, or Slack retrying the event) adds nothing.
    sandbox.slack.reaction("pushpin", user_id="U0BEN", channel_id=room, ts=reply)
    sandbox.slack.reaction("pushpin", user_id="U0BEN", channel_id=room, ts=reply, event_id="EvSAME")
    sandbox.slack.reaction("pushpin", user_id="U0BEN", channel_id=room, ts=reply, event_id="EvSAME")
    sandbox.slack.message_edited(
        "Found it: the job skipped the EU mapping",
        user_id="U0CHLOE",
        channel_id=room,
        ts=reply,
        thread_ts=parent,
    )
    wait_until(lambda: _captured(sandbox, esc.id)[0].text == "Found it: the job skipped the EU mapping")
    assert len(_captured(sandbox, esc.id)) == 1
    assert _captured(sandbox, esc.id)[0].data.get("edited_at")

    said = command(sandbox, "timeline", user="U0BEN", channel=room)
    assert "Found it: the job skipped the EU mapping" in said and "(edited)" in said
    assert said.index("opened as SEV-1") < said.index("Found it"), "oldest first"

    sandbox.slack.message_deleted(channel_id=room, ts=reply)
    wait_until(lambda: _captured(sandbox, esc.id)[0].data.get("removed"))
    assert _captured(sandbox, esc.id)[0].text == "", "a deleted message leaves no copy behind"
    assert "EU mapping" not in command(sandbox, "timeline", user="U0BEN", channel=room)


def test_other_reactions_and_messages_outside_a_room_add_nothing(sandbox: Sandbox) -> None:
    esc = sev1_room(sandbox)
    room = esc.room_channel_id or ""
    in_room = sandbox.fake.add_message(room, "U0CHLOE", "Restart scheduled")
    elsewhere = sandbox.fake.add_message("C0GENERAL", "U0CHLOE", "Lunch?")
    sandbox.slack.reaction("eyes", user_id="U0ANA", channel_id=room, ts=in_room)
    sandbox.slack.reaction("pushpin", user_id="U0ANA", channel_id="C0GENERAL", ts=elsewhere)
    sandbox.slack.reaction("pushpin::skin-tone-2", user_id="U0ANA", channel_id=room, ts=in_room)
    [entry] = wait_until(lambda: _captured(sandbox, esc.id))
    assert entry.text == "Restart scheduled", "a skin tone is still a 📌"


def test_taking_the_pin_off_removes_what_the_pin_added(sandbox: Sandbox) -> None:
    esc = sev1_room(sandbox)
    room = esc.room_channel_id or ""
    ts = sandbox.fake.add_message(room, "U0CHLOE", "Rolled back the sync")
    sandbox.slack.reaction("pushpin", user_id="U0ANA", channel_id=room, ts=ts)
    wait_until(lambda: _captured(sandbox, esc.id))
    sandbox.slack.reaction("pushpin", user_id="U0ANA", channel_id=room, ts=ts, removed=True)
    wait_until(lambda: _captured(sandbox, esc.id)[0].data.get("removed"))


def test_a_pin_in_a_sev3_card_thread_goes_on_that_escalations_timeline(sandbox: Sandbox) -> None:
    esc = sev3_card(sandbox)
    reply = sandbox.fake.add_message("C0SUPPORT", "U0CHLOE", "Cache flushed, charts load in 2 s", esc.card_ts)
    top_level = sandbox.fake.add_message("C0SUPPORT", "U0CHLOE", "Unrelated chatter in #support")
    sandbox.slack.reaction("pushpin", user_id="U0ANA", channel_id="C0SUPPORT", ts=top_level)
    sandbox.slack.reaction("pushpin", user_id="U0ANA", channel_id="C0SUPPORT", ts=reply)
    [entry] = wait_until(lambda: _captured(sandbox, esc.id))
    assert entry.text == "Cache flushed, charts load in 2 s"


def test_the_shortcut_adds_a_message_and_says_where_it_went(sandbox: Sandbox) -> None:
    esc = sev1_room(sandbox)
    room = esc.room_channel_id or ""
    ts = sandbox.fake.add_message(room, "U0BEN", "Customer says exports work again")
    message = next(m for m in sandbox.fake.messages(room) if m["ts"] == ts)
    sandbox.slack.message_shortcut("add_to_timeline", message, user_id="U0BEN", channel_id=room)
    wait_until(lambda: _captured(sandbox, esc.id))
    said = wait_until(
        lambda: [e["text"] for e in sandbox.fake.ephemerals if "Added to the timeline" in e["text"]]
    )
    assert esc.public_id in said[0]

    lunch = sandbox.fake.add_message("C0GENERAL", "U0DAVE", "Lunch?")
    message = next(m for m in sandbox.fake.messages("C0GENERAL") if m["ts"] == lunch)
    sandbox.slack.message_shortcut("add_to_timeline", message, user_id="U0DAVE", channel_id="C0GENERAL")
    wait_until(lambda: any("no timeline to go on" in e["text"] for e in sandbox.fake.ephemerals))


def test_an_outsider_cannot_add_to_or_read_a_private_timeline(sandbox: Sandbox) -> None:
    esc = open_escalation(
        sandbox,
        "Unauthorized access to Hooli's admin console",
        {"customer": "Hooli", "escalation_type": "security"},
    )
    room_ready(sandbox)
    room = row(sandbox, esc.id).room_channel_id or ""
    sandbox.fake.add_user(STRANGER, "eve", "Eve Outsider", "Contractor")
    ts = sandbox.fake.add_message(room, "U0BEN", "Rotated the admin keys")
    sandbox.slack.reaction("pushpin", user_id=STRANGER, channel_id=room, ts=ts)
    said = command(sandbox, f"timeline {esc.public_id}", user=STRANGER, channel="C0GENERAL")
    assert "I can't find" in said and "Hooli" not in said and "admin" not in said
    sandbox.slack.reaction("pushpin", user_id="U0BEN", channel_id=room, ts=ts)  # who raised it: in the room
    [entry] = wait_until(lambda: _captured(sandbox, esc.id))
    assert entry.actor_user_id == "U0BEN", "the member's pin counted, the outsider's did not"


def test_hostile_text_on_the_timeline_stays_inert(sandbox: Sandbox) -> None:
    esc = sev1_room(sandbox)
    room = esc.room_channel_id or ""
    ts = sandbox.fake.add_message(room, "U0CHLOE", "<!channel> see <https://evil.example|the fix> &lt;b&gt;")
    sandbox.slack.reaction("pushpin", user_id="U0ANA", channel_id=room, ts=ts)
    wait_until(lambda: _captured(sandbox, esc.id))
    sandbox.warroom.rooms.post_update(esc.id, Actor("U0ANA"), "ping <!here> and <@U0DAVE>")
    said = json.loads(command(sandbox, "timeline", user="U0ANA", channel=room))
    text = json.dumps(said["blocks"])
    for live in ("<!channel>", "<!here>", "<https://evil", "<@U0DAVE>"):
        assert live not in text, live
    assert "@channel see the fix &lt;b&gt;" in text


def test_ordinary_messages_in_rooms_are_acknowledged_without_a_database_write(sandbox: Sandbox) -> None:
    def recorded() -> int:
        with sandbox.warroom.db.session() as session:
            return session.execute(select(func.count()).select_from(SlackEvent)).scalar_one()

    before = recorded()
    message = {"type": "message", "channel": "C0SUPPORT", "user": "U0BEN", "text": "lunch?", "ts": "1.000100"}
    for _ in range(20):  # every message in every room arrives (message.channels): none is written down
        assert sandbox.slack.event(message).status == 200
    assert recorded() == before
    sandbox.slack.message_deleted(channel_id="C0SUPPORT", ts="1.000100")
    wait_until(lambda: recorded() == before + 1)  # a deletion is followed, so it is taken in once
