"""What marking a draft sent records, by what the draft was (issue 12, "What 'sent' means"): the
acknowledgment is the first response, a phone guide is a call, a social post is no customer update."""

from __future__ import annotations

from bot.escalations.changes import Actor
from bot.sandbox.stack import wait_until
from tests.room_steps import clock_fixture, events, row, sev1_room, timed_fixture

__all__ = ["clock_fixture", "timed_fixture"]


def _drafted(sandbox, esc, kind: str) -> int:
    snapshot = sandbox.warroom.changes.get(esc.id)
    view = sandbox.warroom.drafts.write(
        snapshot, kind, "U0ANA", channel_id=esc.room_channel_id, thread_ts=None
    )
    assert view is not None
    return view.draft_id


def test_sending_the_acknowledgment_is_the_first_response(timed, clock) -> None:
    esc = sev1_room(timed)
    assert row(timed, esc.id).acknowledged_at is None
    timed.warroom.drafts.mark_sent(_drafted(timed, esc, "ack"), Actor("U0ANA"))
    acked = row(timed, esc.id)
    assert acked.acknowledged_at == clock.now and acked.acknowledged_by == "U0ANA"
    assert acked.first_response_due_at and not acked.first_response_breached
    assert (
        len(events(timed, esc.id, "acknowledged")) == 1 and len(events(timed, esc.id, "customer_update")) == 1
    )


def test_a_phone_guide_done_is_a_call_with_the_customer(timed, clock) -> None:
    esc = sev1_room(timed)
    timed.warroom.drafts.mark_sent(_drafted(timed, esc, "phone"), Actor("U0ANA"))
    [update] = events(timed, esc.id, "customer_update")
    assert update.data["channel"] == "call" and update.text.startswith("Called the customer")
    assert row(timed, esc.id).acknowledged_at is None, "a call guide is not the acknowledgment"


def test_a_social_post_is_not_a_customer_update(timed, clock) -> None:
    esc = sev1_room(timed)
    timed.warroom.drafts.mark_sent(_drafted(timed, esc, "social"), Actor("U0ANA"))
    wait_until(lambda: events(timed, esc.id, "social_posted"))
    assert not events(timed, esc.id, "customer_update") and row(timed, esc.id).last_customer_update_at is None
