"""Table-driven checks of the Block Kit rules the fake Slack enforces."""

from __future__ import annotations

from typing import Any

import pytest

from bot.sandbox.block_kit_rules import validate_channel_name, validate_message_blocks, validate_view


def plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text}


def section(text: str = "hi", **extra: Any) -> dict[str, Any]:
    return {"type": "section", "text": mrkdwn(text), **extra}


def button(action_id: str = "a", **extra: Any) -> dict[str, Any]:
    return {"type": "button", "text": plain("Go"), "action_id": action_id, **extra}


def actions(*elements: dict[str, Any]) -> dict[str, Any]:
    return {"type": "actions", "elements": list(elements)}


def option(value: str, text: str | None = None) -> dict[str, Any]:
    return {"text": plain(text or value), "value": value}


def options(n: int) -> list[dict[str, Any]]:
    return [option(f"v{i}") for i in range(n)]


def select(kind: str = "static_select", **extra: Any) -> dict[str, Any]:
    return {"type": kind, "action_id": "sel", "placeholder": plain("Pick"), **extra}


def input_block(element: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"type": "input", "label": plain("Label"), "element": element, **extra}


def accessory(element: dict[str, Any]) -> dict[str, Any]:
    return section("pick one", accessory=element)


IMAGE = {"type": "image", "image_url": "https://example.com/a.png", "alt_text": "a chart"}
TEXT_INPUT = {"type": "plain_text_input", "action_id": "t"}

VALID_MESSAGES: list[tuple[str, list[Any]]] = [
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
    (
        "button_limits",
        [
            actions(
                button("p", style="primary", value="v" * 2000, url="https://x/" + "u" * 2990),
                button("d", style="danger", text=plain("t" * 75)),
            )
        ],
    ),
    ("static_select_100", [accessory(select(options=options(100), initial_option=option("v99")))]),
    (
        "multi_static_initial",
        [
            accessory(
                select(
                    "multi_static_select", options=options(3), initial_options=[option("v0"), option("v2")]
                )
            )
        ],
    ),
    ("option_groups", [accessory(select(option_groups=[{"label": plain("G"), "options": options(2)}]))]),
    ("users_select", [accessory(select("users_select", initial_user="U0ANA"))]),
    ("multi_users_select", [input_block(select("multi_users_select", initial_users=["U0ANA"]))]),
    ("conversations_select", [accessory(select("conversations_select", initial_conversation="C1"))]),
    ("channels_select", [accessory(select("channels_select", initial_channel="C1"))]),
    (
        "text_input_limits",
        [
            input_block(
                {
                    **TEXT_INPUT,
                    "initial_value": "i" * 3000,
                    "multiline": True,
                    "placeholder": plain("p" * 150),
                    "max_length": 3000,
                }
            )
        ],
    ),
    (
        "number_input",
        [input_block({"type": "number_input", "is_decimal_allowed": False, "initial_value": "3"})],
    ),
    (
        "checkboxes_10_mrkdwn",
        [
            input_block(
                {
                    "type": "checkboxes",
                    "options": [{"text": mrkdwn(f"*{i}*"), "value": str(i)} for i in range(10)],
                }
            )
        ],
    ),
    (
        "radio_10",
        [input_block({"type": "radio_buttons", "options": options(10), "initial_option": option("v3")})],
    ),
    ("datepicker", [accessory({"type": "datepicker", "initial_date": "2025-01-31"})]),
    ("timepicker", [accessory({"type": "timepicker", "initial_time": "09:30"})]),
    ("overflow_2", [accessory({"type": "overflow", "options": options(2)})]),
    ("overflow_5", [accessory({"type": "overflow", "options": options(5)})]),
    ("image_accessory", [accessory(IMAGE)]),
    ("empty_message", []),
]

