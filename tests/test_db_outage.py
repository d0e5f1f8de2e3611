"""A database outage during a submission: the acknowledgement stays an acknowledgement, the person is told
what happened in plain words (never SQL), and a saved escalation is never reported as not saved."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from bot.sandbox.stack import Sandbox, wait_until
from storage.db import utcnow
from tests.flows import SEV1_TEXT, open_modal, room_ready, submit

LEAKS = ("SELECT", "INSERT", "sqlite3", "psycopg", "OperationalError", "Traceback")


@contextmanager
def outage(sandbox: Sandbox, after: str | None = None) -> Iterator[dict[str, bool]]:
    """Every statement fails while the outage is on; with `after`, it starts once a statement containing
    `after` has run (so what that transaction wrote still commits)."""
    state = {"on": after is None}
    engine = sandbox.warroom.db.engine

    def before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if state["on"]:
            raise OperationalError(statement, {}, Exception("could not connect to server"))

    def after_execute(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if after and after in statement:
            state["on"] = True

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after_execute)
    try:
        yield state
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after_execute)


def _dm(sandbox: Sandbox, user: str = "U0BEN") -> list[str]:
    channel = sandbox.fake.dm_channel(user)
    return [m.get("text", "") for m in sandbox.fake.messages(channel)] if channel else []


def test_an_outage_before_anything_is_saved_says_so_and_hands_back_what_was_typed(sandbox: Sandbox) -> None:
    view = open_modal(sandbox, SEV1_TEXT)
    with outage(sandbox):
        reply = submit(sandbox, view, {"customer": "Okafor Analytics"})
        assert reply.status == 200 and reply.body == "", "the modal closes: the ack is not an error page"
        told = wait_until(lambda: _dm(sandbox))
    assert "not saved" in told[0] and "Okafor Analytics" in told[0]
    assert not [leak for leak in LEAKS if leak in told[0]]


def test_an_outage_after_the_escalation_is_saved_never_says_not_saved(sandbox: Sandbox) -> None:
    view = open_modal(sandbox, SEV1_TEXT)
    with outage(sandbox, after="INSERT INTO slack_steps") as state:
        reply = submit(sandbox, view, {"customer": "Okafor Analytics"})
        assert reply.status == 200 and reply.body == ""
        wait_until(lambda: state["on"])
    assert not [text for text in _dm(sandbox) if "not saved" in text]
    # The database is back: the set-up resumes and builds the room once.
    wait_until(lambda: sandbox.warroom.flow.resume_unfinished(utcnow() + timedelta(minutes=1)) or True)
    room = room_ready(sandbox)
    assert len([c for c in sandbox.fake.calls_to("conversations.create") if c.ok]) == 1
    assert sandbox.fake.pins(room["id"])
