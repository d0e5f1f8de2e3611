"""User text never goes out live: no mass mention, mention, channel link or disguised link in anything the
bot sends to Slack (message text and blocks, edits, topics, ephemerals, DMs, bookmarks)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.sandbox.stack import Sandbox, wait_until
from tests.flows import escalate, room_ready, settled

HOSTILE = {
    "customer": "<!channel> Acme is down",
    "contact_name": "<@U0ANA> <!subteam^S0123|@oncall>",
    "summary": "<https://evil.example|click here> <!here> data loss",
    "description": "<!everyone> production down, see <#C0GENERAL>",
    "tried": "<https://evil.example/reset|reset your password>",
}
LIVE = ("<!channel>", "<!here>", "<!everyone>", "<!subteam^", "<https://evil.example", "<#C0GENERAL>")
# A modal's inputs hold what the person typed, as plain text: Slack parses nothing there.
TYPED_BACK = ("views.open", "views.update", "views.push")


def _sent(sandbox: Sandbox) -> list[tuple[str, Any]]:
    return [(c.method, c.params) for c in sandbox.fake.calls if c.method not in TYPED_BACK]


def _parsed_strings(value: Any) -> list[str]:
    """Every string Slack parses for markup: all but the text of plain_text objects, which it shows as is."""
    if isinstance(value, dict):
        if value.get("type") == "plain_text":
            return []
        return [s for item in value.values() for s in _parsed_strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in _parsed_strings(item)]
    return [value] if isinstance(value, str) else []


def _live_markup(sandbox: Sandbox) -> list[str]:
    found = []
    for method, params in _sent(sandbox):
        for text in _parsed_strings(params):
            found += [f"{method}: {marker} in {text[:120]!r}" for marker in LIVE if marker in text]
    return found


@pytest.mark.parametrize("severity", ["SEV-1", "SEV-3"])
def test_hostile_text_in_every_field_never_goes_out_live(sandbox: Sandbox, severity: str) -> None:
    escalate(sandbox, HOSTILE["summary"], {**HOSTILE, "severity": severity})
    if severity == "SEV-1":
        room = room_ready(sandbox)
        wait_until(lambda: sandbox.fake.topic(room["id"]))
    settled(sandbox)
    assert _sent(sandbox), "the escalation was posted somewhere"
    assert _live_markup(sandbox) == []
    card = next(c for c in sandbox.fake.calls_to("chat.postMessage") if "card_title" in json.dumps(c.params))
    assert "&lt;!channel&gt; Acme is down" in card.params["text"], "the notification shows the words, inert"
