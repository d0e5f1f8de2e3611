"""Logging set-up that keeps secrets out of every log line, tracebacks included."""

from __future__ import annotations

import logging
import re

# Slack tokens, Anthropic keys and signing-secret-looking hex never reach a handler intact.
_SECRET = re.compile(r"(xox[abpors]-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+|sk-ant-[A-Za-z0-9_-]+)")
REDACTED = "[redacted]"


def redact(text: str, extra_secrets: tuple[str, ...] = ()) -> str:
    """`text` with every token-shaped secret, and each of `extra_secrets`, replaced by `[redacted]`."""
    text = _SECRET.sub(REDACTED, text)
    for secret in extra_secrets:
        text = text.replace(secret, REDACTED)
    return text


class RedactingFormatter(logging.Formatter):
    """Formats a record, then redacts the whole line: the message, an exception's text and its traceback
    (a token inside an exception's message is as much a leak as one in a log message)."""

    def __init__(self, fmt: str, extra_secrets: tuple[str, ...] = ()) -> None:
        super().__init__(fmt)
        self._extra = tuple(s for s in extra_secrets if len(s) >= 8)  # a short "secret" would eat words

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record), self._extra)


def configure_logging(level: str, secrets: tuple[str, ...] = ()) -> None:
    """One readable line per record on stderr, secrets redacted, chatty libraries quieted."""
    handler = logging.StreamHandler()
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s", secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # anthropic and httpx log whole request bodies at DEBUG: the customer's words must not reach the logs.
    for noisy in (
        *("slack_sdk.web.base_client", "urllib3", "waitress.queue", "apscheduler.executors.default"),
        *("anthropic", "httpx", "httpcore"),
    ):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))
