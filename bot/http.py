"""warroom's HTTP face: `POST /slack/events` to Bolt behind a signature gate, `GET /healthz`.

Every request to the events path is verified before anything parses it: a missing, stale or malformed
signature gets 401, an oversized body 413, and a signed body Bolt cannot read 400, never a 500.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk.signature import SignatureVerifier
from sqlalchemy import text

from storage.db import Database

log = logging.getLogger(__name__)
EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
# Slack's largest payloads (a modal's state, a message with blocks) are well under this.
MAX_BODY = 1_000_000

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
StartResponse = Callable[..., Any]


def build_wsgi_app(app: App, db: Database, signing_secret: str | None) -> WsgiApp:
    """The WSGI app: the signature gate, then Bolt; and the health check."""
    slack = SlackRequestHandler(app, path=EVENTS_PATH)
    verifier = SignatureVerifier(signing_secret) if signing_secret else None

    def wsgi(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == HEALTH_PATH and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            return _health(db, start_response)
        if environ.get("PATH_INFO") != EVENTS_PATH or environ.get("REQUEST_METHOD") != "POST":
            return _answer(start_response, "404 Not Found", {"error": "not found"})
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return _answer(start_response, "400 Bad Request", {"error": "bad content length"})
        if length > MAX_BODY:
            return _answer(start_response, "413 Content Too Large", {"error": "too large"})
        body = environ["wsgi.input"].read(length) if length > 0 else b""
        if verifier is not None and not _signed(verifier, body, environ):
            return _answer(start_response, "401 Unauthorized", {"error": "invalid request"})
        environ["wsgi.input"] = io.BytesIO(body)  # Bolt reads the body again
        try:
            return slack(environ, start_response)
        except Exception as exc:  # a signed body Bolt cannot parse: Slack never sends one
            log.warning("unreadable Slack request: %s", type(exc).__name__)
            return _answer(start_response, "400 Bad Request", {"error": "unreadable request"})

    return wsgi


def _signed(verifier: SignatureVerifier, body: bytes, environ: dict[str, Any]) -> bool:
    timestamp = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP")
    signature = environ.get("HTTP_X_SLACK_SIGNATURE")
    if not timestamp or not signature or not timestamp.isdigit():
        return False
    try:
        return verifier.is_valid(body, timestamp, signature)
    except (ValueError, UnicodeDecodeError):
        return False


def _health(db: Database, start_response: StartResponse) -> Iterable[bytes]:
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return _answer(start_response, "200 OK", {"ok": True, "database": "ok"})
    except Exception as exc:
        return _answer(
            start_response, "503 Service Unavailable", {"ok": False, "database": type(exc).__name__}
        )


def _answer(start_response: StartResponse, status: str, body: dict[str, Any]) -> Iterable[bytes]:
    payload = json.dumps(body).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))])
    return [payload]