INVALID_MESSAGES: list[tuple[str, Any, str, str]] = [
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
    (
        "button_text_76",
        [actions(button(text=plain("t" * 76)))],
        "less than 76",
        "/blocks/0/elements/0/text/text",
    ),
    (
        "button_text_mrkdwn",
        [actions(button(text=mrkdwn("t")))],
        "must be one of",
        "/blocks/0/elements/0/text/type",
    ),
    (
        "button_no_text",
        [actions({"type": "button", "action_id": "a"})],
        "missing required field: text",
        "/blocks/0/elements/0",
    ),
    (
        "button_value_2001",
        [actions(button(value="v" * 2001))],
        "less than 2001",
        "/blocks/0/elements/0/value",
    ),
    ("button_url_3001", [actions(button(url="u" * 3001))], "less than 3001", "/blocks/0/elements/0/url"),
    ("button_style", [actions(button(style="secondary"))], "primary, danger", "/blocks/0/elements/0/style"),
    ("select_no_options", [accessory(select(options=[]))], "at least 1", "/blocks/0/accessory/options"),
    (
        "select_101",
        [accessory(select(options=options(101)))],
        "no more than 100",
        "/blocks/0/accessory/options",
    ),
    (
        "option_text_76",
        [accessory(select(options=[option("v", "t" * 76)]))],
        "less than 76",
        "/blocks/0/accessory/options/0/text/text",
    ),
    (
        "option_value_151",
        [accessory(select(options=[option("v" * 151, "t")]))],
        "less than 151",
        "/blocks/0/accessory/options/0/value",
    ),
    (
        "initial_option_foreign",
        [accessory(select(options=options(2), initial_option=option("zzz")))],
        "initial_option",
        "/blocks/0/accessory/initial_option",
    ),
    (
        "initial_options_foreign",
        [
            accessory(
                select(
                    "multi_static_select", options=options(2), initial_options=[option("v0"), option("nope")]
                )
            )
        ],
        "initial_options",
        "/blocks/0/accessory/initial_options/1",
    ),
    (
        "placeholder_151",
        [accessory(select("users_select", placeholder=plain("p" * 151)))],
        "less than 151",
        "/blocks/0/accessory/placeholder/text",
    ),
    (
        "text_input_initial_3001",
        [input_block({**TEXT_INPUT, "initial_value": "i" * 3001})],
        "less than 3001",
        "/blocks/0/element/initial_value",
    ),
    (
        "text_input_max_length",
        [input_block({**TEXT_INPUT, "max_length": 3001})],
        "between 1 and 3000",
        "/blocks/0/element/max_length",
    ),
    (
        "text_input_multiline_str",
        [input_block({**TEXT_INPUT, "multiline": "yes"})],
        "boolean",
        "/blocks/0/element/multiline",
    ),
    (
        "number_no_decimal_flag",
        [input_block({"type": "number_input"})],
        "missing required field: is_decimal_allowed",
        "/blocks/0/element",
    ),
    (
        "number_decimal_forbidden",
        [input_block({"type": "number_input", "is_decimal_allowed": False, "initial_value": "1.5"})],
        "without decimals",
        "/blocks/0/element/initial_value",
    ),
    (
        "checkboxes_11",
        [input_block({"type": "checkboxes", "options": options(11)})],
        "no more than 10",
        "/blocks/0/element/options",
    ),
    (
        "radio_11",
        [input_block({"type": "radio_buttons", "options": options(11)})],
        "no more than 10",
        "/blocks/0/element/options",
    ),
    (
        "overflow_1",
        [accessory({"type": "overflow", "options": options(1)})],
        "at least 2",
        "/blocks/0/accessory/options",
    ),
    (
        "overflow_6",
        [accessory({"type": "overflow", "options": options(6)})],
        "no more than 5",
        "/blocks/0/accessory/options",
    ),
    (
        "datepicker_bad",
        [accessory({"type": "datepicker", "initial_date": "2025-13-01"})],
        "YYYY-MM-DD",
        "/blocks/0/accessory/initial_date",
    ),
    (
        "timepicker_bad",
        [accessory({"type": "timepicker", "initial_time": "25:00"})],
        "HH:mm",
        "/blocks/0/accessory/initial_time",
    ),
]


@pytest.mark.parametrize(("blocks",), [(b,) for _, b in VALID_MESSAGES], ids=[n for n, _ in VALID_MESSAGES])
def test_valid_message_blocks(blocks):
    assert validate_message_blocks(blocks) == []


@pytest.mark.parametrize(
    ("blocks", "message", "pointer"),
    [(b, m, p) for _, b, m, p in INVALID_MESSAGES],
    ids=[n for n, *_ in INVALID_MESSAGES],
)
def test_invalid_message_blocks(blocks, message, pointer):
    errors = validate_message_blocks(blocks)
    assert any(message in e and e.endswith(f"[json-pointer:{pointer}]") for e in errors), errors
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
    assert any(message in e and e.endswith(f"[json-pointer:{pointer}]") for e in errors), errors


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
