"""Running the room on a bad day, end to end on both databases: what a black-box attack on roles, closing,
archiving and the timeline found, each kept fixed. Slack answers late or not at all, people click what they
should not, and rooms are archived behind warroom's back."""

from __future__ import annotations

import contextlib
import json
import threading
from datetime import timedelta

from bot.core.vocabulary import Role
from bot.escalations.changes import Actor
from bot.sandbox.stack import Sandbox, wait_until
from tests.flows import SEV3_TEXT
from tests.room_steps import (
    T0,
    card,
    command,
    events,
    open_escalation,
    row,
    run,
    said_in,
    sev1_room,
    sev3_card,
)
from tests.room_steps import clock_fixture as clock_fixture  # the `clock` fixture
from tests.room_steps import timed_fixture as timed_fixture  # the `timed` fixture


def _closed_and_archived(timed: Sandbox, clock) -> tuple[int, str]:
    esc = sev1_room(timed)
    timed.warroom.rooms.resolve(esc.id, Actor("U0ANA"), "Restored the reports")
    timed.warroom.rooms.confirm(esc.id, Actor("U0ANA"))
    clock.now = T0 + timedelta(days=7)
    timed.warroom.clocks.sweep()
    assert row(timed, esc.id).archived_at is not None
    return esc.id, esc.room_channel_id or ""


def test_a_reopen_whose_new_channel_times_out_still_gets_a_new_room(timed: Sandbox, clock) -> None:
    escalation_id, old_room = _closed_and_archived(timed, clock)
    timed.fake.time_out_next("conversations.create")
    timed.warroom.rooms.reopen(escalation_id, Actor("U0ANA"), "Broke again")
    back = wait_until(lambda: (r := row(timed, escalation_id)).provisioned_at and r)
    assert back.room_channel_id not in (None, old_room), "never the archived room"
    assert timed.fake.channel(back.room_channel_id or "")["name"].endswith("-2")


def test_a_room_member_cannot_make_themselves_ic_to_close_it(sandbox: Sandbox) -> None:
    esc = sev1_room(sandbox, responders=["U0CHLOE"])
    room = esc.room_channel_id or ""
    said = command(sandbox, "role ic <@U0CHLOE|chloe>", user="U0CHLOE", channel=room)
    assert "can hand over command" in said
    assert "can close" in command(
        sandbox, "close the customer stopped answering", user="U0CHLOE", channel=room
    )
    assert (row(sandbox, esc.id).ic_user_id, row(sandbox, esc.id).status) == ("U0ANA", "investigating")
    # The IC can hand command over, and then the new IC owns the decisions.
    run(
        sandbox,
        "role ic <@U0CHLOE|chloe>",
        user="U0ANA",
        channel=room,
        until=lambda: row(sandbox, esc.id).ic_user_id == "U0CHLOE",
    )


def test_a_lost_answer_when_saying_a_change_still_refreshes_the_card_and_misleads_nobody(
    sandbox: Sandbox,
) -> None:
    esc = sev1_room(sandbox)
    room = esc.room_channel_id or ""
    sandbox.fake.drop_after_acting("chat.postMessage")
    sandbox.slack.button(
        "card_claim_liaison", str(esc.id), user_id="U0DAVE", channel_id=room, message_ts=esc.card_ts or ""
    )
    wait_until(lambda: "<@U0DAVE>" in json.dumps(card(sandbox, esc)))
    assert row(sandbox, esc.id).liaison_user_id == "U0DAVE"
    wait_until(lambda: "Liaison <@U0DAVE>" in sandbox.fake.topic(room))
    told = [e["text"] for e in sandbox.fake.ephemerals] + said_in(
        sandbox, sandbox.fake.dm_channel("U0DAVE") or room
    )
    assert not any("went wrong" in t for t in told), "a saved change is never reported as failed"


