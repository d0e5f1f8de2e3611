"""FakeSlack's views.* methods: modals (open, push, update) and Home tabs (publish), with the trigger_id,
hash and external_id bookkeeping Slack does and Block Kit validation of every view.

Importing this module registers them in `fake_methods.METHODS`; FakeSlack imports it where it reads
METHODS.
"""

from __future__ import annotations

import copy
import time
from typing import Any

from bot.sandbox.block_kit_rules import validate_view
from bot.sandbox.fake_methods import APP_ID, Params, _method, _required, _str, _user
from bot.sandbox.fake_workspace import BOT_ID, TEAM_ID, SlackError, Workspace

# -- views --------------------------------------------------------------------------------------------


def _checked_view(p: Params) -> dict[str, Any]:
    view = p.get("view")
    if view is None:
        raise SlackError(
            "invalid_arguments", response_metadata={"messages": ["[ERROR] missing required field: view"]}
        )
    errors = validate_view(view)
    if errors:
        raise SlackError("invalid_arguments", response_metadata={"messages": errors})
    assert isinstance(view, dict)
    return copy.deepcopy(view)


def _take_trigger(ws: Workspace, p: Params) -> str:
    trigger = _required(p, "trigger_id")
    if trigger.startswith("expired"):
        raise SlackError("expired_trigger_id")
    if trigger in ws.used_triggers:
        raise SlackError("exchanged_trigger_id")
    return trigger


def _store_view(ws: Workspace, view: dict[str, Any], view_id: str, **extra: Any) -> dict[str, Any]:
    stored = {
        "id": view_id,
        "team_id": TEAM_ID,
        "type": view["type"],
        "blocks": view.get("blocks", []),
        "private_metadata": view.get("private_metadata", ""),
        "callback_id": view.get("callback_id", ""),
        "state": {"values": {}},
        "hash": f"{int(time.time())}.{ws.next_id('h')}",
        "title": view.get("title"),
        "clear_on_close": bool(view.get("clear_on_close", False)),
        "notify_on_close": bool(view.get("notify_on_close", False)),
        "close": view.get("close"),
        "submit": view.get("submit"),
        "previous_view_id": None,
        "root_view_id": view_id,
        "app_id": APP_ID,
        "external_id": view.get("external_id", ""),
        "bot_id": BOT_ID,
        **extra,
    }
    ws.views[view_id] = stored
    return {"view": copy.deepcopy(stored)}


def _external_id_free(ws: Workspace, view: dict[str, Any], own_id: str | None = None) -> None:
    ext = view.get("external_id")
    if ext and any(v["external_id"] == ext and v["id"] != own_id for v in ws.views.values()):
        raise SlackError("duplicate_external_id")


@_method("views.open")
def views_open(ws: Workspace, p: Params) -> dict[str, Any]:
    """Open a modal for a trigger_id."""
    trigger = _take_trigger(ws, p)
    view = _checked_view(p)
    if view["type"] != "modal":
        raise SlackError(
            "invalid_arguments",
            response_metadata={"messages": ["[ERROR] must be modal [json-pointer:/view/type]"]},
        )
    _external_id_free(ws, view)
    ws.used_triggers.add(trigger)
    return _store_view(ws, view, ws.next_id("V"))


@_method("views.push")
def views_push(ws: Workspace, p: Params) -> dict[str, Any]:
    """Push a modal onto the stack."""
    return views_open(ws, p)


@_method("views.update")
def views_update(ws: Workspace, p: Params) -> dict[str, Any]:
    """Replace an open view, by view_id or external_id, honouring `hash`."""
    view_id, ext = _str(p, "view_id"), _str(p, "external_id")
    if not view_id and not ext:
        raise SlackError("invalid_arguments")
    current = (
        ws.views.get(view_id)
        if view_id
        else next((v for v in ws.views.values() if v["external_id"] == ext), None)
    )
    if current is None:
        raise SlackError("not_found")
    if _str(p, "hash") and _str(p, "hash") != current["hash"]:
        raise SlackError("hash_conflict")
    view = _checked_view(p)
    _external_id_free(ws, view, current["id"])
    return _store_view(
        ws,
        view,
        current["id"],
        root_view_id=current["root_view_id"],
        previous_view_id=current["previous_view_id"],
    )


@_method("views.publish")
def views_publish(ws: Workspace, p: Params) -> dict[str, Any]:
    """Publish a user's Home tab."""
    user_id = _required(p, "user_id")
    _user(ws, user_id)
    view = _checked_view(p)
    if view["type"] != "home":
        raise SlackError(
            "invalid_arguments",
            response_metadata={"messages": ["[ERROR] must be home [json-pointer:/view/type]"]},
        )
    view_id = ws.home_views.get(user_id)
    if view_id and _str(p, "hash") and _str(p, "hash") != ws.views[view_id]["hash"]:
        raise SlackError("hash_conflict")
    view_id = view_id or ws.next_id("V")
    ws.home_views[user_id] = view_id
    return _store_view(ws, view, view_id)
