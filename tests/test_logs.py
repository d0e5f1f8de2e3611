"""Secrets never reach a log line: not in messages, not in an exception's text, not in a traceback."""

from __future__ import annotations

import io
import logging

from bot.logs import RedactingFormatter

SIGNING_SECRET = "8f14e45fceea167a5a36dedd4bea2543"


def _logged(emit: object) -> str:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(RedactingFormatter("%(levelname)s %(message)s", (SIGNING_SECRET,)))
    log = logging.getLogger("test_logs")
    log.handlers[:] = [handler]
    log.propagate = False
    emit(log)  # type: ignore[operator]
    return stream.getvalue()


def test_a_token_in_a_message_is_redacted() -> None:
    out = _logged(lambda log: log.warning("posting with %s failed", "xoxb-123-456-abcdef"))
    assert "xoxb-123" not in out and "[redacted]" in out


def test_a_token_and_a_secret_in_an_exception_and_its_traceback_are_redacted() -> None:
    def fail(log: logging.Logger) -> None:
        token = "xoxb-999-888-secretvalue"
        try:
            raise RuntimeError(f"auth failed for {token} with {SIGNING_SECRET}")
        except RuntimeError:
            log.exception("calling Slack failed")

    out = _logged(fail)
    assert "Traceback" in out and "RuntimeError" in out
    assert "xoxb-999" not in out and SIGNING_SECRET not in out and "secretvalue" not in out
