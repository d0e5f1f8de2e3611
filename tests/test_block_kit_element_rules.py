"""Table-driven checks of the Block Kit rules the fake Slack enforces for interactive elements: buttons,
selects and their options, text and number inputs, checkboxes, radio buttons, date and time pickers,
overflow menus and image accessories.

Blocks, views and channel names are covered in test_block_kit_rules.py."""

from __future__ import annotations

from typing import Any

import pytest

from bot.sandbox.block_kit_rules import validate_message_blocks
from tests.block_kit_samples import (
    IMAGE,
    TEXT_INPUT,
    accessory,
    actions,
    assert_reported,
    button,
    input_block,
    mrkdwn,
    option,
    options,
    plain,
    select,
)

VALID_ELEMENTS: list[tuple[str, list[Any]]] = [
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
]

INVALID_ELEMENTS: list[tuple[str, Any, str, str]] = [
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


@pytest.mark.parametrize(("blocks",), [(b,) for _, b in VALID_ELEMENTS], ids=[n for n, _ in VALID_ELEMENTS])
def test_valid_message_blocks(blocks):
    assert validate_message_blocks(blocks) == []


@pytest.mark.parametrize(
    ("blocks", "message", "pointer"),
    [(b, m, p) for _, b, m, p in INVALID_ELEMENTS],
    ids=[n for n, *_ in INVALID_ELEMENTS],
)
def test_invalid_message_blocks(blocks, message, pointer):
    errors = validate_message_blocks(blocks)
    assert_reported(errors, message, pointer)
    assert all(e.startswith("[ERROR] ") for e in errors)
