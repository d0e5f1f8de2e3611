"""Every Slack event is handled once: a retried delivery (or one reaching a second replica) is dropped."""

from __future__ import annotations

from bot.sandbox.stack import Sandbox, wait_until
from storage.db import Database
from tests.flows import SEV1_TEXT, escalate, room_ready


def test_a_retried_mention_is_answered_once(db: Database) -> None:
    with Sandbox(db=db) as sandbox:
        escalate(sandbox, SEV1_TEXT, {"customer": "Okafor Analytics"})
        room = room_ready(sandbox)["id"]
        ts = sandbox.fake.add_message(room, "U0BEN", "<@U0WARROOM> what can you do?")

        def mention(event_id: str, **options: object) -> int:
            reply = sandbox.slack.mention(
                "what can you do?", user_id="U0BEN", channel_id=room, ts=ts, event_id=event_id, **options
            )
            return reply.status

        assert mention("Ev0FIRST") == 200
        wait_until(lambda: sandbox.fake.thread(room, ts)[1:])
        assert mention("Ev0FIRST", retry_num=1) == 200, "a retry is acknowledged"
        assert mention("Ev0OTHER") == 200
        wait_until(lambda: sandbox.fake.thread(room, ts)[2:])
    # The sandbox has stopped, after finishing every piece of work it had taken in.
    assert len(sandbox.fake.thread(room, ts)) == 3, (
        "the first and the new event are answered; the retry is not"
    )
