"""Roles end to end (signed requests → the Bolt app → the fake Slack), on both databases: `/escalate role`
and the card's claim buttons invite the person and put them on the card and the topic; a SEV-1/2 without
a customer liaison is nudged once the policy's time has passed; a SEV-3 moved up leaves a stale-free
thread card, with the person who moved it in the new room."""

from __future__ import annotations

import json
from datetime import timedelta

from bot.core.vocabulary import Role
from bot.escalations.changes import Actor
from bot.sandbox.stack import Sandbox, wait_until
from tests.flows import room_ready
from tests.room_steps import (
    STRANGER,
    T0,
    card,
    card_text,
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


def _roles(blocks: list[dict]) -> dict[str, str]:
    fields = next(b for b in blocks if b.get("block_id") == "card_roles")["fields"]
    return dict(f["text"].split("\n", 1) for f in fields)


def _claims(blocks: list[dict]) -> list[str]:
    claims = next((b for b in blocks if b.get("block_id") == "card_claims"), {"elements": []})
    return [e["action_id"] for e in claims["elements"]]


def test_a_role_assignment_invites_the_person_and_updates_card_and_topic(sandbox: Sandbox) -> None:
    esc = sev1_room(sandbox)
    room = esc.room_channel_id or ""
    assert "U0DAVE" not in sandbox.fake.members(room)
    assert _claims(card(sandbox, esc)) == ["card_claim_liaison", "card_claim_engineering", "card_claim_csm"]

    # Slack sends the person escaped, as the manifest's should_escape asks: <@U…|name>.
    run(
        sandbox,
        "role liaison <@U0DAVE|dave>",
        channel=room,
        until=lambda: row(sandbox, esc.id).liaison_user_id == "U0DAVE",
    )

    assert "U0DAVE" in wait_until(
        lambda: "U0DAVE" in sandbox.fake.members(room) and sandbox.fake.members(room)
    )
    wait_until(lambda: _roles(card(sandbox, esc))["*Customer liaison*"] == "<@U0DAVE>")
    assert _claims(card(sandbox, esc)) == ["card_claim_engineering", "card_claim_csm"]
    assert "Liaison <@U0DAVE>" in wait_until(
        lambda: "Liaison" in sandbox.fake.topic(room) and sandbox.fake.topic(room)
    )
    assert any(
        "<@U0DAVE> is now the *customer liaison* (set by <@U0ANA>)" in t for t in said_in(sandbox, room)
    )
    [assigned] = events(sandbox, esc.id, "role_assigned")[-1:]
    assert assigned.data["role"] == "liaison" and assigned.actor_user_id == "U0ANA"


def test_a_claim_button_gives_the_clicker_the_role(sandbox: Sandbox) -> None:
    esc = sev1_room(sandbox)
    room = esc.room_channel_id or ""
    sandbox.slack.button(
        "card_claim_engineering",
        str(esc.id),
        user_id="U0CHLOE",
        channel_id=room,
        message_ts=esc.card_ts or "",
    )
    wait_until(lambda: row(sandbox, esc.id).engineering_user_id == "U0CHLOE")
    wait_until(lambda: _roles(card(sandbox, esc))["*Engineering owner*"] == "<@U0CHLOE>")
    assert "U0CHLOE" in sandbox.fake.members(room)
    assert any("<@U0CHLOE> took the role of *engineering owner*" in t for t in said_in(sandbox, room))


def test_a_role_for_nobody_or_a_stranger_to_slack_is_explained_and_changes_nothing(sandbox: Sandbox) -> None:
    esc = sev1_room(sandbox)
    room = esc.room_channel_id or ""
    assert "Usage: `/escalate role" in command(sandbox, "role liaison", channel=room)
    assert "I can't find that person" in command(sandbox, "role liaison <@U0NOBODY1|ghost>", channel=room)
    assert "I can't find that person" in command(sandbox, "role eng <@U0WARROOM|warroom>", channel=room)
    after = row(sandbox, esc.id)
    assert (after.liaison_user_id, after.engineering_user_id) == (None, None)


def test_outsiders_cannot_hand_out_roles_in_a_private_room(sandbox: Sandbox) -> None:
    esc = open_escalation(
        sandbox,
        "Unauthorized access to Hooli's admin console",
        {"customer": "Hooli", "escalation_type": "security"},
    )
    room_ready(sandbox)
    sandbox.fake.add_user(STRANGER, "eve", "Eve Outsider", "Contractor")
    said = command(
        sandbox, f"role {esc.public_id} liaison <@{STRANGER}|eve>", user=STRANGER, channel="C0GENERAL"
    )
    assert "I can't find" in said and "Hooli" not in said
    assert row(sandbox, esc.id).liaison_user_id is None
    assert STRANGER not in sandbox.fake.members(esc.room_channel_id or "")


def test_a_sev1_without_a_liaison_is_nudged_once_the_policy_time_has_passed(timed: Sandbox, clock) -> None:
    esc = sev1_room(timed)
    room = esc.room_channel_id or ""
    timed.warroom.rooms.acknowledge(esc.id, Actor("U0ANA"))

    def nudges() -> list[str]:
        return [t for t in said_in(timed, room) if "has no customer liaison yet" in t]

    clock.now = T0 + timedelta(minutes=14)
    timed.warroom.clocks.sweep()
    assert nudges() == []
    clock.now = T0 + timedelta(minutes=15)
    assert timed.warroom.clocks.sweep().posted == 1
    [nudge] = nudges()
    assert nudge.startswith("<@U0ANA> 👥 *") and "(SEV-1: name one within 15 min)" in nudge
    message = next(m for m in timed.fake.messages(room) if "has no customer liaison yet" in m.get("text", ""))
    assert "card_claim_liaison" in json.dumps(message["blocks"]), "the nudge carries the claim button"

    timed.warroom.rooms.assign_role(esc.id, Role.LIAISON, "U0BEN", Actor("U0ANA"))
    clock.now = T0 + timedelta(hours=3)
    timed.warroom.clocks.sweep()
    assert len(nudges()) == 1, "a liaison named: no more nudges"


def test_a_sev3_moved_up_leaves_a_stale_free_thread_card_and_invites_the_mover(sandbox: Sandbox) -> None:
    esc = sev3_card(sandbox)
    thread_card = esc.card_ts or ""
    # @dave is not the IC nor the caller: he moves it up from the card's thread by naming it.
    run(
        sandbox,
        f"severity {esc.public_id} SEV-1 the whole district is locked out now",
        user="U0DAVE",
        channel="C0SUPPORT",
        until=lambda: (
            row(sandbox, esc.id).room_channel_id is not None and row(sandbox, esc.id).provisioned_at
        ),
    )
    moved = row(sandbox, esc.id)
    room = moved.room_channel_id or ""
    assert {"U0ANA", "U0BEN", "U0DAVE"} <= sandbox.fake.members(room), "the mover is in the new room"

    def old_card() -> list[dict]:
        return next(m for m in sandbox.fake.messages("C0SUPPORT") if m["ts"] == thread_card)["blocks"]

    # The old card is edited once the new room is set up: wait for what people will see.
    def without_buttons() -> list[dict] | None:
        blocks = old_card()
        return None if any(b["type"] == "actions" for b in blocks) else blocks

    blocks = wait_until(without_buttons)
    old_text = json.dumps(blocks, ensure_ascii=False)
    assert "SEV-1" in old_text and f"<#{room}>" in old_text and "SEV-3" not in old_text
    assert "SEV-1" in sandbox.fake.topic(room)
    assert moved.card_channel_id == room and "SEV-1" in card_text(sandbox, moved)


def test_the_announcement_follows_severity_and_status(sandbox: Sandbox) -> None:
    esc = sev1_room(sandbox)
    room = esc.room_channel_id or ""
    [announcement] = [m for m in sandbox.fake.messages("C0ESCALATIONS") if esc.public_id in json.dumps(m)]
    run(
        sandbox,
        "severity SEV-2 contained to one region",
        channel=room,
        until=lambda: row(sandbox, esc.id).severity == "SEV-2",
    )

    def announced() -> str:
        message = next(m for m in sandbox.fake.messages("C0ESCALATIONS") if m["ts"] == announcement["ts"])
        return json.dumps(message["blocks"], ensure_ascii=False)

    wait_until(lambda: "SEV-2" in announced())
    assert len([m for m in sandbox.fake.messages("C0ESCALATIONS") if esc.public_id in json.dumps(m)]) == 1
    run(sandbox, "status identified", channel=room, until=lambda: row(sandbox, esc.id).status == "identified")
    wait_until(lambda: "Identified" in announced())


def test_a_passed_first_response_shows_as_breached_in_the_topic(timed: Sandbox, clock) -> None:
    esc = sev1_room(timed)
    room = esc.room_channel_id or ""
    assert "first response due" in timed.fake.topic(room)
    clock.now = T0 + timedelta(minutes=16)
    timed.warroom.clocks.sweep()
    wait_until(lambda: "breached" in timed.fake.topic(room))
    assert "first response due" not in timed.fake.topic(room)
    assert "Overdue since" in card_text(timed, esc)
