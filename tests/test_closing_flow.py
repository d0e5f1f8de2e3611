"""Closing the loop end to end, on both databases: resolve → awaiting the customer's confirmation (the
liaison reminded on the policy's cadence) → confirm closes; closing without confirmation needs a reason,
is for the owners only and is flagged; reopening restores the clocks; a closed room is archived after
the quiet period (controlled clock), and a reopen after that gets a room again."""

from __future__ import annotations

import contextlib
import json
import threading
from datetime import timedelta

from bot.core.vocabulary import Role
from bot.escalations.changes import Actor
from bot.sandbox.stack import Sandbox, wait_until
from storage.db import utcnow
from tests.room_steps import T0, card, card_text, command, events, row, run, said_in, sev1_room
from tests.room_steps import clock_fixture as clock_fixture  # the `clock` fixture
from tests.room_steps import timed_fixture as timed_fixture  # the `timed` fixture


def _buttons(blocks: list[dict]) -> list[str]:
    actions = next((b for b in blocks if b.get("block_id") == "card_actions"), {"elements": []})
    return [e["action_id"] for e in actions["elements"]]


def _resolved_room(sandbox: Sandbox) -> tuple[int, str]:
    esc = sev1_room(sandbox)
    room = esc.room_channel_id or ""
    sandbox.warroom.rooms.assign_role(esc.id, Role.LIAISON, "U0DAVE", Actor("U0ANA"))
    run(
        sandbox,
        "resolve Restored the reports from the 2 May backup",
        channel=room,
        until=lambda: row(sandbox, esc.id).status == "resolved",
    )
    return esc.id, room


def test_resolve_then_confirm_closes(sandbox: Sandbox) -> None:
    escalation_id, room = _resolved_room(sandbox)
    esc = row(sandbox, escalation_id)
    assert (esc.resolution_summary, esc.resolved_by) == (
        "Restored the reports from the 2 May backup",
        "U0ANA",
    )
    assert (esc.internal_update_due_at, esc.customer_update_due_at, esc.resolution_due_at) == (
        None,
        None,
        None,
    )
    assert esc.confirmation_due_at is not None
    wait_until(
        lambda: (
            _buttons(card(sandbox, esc))
            == ["card_confirm", "customer_updated", "card_recovery", "card_reopen", "card_close"]
        )
    )
    assert "Resolved, awaiting customer confirmation" in card_text(sandbox, esc)
    said = "\n".join(said_in(sandbox, room))
    assert "Now awaiting Okafor Analytics's confirmation. <@U0DAVE> will be reminded every 4 h" in said

    sandbox.slack.button(
        "card_confirm", str(escalation_id), user_id="U0DAVE", channel_id=room, message_ts=esc.card_ts or ""
    )
    wait_until(lambda: row(sandbox, escalation_id).status == "closed")
    closed = row(sandbox, escalation_id)
    assert closed.confirmed_by == "U0DAVE" and closed.closed_at and not closed.closed_without_confirmation
    assert [e.kind for e in events(sandbox, escalation_id, "customer_confirmed")] == ["customer_confirmed"]
    wait_until(lambda: _buttons(card(sandbox, closed)) == ["card_report", "card_recovery", "card_reopen"])
    assert "Closed (customer confirmed)" in card_text(sandbox, closed)
    assert any("confirmed the fix" in t and "will be archived" in t for t in said_in(sandbox, room))
    assert closed.next_reminder_at == closed.closed_at + timedelta(days=7), "only the archiving is left"


