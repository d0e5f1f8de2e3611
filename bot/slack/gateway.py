"""The one module that owns the Slack Web API client.

Everything warroom says to Slack goes through `SlackGateway.client`: a `slack_sdk.WebClient` whose
base URL comes from `SLACK_API_URL` (slack.com, GovSlack, or the sandbox) and whose retry handlers
ride out 429s (honouring `Retry-After`), 5xx answers and dropped connections. Tests swap the edge by
pointing the URL at the fake Slack, never by patching this module.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

log = logging.getLogger(__name__)
T = TypeVar("T")

REQUEST_TIMEOUT_S = 15


def build_web_client(token: str | None, base_url: str, *, max_retries: int = 3) -> WebClient:
    """A WebClient for `base_url` that retries rate limits, server errors and connection errors."""
    return WebClient(
        token=token,
        base_url=base_url,
        timeout=REQUEST_TIMEOUT_S,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=max_retries),
            RateLimitErrorRetryHandler(max_retry_count=max_retries),
            ServerErrorRetryHandler(max_retry_count=max_retries),
        ],
    )


def slack_error(exc: Exception) -> str:
    """Slack's error code for a failed call (`name_taken`, `not_in_channel`...), else the exception text."""
    if isinstance(exc, SlackApiError):
        return str(exc.response.get("error") or exc.response.status_code)
    return f"{type(exc).__name__}: {exc}"


class SlackGateway:
    """The Web API client plus a small pool for calls that do not depend on each other."""

    def __init__(self, client: WebClient, *, workers: int = 8) -> None:
        self.client = client
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="slack")
        self._bot_user_id: str | None = None

    @property
    def bot_user_id(self) -> str:
        """The bot's own user id (asked once, then remembered)."""
        if self._bot_user_id is None:
            self._bot_user_id = str(self.client.auth_test()["user_id"])
        return self._bot_user_id

    def in_parallel(self, calls: dict[str, Callable[[], T]]) -> dict[str, T | Exception]:
        """Run independent calls at once; each name maps to its result or the exception it raised."""
        futures = {name: self._pool.submit(call) for name, call in calls.items()}
        results: dict[str, T | Exception] = {}
        for name, future in futures.items():
            try:
                results[name] = future.result()
            except Exception as exc:  # one failed step must not hide the others' results
                log.warning("slack step %s failed: %s", name, slack_error(exc))
                results[name] = exc
        return results

    def permalink(self, channel: str, ts: str) -> str | None:
        """A link to a message, or None if Slack will not give one."""
        try:
            return str(self.client.chat_getPermalink(channel=channel, message_ts=ts)["permalink"])
        except SlackApiError as exc:
            log.info("no permalink for %s/%s: %s", channel, ts, slack_error(exc))
            return None

    def close(self) -> None:
        """Stop the worker pool."""
        self._pool.shutdown(wait=False, cancel_futures=True)
