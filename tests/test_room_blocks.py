"""The blocks of running the room (pure): the topic with roles and a breached SLA, the announcement that
follows the escalation, the timeline within Slack's limits, and Slack markup read back as words."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

from blocks import limits
from blocks.escalations.messages import build_announcement, build_archive_notice, build_topic
from blocks.escalations.timeline import build_timeline
from bot.core.text import readable
from bot.escalations.read_model import TimelineEntry
from bot.sandbox.block_kit_rules import validate_message_blocks
from tests.block_samples import CREATED
from tests.block_samples import esc_fixture as esc_fixture  # the `esc` fixture
from tests.block_samples import extreme_fixture as extreme_fixture  # the `extreme` fixture

LONG_ID = "U0123456789AB"


def test_topic_names_every_role_held_and_says_breached_once_the_sla_passed(esc):
    staffed = replace(esc, liaison_user_id="U0LIA", engineering_user_id="U0ENG", csm_user_id="U0CSM")
    topic = build_topic(staffed)
    assert topic.startswith(
        "SEV-1 · Investigating · IC <@U0IC> · Liaison <@U0LIA> · Eng <@U0ENG> · CSM <@U0CSM>"
    )
    assert "first response due" in topic
    breached = build_topic(replace(staffed, first_response_breached=True))
    assert "🚨 first response breached" in breached and "first response due" not in breached
    assert "acknowledged" in build_topic(replace(staffed, acknowledged_at=CREATED))
    resolved = build_topic(replace(staffed, status="resolved"))
    assert "Resolved, awaiting confirmation" in resolved and "first response" not in resolved


def test_topic_keeps_within_250_characters_with_long_ids_and_names(extreme):
    crowded = replace(
        extreme, ic_user_id=LONG_ID, liaison_user_id=LONG_ID, engineering_user_id=LONG_ID, csm_user_id=LONG_ID
    )
    topic = build_topic(replace(crowded, status="resolved"))
    assert len(topic) <= limits.CHANNEL_TOPIC
    assert f"IC <@{LONG_ID}>" in topic, "the IC always shows"


def test_announcement_follows_resolution_and_closing(esc):
    def said(snapshot) -> str:
        return build_announcement(snapshot)[1][0]["text"]["text"]

    assert "Resolved, awaiting the customer's confirmation" in said(replace(esc, status="resolved"))
    closed = said(replace(esc, status="closed", confirmed_at=CREATED))
    assert "Closed (customer confirmed)" in closed and "Join" not in closed
    assert "without the customer's confirmation" in said(replace(esc, status="closed"))
    private = said(replace(esc, is_private=True, escalation_type="security", status="closed"))
    assert "Okafor" not in private and esc.title not in private


def test_the_archive_notice_says_where_the_record_lives(esc):
    text, blocks = build_archive_notice(replace(esc, status="closed", closed_at=CREATED))
    assert "/escalate timeline ESC-2026-007" in text and "&lt;why&gt;" in text
    assert validate_message_blocks(blocks) == []


def _entries(n: int, text: str = "Rolled back the deploy") -> list[TimelineEntry]:
    return [
        TimelineEntry(CREATED + timedelta(minutes=i), "internal_update", f"{text} {i}", "U0ANA")
        for i in range(n)
    ]


def test_a_long_timeline_keeps_the_latest_entries_within_one_message(esc):
    entries = _entries(2_000, "x" * 400)
    blocks = build_timeline(esc, entries)
    assert validate_message_blocks(blocks) == [] and len(blocks) <= limits.MESSAGE_BLOCKS
    text = json.dumps(blocks)
    assert "x 1999" in text and " 0\\u201d" not in text and "earlier entries are not shown" in text
    assert all(len(b["text"]["text"]) <= limits.SECTION_TEXT for b in blocks if b["type"] == "section")


def test_a_timeline_escapes_what_people_typed_but_keeps_warroom_mentions(esc):
    entries = [
        TimelineEntry(CREATED, "acknowledged", "First response by <@U0ANA>", "U0ANA"),
        TimelineEntry(CREATED, "internal_update", "ping <!channel> <https://evil|x>", "U0BEN"),
        TimelineEntry(CREATED, "message_captured", "see <@U0DAVE>", "U0ANA", {"author": "U0CHLOE"}),
    ]
    text = json.dumps(build_timeline(esc, entries))
    assert "First response by <@U0ANA>" in text and "<!channel>" not in text and "<https://evil" not in text
    assert "see &lt;@U0DAVE&gt;" in text and "<@U0CHLOE>: \\u201csee" in text
    assert "1 entry" not in text and "3 entries" in text


def test_slack_markup_is_read_back_as_words():
    assert readable("thanks <@U1|chloe> and <@U2>", {"U2": "Ana Lima"}.get) == "thanks @chloe and @Ana Lima"
    assert readable("<#C1|support> <!here> <!subteam^S1|@leads> <!date^1^{date}|today>") == (
        "#support @here @leads today"
    )
    assert readable("<https://x.example/a?b=1&amp;c=2|docs> AT&amp;T &lt;b&gt;") == "docs AT&T <b>"
    assert readable("no markup at all") == "no markup at all"
    assert readable("a < b > c") == "a < b > c"
