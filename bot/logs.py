"""Logging set-up that keeps secrets out of every log line."""

from __future__ import annotations

import logging
import re

# Slack tokens, Anthropic keys and signing-secret-looking hex never reach a handler intact.
_SECRET = re.compile(r"(xox[abpors]-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+|sk-ant-[A-Za-z0-9_-]+)")


def redact(text: str) -> str:
    """`text` with every token-shaped secret replaced by `[redacted]`."""
    return _SECRET.sub("[redacted]", text)


class RedactSecrets(logging.Filter):
    """A filter that redacts secrets from the formatted message of each record."""

    def __init__(self, extra_secrets: tuple[str, ...] = ()) -> None:
        super().__init__()
        self._extra = tuple(s for s in extra_secrets if len(s) >= 8)

    def filter(self, record: logging.LogRecord) -> bool:
        message = redact(record.getMessage())
        for secret in self._extra:
            message = message.replace(secret, "[redacted]")
        record.msg, record.args = message, None
        return True


def configure_logging(level: str, secrets: tuple[str, ...] = ()) -> None:
    """One readable line per record on stderr, secrets redacted, chatty libraries quieted."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s"))
    handler.addFilter(RedactSecrets(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("slack_sdk.web.base_client", "urllib3", "waitress.queue", "apscheduler.executors.default"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))
