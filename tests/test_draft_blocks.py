"""Draft messages in the thread: valid Block Kit for every kind and any length, the checks and notes a
reviewer needs, "Mark as sent" only where a customer gets the text, and bodies split between paragraphs."""

import json
from datetime import UTC, datetime

import pytest

from blocks import limits
from blocks.drafting.drafts import (
    BODY_CHUNK,
    KIND_LABELS,
    MARK_SENT,
    MORE_FORMAL,
    REGENERATE,
    SHORTER,
    DraftView,
    build_draft_message,
    build_drafting_placeholder,
    draft_fallback_text,
    split_body,
)
from blocks.text import slack_date
from bot.drafting.draft import Draft
from bot.drafting.lint import Finding
from bot.drafting.lint_rules import CUSTOMER_FACING, KINDS
from bot.sandbox.block_kit_rules import validate_message_blocks

SENT_AT = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
BODY = "Hi David,\n\nOur engineering team is on it right now.\n\nNext update by 3:00 PM UTC.\n\n[your name]"
INTERNAL_KINDS = sorted(set(KINDS) - CUSTOMER_FACING)


def view(kind: str = "update", body: str = BODY, **changes: object) -> DraftView:
    draft_fields = {
        k: changes.pop(k)
        for k in ("subject", "coaching", "options", "recommendation", "source")
        if k in changes
    }
    draft = Draft(kind=kind, subject=draft_fields.pop("subject", None), body=body, **draft_fields)
    defaults = {
        "draft_id": 31,
        "public_id": "ESC-2026-007",
        "draft": draft,
        "findings": (),
        "requested_by": "U0ASK",
    }
    return DraftView(**(defaults | changes))


def block(blocks: list[dict], block_id: str) -> dict:
    return next(b for b in blocks if b.get("block_id") == block_id)


def block_ids(blocks: list[dict]) -> list[str]:
    return [b["block_id"] for b in blocks]


def body_text(blocks: list[dict]) -> list[str]:
    return [b["text"]["text"] for b in blocks if b["block_id"].startswith("draft_body_")]


def action_ids(blocks: list[dict]) -> list[str]:
    return [e["action_id"] for b in blocks if b["type"] == "actions" for e in b["elements"]]


def assert_valid(blocks: list[dict]) -> None:
    assert validate_message_blocks(blocks) == []
    assert len(blocks) <= limits.MESSAGE_BLOCKS


# ---------------------------------------------------------------------------------------------------------
# The finished draft
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_is_valid_and_labelled(kind):
    blocks = build_draft_message(view(kind, subject="Your reports" if kind in CUSTOMER_FACING else None))
    assert_valid(blocks)
    meta = block(blocks, "draft_meta")["elements"][0]["text"]
    assert f"✍️ Draft *{KIND_LABELS[kind]}* for *ESC-2026-007* · asked by <@U0ASK>" in meta
    assert "written by seed template" in meta
    assert "warroom never sends to customers" in meta
    assert body_text(blocks) == [BODY]
    assert draft_fallback_text(view(kind)) == f"Draft {KIND_LABELS[kind]} for ESC-2026-007"


@pytest.mark.parametrize(
    ("kind", "expected"),
    [(kind, [MARK_SENT, REGENERATE, SHORTER, MORE_FORMAL]) for kind in sorted(CUSTOMER_FACING)]
    + [(kind, [REGENERATE, SHORTER, MORE_FORMAL]) for kind in INTERNAL_KINDS],
)
def test_mark_as_sent_only_for_customer_facing_kinds(kind, expected):
    blocks = build_draft_message(view(kind))
    assert action_ids(blocks) == expected
    actions = block(blocks, "draft_actions")["elements"]
    assert {e["value"] for e in actions} == {"31"}
    labels = [e["text"]["text"] for e in actions]
    sent_label = "Mark the call done" if kind == "phone" else "Mark as sent"  # a phone guide is a call
    assert (sent_label in labels) == (kind in CUSTOMER_FACING)
    assert [e.get("style") for e in actions if e.get("style")] == (
        ["primary"] if kind in CUSTOMER_FACING else []
    )


