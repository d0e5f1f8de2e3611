"""An in-process seam to FakeSlack: a real `slack_sdk.WebClient` whose transport is a function call.

`InMemoryWebClient(fake)` answers every Web API call with `fake.handle_api(...)`: no HTTP server, no
socket, no port. Only the final "send these bytes, get a response" step is replaced, so slack_sdk's own
code still runs around it: argument handling and body encoding, `SlackResponse` and its pagination,
`SlackApiError` on `ok: false` or a non-200 status, and the retry handlers given to the constructor.

Why `_perform_urllib_http_request_internal` and not `_perform_urllib_http_request`: the retry loop
(RateLimitErrorRetryHandler, ServerErrorRetryHandler, ...) lives inside the latter, and it is the former
that does the I/O (`urlopen`). Overriding the inner hook keeps that loop; overriding the outer one would
silently drop every retry handler. Like urlopen, the hook returns `{status, headers, body}` for a 2xx and
raises `HTTPError` otherwise, which is what the loop expects.
"""

from __future__ import annotations

import io
from http import HTTPStatus
from http.client import HTTPMessage, RemoteDisconnected
from typing import Any
from urllib.error import HTTPError
from urllib.parse import urlsplit
from urllib.request import Request

from slack_sdk import WebClient
from slack_sdk.errors import SlackRequestError
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.web.base_client import BaseClient
from slack_sdk.web.file_upload_v2_result import FileUploadV2Result

from bot.sandbox.fake_methods import decode_params
from bot.sandbox.fake_slack import DROPPED, TIMED_OUT, FakeSlack, _json_reply

# A host that can never resolve (RFC 2606 `.invalid`): if a code path ever bypassed the seam and
# reached for the network, it would fail at once instead of talking to something real.
IN_MEMORY_API_URL = "http://fake-slack.invalid/api/"
DEFAULT_TOKEN = "xoxb-in-memory"
_API_PATH = urlsplit(IN_MEMORY_API_URL).path

# The override below relies on a private slack_sdk hook; fail at import, with a clear message, if a
# slack_sdk upgrade renames it, rather than quietly falling back to real HTTP.
for _hook in ("_perform_urllib_http_request_internal", "_upload_file"):
    if not callable(getattr(BaseClient, _hook, None)):
        raise ImportError(f"slack_sdk no longer has BaseClient.{_hook}")


class InMemoryWebClient(WebClient):
    """A WebClient wired straight to a FakeSlack, which need not be started."""

    def __init__(
        self,
        fake: FakeSlack,
        token: str | None = DEFAULT_TOKEN,
        retry_handlers: list[RetryHandler] | None = None,
    ) -> None:
        """`retry_handlers=None` means slack_sdk's defaults, exactly as for a plain WebClient."""
        super().__init__(token=token, base_url=IN_MEMORY_API_URL, retry_handlers=retry_handlers)
        self.fake = fake

    def _upload_file(self, *, url: str, data: bytes, **_transport: Any) -> FileUploadV2Result:
        """The files upload v2 flow POSTs a file's bytes to the URL Slack gave: handed to the fake too."""
        file_id = urlsplit(url).path.rsplit("/", 1)[-1]
        status, _headers, body = self.fake.handle_upload(file_id, data)
        return FileUploadV2Result(status=status, body=body.decode())

    def _perform_urllib_http_request_internal(self, url: str, req: Request) -> dict[str, Any]:
        """Hand the encoded request to the fake; answer like urlopen (2xx dict, else HTTPError)."""
        parts = urlsplit(req.full_url)
        if not parts.path.startswith(_API_PATH):
            raise SlackRequestError(f"InMemoryWebClient only serves Web API calls, not {req.full_url}")
        # urllib.request.Request capitalises header names ("Content-type"), so look them up ignoring case.
        headers = {name.lower(): value for name, value in req.header_items()}
        raw = req.data if isinstance(req.data, bytes) else b""
        params = decode_params(str(headers.get("content-type", "")), parts.query, raw)
        auth = str(headers.get("authorization", ""))
        token = auth[len("Bearer ") :].strip() if auth.startswith("Bearer ") else None
        if params is None:  # same answer the HTTP handler gives for a malformed body
            status, reply_headers, body = _json_reply(200, {"ok": False, "error": "invalid_json"})
        else:
            reply = self.fake.handle_api(parts.path[len(_API_PATH) :], token, params)
            if reply is DROPPED:
                raise RemoteDisconnected("Remote end closed connection without response")
            if reply is TIMED_OUT:
                raise TimeoutError("The read operation timed out")
            status, reply_headers, body = reply
        message = _http_message(reply_headers, len(body))
        if not 200 <= status < 300:
            # urlopen raises for 4xx/5xx; slack_sdk's retry loop and 429 handling start from this error.
            raise HTTPError(req.full_url, status, HTTPStatus(status).phrase, message, io.BytesIO(body))
        charset = message.get_content_charset() or "utf-8"
        return {"status": status, "headers": message, "body": body.decode(charset)}


def _http_message(headers: dict[str, str], length: int) -> HTTPMessage:
    """The headers object urlopen would hand back (case-insensitive, with a charset accessor)."""
    message = HTTPMessage()
    for name, value in headers.items():
        message[name] = value
    message["Content-Length"] = str(length)
    return message


def in_memory_slack(
    *, token: str | None = DEFAULT_TOKEN, retry_handlers: list[RetryHandler] | None = None
) -> tuple[FakeSlack, InMemoryWebClient]:
    """A fresh, never-started FakeSlack and an InMemoryWebClient talking to it."""
    fake = FakeSlack()
    return fake, InMemoryWebClient(fake, token=token, retry_handlers=retry_handlers)
