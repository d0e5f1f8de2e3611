"""Table-driven checks of the Block Kit rules the fake Slack enforces for blocks (section, header, context,
actions, divider, image, input, rich text, markdown; block and action ids), for views (modals and the Home
tab) and for channel names, and the format of the errors it reports.

Interactive elements (buttons, selects, inputs, pickers...) are covered in test_block_kit_element_rules.py."""

from __future__ import annotations

from typing import Any

import pytest

from bot.sandbox.block_kit_rules import validate_channel_name, validate_message_blocks, validate_view
from tests.block_kit_samples import (
    IMAGE,
    TEXT_INPUT,
    actions,
    assert_reported,
    button,
    input_block,
    mrkdwn,
    plain,
    section,
)

VALID_BLOCKS: list[tuple[str, list[Any]]] = [
    ("section_mrkdwn_3000", [section("x" * 3000)]),
    ("section_plain_3000", [{"type": "section", "text": plain("x" * 3000)}]),
    ("section_fields_10x2000", [{"type": "section", "fields": [mrkdwn("f" * 2000)] * 10}]),
    ("header_150", [{"type": "header", "text": plain("h" * 150)}]),
    ("context_10", [{"type": "context", "elements": [mrkdwn("c")] * 9 + [IMAGE]}]),
    ("actions_25", [actions(*[button(f"b{i}") for i in range(25)])]),
    ("divider", [{"type": "divider"}]),
    ("image_block", [{**IMAGE, "title": plain("Chart")}]),
    ("input_text", [input_block(TEXT_INPUT, optional=True, dispatch_action=False, hint=plain("h" * 2000))]),
    ("input_label_2000", [input_block(TEXT_INPUT) | {"label": plain("l" * 2000)}]),
    ("rich_text", [{"type": "rich_text", "elements": [{"type": "rich_text_section", "elements": []}]}]),
    ("markdown_12000", [{"type": "markdown", "text": "m" * 12000}]),
    ("fifty_blocks", [{"type": "divider"}] * 50),
    ("ids_255", [section(block_id="b" * 255, accessory=button("a" * 255))]),
    ("empty_message", []),
]

INVALID_BLOCKS: list[tuple[str, Any, str, str]] = [
    ("not_array", {"type": "divider"}, "must provide an array", "/blocks"),
    ("51_blocks", [{"type": "divider"}] * 51, "no more than 50 items", "/blocks"),
    ("unknown_block", [{"type": "carousel"}], "unsupported block type", "/blocks/0/type"),
    ("section_3001", [section("x" * 3001)], "must be less than 3001 characters", "/blocks/0/text/text"),
    ("section_empty_text", [section("")], "must be more than 0 characters", "/blocks/0/text/text"),
    ("section_no_text_or_fields", [{"type": "section"}], "either text or fields", "/blocks/0"),
    (
        "section_bad_text_type",
        [{"type": "section", "text": {"type": "markdown", "text": "x"}}],
        "must be one of",
        "/blocks/0/text/type",
    ),
    (
        "mrkdwn_with_emoji",
        [{"type": "section", "text": {**mrkdwn("x"), "emoji": True}}],
        "emoji",
        "/blocks/0/text/emoji",
    ),
    (
        "fields_11",
        [{"type": "section", "fields": [mrkdwn("f")] * 11}],
        "no more than 10 items",
        "/blocks/0/fields",
    ),
    (
        "field_2001",
        [{"type": "section", "fields": [mrkdwn("f" * 2001)]}],
        "less than 2001",
        "/blocks/0/fields/0/text",
    ),
    (
        "header_mrkdwn",
        [{"type": "header", "text": mrkdwn("h")}],
        "must be one of: plain_text",
        "/blocks/0/text/type",
    ),
    ("header_151", [{"type": "header", "text": plain("h" * 151)}], "less than 151", "/blocks/0/text/text"),
    ("context_empty", [{"type": "context", "elements": []}], "at least 1", "/blocks/0/elements"),
    (
        "context_11",
        [{"type": "context", "elements": [mrkdwn("c")] * 11}],
        "no more than 10",
        "/blocks/0/elements",
    ),
    (
        "context_button",
        [{"type": "context", "elements": [button()]}],
        "must be one of",
        "/blocks/0/elements/0/type",
    ),
    ("actions_empty", [actions()], "at least 1", "/blocks/0/elements"),
    ("actions_26", [actions(*[button(f"b{i}") for i in range(26)])], "no more than 25", "/blocks/0/elements"),
    (
        "actions_dup_action_id",
        [actions(button("same"), button("same"))],
        "duplicate action_id",
        "/blocks/0/elements/1/action_id",
    ),
    ("actions_text_input", [actions(TEXT_INPUT)], "not allowed here", "/blocks/0/elements/0/type"),
    ("dup_block_id", [section(block_id="x"), section(block_id="x")], "duplicate block_id", "/blocks/1"),
    ("block_id_256", [section(block_id="b" * 256)], "less than 256", "/blocks/0/block_id"),
    ("action_id_256", [actions(button("a" * 256))], "less than 256", "/blocks/0/elements/0/action_id"),
    (
        "image_no_alt",
        [{"type": "image", "image_url": "https://x/a.png"}],
        "missing required field: alt_text",
        "/blocks/0",
    ),
    ("image_no_url", [{"type": "image", "alt_text": "a"}], "missing required field: image_url", "/blocks/0"),
    (
        "input_no_element",
        [{"type": "input", "label": plain("L")}],
        "missing required field: element",
        "/blocks/0",
    ),
    (
        "input_label_2001",
        [input_block(TEXT_INPUT) | {"label": plain("l" * 2001)}],
        "less than 2001",
        "/blocks/0/label/text",
    ),
    (
        "input_label_mrkdwn",
        [input_block(TEXT_INPUT) | {"label": mrkdwn("l")}],
        "must be one of",
        "/blocks/0/label/type",
    ),
    (
        "input_hint_2001",
        [input_block(TEXT_INPUT, hint=plain("h" * 2001))],
        "less than 2001",
        "/blocks/0/hint/text",
    ),
    ("input_optional_str", [input_block(TEXT_INPUT, optional="yes")], "boolean", "/blocks/0/optional"),
    (
        "input_dispatch_str",
        [input_block(TEXT_INPUT, dispatch_action="true")],
        "boolean",
        "/blocks/0/dispatch_action",
    ),
    ("input_button", [input_block(button())], "not allowed here", "/blocks/0/element/type"),
    ("markdown_12001", [{"type": "markdown", "text": "m" * 12001}], "less than 12001", "/blocks/0/text"),
]


