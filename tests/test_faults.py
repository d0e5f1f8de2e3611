"""Slack faults during a room's set-up, through the in-memory seam: a call that acted but whose answer
was lost is looked for, not repeated; a refusal reaches the person who escalated, in plain words."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest

from blocks.escalations.intake_modal import IntakeSource
from bot.escalations.intake import Intake
from storage.db import utcnow
from tests.in_process import CALLER, InProcess
from tests.in_process import in_process_fixture as in_process_fixture

ACTING_CALLS = ["conversations.create", "chat.postMessage", "pins.add", "conversations.invite"]


@pytest.mark.parametrize("method", ACTING_CALLS)
def test_a_connection_dropped_after_slack_acted_leaves_one_of_everything(
    in_process: InProcess, method: str
) -> None:
    fake = in_process.fake
    fake.drop_after_acting(method)
    esc = in_process.open()

    assert in_process.row(esc.id).provisioned_at is not None, "finished at once, not after a backoff"
    created = [c for c in fake.calls_to("conversations.create") if c.ok]
    assert len(created) == 1 and not fake.find_channel(f"{created[0].params['name']}-2"), "one room"
    room = esc.room_channel_id or ""
    cards = [m for m in fake.messages(room) if "card_title" in json.dumps(m.get("blocks") or [])]
    assert len(cards) == 1 and fake.pins(room) == [cards[0]["ts"]], "one card, pinned once"
    announcements = [m for m in fake.messages("C0ESCALATIONS") if esc.public_id in m.get("text", "")]
    assert len(announcements) == 1, "one announcement"


@pytest.mark.parametrize("error", ["restricted_action", "missing_scope"])
def test_slack_refusing_to_create_the_room_is_told_to_the_person_once(
    in_process: InProcess, error: str
) -> None:
    fake = in_process.fake
    fake.fail_next("conversations.create", error=error, times=10)
    intake_esc = in_process.warroom.service.create(_intake(), CALLER, _source())[0]
    in_process.warroom.flow.provision(intake_esc.id)
    in_process.warroom.flow.provision(intake_esc.id)  # the retry, later: nobody is told twice

    dm = fake.dm_channel(CALLER)
    told = [m["text"] for m in fake.messages(dm or "")] if dm else []
    assert len(told) == 1, told
    assert intake_esc.public_id in told[0] and "is saved" in told[0] and "retry" in told[0]
    assert error in told[0] and "Traceback" not in told[0]


def _intake():

    return Intake(customer="Initech", summary="SSO login loop", escalation_type="technical", severity="SEV-1")


def _source():

    return IntakeSource(uuid.uuid4().hex, channel_id="C0SUPPORT")


def test_a_channel_creation_that_keeps_timing_out_is_told_to_the_person_once(in_process: InProcess) -> None:
    fake = in_process.fake
    fake.time_out_next("conversations.create", times=2)  # the call, and the look-then-retry after it
    esc = in_process.warroom.service.create(_intake(), CALLER, _source())[0]
    in_process.warroom.flow.provision(esc.id)
    assert in_process.row(esc.id).provisioned_at is None, "not built, but saved and left to resume"

    told = [m["text"] for m in fake.messages(fake.dm_channel(CALLER) or "")]
    assert len(told) == 1 and esc.public_id in told[0] and "is saved" in told[0], told
    assert "a temporary problem" in told[0] and "TimeoutError" not in told[0]

    in_process.warroom.flow.resume_unfinished(utcnow() + timedelta(minutes=1))  # past the first backoff
    assert in_process.row(esc.id).provisioned_at is not None, "the retry builds it"
    assert len([c for c in fake.calls_to("conversations.create") if c.ok]) == 1


def test_a_bookmark_whose_answer_was_lost_is_not_added_twice(in_process: InProcess) -> None:
    fake = in_process.fake
    raised_in = fake.add_message("C0SUPPORT", "U0ANA", "Initech: SSO login loop for every user")
    fake.drop_after_acting("bookmarks.add")
    source = IntakeSource(uuid.uuid4().hex, channel_id="C0SUPPORT", message_ts=raised_in)
    esc = in_process.warroom.service.create(_intake(), CALLER, source)[0]
    built = in_process.warroom.flow.provision(esc.id)

    assert built is not None and in_process.row(esc.id).provisioned_at is not None
    bookmarks = fake.bookmarks(built.room_channel_id or "")
    assert [b["title"] for b in bookmarks] == ["Where it was raised"], "one bookmark back to the message"
