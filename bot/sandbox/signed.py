"""Signed Slack requests, as Slack would send them to the app: used by the demo, tests and benchmarks."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass
from typing import Any

from slack_sdk.signature import SignatureVerifier

TEAM = {"id": "T0WARROOM", "domain": "warroom-sandbox"}


@dataclass(frozen=True)
class SlackReply:
    """The app's HTTP answer and how long it took."""

    status: int
    body: str
    seconds: float

    def json(self) -> dict[str, Any]:
        """The body as JSON ({} when empty)."""
        return json.loads(self.body) if self.body.strip() else {}


class SlackRequester:
    """Posts signed slash commands and interaction payloads to a running app."""

    def __init__(self, events_url: str, signing_secret: str, response_url_factory: Any = None) -> None:
        self.events_url = events_url
        self._verifier = SignatureVerifier(signing_secret)
        self._response_url = response_url_factory or (lambda: "https://hooks.slack.invalid/response")

    def post(
        self,
        body: str,
        content_type: str,
        *,
        tamper: bool = False,
        retry_num: int | None = None,
        timestamp: int | None = None,
    ) -> SlackReply:
        """POST `body` signed (or with a broken signature when `tamper`)."""
        ts = str(timestamp if timestamp is not None else int(time.time()))
        signature = self._verifier.generate_signature(timestamp=ts, body=body) or ""
        if tamper:
            signature = signature[:-4] + ("0000" if not signature.endswith("0000") else "1111")
        headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": signature,
        }
        if retry_num is not None:
            headers |= {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_timeout"}
        request = urllib.request.Request(self.events_url, data=body.encode(), headers=headers, method="POST")
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return SlackReply(response.status, response.read().decode(), time.perf_counter() - started)
        except urllib.error.HTTPError as error:
            return SlackReply(error.code, error.read().decode(), time.perf_counter() - started)

    def slash_command(
        self, text: str, *, user_id: str, channel_id: str, command: str = "/escalate", **options: Any
    ) -> SlackReply:
        """`/escalate <text>` typed by `user_id` in `channel_id`."""
        form = {
            "token": "legacy-verification-token",
            "team_id": TEAM["id"],
            "team_domain": TEAM["domain"],
            "channel_id": channel_id,
            "channel_name": "channel",
            "user_id": user_id,
            "user_name": user_id.lower(),
            "command": command,
            "text": text,
            "api_app_id": "A0WARROOM",
            "response_url": self._response_url(),
            "trigger_id": f"trigger-{uuid.uuid4().hex[:12]}",
        }
        return self.post(urllib.parse.urlencode(form), "application/x-www-form-urlencoded", **options)

    def interaction(self, payload: dict[str, Any], **options: Any) -> SlackReply:
        """Any interactivity payload (`payload=<json>`)."""
        body = urllib.parse.urlencode({"payload": json.dumps(payload)})
        return self.post(body, "application/x-www-form-urlencoded", **options)

    def view_submission(
        self, view: dict[str, Any], values: dict[str, Any], *, user_id: str, **options: Any
    ) -> SlackReply:
        """Submit an opened modal with `values` (by block id) over its initial values."""
        submitted = {**view, "state": {"values": fill_view_state(view, values)}}
        payload = {
            "type": "view_submission",
            "team": {"id": TEAM["id"], "domain": TEAM["domain"]},
            "user": {"id": user_id, "username": user_id.lower(), "team_id": TEAM["id"]},
            "api_app_id": "A0WARROOM",
            "token": "legacy-verification-token",
            "trigger_id": f"trigger-{uuid.uuid4().hex[:12]}",
            "view": submitted,
        }
        return self.interaction(payload, **options)

    def view_action(
        self, view: dict[str, Any], block_id: str, values: dict[str, Any], *, user_id: str, **options: Any
    ) -> SlackReply:
        """A change to the `dispatch_action` input `block_id` of the open modal `view` (as stored by the
        fake, with its id and hash), with `values` (by block id) over what the form holds."""
        state = fill_view_state(view, values)
        block = next(b for b in view["blocks"] if b.get("block_id") == block_id)
        action_id = block["element"]["action_id"]
        payload = {
            "type": "block_actions",
            "team": {"id": TEAM["id"], "domain": TEAM["domain"]},
            "user": {"id": user_id, "username": user_id.lower(), "team_id": TEAM["id"]},
            "api_app_id": "A0WARROOM",
            "token": "legacy-verification-token",
            "container": {"type": "view", "view_id": view["id"]},
            "trigger_id": f"trigger-{uuid.uuid4().hex[:12]}",
            "view": {**view, "state": {"values": state}},
            "actions": [
                {
                    **state[block_id][action_id],
                    "action_id": action_id,
                    "block_id": block_id,
                    "action_ts": f"{time.time():.6f}",
                }
            ],
        }
        return self.interaction(payload, **options)

    def button(
        self, action_id: str, value: str, *, user_id: str, channel_id: str, message_ts: str, **options: Any
    ) -> SlackReply:
        """A click on a message button."""
        payload = {
            "type": "block_actions",
            "team": {"id": TEAM["id"], "domain": TEAM["domain"]},
            "user": {"id": user_id, "username": user_id.lower(), "team_id": TEAM["id"]},
            "api_app_id": "A0WARROOM",
            "token": "legacy-verification-token",
            "container": {"type": "message", "message_ts": message_ts, "channel_id": channel_id},
            "channel": {"id": channel_id, "name": "channel"},
            "message": {"type": "message", "ts": message_ts, "text": ""},
            "trigger_id": f"trigger-{uuid.uuid4().hex[:12]}",
            "response_url": self._response_url(),
            "actions": [
                {
                    "type": "button",
                    "action_id": action_id,
                    "block_id": "card_actions",
                    "value": value,
                    "action_ts": f"{time.time():.6f}",
                }
            ],
        }
        return self.interaction(payload, **options)

    def event(self, event: dict[str, Any], *, event_id: str | None = None, **options: Any) -> SlackReply:
        """An Events API callback (e.g. an `app_mention`)."""
        payload = {
            "token": "legacy-verification-token",
            "team_id": TEAM["id"],
            "api_app_id": "A0WARROOM",
            "type": "event_callback",
            "event_id": event_id or f"Ev{uuid.uuid4().hex[:10].upper()}",
            "event_time": int(time.time()),
            "event": event,
        }
        return self.post(json.dumps(payload), "application/json", **options)

    def mention(
        self,
        text: str,
        *,
        user_id: str,
        channel_id: str,
        ts: str,
        thread_ts: str | None = None,
        **options: Any,
    ) -> SlackReply:
        """`@warroom <text>` posted as message `ts` (in the thread `thread_ts`, if given)."""
        event = {
            "type": "app_mention",
            "user": user_id,
            "text": f"<@U0WARROOM> {text}",
            "ts": ts,
            "channel": channel_id,
            "event_ts": ts,
        }
        if thread_ts:
            event["thread_ts"] = thread_ts
        return self.event(event, **options)

    def reaction(
        self, name: str, *, user_id: str, channel_id: str, ts: str, removed: bool = False, **options: Any
    ) -> SlackReply:
        """`user_id` adds (or, `removed`, takes off) the reaction `name` on message `ts`."""
        event = {
            "type": "reaction_removed" if removed else "reaction_added",
            "user": user_id,
            "reaction": name,
            "item": {"type": "message", "channel": channel_id, "ts": ts},
            "item_user": "U0BEN",
            "event_ts": f"{time.time():.6f}",
        }
        return self.event(event, **options)

    def message_edited(
        self,
        text: str,
        *,
        user_id: str,
        channel_id: str,
        ts: str,
        thread_ts: str | None = None,
        **options: Any,
    ) -> SlackReply:
        """The `message_changed` event of message `ts` edited to `text`."""
        message = {"type": "message", "user": user_id, "text": text, "ts": ts, "edited": {"user": user_id}}
        if thread_ts:
            message["thread_ts"] = thread_ts
        event = {
            "type": "message",
            "subtype": "message_changed",
            "channel": channel_id,
            "hidden": True,
            "message": message,
            "event_ts": f"{time.time():.6f}",
            "ts": f"{time.time():.6f}",
        }
        return self.event(event, **options)

    def message_deleted(self, *, channel_id: str, ts: str, **options: Any) -> SlackReply:
        """The `message_deleted` event of message `ts`."""
        event = {
            "type": "message",
            "subtype": "message_deleted",
            "channel": channel_id,
            "hidden": True,
            "deleted_ts": ts,
            "event_ts": f"{time.time():.6f}",
            "ts": f"{time.time():.6f}",
        }
        return self.event(event, **options)

    def message_shortcut(
        self, callback_id: str, message: dict[str, Any], *, user_id: str, channel_id: str, **options: Any
    ) -> SlackReply:
        """The message-menu shortcut `callback_id` on `message`."""
        payload = {
            "type": "message_action",
            "callback_id": callback_id,
            "team": {"id": TEAM["id"], "domain": TEAM["domain"]},
            "user": {"id": user_id, "username": user_id.lower(), "team_id": TEAM["id"]},
            "channel": {"id": channel_id, "name": "channel"},
            "message": message,
            "message_ts": message.get("ts"),
            "token": "legacy-verification-token",
            "trigger_id": f"trigger-{uuid.uuid4().hex[:12]}",
            "response_url": self._response_url(),
        }
        return self.interaction(payload, **options)


def fill_view_state(view: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """The `state.values` Slack would send: each input's initial value, overridden by `values`."""
    state: dict[str, Any] = {}
    for block in view.get("blocks", []):
        if block.get("type") != "input":
            continue
        element = block["element"]
        block_id, action_id, kind = block["block_id"], element["action_id"], element["type"]
        given = values.get(block_id, _initial(element))
        state[block_id] = {action_id: _element_state(element, kind, given)}
    return state


def _initial(element: dict[str, Any]) -> Any:
    kind = element["type"]
    if kind in ("plain_text_input", "number_input"):
        return element.get("initial_value")
    if kind == "static_select":
        return (element.get("initial_option") or {}).get("value")
    if kind == "users_select":
        return element.get("initial_user")
    if kind == "multi_users_select":
        return element.get("initial_users") or []
    if kind == "checkboxes":
        return [o["value"] for o in element.get("initial_options") or []]
    if kind == "radio_buttons":
        return (element.get("initial_option") or {}).get("value")
    if kind == "datetimepicker":
        return element.get("initial_date_time")
    if kind == "datepicker":
        return element.get("initial_date")
    return None


def _element_state(element: dict[str, Any], kind: str, given: Any) -> dict[str, Any]:
    if kind in ("plain_text_input", "number_input"):
        return {"type": kind, "value": given}
    if kind == "datetimepicker":
        return {"type": kind, "selected_date_time": given}
    if kind in ("static_select", "radio_buttons"):
        option = next((o for o in element["options"] if o["value"] == given), None)
        return {"type": kind, "selected_option": option}
    if kind == "users_select":
        return {"type": kind, "selected_user": given}
    if kind == "multi_users_select":
        return {"type": kind, "selected_users": list(given or [])}
    if kind == "checkboxes":
        chosen = set(given or [])
        return {"type": kind, "selected_options": [o for o in element["options"] if o["value"] in chosen]}
    if kind == "datepicker":
        return {"type": kind, "selected_date": given}
    return {"type": kind, "value": given}
