"""Socket Mode, proven (issue 13): `/escalate`, the modal and a mention delivered as envelopes over a real
WebSocket on loopback (the sandbox's fake Socket Mode endpoint), acknowledged by the app within Slack's
3 s, and the same again after Slack drops the connection and the app reconnects."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from slack_bolt.adapter.socket_mode import SocketModeHandler

from bot.sandbox.fake_socket import FakeSocketMode, SocketRequester
from bot.sandbox.stack import Sandbox, wait_until
from storage.db import Database
from tests.flows import SEV1_TEXT, room_ready, settled


@pytest.fixture
def over_the_socket(db: Database) -> Iterator[tuple[Sandbox, FakeSocketMode]]:
    socket = FakeSocketMode().start()
    with Sandbox(db=db) as sandbox:
        sandbox.fake.use_socket_mode(socket.url)
        # A second's ping instead of ten: the dropped connection is noticed, and replaced, sooner.
        handler = SocketModeHandler(sandbox.bolt, "xapp-1-A0WARROOM-1-test", ping_interval=1)
        handler.connect()
        socket.wait_connected()
        sandbox.slack = SocketRequester(socket, sandbox.fake.new_response_url)
        try:
            yield sandbox, socket
        finally:
            handler.close()
            socket.close()


def _draft_in(sandbox: Sandbox, channel: str) -> bool:
    return any(
        block.get("block_id") == "draft_actions"
        for message in sandbox.fake.messages(channel)
        for block in message.get("blocks") or []
    )


def test_escalate_the_modal_and_a_mention_over_the_socket_and_again_after_a_reconnect(
    over_the_socket,
) -> None:
    sandbox, socket = over_the_socket
    before = len(sandbox.fake.calls_to("views.open"))
    reply = sandbox.slack.slash_command(SEV1_TEXT, user_id="U0BEN", channel_id="C0SUPPORT")
    assert reply.status == 200 and reply.seconds < 3, "acknowledged over the socket within Slack's 3 s"
    view = wait_until(lambda: sandbox.fake.calls_to("views.open")[before:])[-1].params["view"]
    submitted = sandbox.slack.view_submission(
        view, {"customer": "Okafor Analytics", "ic": "U0ANA"}, user_id="U0BEN"
    )
    assert submitted.status == 200 and submitted.body == ""  # the form closes
    room = room_ready(sandbox)["id"]
    settled(sandbox)
    ts = sandbox.fake.add_message(room, "U0ANA", "<@U0WARROOM> draft update")
    assert sandbox.slack.mention("draft update", user_id="U0ANA", channel_id=room, ts=ts).status == 200
    wait_until(lambda: _draft_in(sandbox, room))

    socket.drop()  # Slack refreshes the connection: the app asks for a new one and carries on
    socket.wait_connected(connections=2)
    assert sandbox.fake.socket_opens >= 2
    ts = sandbox.fake.add_message(room, "U0ANA", "<@U0WARROOM> summarize")
    assert sandbox.slack.mention("summarize", user_id="U0ANA", channel_id=room, ts=ts).status == 200
    wait_until(lambda: any("Catching up on" in str(m.get("blocks")) for m in sandbox.fake.messages(room)))
