"""Block Kit rules below the block level: the checker's primitives (strings, booleans, text objects,
array sizes) and every interactive or image element (buttons, selects and their options, inputs,
pickers, confirm dialogs), plus which element types each kind of block allows.

`block_kit_rules` builds the block and surface validators on `ElementChecker`. Errors are formatted
like Slack's `response_metadata.messages`: `[ERROR] message [json-pointer:/path]`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

from blocks import limits as L

# Limits Slack publishes that blocks/limits.py does not define (kept local on purpose).
CHECKBOX_OPTIONS = 10
RADIO_OPTIONS = 10
OVERFLOW_MIN_OPTIONS = 2
OVERFLOW_MAX_OPTIONS = 5
OPTION_DESCRIPTION = 75
IMAGE_URL = 3_000
IMAGE_ALT_TEXT = 2_000
TEXT_INPUT_MAX_LENGTH = 3_000
CONFIRM_TITLE = 100
CONFIRM_TEXT = 300
CONFIRM_BUTTON = 30

_TIME_RE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
_NUMBER_RE = re.compile(r"^-?\d+(\.\d+)?$")

_SELECTS = frozenset(
    {
        "static_select",
        "multi_static_select",
        "users_select",
        "multi_users_select",
        "conversations_select",
        "multi_conversations_select",
        "channels_select",
        "multi_channels_select",
        "external_select",
        "multi_external_select",
    }
)
INPUT_ELEMENTS = _SELECTS | {
    "plain_text_input",
    "number_input",
    "checkboxes",
    "radio_buttons",
    "datepicker",
    "timepicker",
    "datetimepicker",
    "email_text_input",
    "url_text_input",
    "rich_text_input",
}
ACTION_ELEMENTS = _SELECTS | {
    "button",
    "overflow",
    "checkboxes",
    "radio_buttons",
    "datepicker",
    "timepicker",
    "datetimepicker",
    "workflow_button",
}
ACCESSORY_ELEMENTS = ACTION_ELEMENTS | {"image"}


class ElementChecker:
    """Accumulates Slack-style error strings while walking a payload; checks primitives and elements."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def add(self, message: str, pointer: str) -> None:
        self.errors.append(f"[ERROR] {message} [json-pointer:{pointer}]")

    # -- primitives -------------------------------------------------------------------------------

    def string(
        self,
        obj: dict[str, Any],
        key: str,
        ptr: str,
        *,
        max_len: int,
        required: bool = False,
        allow_empty: bool = False,
    ) -> None:
        if key not in obj:
            if required:
                self.add(f"missing required field: {key}", ptr)
            return
        value = obj[key]
        if not isinstance(value, str):
            self.add("must provide a string", f"{ptr}/{key}")
        elif not value and not allow_empty:
            self.add("must be more than 0 characters", f"{ptr}/{key}")
        elif len(value) > max_len:
            self.add(f"must be less than {max_len + 1} characters", f"{ptr}/{key}")

    def boolean(self, obj: dict[str, Any], key: str, ptr: str, *, required: bool = False) -> None:
        if key not in obj:
            if required:
                self.add(f"missing required field: {key}", ptr)
        elif not isinstance(obj[key], bool):
            self.add("must provide a boolean", f"{ptr}/{key}")

    def text(
        self,
        obj: dict[str, Any],
        key: str,
        ptr: str,
        *,
        max_len: int,
        plain_only: bool = False,
        required: bool = True,
    ) -> None:
        """Check a text object (`{"type": "plain_text"|"mrkdwn", "text": ...}`) at obj[key]."""
        if key not in obj:
            if required:
                self.add(f"missing required field: {key}", ptr)
            return
        self.text_object(obj[key], f"{ptr}/{key}", max_len=max_len, plain_only=plain_only)

    def text_object(self, value: object, p: str, *, max_len: int, plain_only: bool = False) -> None:
        if not isinstance(value, dict):
            self.add("must provide an object", p)
            return
        allowed = ("plain_text",) if plain_only else ("plain_text", "mrkdwn")
        kind = value.get("type")
        if kind not in allowed:
            self.add(f"must be one of: {', '.join(allowed)}", f"{p}/type")
        if kind == "mrkdwn" and "emoji" in value:
            self.add("emoji is not allowed for mrkdwn text", f"{p}/emoji")
        self.string(value, "text", p, max_len=max_len, required=True)

    def count(self, items: object, ptr: str, lo: int, hi: int) -> bool:
        """Check that items is an array of lo..hi entries; True when it is an array at all."""
        if not isinstance(items, list):
            self.add("must provide an array", ptr)
            return False
        if len(items) < lo:
            self.add(f"must provide at least {lo} items", ptr)
        if len(items) > hi:
            self.add(f"no more than {hi} items allowed", ptr)
        return True

    # -- elements ---------------------------------------------------------------------------------

    def element(self, el: object, p: str, allowed: frozenset[str]) -> None:
        if not isinstance(el, dict):
            self.add("must provide an object", p)
            return
        kind = el.get("type")
        if kind not in allowed:
            self.add(f"element type {kind!r} is not allowed here", f"{p}/type")
            return
        if kind == "image":
            self.image_element(el, p)
            return
        self.string(el, "action_id", p, max_len=L.ACTION_ID)
        self.boolean(el, "focus_on_load", p)
        if "confirm" in el:
            self.confirm(el["confirm"], f"{p}/confirm")
        if kind != "button":
            self.text(el, "placeholder", p, max_len=L.PLACEHOLDER, plain_only=True, required=False)
        check = _ELEMENT_CHECKS.get(str(kind))
        if check is not None:
            check(self, el, p)

    def button(self, el: dict[str, Any], p: str) -> None:
        self.text(el, "text", p, max_len=L.BUTTON_TEXT, plain_only=True)
        self.string(el, "value", p, max_len=L.BUTTON_VALUE)
        self.string(el, "url", p, max_len=L.BUTTON_URL)
        if "style" in el and el["style"] not in ("primary", "danger"):
            self.add("must be one of: primary, danger", f"{p}/style")

    def confirm(self, obj: object, p: str) -> None:
        if not isinstance(obj, dict):
            self.add("must provide an object", p)
            return
        self.text(obj, "title", p, max_len=CONFIRM_TITLE, plain_only=True)
        self.text(obj, "text", p, max_len=CONFIRM_TEXT)
        self.text(obj, "confirm", p, max_len=CONFIRM_BUTTON, plain_only=True)
        self.text(obj, "deny", p, max_len=CONFIRM_BUTTON, plain_only=True)

    def options(self, el: dict[str, Any], p: str, lo: int, hi: int, *, plain_only: bool = True) -> None:
        """Check `options` and that initial_option(s) are among them."""
        opts = el.get("options")
        if "options" not in el:
            if "option_groups" not in el or el.get("type") not in ("static_select", "multi_static_select"):
                self.add("missing required field: options", p)
                return
            groups = el["option_groups"]
            if not self.count(groups, f"{p}/option_groups", 1, L.SELECT_OPTIONS):
                return
            opts = []
            for gi, group in enumerate(groups):
                gp = f"{p}/option_groups/{gi}"
                if not isinstance(group, dict):
                    self.add("must provide an object", gp)
                    continue
                self.text(group, "label", gp, max_len=L.OPTION_TEXT, plain_only=True)
                if self.count(group.get("options"), f"{gp}/options", 1, L.SELECT_OPTIONS):
                    for oi, opt in enumerate(group["options"]):
                        self.option(opt, f"{gp}/options/{oi}", plain_only=plain_only)
                    opts.extend(group["options"])
        elif self.count(opts, f"{p}/options", lo, hi):
            for i, opt in enumerate(opts):
                self.option(opt, f"{p}/options/{i}", plain_only=plain_only)
        if not isinstance(opts, list):
            return
        known = [_option_key(o) for o in opts if isinstance(o, dict)]
        if "initial_option" in el and _option_key(el["initial_option"]) not in known:
            self.add("initial_option must match one of the options", f"{p}/initial_option")
        initial = el.get("initial_options")
        if initial is not None:
            if not isinstance(initial, list):
                self.add("must provide an array", f"{p}/initial_options")
            else:
                for i, opt in enumerate(initial):
                    if _option_key(opt) not in known:
                        self.add("initial_options must match the options", f"{p}/initial_options/{i}")

    def option(self, opt: object, p: str, *, plain_only: bool) -> None:
        if not isinstance(opt, dict):
            self.add("must provide an object", p)
            return
        self.text(opt, "text", p, max_len=L.OPTION_TEXT, plain_only=plain_only)
        self.string(opt, "value", p, max_len=L.OPTION_VALUE, required=True)
        self.text(opt, "description", p, max_len=OPTION_DESCRIPTION, plain_only=plain_only, required=False)
        self.string(opt, "url", p, max_len=IMAGE_URL)

    def static_select(self, el: dict[str, Any], p: str) -> None:
        self.options(el, p, 1, L.SELECT_OPTIONS)
        if el.get("type") == "multi_static_select":
            self.max_selected(el, p)

    def max_selected(self, el: dict[str, Any], p: str) -> None:
        value = el.get("max_selected_items", 1)
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            self.add("must be a positive integer", f"{p}/max_selected_items")

    def users_select(self, el: dict[str, Any], p: str) -> None:
        self.string(el, "initial_user", p, max_len=255)
        if el.get("type") == "multi_users_select":
            self.max_selected(el, p)
            users = el.get("initial_users", [])
            if not isinstance(users, list) or not all(isinstance(u, str) for u in users):
                self.add("must provide an array of strings", f"{p}/initial_users")

    def conversations_select(self, el: dict[str, Any], p: str) -> None:
        self.string(el, "initial_conversation", p, max_len=255)
        self.string(el, "initial_channel", p, max_len=255)

    def plain_text_input(self, el: dict[str, Any], p: str) -> None:
        self.string(el, "initial_value", p, max_len=L.PLAIN_TEXT_INPUT_INITIAL, allow_empty=True)
        self.boolean(el, "multiline", p)
        lo = self.int_field(el, "min_length", p, 0, TEXT_INPUT_MAX_LENGTH)
        hi = self.int_field(el, "max_length", p, 1, TEXT_INPUT_MAX_LENGTH)
        if lo is not None and hi is not None and lo > hi:
            self.add("min_length must not exceed max_length", f"{p}/min_length")

    def int_field(self, el: dict[str, Any], key: str, p: str, lo: int, hi: int) -> int | None:
        if key not in el:
            return None
        value = el[key]
        if not isinstance(value, int) or isinstance(value, bool) or not lo <= value <= hi:
            self.add(f"must be an integer between {lo} and {hi}", f"{p}/{key}")
            return None
        return value

    def number_input(self, el: dict[str, Any], p: str) -> None:
        self.boolean(el, "is_decimal_allowed", p, required=True)
        decimal = el.get("is_decimal_allowed") is True
        for key in ("initial_value", "min_value", "max_value"):
            value = el.get(key)
            if value is None:
                continue
            if not isinstance(value, str) or not _NUMBER_RE.match(value) or (not decimal and "." in value):
                self.add("must be a numeric string" + ("" if decimal else " without decimals"), f"{p}/{key}")

    def checkboxes(self, el: dict[str, Any], p: str) -> None:
        self.options(el, p, 1, CHECKBOX_OPTIONS, plain_only=False)

    def radio_buttons(self, el: dict[str, Any], p: str) -> None:
        self.options(el, p, 1, RADIO_OPTIONS, plain_only=False)

    def overflow(self, el: dict[str, Any], p: str) -> None:
        self.options(el, p, OVERFLOW_MIN_OPTIONS, OVERFLOW_MAX_OPTIONS)

    def datepicker(self, el: dict[str, Any], p: str) -> None:
        value = el.get("initial_date")
        if value is None:
            return
        try:
            ok = isinstance(value, str) and len(value) == 10 and bool(date.fromisoformat(value))
        except ValueError:
            ok = False
        if not ok:
            self.add("must be a date in the format YYYY-MM-DD", f"{p}/initial_date")

    def timepicker(self, el: dict[str, Any], p: str) -> None:
        value = el.get("initial_time")
        if value is not None and (not isinstance(value, str) or not _TIME_RE.match(value)):
            self.add("must be a time in the format HH:mm", f"{p}/initial_time")

    def image_element(self, el: dict[str, Any], p: str) -> None:
        if "image_url" not in el and "slack_file" not in el:
            self.add("missing required field: image_url", p)
        self.string(el, "image_url", p, max_len=IMAGE_URL)
        self.string(el, "alt_text", p, max_len=IMAGE_ALT_TEXT, required=True)


def _option_key(opt: object) -> tuple[object, object]:
    if not isinstance(opt, dict):
        return (None, None)
    text = opt.get("text")
    return (opt.get("value"), text.get("text") if isinstance(text, dict) else None)


_ElementCheck = Callable[[ElementChecker, dict[str, Any], str], None]

_ELEMENT_CHECKS: dict[str, _ElementCheck] = {
    "button": ElementChecker.button,
    "static_select": ElementChecker.static_select,
    "multi_static_select": ElementChecker.static_select,
    "users_select": ElementChecker.users_select,
    "multi_users_select": ElementChecker.users_select,
    "conversations_select": ElementChecker.conversations_select,
    "channels_select": ElementChecker.conversations_select,
    "plain_text_input": ElementChecker.plain_text_input,
    "number_input": ElementChecker.number_input,
    "checkboxes": ElementChecker.checkboxes,
    "radio_buttons": ElementChecker.radio_buttons,
    "overflow": ElementChecker.overflow,
    "datepicker": ElementChecker.datepicker,
    "timepicker": ElementChecker.timepicker,
}
