"""What FakeAnthropic (fake_anthropic.py) says on the wire: request validation, the Message it answers
with, the SSE event sequence of a streamed answer, Anthropic's error JSON, and token counting, including the
prompt-cache prefixes a request's breakpoints mark. Tokens are approximated as 4 characters.

Everything here is a pure function of the request (and the queued reply); the HTTP server, the scripting
of replies and failures, and the prompt cache's state live in fake_anthropic.py.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from typing import Any

CHARS_PER_TOKEN = 4
DEFAULT_TEXT = "OK"
ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    404: "not_found_error",
    429: "rate_limit_error",
    500: "api_error",
    529: "overloaded_error",
}
Event = tuple[str, dict[str, Any]]  # one SSE event: (name, data)


@dataclass(frozen=True)
class Reply:
    """A scripted answer: a text block, or a `tool_use` block with `tool_input` (and `tool_name`)."""

    text: str | None = None
    tool_input: dict[str, Any] | None = None
    tool_name: str | None = None


class ApiError(Exception):
    """A request the API refuses: `status` and the message of its error JSON."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def validate_request(headers: dict[str, str], body: dict[str, Any] | None) -> dict[str, Any]:
    """`body`, if the request is one the API would accept; else raises `ApiError` as the API answers."""
    bearer = headers.get("authorization", "")
    if not headers.get("x-api-key", "").strip() and not bearer.removeprefix("Bearer ").strip():
        raise ApiError(401, "x-api-key header is required")
    if not headers.get("anthropic-version"):
        raise ApiError(400, "anthropic-version: header is required")
    if body is None:
        raise ApiError(400, "There was an error parsing the body of your request: expected a JSON object")
    for name in ("model", "max_tokens", "messages"):
        if name not in body:
            raise ApiError(400, f"{name}: Field required")
    if not isinstance(body["model"], str) or not body["model"]:
        raise ApiError(400, "model: Input should be a valid string")
    max_tokens = body["max_tokens"]
    if not isinstance(max_tokens, int) or isinstance(max_tokens, bool) or max_tokens < 1:
        raise ApiError(400, "max_tokens: Input should be an integer greater than or equal to 1")
    messages = body["messages"]
    if not isinstance(messages, list) or not messages:
        raise ApiError(400, "messages: at least one message is required")
    for i, message in enumerate(messages):
        if not isinstance(message, dict) or message.get("role") not in ("user", "assistant"):
            raise ApiError(400, f"messages.{i}.role: Input should be 'user' or 'assistant'")
        if "content" not in message:
            raise ApiError(400, f"messages.{i}.content: Field required")
    forced = forced_tool(body)
    if forced is not None and forced not in tool_names(body):
        raise ApiError(400, f"tool_choice.name: tool '{forced}' not found in the provided tools")
    return body


def build_message(body: dict[str, Any], reply: Reply | None, usage: dict[str, Any]) -> dict[str, Any]:
    """The Message answering `body`: `reply`, or without one a call of the forced tool or `DEFAULT_TEXT`."""
    forced = forced_tool(body)
    if reply is None:
        reply = Reply(tool_input={}, tool_name=forced) if forced is not None else Reply(DEFAULT_TEXT)
    if reply.tool_input is not None:
        name = reply.tool_name or forced or next(iter(tool_names(body)), "tool")
        block = {"type": "tool_use", "id": new_id("toolu"), "name": name, "input": reply.tool_input}
        stop_reason, output = "tool_use", count_tokens(json.dumps(reply.tool_input))
    else:
        pieces = token_pieces(reply.text or "")
        stop_reason = "end_turn" if len(pieces) <= body["max_tokens"] else "max_tokens"
        pieces = pieces[: body["max_tokens"]]
        block = {"type": "text", "text": "".join(pieces)}
        output = max(len(pieces), 1)
    return {
        "id": new_id("msg"),
        "type": "message",
        "role": "assistant",
        "model": body["model"],
        "content": [block],
        "stop_reason": stop_reason,
        "stop_sequence": None,
        "usage": {**usage, "output_tokens": output},
    }


