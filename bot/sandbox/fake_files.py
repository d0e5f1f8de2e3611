"""FakeSlack's files and canvases: the files upload v2 flow (files.getUploadURLExternal, the bytes POSTed
to the upload URL, files.completeUploadExternal sharing them in a channel) and conversations.canvases.create.

Importing this module registers them in `fake_methods.METHODS`; FakeSlack imports it where it reads
METHODS. The bytes arrive through `receive_upload` (the HTTP server's /upload/<file id> route, or the
in-memory seam).
"""

from __future__ import annotations

import copy
import json
import time
from typing import Any

from bot.sandbox.fake_methods import Params, _method, _required, _str, _writable
from bot.sandbox.fake_workspace import BOT_USER_ID, TEAM_URL, SlackError, Workspace

# Slack's limit for the markdown of a canvas (1 MiB) and, here, for one file.
CANVAS_MARKDOWN = 1_048_576
FILE_BYTES = 10_000_000


@_method("files.getUploadURLExternal")
def files_get_upload_url_external(ws: Workspace, p: Params) -> dict[str, Any]:
    """Reserve a file: where to POST its bytes, and its id."""
    filename = _required(p, "filename")
    try:
        length = int(_required(p, "length"))
    except ValueError as exc:
        raise SlackError("invalid_arguments") from exc
    if not 0 < length <= FILE_BYTES:
        raise SlackError("invalid_arguments")
    file_id = ws.next_id("F")
    ws.files[file_id] = {"id": file_id, "name": filename, "length": length, "content": None, "shared": False}
    return {"upload_url": f"{ws.upload_base}{file_id}", "file_id": file_id}


def receive_upload(ws: Workspace, file_id: str, content: bytes) -> bool:
    """The bytes of a reserved file; False (Slack answers 400) for an unknown file or the wrong length."""
    file = ws.files.get(file_id)
    if file is None or file["content"] is not None or len(content) != file["length"]:
        return False
    file["content"] = content
    return True


@_method("files.completeUploadExternal")
def files_complete_upload_external(ws: Workspace, p: Params) -> dict[str, Any]:
    """Finish the upload: share the files in `channel_id` (in `thread_ts`), with `initial_comment`."""
    raw = p.get("files")
    wanted = json.loads(raw) if isinstance(raw, str) else raw
    if not isinstance(wanted, list) or not wanted:
        raise SlackError("invalid_arguments")
    files = []
    for entry in wanted:
        file = ws.files.get(str((entry or {}).get("id")))
        if file is None or file["content"] is None:
            raise SlackError("file_not_found")
        file["title"] = str(entry.get("title") or file["name"])
        file["permalink"] = f"{TEAM_URL}files/{BOT_USER_ID}/{file['id']}/{file['name']}"
        files.append(file)
    channel_id = _str(p, "channel_id")
    if channel_id:
        ch = _writable(ws, channel_id)
        message: dict[str, Any] = {
            "type": "message",
            "user": BOT_USER_ID,
            "text": _str(p, "initial_comment"),
            "ts": ws.next_ts(),
            "files": [{"id": f["id"], "name": f["name"], "title": f["title"]} for f in files],
        }
        thread_ts = _str(p, "thread_ts")
        ws.append(ch, message, ch.find(thread_ts) if thread_ts else None)
        for file in files:
            file["shared"] = True
            file["channel_id"] = ch.id
    return {"files": [_public(f) for f in files]}


def _public(file: dict[str, Any]) -> dict[str, Any]:
    return {k: copy.deepcopy(v) for k, v in file.items() if k != "content"} | {"created": int(time.time())}


@_method("conversations.canvases.create")
def conversations_canvases_create(ws: Workspace, p: Params) -> dict[str, Any]:
    """A channel's canvas, from markdown. Workspaces without canvases refuse, as Slack's free tier does."""
    ch = _writable(ws, _required(p, "channel_id"))
    if not ws.canvases_enabled:
        raise SlackError("team_tier_cannot_create_channel_canvases")
    if ch.id in ws.canvases:
        raise SlackError("channel_canvas_already_exists")
    raw = p.get("document_content")
    content = json.loads(raw) if isinstance(raw, str) else raw
    if not isinstance(content, dict) or content.get("type") != "markdown":
        raise SlackError("invalid_arguments")
    markdown = str(content.get("markdown") or "")
    if len(markdown) > CANVAS_MARKDOWN:
        raise SlackError("canvas_creation_failed")
    canvas_id = ws.next_id("F")
    ws.canvases[ch.id] = {"id": canvas_id, "title": _str(p, "title"), "markdown": markdown}
    return {"canvas_id": canvas_id}