def test_brief_and_summary_are_not_sendable():
    assert {"brief", "summary"} <= set(INTERNAL_KINDS)


@pytest.mark.parametrize("kind", ["update", "apology", "brief"])
def test_after_sent_the_buttons_are_replaced(kind):
    blocks = build_draft_message(view(kind, sent_by="U0CSM", sent_at=SENT_AT))
    assert_valid(blocks)
    assert action_ids(blocks) == []
    assert block(blocks, "draft_sent")["elements"][0]["text"] == (
        f"✅ Marked as sent by <@U0CSM> {slack_date(SENT_AT)}"
    )
    assert blocks[-1]["block_id"] == "draft_sent"


def test_writer_is_claude_when_the_model_wrote_it():
    blocks = build_draft_message(view(source="claude-sonnet-4-5"))
    assert "written by Claude (claude-sonnet-4-5)" in block(blocks, "draft_meta")["elements"][0]["text"]


def test_passing_draft_shows_the_passing_line():
    checks = block(build_draft_message(view()), "draft_checks")
    assert checks["type"] == "context"
    assert checks["elements"][0]["text"].startswith("✅ Passes warroom's checks")


@pytest.mark.parametrize(
    ("findings", "expected_lines"),
    [
        (
            (Finding("corporate-jargon", "Jargon: say it plainly instead of “circle back”", "circle back"),),
            ["• Jargon: say it plainly instead of “circle back” (“circle back”)"],
        ),
        (
            (
                Finding("no-next-update", "No next update with a time"),
                Finding("blame-or-defensive", "Blames <@U0X> & argues", "your fault"),
            ),
            ["• No next update with a time", "• Blames &lt;@U0X&gt; &amp; argues (“your fault”)"],
        ),
        (
            (Finding("passive-voice", "Passive", "word " * 100),),
            None,
        ),
    ],
    ids=["one", "two escaped", "long excerpt"],
)
def test_findings_are_listed_to_check_before_sending(findings, expected_lines):
    blocks = build_draft_message(view(findings=findings))
    assert_valid(blocks)
    text = block(blocks, "draft_checks")["text"]["text"]
    lines = text.splitlines()
    assert lines[0] == "⚠️ *Check before sending*"
    if expected_lines is None:  # a long excerpt is quoted, cut to 80 characters
        excerpt = lines[1].removeprefix("• Passive (“").removesuffix("”)")
        assert lines[1].startswith("• Passive (“word word") and excerpt.endswith("…")
        assert len(excerpt) <= 80
    else:
        assert lines[1:] == expected_lines
    assert "Passes warroom's checks" not in json.dumps(blocks, ensure_ascii=False)


def test_many_findings_stay_within_the_section_limit():
    findings = tuple(Finding("length", f"Finding {i} " + "x" * 200, "excerpt " * 30) for i in range(40))
    blocks = build_draft_message(view(findings=findings))
    assert_valid(blocks)
    assert block(blocks, "draft_checks")["text"]["text"].startswith("⚠️ *Check before sending*\n• Finding 0 ")


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        (None, None),
        (
            "Claude was unavailable; this is the seed template.",
            "⚠️ Claude was unavailable; this is the seed template.",
        ),
        ("<!here> & co", "⚠️ &lt;!here&gt; &amp; co"),
    ],
)
def test_note_line(note, expected):
    blocks = build_draft_message(view(note=note))
    assert_valid(blocks)
    if expected is None:
        assert "draft_note" not in block_ids(blocks)
    else:
        assert block(blocks, "draft_note")["elements"][0]["text"] == expected
        assert block_ids(blocks).index("draft_note") == 1


def test_options_and_recommendation():
    blocks = build_draft_message(
        view(
            "response",
            options=("Restore from backup & re-run", "Credit one month", "Executive call"),
            recommendation="Restore from backup & re-run",
        )
    )
    assert_valid(blocks)
    assert block(blocks, "draft_options")["text"]["text"] == (
        "*Resolution options*\n1. Restore from backup &amp; re-run\n2. Credit one month\n3. Executive call"
        "\n*Recommended:* Restore from backup &amp; re-run"
    )