def stream_events(message: dict[str, Any]) -> list[Event]:
    """The SSE sequence the API sends for `message` (one content block)."""
    usage = message["usage"]
    start = {**message, "content": [], "stop_reason": None, "stop_sequence": None}
    start["usage"] = {**usage, "output_tokens": 1}
    block = message["content"][0]
    if block["type"] == "text":
        opening: dict[str, Any] = {"type": "text", "text": ""}
        deltas = [{"type": "text_delta", "text": piece} for piece in token_pieces(block["text"])]
    else:
        opening = {**block, "input": {}}
        pieces = ["", *token_pieces(json.dumps(block["input"]))]  # the API leads with an empty partial_json
        deltas = [{"type": "input_json_delta", "partial_json": piece} for piece in pieces]
    keys = ("input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens", "output_tokens")
    delta = {"stop_reason": message["stop_reason"], "stop_sequence": None}
    return [
        ("message_start", {"type": "message_start", "message": start}),
        ("content_block_start", {"type": "content_block_start", "index": 0, "content_block": opening}),
        ("ping", {"type": "ping"}),
        *(("content_block_delta", {"type": "content_block_delta", "index": 0, "delta": d}) for d in deltas),
        ("content_block_stop", {"type": "content_block_stop", "index": 0}),
        ("message_delta", {"type": "message_delta", "delta": delta, "usage": {k: usage[k] for k in keys}}),
        ("message_stop", {"type": "message_stop"}),
    ]


def error_body(error_type: str, message: str) -> dict[str, Any]:
    return {"type": "error", "error": {"type": error_type, "message": message}, "request_id": new_id("req")}


def new_id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:24]}"


def parse_object(raw: bytes) -> dict[str, Any] | None:
    try:
        value = json.loads(raw)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def forced_tool(body: dict[str, Any]) -> str | None:
    """The tool a request forces: `tool_choice` `{"type": "tool", "name": ...}`; "any" forces the first."""
    choice = body.get("tool_choice")
    if not isinstance(choice, dict):
        return None
    if choice.get("type") == "tool":
        return str(choice.get("name"))
    return next(iter(tool_names(body)), None) if choice.get("type") == "any" else None


def tool_names(body: dict[str, Any]) -> list[str]:
    return [str(t.get("name")) for t in body.get("tools") or [] if isinstance(t, dict)]


def token_pieces(text: str) -> list[str]:
    return [text[i : i + CHARS_PER_TOKEN] for i in range(0, len(text), CHARS_PER_TOKEN)]


def count_tokens(text: str) -> int:
    return max(1, -(-len(text) // CHARS_PER_TOKEN))


def is_ephemeral(marker: object) -> bool:
    return isinstance(marker, dict) and marker.get("type") == "ephemeral"


def prefix_items(body: dict[str, Any]) -> list[dict[str, Any]]:
    """Cacheable blocks in the API's prefix order: tools, then system, then message content."""
    items = [t for t in body.get("tools") or [] if isinstance(t, dict)]
    system = body.get("system")
    items += [{"type": "text", "text": system}] if isinstance(system, str) else list(system or [])
    for message in body.get("messages") or []:
        content = message.get("content")
        blocks = [{"type": "text", "text": content}] if isinstance(content, str) else list(content or [])
        items += [{"role": message.get("role"), **b} for b in blocks if isinstance(b, dict)]
    return [item for item in items if isinstance(item, dict)]


def cache_prefix(model: str, items: list[dict[str, Any]]) -> tuple[str, int]:
    """A prefix's cache key (markers excluded: moving a breakpoint keeps the content's key) and size."""
    text = json.dumps([{k: v for k, v in i.items() if k != "cache_control"} for i in items], sort_keys=True)
    return hashlib.sha256(f"{model}\n{text}".encode()).hexdigest(), count_tokens(text)
