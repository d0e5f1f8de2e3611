"""Property-based: hostile text in the slash command, every intake field, a shortcut's message and a
mention is answered well inside 3 s, never with a 500, and never goes out as a live mention, mass mention,
channel link or disguised link."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.sandbox.signed import SlackReply
from bot.sandbox.stack import Sandbox, wait_until
from handlers.escalations import SHORTCUT
from tests.flows import SEV1_TEXT, escalate, room_ready
from tests.test_text_out import TYPED_BACK, _parsed_strings

ATOMS = (
    "",
    "<!channel>",
    "<!here>",
    "<!everyone>",
    "<!subteam^S0EVIL|@oncall>",
    "<@U0EVIL>",
    "<#C0EVIL|general>",
    "<https://evil.example|click here>",
    "&lt;!channel&gt;",
    "\x00",
    "\ud800",
    "\u202e",
    "\u200b",
    "🔥🚨",
    "שלום",
    "\t\n\r",
    "$1e20",
    "99999999999999999999",
    "Acme: ",
    "next update at 14:30",
    "update from Hooli: ",
    "status resolved",
)
LIVE = ("<!channel>", "<!here>", "<!everyone>", "<!subteam^", "<@U0EVIL", "<#C0EVIL", "<https://evil.example")
ANSWER_WITHIN_S = 3.0
FORM_FIELDS = ("customer", "contact_name", "summary", "arr", "users_affected", "description", "tried")

hostile = st.one_of(
    st.lists(st.one_of(st.sampled_from(ATOMS), st.text(max_size=40)), max_size=12).map("".join),
    st.sampled_from(["9" * 40_000, "<!channel> " * 4_000, "a" * 40_000, "1," * 20_000]),
)
SETTINGS = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture(scope="module")
def bot() -> Iterator[Sandbox]:
    """One running bot for every example (a fresh SQLite file), with a SEV-1 war room to mention it in."""
    with Sandbox() as sandbox:
        escalate(sandbox, SEV1_TEXT, {"customer": "Okafor Analytics"})
        room_ready(sandbox)
        yield sandbox
    sent = [(call.method, call.params) for call in sandbox.fake.calls if call.method not in TYPED_BACK]
    sent += [("response_url", body) for _, body in sandbox.fake.responses]
    found = [
        f"{where}: {marker}"
        for where, params in sent
        for text in _parsed_strings(params)
        for marker in LIVE
        if marker in text
    ]
    assert found == [], "user text went out live"


def _answered(reply: SlackReply) -> None:
    assert reply.status == 200, reply.body[:300]
    assert reply.seconds < ANSWER_WITHIN_S


@SETTINGS
@given(text=hostile)
def test_the_slash_command_answers_any_text(bot: Sandbox, text: str) -> None:
    # A slash command arrives form-encoded as UTF-8, which cannot carry a lone surrogate (JSON payloads,
    # below, can: as an escape).
    text = text.encode("utf-8", "ignore").decode("utf-8")
    _answered(bot.slack.slash_command(text, user_id="U0BEN", channel_id="C0SUPPORT"))


@SETTINGS
@given(values=st.fixed_dictionaries({name: hostile for name in FORM_FIELDS}))
def test_the_intake_form_answers_any_fields(bot: Sandbox, values: dict[str, Any]) -> None:
    before = len(bot.fake.calls_to("views.open"))
    bot.slack.slash_command("Globex: dashboard slow", user_id="U0BEN", channel_id="C0SUPPORT")
    view = wait_until(lambda: bot.fake.calls_to("views.open")[before:])[-1].params["view"]
    # What Slack itself enforces on a text input (its max_length) never reaches the bot longer.
    limits = _max_lengths(view)
    values = {name: value[: limits.get(name, 3_000)] for name, value in values.items()}
    reply = bot.slack.view_submission(view, values, user_id="U0BEN")
    _answered(reply)
    if reply.body:  # a refusal is a field error the person can read, never a generic failure
        answer = reply.json()
        assert answer["response_action"] in ("errors", "update"), answer


@SETTINGS
@given(text=hostile)
def test_the_message_shortcut_answers_any_message(bot: Sandbox, text: str) -> None:
    ts = bot.fake.add_message("C0SUPPORT", "U0ANA", text or " ")
    message = {"type": "message", "user": "U0ANA", "text": text, "ts": ts}
    _answered(bot.slack.message_shortcut(SHORTCUT, message, user_id="U0BEN", channel_id="C0SUPPORT"))


@SETTINGS
@given(text=hostile)
def test_a_mention_answers_any_text(bot: Sandbox, text: str) -> None:
    room = room_ready(bot)["id"]
    ts = bot.fake.add_message(room, "U0BEN", f"<@U0WARROOM> {text}")
    _answered(bot.slack.mention(text, user_id="U0BEN", channel_id=room, ts=ts))


def _max_lengths(view: dict[str, Any]) -> dict[str, int]:
    return {
        block["block_id"]: block["element"]["max_length"]
        for block in view.get("blocks", [])
        if block.get("type") == "input" and "max_length" in block.get("element", {})
    }