def test_options_without_recommendation_and_no_options_block():
    blocks = build_draft_message(view("response", options=("A", "B")))
    assert block(blocks, "draft_options")["text"]["text"] == "*Resolution options*\n1. A\n2. B"
    assert "draft_options" not in block_ids(build_draft_message(view("response")))


def test_coaching_notes():
    blocks = build_draft_message(view("response", coaching="Lead with <empathy> & ownership."))
    assert block(blocks, "draft_coaching")["text"]["text"] == (
        "*Coaching notes*\nLead with &lt;empathy&gt; &amp; ownership."
    )
    assert "draft_coaching" not in block_ids(build_draft_message(view("response")))


def test_subject_is_escaped_and_shown_before_the_body():
    blocks = build_draft_message(view(subject="Re: <!channel> outage & data"))
    assert (
        block(blocks, "draft_subject")["text"]["text"] == "*Subject:* Re: &lt;!channel&gt; outage &amp; data"
    )
    assert block_ids(blocks).index("draft_subject") < block_ids(blocks).index("draft_body_0")


def test_body_markup_cannot_ping_or_link():
    blocks = build_draft_message(view(body="Hi <!channel>, see <https://evil.example|here> & <@U0BOSS>"))
    assert body_text(blocks) == [
        "Hi &lt;!channel&gt;, see &lt;https://evil.example|here&gt; &amp; &lt;@U0BOSS&gt;"
    ]


def test_block_order():
    blocks = build_draft_message(
        view("response", subject="S", note="N", options=("A",), recommendation="A", coaching="C")
    )
    assert block_ids(blocks) == [
        "draft_meta",
        "draft_note",
        "draft_subject",
        "draft_body_0",
        "draft_options",
        "draft_coaching",
        "draft_checks",
        "draft_actions",
    ]


PARAGRAPH = "We restored the reports from the March backup and are checking every table. " * 5  # ~390 chars


@pytest.mark.parametrize(
    "body",
    [
        "\n\n".join([PARAGRAPH.strip()] * 60)[:20_000],
        ("Ünïcødé 株式会社 🚀 " * 2_000)[:20_000],  # one paragraph, no breaks
        "x" * 20_000,
    ],
    ids=["paragraphs", "unicode one paragraph", "no spaces"],
)
def test_a_20000_character_body_is_split_across_sections_and_shown_whole(body):
    extreme = view(
        "response",
        body=body,
        subject="S" * 5_000,
        note="N " * 3_000,
        coaching="C " * 5_000,
        options=tuple("O" * 3_000 for _ in range(3)),
        recommendation="R" * 3_000,
        findings=tuple(Finding("length", "M" * 500, "E" * 500) for _ in range(20)),
        requested_by="U" + "1" * 30,
    )
    blocks = build_draft_message(extreme)
    assert_valid(blocks)
    pieces = body_text(blocks)
    assert len(pieces) > 1
    assert all(len(piece) <= limits.SECTION_TEXT for piece in pieces)
    assert "".join(pieces).replace("\n", "") == body.replace("\n", "")


def test_a_20000_character_body_of_long_paragraphs_is_not_cut_silently():
    paragraphs = [f"Paragraph {i:02d}. " + "word " * 296 for i in range(13)]  # ~1,500 chars each
    body = "\n\n".join(paragraphs)
    assert 19_000 < len(body) <= 20_000
    blocks = build_draft_message(view(body=body))
    assert_valid(blocks)
    shown = json.dumps(blocks)
    assert "Paragraph 12." in shown or "cut" in shown.lower()


def test_long_paragraphs_are_not_cut_inside_an_html_entity():
    body = "x" + "&" * 3_000  # one paragraph: escaped to 15,001 chars, cut every 2,900
    pieces = body_text(build_draft_message(view(body=body)))
    assert all(piece.endswith("&amp;") for piece in pieces)
    assert all(piece.startswith("&amp;") for piece in pieces[1:])


# ---------------------------------------------------------------------------------------------------------
# While drafting
# ---------------------------------------------------------------------------------------------------------


ARTICLES = {"update": "a", "brief": "an", "apology": "an", "social": "a"}