def test_twenty_concurrent_confirmations_close_once(sandbox: Sandbox) -> None:
    escalation_id, room = _resolved_room(sandbox)
    barrier = threading.Barrier(20)

    def confirm() -> None:
        barrier.wait()
        with contextlib.suppress(ValueError):  # "already closed" for the ones that come after the first
            sandbox.warroom.rooms.confirm(escalation_id, Actor("U0DAVE", room))

    threads = [threading.Thread(target=confirm) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(events(sandbox, escalation_id, "customer_confirmed")) == 1
    assert [e.data["to"] for e in events(sandbox, escalation_id, "status_changed")].count("closed") == 1
    assert len([t for t in said_in(sandbox, room) if "confirmed the fix" in t]) == 1


def test_resolving_needs_what_fixed_it_and_status_resolved_points_there(sandbox: Sandbox) -> None:
    esc = sev1_room(sandbox)
    room = esc.room_channel_id or ""
    assert "what fixed it" in command(sandbox, "resolve", channel=room)
    assert "/escalate resolve" in command(sandbox, "status resolved", channel=room)
    assert "/escalate confirm" in command(sandbox, "status closed", channel=room)
    assert "not resolved yet" in command(sandbox, "confirm", channel=room)
    assert row(sandbox, esc.id).status == "investigating"


def test_closing_without_confirmation_needs_a_reason_the_owners_and_sets_the_flag(sandbox: Sandbox) -> None:
    esc = sev1_room(sandbox)
    room = esc.room_channel_id or ""
    assert "needs a reason" in command(sandbox, "close", user="U0ANA", channel=room)
    refused = command(sandbox, "close the customer stopped answering", user="U0CHLOE", channel=room)
    assert (
        "Only <@U0ANA> (incident commander), <@U0BEN> (who raised it) or an escalation manager can close"
        in refused
    )
    assert row(sandbox, esc.id).status == "investigating"

    run(
        sandbox,
        "close Duplicate of ESC-2026-001 <!channel>",
        user="U0BEN",
        channel=room,
        until=lambda: row(sandbox, esc.id).status == "closed",
    )
    closed = row(sandbox, esc.id)
    assert closed.closed_without_confirmation and closed.confirmed_at is None
    assert closed.close_reason == "Duplicate of ESC-2026-001 @channel", "Slack's markup is read as words"
    [flag] = events(sandbox, esc.id, "premature_closure")
    assert flag.actor_user_id == "U0BEN"
    blocks = wait_until(lambda: [b for b in card(sandbox, closed) if b.get("block_id") == "card_flag"])
    assert blocks[0]["text"]["text"].startswith("*⚠️ Premature closure*: closed by <@U0BEN>")
    assert "<!channel>" not in json.dumps(card(sandbox, closed)), "no mass mention anywhere on the card"


def test_the_close_modal_warns_and_refuses_an_empty_reason(sandbox: Sandbox) -> None:
    esc = sev1_room(sandbox)
    room = esc.room_channel_id or ""
    sandbox.slack.button(
        "card_close", str(esc.id), user_id="U0ANA", channel_id=room, message_ts=esc.card_ts or ""
    )
    view = wait_until(
        lambda: [
            c
            for c in sandbox.fake.calls_to("views.open")
            if c.params["view"]["callback_id"] == "closing_modal"
        ]
    )[-1].params["view"]
    assert "premature closure" in json.dumps(view)
    reply = sandbox.slack.view_submission(view, {"reason": "   "}, user_id="U0ANA")
    assert reply.json()["response_action"] == "errors" and "reason" in reply.json()["errors"]
    sandbox.slack.view_submission(view, {"reason": "Customer churned"}, user_id="U0ANA")
    wait_until(lambda: row(sandbox, esc.id).status == "closed")
    assert row(sandbox, esc.id).close_reason == "Customer churned"

    # Someone who may not close is told so when they click, before any form opens.
    opened = len(sandbox.fake.calls_to("views.open"))
    sandbox.slack.button(
        "card_reopen", str(esc.id), user_id="U0CHLOE", channel_id=room, message_ts=esc.card_ts or ""
    )
    # @chloe is not in the room, so Slack refuses her an ephemeral there: she hears it in a DM.
    wait_until(
        lambda: any("can reopen" in m.get("text", "") for m in sandbox.fake.messages(_dm(sandbox, "U0CHLOE")))
    )
    assert len(sandbox.fake.calls_to("views.open")) == opened


def test_reopen_restores_the_clocks_from_the_reopen(timed: Sandbox, clock) -> None:
    esc = sev1_room(timed)
    room = esc.room_channel_id or ""
    timed.warroom.rooms.acknowledge(esc.id, Actor("U0ANA"))
    timed.warroom.rooms.assign_role(esc.id, Role.LIAISON, "U0DAVE", Actor("U0ANA"))
    clock.now = T0 + timedelta(hours=1)
    timed.warroom.rooms.resolve(esc.id, Actor("U0ANA"), "Restored the reports")
    clock.now = T0 + timedelta(hours=2)
    timed.warroom.rooms.confirm(esc.id, Actor("U0DAVE"))
    clock.now = reopened_at = T0 + timedelta(hours=30)

    assert "Only <@U0ANA>" in command(timed, "reopen it broke", user="U0CHLOE", channel=room)
    run(
        timed,
        "reopen The reports broke again after the sync",
        user="U0ANA",
        channel=room,
        until=lambda: row(timed, esc.id).status == "investigating",
    )

    back = row(timed, esc.id)
    assert back.reopened_at == reopened_at and back.closed_at is None and back.resolved_at is None
    assert back.internal_update_due_at == reopened_at + timedelta(minutes=30)
    assert back.customer_update_due_at == reopened_at + timedelta(hours=2)
    assert back.resolution_due_at == reopened_at + timedelta(hours=4)
    assert back.first_response_due_at < reopened_at and back.acknowledged_at is not None
    wait_until(lambda: "card_resolve" in _buttons(card(timed, back)))
    assert "Reopened" in card_text(timed, back)
    clock.now = reopened_at + timedelta(minutes=30)
    assert timed.warroom.clocks.sweep().posted == 1
    assert "Internal update due now" in said_in(timed, room)[-1]


def test_the_liaison_is_reminded_to_get_the_confirmation_until_it_comes(timed: Sandbox, clock) -> None:
    esc = sev1_room(timed)
    room = esc.room_channel_id or ""
    timed.warroom.rooms.assign_role(esc.id, Role.LIAISON, "U0DAVE", Actor("U0ANA"))
    timed.warroom.rooms.resolve(esc.id, Actor("U0ANA"), "Restored the reports")

    def reminders() -> list[str]:
        return [t for t in said_in(timed, room) if "confirmed the fix?" in t]

    for minutes, expected in ((3 * 60 + 59, 0), (4 * 60, 1), (6 * 60, 1), (8 * 60, 2)):
        clock.now = T0 + timedelta(minutes=minutes)
        timed.warroom.clocks.sweep()
        assert len(reminders()) == expected, minutes
    assert reminders()[-1].startswith("<@U0DAVE> ✅")
    timed.warroom.rooms.confirm(esc.id, Actor("U0DAVE"))
    clock.now = T0 + timedelta(hours=30)
    timed.warroom.clocks.sweep()
    assert len(reminders()) == 2, "confirmed: no more reminders, and no update nudges either"
    assert not [t for t in said_in(timed, room) if "update due" in t or "overdue" in t]


def test_the_room_is_archived_after_the_quiet_period_and_a_reopen_gets_a_room(timed: Sandbox, clock) -> None:
    esc = sev1_room(timed)
    room = esc.room_channel_id or ""
    timed.warroom.rooms.resolve(esc.id, Actor("U0ANA"), "Restored the reports")
    timed.warroom.rooms.confirm(esc.id, Actor("U0ANA"))

    clock.now = T0 + timedelta(days=7) - timedelta(minutes=1)
    timed.warroom.clocks.sweep()
    assert not timed.fake.channel(room)["is_archived"]
    clock.now = T0 + timedelta(days=7)
    assert timed.warroom.clocks.sweep().posted == 1
    assert timed.fake.channel(room)["is_archived"]
    assert (
        "is being archived" in said_in(timed, room)[-1]
        and f"/escalate timeline {esc.public_id}" in said_in(timed, room)[-1]
    )
    archived = row(timed, esc.id)
    assert archived.archived_at == clock.now and archived.next_reminder_at is None
    [_] = events(timed, esc.id, "archived")
    clock.now += timedelta(days=1)
    assert timed.warroom.clocks.sweep().posted == 0, "archived once"
    assert len(timed.fake.calls_to("conversations.archive")) == 1

    # Slack does not let apps unarchive: a reopen gets a new room, linked to the archived one.
    timed.warroom.rooms.reopen(esc.id, Actor("U0ANA"), "Broke again")
    back = wait_until(lambda: (r := row(timed, esc.id)).provisioned_at and r.room_channel_id and r)
    new_room = back.room_channel_id or ""
    assert new_room != room and back.previous_room_channel_id == room and back.archived_at is None
    assert timed.fake.pins(new_room) == [back.card_ts]
    assert {"U0ANA", "U0BEN"} <= timed.fake.members(new_room)
    assert any(b["title"] == "Earlier war room (archived)" for b in timed.fake.bookmarks(new_room))
    assert any("reopened" in t for t in said_in(timed, new_room))


def _dm(sandbox: Sandbox, user: str) -> str:
    return wait_until(lambda: sandbox.fake.dm_channel(user))


def test_a_reopen_whose_new_room_fails_is_finished_by_the_resume(timed: Sandbox, clock) -> None:
    esc = sev1_room(timed)
    timed.warroom.rooms.resolve(esc.id, Actor("U0ANA"), "Restored the reports")
    timed.warroom.rooms.confirm(esc.id, Actor("U0ANA"))
    clock.now = T0 + timedelta(days=7)
    timed.warroom.clocks.sweep()
    assert row(timed, esc.id).archived_at is not None

    # Slack refuses the new channel the first time: the reopen is saved, and the room comes later.
    timed.fake.fail_next("conversations.create", error="restricted_action")
    timed.warroom.rooms.reopen(esc.id, Actor("U0ANA"), "Broke again")
    stuck = row(timed, esc.id)
    assert stuck.status == "investigating" and stuck.provisioned_at is None and stuck.room_channel_id is None
    # Set-up retries run on the wall clock (as in test_escalate_flow), not the escalation's clock.
    assert timed.warroom.flow.resume_unfinished(utcnow() + timedelta(minutes=1)) == 1
    back = row(timed, esc.id)
    assert back.provisioned_at and back.room_channel_id not in (None, esc.room_channel_id)
    assert back.previous_room_channel_id == esc.room_channel_id
    assert timed.fake.pins(back.room_channel_id or "") == [back.card_ts]
