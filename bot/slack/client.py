"""The core of the Slack gateway: the client, its retry handlers, the identity of the app, a small pool
for independent calls, and the helpers every family of calls uses. `bot.slack.gateway.SlackGateway` adds
the calls themselves, one typed method each.
"""

from __future__ import annotations

import copy
import logging
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from cachetools import TTLCache
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.slack.transport import PooledWebClient

log = logging.getLogger(__name__)
T = TypeVar("T")
K = TypeVar("K")

REQUEST_TIMEOUT_S = 15
# Who is in a room or a user group changes rarely within a minute; asking Slack on every click would not.
MEMBERSHIP_TTL_S = 30
PAGE_LIMIT = 200
MAX_PAGES = 50


def build_web_client(token: str | None, base_url: str, *, max_retries: int = 3) -> WebClient:
    """A WebClient for `base_url` that keeps its connections open and retries rate limits, server errors
    and connection errors."""
    return PooledWebClient(
        token=token,
        base_url=base_url,
        timeout=REQUEST_TIMEOUT_S,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=max_retries),
            RateLimitErrorRetryHandler(max_retry_count=max_retries),
            ServerErrorRetryHandler(max_retry_count=max_retries),
        ],
    )


def slack_error(exc: BaseException) -> str:
    """Slack's error code for a failed call (`name_taken`, `not_in_channel`...), else the exception text."""
    if isinstance(exc, SlackApiError):
        return str(exc.response.get("error") or exc.response.status_code)
    return f"{type(exc).__name__}: {exc}"


def error_code(exc: BaseException) -> str | None:
    """Slack's error code, or None when the failure was not an answer from Slack."""
    return str(exc.response.get("error")) if isinstance(exc, SlackApiError) else None


@dataclass(frozen=True)
class Posted:
    """Where a message landed."""

    channel: str
    ts: str


@dataclass(frozen=True)
class Person:
    """What warroom needs to know about a Slack user."""

    user_id: str
    name: str
    tz_offset_seconds: int = 0
    is_bot: bool = False  # an app's bot user (or Slackbot): never a role holder
    deleted: bool = False  # a deactivated account
    tz: str | None = None  # their IANA time zone, as Slack has it


class GatewayCore:
    """The client (and its twin that never repeats a call that may have acted), caches and a pool."""

    def __init__(self, client: WebClient, *, workers: int = 8) -> None:
        self.client = client
        # Calls that create something (a channel, a message, a bookmark) are never repeated blindly after a
        # dropped connection: Slack may have acted. They fail instead, and the step log looks before it
        # tries again. Rate limits and server errors (Slack did not act) are still retried.
        self._acting = copy.copy(client)
        self._acting.retry_handlers = [
            h for h in client.retry_handlers if not isinstance(h, ConnectionErrorRetryHandler)
        ]
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="slack")
        self._auth: dict[str, Any] | None = None
        self._lock = threading.Lock()
        self._members: TTLCache[str, frozenset[str]] = TTLCache(maxsize=2048, ttl=MEMBERSHIP_TTL_S)
        self._people: TTLCache[str, Person] = TTLCache(maxsize=4096, ttl=3600)

    # --- the app itself -----------------------------------------------------------------------------

    @property
    def bot_user_id(self) -> str:
        """The bot's own user id (asked once, then remembered)."""
        return str(self._identity()["user_id"])

    @property
    def team_url(self) -> str:
        """The workspace's address, `https://acme.slack.com/` (asked once, then remembered)."""
        url = str(self._identity().get("url") or "")
        return url if url.endswith("/") else url + "/"

    @property
    def team_id(self) -> str:
        """The workspace's id, `T0123…` (asked once, then remembered)."""
        return str(self._identity().get("team_id") or "")

    def _identity(self) -> dict[str, Any]:
        if self._auth is None:
            self._auth = dict(self.client.auth_test().data)  # type: ignore[arg-type]
        return self._auth

    def in_parallel(self, calls: dict[K, Callable[[], T]]) -> dict[K, T | Exception]:
        """Run independent calls at once; each name maps to its result or the exception it raised. The
        first runs in this thread while the others run in the pool (a lone call never changes threads)."""
        if not calls:
            return {}
        (first, call), *rest = calls.items()
        futures = {name: self._pool.submit(other) for name, other in rest}
        results: dict[K, T | Exception] = {}
        for name, get in [(first, call), *((name, future.result) for name, future in futures.items())]:
            try:
                results[name] = get()
            except Exception as exc:  # one failed step must not hide the others' results
                log.warning("slack step %s failed: %s", name, slack_error(exc))
                results[name] = exc
        return results

    def close(self) -> None:
        """Stop the worker pool and close the client's kept-alive connections."""
        self._pool.shutdown(wait=False, cancel_futures=True)
        if isinstance(self.client, PooledWebClient):
            self.client.close()

    # --- helpers ------------------------------------------------------------------------------------

    @staticmethod
    def ok_if(error_codes: tuple[str, ...], call: Callable[[], Any]) -> bool:
        """Run a call where some Slack errors mean "already so"; True if it was already so."""
        try:
            call()
            return False
        except SlackApiError as exc:
            if exc.response.get("error") in error_codes:
                return True
            raise

    @staticmethod
    def _pages(fetch: Callable[[str | None], Any], key: str) -> Iterable[Any]:
        cursor: str | None = None
        for _ in range(MAX_PAGES):
            page = fetch(cursor)
            yield from page.get(key) or []
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return