@pytest.mark.parametrize(
    ("kind", "so_far", "expected_body"),
    [
        ("update", "", None),
        ("brief", "   \n ", None),
        ("apology", "Hi David,\n\nI'm sorry", "Hi David,\n\nI'm sorry ▌"),
        ("social", "<!channel> & you", "&lt;!channel&gt; &amp; you ▌"),
    ],
)
def test_drafting_placeholder(kind, so_far, expected_body):
    blocks = build_drafting_placeholder("ESC-2026-007", kind, "Claude", so_far)
    assert_valid(blocks)
    assert (
        blocks[0]["elements"][0]["text"]
        == f"✍️ Claude is drafting {ARTICLES[kind]} *{KIND_LABELS[kind]}* for *ESC-2026-007*…"
    )
    if expected_body is None:
        assert block_ids(blocks) == ["drafting"]
    else:
        assert block(blocks, "so_far")["text"]["text"] == expected_body


@pytest.mark.parametrize("so_far", ["a" * 20_000, "&" * 5_000, ("株式会社 🚀 " * 3_000)])
def test_drafting_placeholder_with_extreme_partial_text(so_far):
    blocks = build_drafting_placeholder("ESC-2026-99999", "response", "Claude (" + "m" * 300 + ")", so_far)
    assert_valid(blocks)
    text = block(blocks, "so_far")["text"]["text"]
    assert text.endswith(" ▌")
    assert "&am ▌" not in text and "&a ▌" not in text and "& ▌" not in text


# ---------------------------------------------------------------------------------------------------------
# split_body
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "size", "expected"),
    [
        ("", 10, []),
        ("short", 10, ["short"]),
        ("aaaa\n\nbbbb", 10, ["aaaa\n\nbbbb"]),
        ("aaaa\n\nbbbbb", 10, ["aaaa", "bbbbb"]),
        ("aaa\n\nbbb\n\nccc\n\nddd", 10, ["aaa\n\nbbb", "ccc\n\nddd"]),
    ],
)
def test_split_body(text, size, expected):
    assert split_body(text, size) == expected


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("a" * 25, 10),
        ("aa\n\n" + "b" * 25 + "\n\ncc", 10),
        ("line one\nline two", 10),
        ("word " * 40, 23),
    ],
)
def test_an_overlong_paragraph_is_cut_into_pieces_that_lose_nothing(text, size):
    pieces = split_body(text, size)
    assert all(len(piece) <= size for piece in pieces)
    assert "".join(pieces).replace("\n", "").replace(" ", "") == text.replace("\n", "").replace(" ", "")


def test_a_long_line_is_cut_between_words_not_inside_one():
    assert split_body("line one\nline two", 10) == ["line one\n", "line two"]


@pytest.mark.parametrize("size", [5, 50, 400, BODY_CHUNK])
@pytest.mark.parametrize(
    "paragraph_lengths",
    [[10, 20, 30], [100] * 50, [1, 2999, 3, 2900, 2901, 7], [400, 390, 1500, 1400, 60] * 6],
)
def test_split_body_keeps_paragraphs_together_and_never_exceeds_the_size(size, paragraph_lengths):
    paragraphs = [chr(ord("a") + i % 26) * n for i, n in enumerate(paragraph_lengths)]
    text = "\n\n".join(paragraphs)
    pieces = split_body(text, size)
    assert all(0 < len(piece) <= size for piece in pieces)
    assert "".join(pieces).replace("\n", "") == text.replace("\n", "")
    for paragraph in paragraphs:
        if len(paragraph) <= size:
            assert any(paragraph in piece.split("\n\n") for piece in pieces), "a short paragraph was cut"
    if all(len(p) <= size for p in paragraphs):
        assert "\n\n".join(pieces) == text


@pytest.mark.parametrize(
    ("kind", "says"), [("update", "next update with a time"), ("brief", "note to the team")]
)
def test_the_passed_checks_line_speaks_of_what_was_checked(kind, says):
    checks = next(b for b in build_draft_message(view(kind)) if b["block_id"] == "draft_checks")
    line = checks["elements"][0]["text"]
    assert says in line
    assert ("dismissive opening" in line) is (kind == "update"), (
        "a brief to a team was never customer-checked"
    )
