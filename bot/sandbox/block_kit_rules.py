"""Pure Block Kit validation, mirroring the rules Slack enforces server-side.

Errors are formatted like Slack's `response_metadata.messages`:
`[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]`.

This module holds the public validators (channel names, message blocks, views) and the block-level
rules; the primitives and element rules they build on live in `block_kit_elements`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from blocks import limits as L
from bot.sandbox.block_kit_elements import ACCESSORY_ELEMENTS, ACTION_ELEMENTS, INPUT_ELEMENTS, ElementChecker

# Limits Slack publishes that blocks/limits.py does not define (kept local on purpose).
IMAGE_TITLE = 2_000
VIEW_EXTERNAL_ID = 255

_CHANNEL_NAME_RE = re.compile(r"^[a-z0-9_-]+$")


def validate_channel_name(name: object) -> str | None:
    """Return Slack's error code for a bad channel name, or None when the name is acceptable."""
    if not isinstance(name, str) or not name:
        return "invalid_name_required"
    if len(name) > L.CHANNEL_NAME:
        return "invalid_name_maxlength"
    if not _CHANNEL_NAME_RE.match(name):
        return "invalid_name_specials"
    if not re.search(r"[a-z0-9]", name):
        return "invalid_name_punctuation"
    return None


def validate_message_blocks(blocks: object) -> list[str]:
    """Validate a message's `blocks` array; an empty list means Slack would accept it."""
    c = _Checker()
    c.blocks(blocks, "/blocks", max_blocks=L.MESSAGE_BLOCKS, surface="message")
    return c.errors


def validate_view(view: object) -> list[str]:
    """Validate a modal or home-tab view object; an empty list means Slack would accept it."""
    c = _Checker()
    p = "/view"
    if not isinstance(view, dict):
        c.add("must provide an object", p)
        return c.errors
    kind = view.get("type")
    if kind not in ("modal", "home"):
        c.add("must be one of: modal, home", f"{p}/type")
    if kind == "modal":
        c.text(view, "title", p, max_len=L.VIEW_TITLE, plain_only=True)
        c.text(view, "submit", p, max_len=L.VIEW_SUBMIT, plain_only=True, required=False)
        c.text(view, "close", p, max_len=L.VIEW_CLOSE, plain_only=True, required=False)
    c.string(view, "callback_id", p, max_len=L.VIEW_CALLBACK_ID)
    c.string(view, "private_metadata", p, max_len=L.VIEW_PRIVATE_METADATA, allow_empty=True)
    c.string(view, "external_id", p, max_len=VIEW_EXTERNAL_ID)
    for key in ("clear_on_close", "notify_on_close", "submit_disabled"):
        c.boolean(view, key, p)
    if "blocks" not in view:
        c.add("missing required field: blocks", p)
    else:
        c.blocks(view["blocks"], f"{p}/blocks", max_blocks=L.VIEW_BLOCKS, surface=str(kind))
    blocks = view.get("blocks")
    has_input = isinstance(blocks, list) and any(
        isinstance(b, dict) and b.get("type") == "input" for b in blocks
    )
    if kind == "modal" and has_input and "submit" not in view:
        c.add("submit is required when an input block is present", p)
    return c.errors


