"""The other Block Kit messages: help, the open list, the announcement (which never leaks a private
escalation), the channel topic, the confirmation, the thread kickoff and the error message. Each stays
within Slack's limits.

The triage card is covered in test_blocks.py, the intake modal in test_intake_modal.py."""

import re
from dataclasses import replace

import pytest

from blocks import limits
from blocks.escalations.messages import (
    build_announcement,
    build_created_confirmation,
    build_error,
    build_help,
    build_open_list,
    build_thread_kickoff,
    build_topic,
)
from blocks.text import ELLIPSIS
from bot.escalations.intake import CUSTOMER_MAX, SUMMARY_MAX
from bot.sandbox.block_kit_rules import validate_message_blocks
from tests.block_samples import CREATED, texts
from tests.block_samples import esc_fixture as esc_fixture  # the `esc` fixture
from tests.block_samples import extreme_fixture as extreme_fixture  # the `extreme` fixture

SLACK_CONTROL = re.compile(r"<(?![@#!]|https?://|mailto:)")  # a "<" that does not start a Slack sequence


def test_help_is_valid_and_names_the_commands():
    blocks = build_help()
    assert validate_message_blocks(blocks) == []
    text = blocks[0]["text"]["text"]
    for words in ("/escalate list", "/escalate help", "Escalate this message", "Acknowledge", "Take command"):
        assert words in text


def test_help_escapes_angle_brackets():
    text = build_help()[0]["text"]["text"]
    assert not SLACK_CONTROL.search(text)


def test_open_list_with_nothing_open():
    blocks = build_open_list([], 0)
    assert validate_message_blocks(blocks) == []
    assert "No open escalations" in blocks[0]["text"]["text"]


def test_open_list_with_one(esc):
    blocks = build_open_list([esc], 1)
    assert validate_message_blocks(blocks) == []
    assert blocks[0]["text"]["text"].startswith("*1 open escalation*,")
    line = blocks[1]["text"]["text"]
    for part in (
        "🔴 SEV-1",
        "*ESC-2026-007*",
        "Okafor Analytics",
        "Investigating",
        "IC <@U0IC>",
        "<#C0ROOM>",
    ):
        assert part in line
    assert not any(b["block_id"] == "list_more" for b in blocks)


def test_open_list_of_120_stays_under_50_blocks_and_says_how_many_more(esc, extreme):
    many = [replace(extreme if i % 2 else esc, id=i, public_id=f"ESC-2026-{i:03d}") for i in range(1, 121)]
    blocks = build_open_list(many, 120)
    assert len(blocks) <= limits.MESSAGE_BLOCKS
    assert validate_message_blocks(blocks) == []
    assert blocks[0]["text"]["text"].startswith("*120 open escalations*")
    shown = [b for b in blocks if b["block_id"].startswith("esc_")]
    assert [b["block_id"] for b in shown] == [f"esc_{i}" for i in range(1, len(shown) + 1)]  # order kept
    assert blocks[-1]["elements"][0]["text"] == f"…and {120 - len(shown)} more."


def test_open_list_counts_beyond_the_page_it_was_given(esc):
    blocks = build_open_list([esc], 30)
    assert blocks[0]["text"]["text"].startswith("*30 open escalations*")
    assert blocks[-1]["elements"][0]["text"] == "…and 29 more."


@pytest.mark.parametrize("escalation_type", ["security", "compliance"])
def test_announcement_of_a_private_escalation_does_not_leak(esc, escalation_type):
    private = replace(
        esc,
        escalation_type=escalation_type,
        is_private=True,
        customer="Okafor Analytics",
        title="Attacker exfiltrated payroll records",
        description="Attacker used a leaked admin token to export payroll",
        tried="Revoked the token",
    )
    fallback, blocks = build_announcement(private)
    assert validate_message_blocks(blocks) == []
    shown = fallback + texts(blocks)
    for secret in ("Okafor", "payroll", "leaked admin token", "Revoked", "180,000", "C0ROOM"):
        assert secret not in shown
    assert "*ESC-2026-007*" in blocks[0]["text"]["text"]
    assert f"a {escalation_type} escalation" in blocks[0]["text"]["text"]
    assert "private room" in blocks[0]["text"]["text"]


def test_announcement_of_a_public_escalation_invites_people_in(esc):
    fallback, blocks = build_announcement(esc)
    assert validate_message_blocks(blocks) == []
    assert fallback == "SEV-1 ESC-2026-007 opened"
    text = blocks[0]["text"]["text"]
    for part in (
        "Okafor Analytics",
        "Migration corrupted",
        "$180,000",
        "IC <@U0IC>",
        "<!date^",
        "Join <#C0ROOM>.",
    ):
        assert part in text


def test_announcement_of_an_extreme_public_escalation_is_valid(extreme):
    public = replace(extreme, escalation_type="technical", is_private=False, title="t " * 3000)
    _, blocks = build_announcement(public)
    assert validate_message_blocks(blocks) == []
    assert blocks[0]["text"]["text"].endswith(ELLIPSIS)


def test_announcement_with_the_longest_intake_values_keeps_the_room_link(esc):
    longest = replace(esc, customer="C" * CUSTOMER_MAX, title="word " * (SUMMARY_MAX // 5))
    text = build_announcement(longest)[1][0]["text"]["text"]
    assert text.endswith("Join <#C0ROOM>.")


def test_topic_shows_severity_status_ic_and_what_is_due(esc):
    topic = build_topic(esc)
    assert (
        topic == "SEV-1 · Investigating · IC <@U0IC> · first response due Mon 02 Mar 14:20 UTC · "
        "ESC-2026-007 Okafor Analytics"
    )
    acked = build_topic(replace(esc, acknowledged_at=CREATED, acknowledged_by="U0IC", status="identified"))
    assert acked.startswith("SEV-1 · Identified · IC <@U0IC> · acknowledged · ESC-2026-007")


def test_topic_fits_in_250_characters(extreme):
    topic = build_topic(extreme)
    assert len(topic) <= limits.CHANNEL_TOPIC
    assert topic.startswith("SEV-2 · Investigating · IC <@U0IC>")
    assert topic.endswith(ELLIPSIS)


def test_confirmation_points_at_the_room_or_the_thread(esc):
    assert "<#C0ROOM>" in build_created_confirmation(esc)
    card = replace(
        esc, room_channel_id=None, severity="SEV-3", source_channel_id="C0SUP", card_channel_id="C0SUP"
    )
    in_thread = build_created_confirmation(card)
    assert "posted here" in in_thread and "thread" in in_thread and "<#" not in in_thread
    # Typed in a customer's shared channel, the card went to the escalations channel: it says where.
    moved = build_created_confirmation(replace(card, card_channel_id="C0ESCALATIONS"))
    assert "posted in <#C0ESCALATIONS>" in moved


def test_thread_kickoff_names_the_ic_and_escapes_the_customer(esc):
    text = build_thread_kickoff(replace(esc, customer="<!channel> Corp"))
    assert text.startswith("<@U0IC> is the incident commander for *ESC-2026-007*")
    assert "<!channel>" not in text


def test_error_is_valid():
    blocks = build_error("That escalation is already closed.")
    assert validate_message_blocks(blocks) == []
    assert blocks[0]["text"]["text"] == "⚠️ That escalation is already closed."