@pytest.mark.parametrize(("blocks",), [(b,) for _, b in VALID_BLOCKS], ids=[n for n, _ in VALID_BLOCKS])
def test_valid_message_blocks(blocks):
    assert validate_message_blocks(blocks) == []


@pytest.mark.parametrize(
    ("blocks", "message", "pointer"),
    [(b, m, p) for _, b, m, p in INVALID_BLOCKS],
    ids=[n for n, *_ in INVALID_BLOCKS],
)
def test_invalid_message_blocks(blocks, message, pointer):
    errors = validate_message_blocks(blocks)
    assert_reported(errors, message, pointer)
    assert all(e.startswith("[ERROR] ") for e in errors)


def test_error_format_matches_slack():
    assert validate_message_blocks([section("x" * 3001)]) == [
        "[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]"
    ]


def modal(**extra: Any) -> dict[str, Any]:
    return {"type": "modal", "title": plain("Escalate"), "blocks": [section()], **extra}


FORM = [input_block(TEXT_INPUT, block_id="summary")]

VALID_VIEWS: list[tuple[str, dict[str, Any]]] = [
    ("modal_minimal", modal()),
    (
        "modal_limits",
        modal(
            title=plain("t" * 24),
            submit=plain("s" * 24),
            close=plain("c" * 24),
            callback_id="c" * 255,
            private_metadata="m" * 3000,
            blocks=FORM,
        ),
    ),
    ("modal_100_blocks", modal(blocks=[{"type": "divider"}] * 100)),
    ("home_no_title", {"type": "home", "blocks": [section()]}),
    ("empty_private_metadata", modal(private_metadata="")),
]

INVALID_VIEWS: list[tuple[str, Any, str, str]] = [
    ("not_object", [], "must provide an object", "/view"),
    ("bad_type", modal(type="dialog"), "modal, home", "/view/type"),
    ("title_25", modal(title=plain("t" * 25)), "less than 25", "/view/title/text"),
    ("title_missing", {"type": "modal", "blocks": []}, "missing required field: title", "/view"),
    ("title_mrkdwn", modal(title=mrkdwn("t")), "must be one of", "/view/title/type"),
    ("submit_25", modal(submit=plain("s" * 25)), "less than 25", "/view/submit/text"),
    ("close_25", modal(close=plain("c" * 25)), "less than 25", "/view/close/text"),
    ("callback_256", modal(callback_id="c" * 256), "less than 256", "/view/callback_id"),
    ("metadata_3001", modal(private_metadata="m" * 3001), "less than 3001", "/view/private_metadata"),
    ("input_without_submit", modal(blocks=FORM), "submit is required", "/view"),
    ("101_blocks", modal(blocks=[{"type": "divider"}] * 101), "no more than 100", "/view/blocks"),
    ("blocks_missing", {"type": "modal", "title": plain("t")}, "missing required field: blocks", "/view"),
    (
        "markdown_in_view",
        modal(blocks=[{"type": "markdown", "text": "x"}]),
        "unsupported block type",
        "/view/blocks/0/type",
    ),
    ("nested_block_error", modal(blocks=[section("x" * 3001)]), "less than 3001", "/view/blocks/0/text/text"),
    ("dup_block_id", modal(submit=plain("OK"), blocks=FORM * 2), "duplicate block_id", "/view/blocks/1"),
]


@pytest.mark.parametrize(("view",), [(v,) for _, v in VALID_VIEWS], ids=[n for n, _ in VALID_VIEWS])
def test_valid_views(view):
    assert validate_view(view) == []


@pytest.mark.parametrize(
    ("view", "message", "pointer"),
    [(v, m, p) for _, v, m, p in INVALID_VIEWS],
    ids=[n for n, *_ in INVALID_VIEWS],
)
def test_invalid_views(view, message, pointer):
    errors = validate_view(view)
    assert_reported(errors, message, pointer)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("inc-42_acme", None),
        ("a" * 80, None),
        ("", "invalid_name_required"),
        (None, "invalid_name_required"),
        ("a" * 81, "invalid_name_maxlength"),
        ("Incident", "invalid_name_specials"),
        ("inc 42", "invalid_name_specials"),
        ("inc.42", "invalid_name_specials"),
        ("#inc", "invalid_name_specials"),
        ("---", "invalid_name_punctuation"),
    ],
)
def test_channel_names(name, expected):
    assert validate_channel_name(name) == expected