class _Checker(ElementChecker):
    """ElementChecker plus the block rules: what the validators run over a payload."""

    # -- blocks -----------------------------------------------------------------------------------

    def blocks(self, blocks: object, ptr: str, *, max_blocks: int, surface: str) -> None:
        if not self.count(blocks, ptr, 0, max_blocks):
            return
        assert isinstance(blocks, list)
        seen: dict[str, int] = {}
        for i, block in enumerate(blocks):
            bp = f"{ptr}/{i}"
            if not isinstance(block, dict):
                self.add("must provide an object", bp)
                continue
            self.string(block, "block_id", bp, max_len=L.BLOCK_ID)
            block_id = block.get("block_id")
            if isinstance(block_id, str):
                if block_id in seen:
                    self.add(f"duplicate block_id {block_id!r} (also at {ptr}/{seen[block_id]})", bp)
                seen.setdefault(block_id, i)
            kind = block.get("type")
            check = _BLOCK_CHECKS.get(kind) if isinstance(kind, str) else None
            if check is None or (kind == "markdown" and surface != "message"):
                self.add(f"unsupported block type: {kind!r}", f"{bp}/type")
                continue
            check(self, block, bp)

    def section(self, b: dict[str, Any], p: str) -> None:
        if "text" not in b and "fields" not in b:
            self.add("must provide either text or fields", p)
        self.text(b, "text", p, max_len=L.SECTION_TEXT, required=False)
        if "fields" in b and self.count(b["fields"], f"{p}/fields", 1, L.SECTION_FIELDS):
            for i, field in enumerate(b["fields"]):
                self.text_object(field, f"{p}/fields/{i}", max_len=L.SECTION_FIELD_TEXT)
        if "accessory" in b:
            self.element(b["accessory"], f"{p}/accessory", ACCESSORY_ELEMENTS)

    def header(self, b: dict[str, Any], p: str) -> None:
        self.text(b, "text", p, max_len=L.HEADER_TEXT, plain_only=True)

    def context(self, b: dict[str, Any], p: str) -> None:
        elements = b.get("elements")
        if not self.count(elements, f"{p}/elements", 1, L.CONTEXT_ELEMENTS):
            return
        assert isinstance(elements, list)
        for i, el in enumerate(elements):
            ep = f"{p}/elements/{i}"
            if isinstance(el, dict) and el.get("type") == "image":
                self.image_element(el, ep)
            else:
                self.text_object(el, ep, max_len=L.CONTEXT_TEXT)

    def actions(self, b: dict[str, Any], p: str) -> None:
        elements = b.get("elements")
        if not self.count(elements, f"{p}/elements", 1, L.ACTIONS_ELEMENTS):
            return
        assert isinstance(elements, list)
        seen: set[str] = set()
        for i, el in enumerate(elements):
            ep = f"{p}/elements/{i}"
            self.element(el, ep, ACTION_ELEMENTS)
            action_id = el.get("action_id") if isinstance(el, dict) else None
            if isinstance(action_id, str):
                if action_id in seen:
                    self.add(f"duplicate action_id {action_id!r} in block", f"{ep}/action_id")
                seen.add(action_id)

    def divider(self, b: dict[str, Any], p: str) -> None:
        pass

    def image_block(self, b: dict[str, Any], p: str) -> None:
        self.image_element(b, p)
        self.text(b, "title", p, max_len=IMAGE_TITLE, plain_only=True, required=False)

    def input(self, b: dict[str, Any], p: str) -> None:
        self.text(b, "label", p, max_len=L.INPUT_LABEL, plain_only=True)
        self.text(b, "hint", p, max_len=L.INPUT_HINT, plain_only=True, required=False)
        self.boolean(b, "optional", p)
        self.boolean(b, "dispatch_action", p)
        if "element" not in b:
            self.add("missing required field: element", p)
        else:
            self.element(b["element"], f"{p}/element", INPUT_ELEMENTS)

    def rich_text(self, b: dict[str, Any], p: str) -> None:
        if not isinstance(b.get("elements"), list):
            self.add("must provide an array", f"{p}/elements")

    def markdown(self, b: dict[str, Any], p: str) -> None:
        self.string(b, "text", p, max_len=L.MARKDOWN_BLOCK_TEXT, required=True)


_Check = Callable[[_Checker, dict[str, Any], str], None]

_BLOCK_CHECKS: dict[str, _Check] = {
    "section": _Checker.section,
    "header": _Checker.header,
    "context": _Checker.context,
    "actions": _Checker.actions,
    "divider": _Checker.divider,
    "image": _Checker.image_block,
    "input": _Checker.input,
    "rich_text": _Checker.rich_text,
    "markdown": _Checker.markdown,
}
