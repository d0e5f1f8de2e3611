"""Shared by the table-driven Block Kit rule tests (test_block_kit_rules.py, test_block_kit_element_rules.py):
builders for composition objects, blocks and elements, and the check that a rule was reported."""

from __future__ import annotations

from typing import Any


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


def assert_reported(errors: list[str], message: str, pointer: str) -> None:
    """`errors` has one that says `message` about the field at JSON pointer `pointer`, as Slack does."""
    assert any(message in e and e.endswith(f"[json-pointer:{pointer}]") for e in errors), errors
