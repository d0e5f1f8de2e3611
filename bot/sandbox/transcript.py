"""Turn the fake Slack's call log into a transcript a person can read: what the bot did, where."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from bot.sandbox.fake_slack import ApiCall, FakeSlack

_DATE = re.compile(r"<!date\^\d+\^[^|>]*\|([^>]*)>")
_CHANNEL = re.compile(r"<#(\w+)(?:\|[^>]*)?>")
_USER = re.compile(r"<@(\w+)>")
_LINK = re.compile(r"<(https?://[^|>]+)\|([^>]+)>")
_QUIET = {
    "auth.test",
    "users.info",
    "conversations.info",
    "chat.getPermalink",
    "conversations.history",
    "conversations.replies",
    "conversations.open",
    "files.getUploadURLExternal",
}


def _actions(elements: list[dict[str, Any]]) -> list[str]:
    """Buttons as `[Label]`; checkboxes as one ☑/☐ line per option."""
    buttons = [f"[{e['text']['text']}]" for e in elements if "text" in e]
    lines = ["┃ " + "  ".join(buttons)] if buttons else []
    for element in elements:
        ticked = {o["value"] for o in element.get("initial_options") or []}
        for o in element.get("options") or []:
            lines.append(f"┃ {'☑' if o['value'] in ticked else '☐'} {o['text']['text']}")
    return lines


class Transcript:
    """Renders calls to the fake Slack as indented, human-readable lines."""

    def __init__(self, fake: FakeSlack) -> None:
        self.fake = fake
        self._seen = 0
        self._rendered: dict[tuple[str, str], list[str]] = {}

    def new_lines(self) -> list[str]:
        """Lines for the calls made since the last call of this method."""
        calls = self.fake.calls
        fresh, self._seen = calls[self._seen :], len(calls)
        return [line for call in fresh for line in self.describe(call)]

    def describe(self, call: ApiCall) -> list[str]:
        """What one call did, in words (nothing for bookkeeping calls)."""
        if call.method in _QUIET:
            return []
        if not call.ok:
            return [f"✗ {call.method} failed: {call.error}"]
        p = call.params
        method = call.method
        if method == "views.open":
            return self._modal(p["view"] if isinstance(p["view"], dict) else json.loads(p["view"]))
        if method == "conversations.create":
            kind = "private channel" if str(p.get("is_private")).lower() in ("1", "true") else "channel"
            return [f"created the {kind} #{p['name']}"]
        if method == "conversations.invite":
            names = ", ".join(self._user(u) for u in str(p["users"]).split(","))
            return [f"invited {names} to {self._channel(p['channel'])}"]
        if method == "conversations.setTopic":
            return [f"set the topic of {self._channel(p['channel'])}: “{self.humanize(p['topic'])}”"]
        if method == "chat.postMessage":
            return self._post(p)
        if method == "chat.update":
            return self._update(p)
        if method == "pins.add":
            return [f"pinned the card in {self._channel(p['channel'])}"]
        if method == "bookmarks.add":
            return [f"bookmarked “{p['title']}” in {self._channel(p['channel_id'])}"]
        if method == "conversations.canvases.create":
            markdown = str((p.get("document_content") or {}).get("markdown") or "")
            if isinstance(p.get("document_content"), str):
                markdown = str(json.loads(p["document_content"]).get("markdown") or "")
            lines = [f"made the canvas of {self._channel(p['channel_id'])}: “{p.get('title', '')}”"]
            return lines + [f"  {line}" for line in markdown.splitlines()[:14] if line.strip()] + ["  …"]
        if method == "files.completeUploadExternal":
            files = p["files"] if isinstance(p["files"], list) else json.loads(p["files"])
            names = ", ".join(str(f.get("title") or f.get("id")) for f in files)
            where = self._channel(p["channel_id"]) if p.get("channel_id") else "nowhere yet"
            return [f"shared the file “{names}” in {where}"]
        if method == "chat.postEphemeral":
            return [
                f"told {self._user(p['user'])} in {self._channel(p['channel'])} (only they see it): "
                f"{self.humanize(p.get('text', ''))}"
            ]
        return [f"{method} {json.dumps(p)[:120]}"]

    def humanize(self, text: str) -> str:
        """Slack markup made readable: dates, channels, users and links as plain words."""
        text = _DATE.sub(r"\1", text)
        text = _CHANNEL.sub(lambda m: self._channel(m.group(1)), text)
        text = _USER.sub(lambda m: self._user(m.group(1)), text)
        text = _LINK.sub(r"\2 (\1)", text)
        return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")

    def render_blocks(self, blocks: Iterable[dict[str, Any]]) -> list[str]:
        """Blocks as text lines, roughly as Slack shows them."""
        lines: list[str] = []
        for block in blocks:
            kind = block.get("type")
            if kind == "header":
                lines.append(f"┃ {block['text']['text']}")
            elif kind == "section":
                if "text" in block:
                    lines += [f"┃ {line}" for line in self.humanize(block["text"]["text"]).splitlines()]
                fields = [
                    self.humanize(f["text"]).replace("\n", ": ", 1).replace("*", "")
                    for f in block.get("fields", [])
                ]
                lines += [f"┃   {field}" for field in fields]
            elif kind == "context":
                lines += [f"┃ ({self.humanize(e.get('text', ''))})" for e in block["elements"]]
            elif kind == "actions":
                lines += _actions(block["elements"])
        return [line.replace("*", "") for line in lines]

    def _modal(self, view: dict[str, Any]) -> list[str]:
        lines = [f"opened the “{view['title']['text']}” form, prefilled:"]
        for block in view.get("blocks", []):
            if block.get("type") == "section":
                lines.append(f"  {self.humanize(block['text']['text'])}")
            if block.get("type") != "input":
                continue
            element, label = block["element"], block["label"]["text"]
            value = (
                element.get("initial_value")
                or (element.get("initial_option") or {}).get("text", {}).get("text")
                or ", ".join(o["text"]["text"] for o in element.get("initial_options") or [])
                or (self._user(element["initial_user"]) if element.get("initial_user") else "")
            )
            if value:
                shown = value if len(value) <= 90 else value[:87] + "…"
                lines.append(f"  {label}: {shown}")
            if block.get("hint"):
                lines.append(f"    ↳ {block['hint']['text']}")
        return lines

    def _post(self, p: dict[str, Any]) -> list[str]:
        where = self._channel(p["channel"]) + (" (in the thread)" if p.get("thread_ts") else "")
        blocks = _blocks(p)
        if not blocks:
            return [f"posted in {where}: {self.humanize(p.get('text', ''))}"]
        rendered = self.render_blocks(blocks)
        if _is_card(blocks):
            self._rendered[(p["channel"], "card")] = rendered
        return [f"posted in {where}:", *rendered]

    def _update(self, p: dict[str, Any]) -> list[str]:
        rendered = self.render_blocks(_blocks(p))
        before = self._rendered.get((p["channel"], "card"), [])
        self._rendered[(p["channel"], "card")] = rendered
        if not _is_card(_blocks(p)):
            if any(b.get("block_id") == "so_far" for b in _blocks(p)):
                return []  # a streaming edit of a draft: the finished draft is what matters
            return [f"finished a message in {self._channel(p['channel'])}:", *rendered]
        changed = [line for line in rendered if line not in before] or ["┃ (no visible change)"]
        return [f"updated the card in {self._channel(p['channel'])}; now showing:", *changed]

    def _channel(self, channel_id: str) -> str:
        if channel_id.startswith("U"):
            return f"a DM to {self._user(channel_id)}"
        try:
            return f"#{self.fake.channel(channel_id)['name']}"
        except Exception:
            return channel_id

    def _user(self, user_id: str) -> str:
        return f"@{self.fake.user_name(user_id) or user_id}"


def _blocks(params: dict[str, Any]) -> list[dict[str, Any]]:
    blocks = params.get("blocks") or []
    return json.loads(blocks) if isinstance(blocks, str) else list(blocks)


def _is_card(blocks: list[dict[str, Any]]) -> bool:
    return any(block.get("block_id") == "card_header" for block in blocks)
