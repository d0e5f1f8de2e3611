"""Signatures first: every request to the events path is verified before anything parses it; malformed
requests get 400/401/404/413, never a 500."""

from __future__ import annotations

import urllib.error
import urllib.request

from bot.http import EVENTS_PATH, MAX_BODY
from bot.sandbox.stack import Sandbox


def _raw(sandbox: Sandbox, body: bytes, headers: dict[str, str], method: str = "POST") -> int:
    request = urllib.request.Request(
        sandbox.http.url + EVENTS_PATH,
        data=body if method == "POST" else None,
        headers={"Content-Type": "application/x-www-form-urlencoded", **headers},
        method=method,
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_malformed_or_unsigned_requests_are_refused_before_parsing(sandbox: Sandbox) -> None:
    assert (
        _raw(sandbox, b"payload=%7B", {"X-Slack-Request-Timestamp": "abc", "X-Slack-Signature": "v0=0"})
        == 401
    )
    assert _raw(sandbox, b"payload=not-json", {}) == 401
    assert _raw(sandbox, b"{bad", {"Content-Type": "application/json"}) == 401
    assert _raw(sandbox, b"x=1", {"X-Slack-Request-Timestamp": "1", "X-Slack-Signature": "v0=00"}) == 401
    assert _raw(sandbox, b"", {}, method="GET") == 404
    assert sandbox.fake.calls == [] or all(c.method == "auth.test" for c in sandbox.fake.calls)


def test_a_signed_body_that_cannot_be_read_is_a_400(sandbox: Sandbox) -> None:
    assert sandbox.slack.post("payload=not-json", "application/x-www-form-urlencoded").status == 400
    assert sandbox.slack.post("{bad", "application/json").status == 400


def test_an_oversized_body_is_refused(sandbox: Sandbox) -> None:
    body = b"x" * (MAX_BODY + 1)
    assert _raw(sandbox, body, {"X-Slack-Request-Timestamp": "1", "X-Slack-Signature": "v0=00"}) == 413
