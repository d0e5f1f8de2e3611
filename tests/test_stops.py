"""Clean stops and quick resumes, as an operator sees them: `warroom serve` in a subprocess."""

from __future__ import annotations

import json
import signal
import time
from pathlib import Path

import pytest

from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.stack import wait_until
from tests.flows import SEV1_TEXT
from tests.served import ServedBot


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_stop_signal_drains_and_exits_0(tmp_path: Path, signum: int) -> None:
    with FakeSlack() as fake:
        bot = ServedBot(fake, f"sqlite:///{tmp_path / 'stop.db'}", tmp_path).start()
        assert bot.slack.slash_command("help", user_id="U0BEN", channel_id="C0SUPPORT").status == 200
        code, output = bot.stop(signum)
    assert code == 0, output
    assert "no new requests" in output and "stopped cleanly" in output, output
    assert "Traceback" not in output, output


def _submit_sev1(bot: ServedBot, fake: FakeSlack) -> None:
    before = len(fake.calls_to("views.open"))
    assert bot.slack.slash_command(SEV1_TEXT, user_id="U0BEN", channel_id="C0SUPPORT").status == 200
    view = wait_until(lambda: fake.calls_to("views.open")[before:])[-1].params["view"]
    reply = bot.slack.view_submission(view, {"customer": "Okafor Analytics"}, user_id="U0BEN")
    assert reply.status == 200 and reply.body == "", reply.body


@pytest.mark.parametrize("killed_after", ["conversations.create", "chat.postMessage", "pins.add"])
def test_a_kill_during_set_up_then_a_restart_completes_the_room_once(
    tmp_path: Path, killed_after: str
) -> None:
    with FakeSlack() as fake:
        bot = ServedBot(
            fake, f"sqlite:///{tmp_path / 'kill.db'}", tmp_path, WARROOM_ESCALATIONS_CHANNEL="C0ESCALATIONS"
        ).start()
        fake.latency = 0.4  # every Slack call takes a while: the kill lands between two steps
        _submit_sev1(bot, fake)
        wait_until(lambda: [c for c in fake.calls_to(killed_after) if c.ok], timeout=20)
        bot.stop(signal.SIGKILL)
        fake.latency = 0.0

        bot.start()
        restarted = time.monotonic()  # serving again; how long the interpreter took to start is not ours
        channel = wait_until(lambda: _room_with_pinned_card(fake), timeout=25)
        took = time.monotonic() - restarted
        bot.stop()

        created = [c for c in fake.calls_to("conversations.create") if c.ok]
        assert len(created) == 1, "one war room"
        cards = [m for m in fake.messages(channel["id"]) if "card_title" in json.dumps(m.get("blocks") or [])]
        assert len(cards) == 1 and fake.pins(channel["id"]) == [cards[0]["ts"]], "one card, pinned once"
        announcements = [m for m in fake.messages("C0ESCALATIONS") if "ESC-" in m.get("text", "")]
        assert len(announcements) == 1, "one announcement"
        assert took < 10, f"the room was finished {took:.1f} s after the restart"


def _room_with_pinned_card(fake: FakeSlack) -> dict | None:
    created = [c for c in fake.calls_to("conversations.create") if c.ok]
    if not created:
        return None
    channel = fake.find_channel(created[-1].params["name"])
    return channel if channel and fake.pins(channel["id"]) and _announced(fake) else None


def _announced(fake: FakeSlack) -> bool:
    return any("ESC-" in m.get("text", "") for m in fake.messages("C0ESCALATIONS"))
