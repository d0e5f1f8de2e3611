"""Input blocks for modals, and reading a submitted or changing view's values back (pure).

A field that re-suggests as it changes is a `dispatch_action` input. Slack keeps what a person typed across
`views.update` only while a block's `block_id` and `action_id` stay the same, so a field whose value warroom
wants to replace gets a new `action_id`; readers therefore go by `block_id` alone.
"""

from __future__ import annotations

from typing import Any

from blocks import limits
from blocks.text import plain, truncate

# Text inputs re-suggest when Enter is pressed (every keystroke would be a round trip per character).
_ON_ENTER = {"trigger_actions_on": ["on_enter_pressed"]}


def text_input(
    block_id: str,
    label: str,
    initial: str | None,
    *,
    action_id: str = "value",
    optional: bool = False,
    multiline: bool = False,
    max_length: int | None = None,
    placeholder: str | None = None,
    dispatch: bool = False,
) -> dict[str, Any]:
    """A plain-text input block."""
    element: dict[str, Any] = {"type": "plain_text_input", "action_id": action_id, "multiline": multiline}
    if initial:
        element["initial_value"] = truncate(
            initial, min(max_length or limits.PLAIN_TEXT_INPUT_INITIAL, limits.PLAIN_TEXT_INPUT_INITIAL)
        )
    if max_length:
        element["max_length"] = max_length
    if placeholder:
        element["placeholder"] = plain(placeholder, limits.PLACEHOLDER)
    if dispatch:
        element["dispatch_action_config"] = _ON_ENTER
    return _input(block_id, label, element, optional=optional, dispatch=dispatch)


def option(value: str, label: str) -> dict[str, Any]:
    """A select, checkbox or radio option."""
    return {"text": plain(label, limits.OPTION_TEXT), "value": value[: limits.OPTION_VALUE]}


def choice_input(
    block_id: str,
    label: str,
    options: dict[str, str],
    *,
    kind: str = "static_select",
    initial: str | None = None,
    action_id: str = "value",
    optional: bool = False,
    hint: str | None = None,
    dispatch: bool = False,
) -> dict[str, Any]:
    """A one-of-many input (a select menu or radio buttons) with `initial` chosen when it is an option."""
    element: dict[str, Any] = {
        "type": kind,
        "action_id": action_id,
        "options": [option(value, text) for value, text in options.items()][: limits.SELECT_OPTIONS],
    }
    if initial in options:
        element["initial_option"] = option(initial, options[initial])
    block = _input(block_id, label, element, optional=optional, dispatch=dispatch)
    if hint:
        block["hint"] = plain(hint, limits.INPUT_HINT)
    return block


def checkboxes_input(
    block_id: str, label: str, options: dict[str, str], chosen: set[str], *, dispatch: bool = False
) -> dict[str, Any]:
    """Optional checkboxes with `chosen` ticked."""
    element: dict[str, Any] = {
        "type": "checkboxes",
        "action_id": "value",
        "options": [option(value, text) for value, text in options.items()],
    }
    initial = [o for o in element["options"] if o["value"] in chosen]
    if initial:
        element["initial_options"] = initial
    return _input(block_id, label, element, optional=True, dispatch=dispatch)


def user_input(
    block_id: str,
    label: str,
    initial: str | None,
    *,
    action_id: str = "value",
    optional: bool = False,
    placeholder: str | None = None,
) -> dict[str, Any]:
    """A one-person picker."""
    element: dict[str, Any] = {"type": "users_select", "action_id": action_id}
    if initial:
        element["initial_user"] = initial
    if placeholder:
        element["placeholder"] = plain(placeholder, limits.PLACEHOLDER)
    return _input(block_id, label, element, optional=optional)


def element_state(view: dict[str, Any], block_id: str) -> dict[str, Any]:
    """The state of the one element in input `block_id`, whatever its action_id."""
    values: dict[str, dict[str, Any]] = view.get("state", {}).get("values", {})
    return next(iter(values.get(block_id, {}).values()), {})


def text_of(view: dict[str, Any], block_id: str) -> str:
    """What a text input holds ("" when empty or absent)."""
    return element_state(view, block_id).get("value") or ""


def selected_of(view: dict[str, Any], block_id: str) -> str | None:
    """The chosen option's value of a select or radio input."""
    chosen = element_state(view, block_id).get("selected_option")
    return chosen["value"] if chosen else None


def _input(
    block_id: str, label: str, element: dict[str, Any], *, optional: bool, dispatch: bool = False
) -> dict[str, Any]:
    block: dict[str, Any] = {
        "type": "input",
        "block_id": block_id,
        "optional": optional,
        "label": plain(label, limits.INPUT_LABEL),
        "element": element,
    }
    if dispatch:
        block["dispatch_action"] = True
    return block