def test_a_claim_never_takes_a_role_someone_holds(sandbox: Sandbox) -> None:
    esc = sev1_room(sandbox)
    room = esc.room_channel_id or ""
    barrier = threading.Barrier(20)
    users = [f"U0X{n:02d}AAAA" for n in range(20)]
    for user in users:
        sandbox.fake.add_user(user, user.lower(), f"Person {user}")

    def claim(user: str) -> None:
        barrier.wait()
        with contextlib.suppress(ValueError):  # "already the customer liaison" after the first
            sandbox.warroom.rooms.claim_role(esc.id, Role.LIAISON, Actor(user, room))

    threads = [threading.Thread(target=claim, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    holder = row(sandbox, esc.id).liaison_user_id
    assert holder in users
    assert [e.data["role"] for e in events(sandbox, esc.id, "role_assigned")].count("liaison") == 1
    assert len([t for t in said_in(sandbox, room) if "took the role of *customer liaison*" in t]) == 1
    sandbox.slack.button(
        "card_claim_liaison", str(esc.id), user_id="U0BEN", channel_id=room, message_ts=esc.card_ts or ""
    )
    wait_until(lambda: any("is already the customer liaison" in e["text"] for e in sandbox.fake.ephemerals))
    assert row(sandbox, esc.id).liaison_user_id == holder


def test_a_lost_answer_to_the_archive_notice_still_archives_the_room_once(timed: Sandbox, clock) -> None:
    esc = sev1_room(timed)
    room = esc.room_channel_id or ""
    timed.warroom.rooms.resolve(esc.id, Actor("U0ANA"), "Restored")
    timed.warroom.rooms.confirm(esc.id, Actor("U0ANA"))
    clock.now = T0 + timedelta(days=7)
    timed.fake.drop_after_acting("chat.postMessage")
    timed.fake.time_out_next("conversations.archive", times=4)  # more than the client's own retries
    assert timed.warroom.clocks.sweep().posted == 0, "no answer: the archiving waits for a later sweep"
    assert not timed.fake.channel(room)["is_archived"]
    clock.now += timedelta(minutes=1)
    assert timed.warroom.clocks.sweep().posted == 1
    assert timed.fake.channel(room)["is_archived"] and row(timed, esc.id).archived_at is not None
    assert len([t for t in said_in(timed, room) if "is being archived" in t]) == 1, "the notice once"


def test_a_closed_escalation_takes_no_changes_but_a_reopen(sandbox: Sandbox) -> None:
    esc = sev3_card(sandbox)
    sandbox.warroom.rooms.resolve(esc.id, Actor("U0ANA"), "Cache flushed")
    sandbox.warroom.rooms.confirm(esc.id, Actor("U0ANA"))
    for text in (
        f"severity {esc.public_id} SEV-1 it is everyone now",
        f"update {esc.public_id} still looking",
        f"customer-update {esc.public_id} told them",
        f"status {esc.public_id} identified",
    ):
        assert "is closed" in command(sandbox, text, user="U0DAVE"), text
    closed = row(sandbox, esc.id)
    assert (closed.status, closed.severity, closed.room_channel_id) == ("closed", "SEV-3", None)
    assert not sandbox.fake.calls_to("conversations.create"), "no war room for a closed escalation"


def test_reopening_a_room_archived_by_hand_opens_a_new_one(timed: Sandbox, clock) -> None:
    esc = sev1_room(timed)
    room = esc.room_channel_id or ""
    timed.warroom.rooms.resolve(esc.id, Actor("U0ANA"), "Restored")
    timed.warroom.rooms.confirm(esc.id, Actor("U0ANA"))
    timed.fake.channel_archived_by_hand(room)
    timed.warroom.rooms.reopen(esc.id, Actor("U0ANA"), "Broke again")
    back = wait_until(lambda: (r := row(timed, esc.id)).provisioned_at and r.room_channel_id != room and r)
    assert back.previous_room_channel_id == room
    assert any("Broke again" in t for t in said_in(timed, back.room_channel_id or ""))


def test_roles_go_to_people_not_apps_or_deactivated_accounts(sandbox: Sandbox) -> None:
    esc = sev1_room(sandbox)
    room = esc.room_channel_id or ""
    sandbox.fake.add_user("U0OTHERBOT1", "otherbot", "Other Bot", is_bot=True)
    sandbox.fake.add_user("U0GONE12345", "gone", "Gone Person", deleted=True)
    assert "I can't find that person" in command(
        sandbox, "role liaison <@U0OTHERBOT1|otherbot>", channel=room
    )
    assert "deactivated" in command(sandbox, "role ic U0GONE12345", channel=room)
    assert (row(sandbox, esc.id).liaison_user_id, row(sandbox, esc.id).ic_user_id) == (None, "U0ANA")


def test_a_deleted_thread_parent_leaves_no_tombstone_on_the_timeline(sandbox: Sandbox) -> None:
    esc = sev1_room(sandbox)
    room = esc.room_channel_id or ""
    parent = sandbox.fake.add_message(room, "U0CHLOE", "Rolling back the sync job")
    sandbox.fake.add_message(room, "U0ANA", "ok", parent)
    sandbox.slack.reaction("pushpin", user_id="U0ANA", channel_id=room, ts=parent)
    wait_until(lambda: events(sandbox, esc.id, "message_captured"))
    tombstone = {
        "type": "message",
        "subtype": "message_changed",
        "channel": room,
        "hidden": True,
        "message": {
            "type": "message",
            "subtype": "tombstone",
            "text": "This message was deleted.",
            "ts": parent,
        },
    }
    sandbox.slack.event(tombstone)
    wait_until(lambda: events(sandbox, esc.id, "message_captured")[0].data.get("removed"))


def test_closing_words_are_cleaned_like_every_text(sandbox: Sandbox) -> None:
    esc = sev1_room(sandbox)
    sandbox.slack.button(
        "card_resolve",
        str(esc.id),
        user_id="U0ANA",
        channel_id=esc.room_channel_id or "",
        message_ts=esc.card_ts or "",
    )
    view = wait_until(
        lambda: [
            c
            for c in sandbox.fake.calls_to("views.open")
            if c.params["view"]["callback_id"] == "closing_modal"
        ]
    )[-1].params["view"]
    sandbox.slack.view_submission(view, {"reason": "Restored\x00 the\x07 reports \ud800"}, user_id="U0ANA")
    wait_until(lambda: row(sandbox, esc.id).status == "resolved")
    assert row(sandbox, esc.id).resolution_summary == "Restored the reports"
    forged = {**view, "private_metadata": "not json"}
    assert sandbox.slack.view_submission(forged, {"reason": "x"}, user_id="U0ANA").status == 200


def test_confirm_takes_a_note_of_how_the_customer_confirmed(sandbox: Sandbox) -> None:
    esc = sev1_room(sandbox)
    room = esc.room_channel_id or ""
    sandbox.warroom.rooms.resolve(esc.id, Actor("U0ANA"), "Restored")
    opened = len(sandbox.fake.calls_to("views.open"))
    run(
        sandbox,
        "confirm David confirmed by email at 14:02",
        channel=room,
        until=lambda: row(sandbox, esc.id).status == "closed",
    )
    [confirmed] = events(sandbox, esc.id, "customer_confirmed")
    assert confirmed.text.endswith(": David confirmed by email at 14:02")
    assert len(sandbox.fake.calls_to("views.open")) == opened, "no intake form"


def test_a_pin_under_a_card_posted_in_a_war_room_goes_on_that_cards_timeline(sandbox: Sandbox) -> None:
    room_esc = sev1_room(sandbox)
    room = room_esc.room_channel_id or ""
    # A SEV-3 for another customer, raised from inside the war room: its card and thread are there.
    initech = open_escalation(sandbox, SEV3_TEXT, {"customer": "Initech", "severity": "SEV-3"}, channel=room)
    assert initech.card_channel_id == room and initech.card_ts
    reply = sandbox.fake.add_message(room, "U0CHLOE", "Charts back to 2 s", initech.card_ts)
    sandbox.slack.reaction("pushpin", user_id="U0BEN", channel_id=room, ts=reply)
    wait_until(lambda: events(sandbox, initech.id, "message_captured"))
    assert events(sandbox, room_esc.id, "message_captured") == []
