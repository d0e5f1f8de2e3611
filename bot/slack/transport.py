"""Slack's Web API over kept-alive connections: a WebClient whose requests go through a urllib3 pool.

slack_sdk's WebClient opens a new connection for every call (urllib sends `Connection: close`). A sweep
posting hundreds of reminders a second, or a replica refreshing cards, then spends much of its time on
TCP and TLS handshakes. `PooledWebClient` keeps slack_sdk for everything it does (encoding, retry
handlers, 429 handling, SlackResponse) and swaps only the one step that moves bytes, the private hook
`_perform_urllib_http_request_internal`, for a urllib3 pool (the cheapest per call of the clients
measured here: 0.27 ms of CPU a post on loopback against httpx2's 0.38, and urllib's 0.45 with its new
connection each time). It answers exactly as urlopen would: a dict for 2xx,
`HTTPError` otherwise (with the headers as Slack spelt them), and `OSError`s for a connection that failed
or an answer that never came, so callers that tell "Slack said no" from "no answer" keep doing so.
"""

from __future__ import annotations

import functools
import io
from http.client import HTTPMessage
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.request import Request

import urllib3
from slack_sdk import WebClient
from slack_sdk.web.base_client import BaseClient
from urllib3 import BaseHTTPResponse, HTTPConnectionPool
from urllib3.exceptions import (
    ConnectTimeoutError,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
)

# The override relies on a private slack_sdk hook; fail at import if an upgrade renames it, rather than
# quietly falling back to a connection per call.
if not callable(getattr(BaseClient, "_perform_urllib_http_request_internal", None)):
    raise ImportError("slack_sdk no longer has BaseClient._perform_urllib_http_request_internal")

# Connections kept per host: enough for every thread that calls Slack at once (the gateway's pool, the
# sweep's, Bolt's workers). Not blocking: a call beyond them opens a connection of its own, which is
# closed afterwards, rather than waiting for a free one (and a wait could not be told from a lost answer).
KEPT_ALIVE = 32


class PooledWebClient(WebClient):
    """A WebClient that reuses its HTTP connections. Its copies (`copy.copy`) share the pool."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # retries=False: slack_sdk's retry handlers decide what is retried, knowing what Slack may have done;
        # redirect=False: as with any 3xx urlopen would not follow for a POST, the caller hears of it.
        # urllib3 sets TCP_NODELAY itself (a request is headers then body: Nagle's algorithm would hold the
        # body until the server's delayed ACK, 40 ms a call on a kept-alive connection).
        self._http = urllib3.PoolManager(maxsize=KEPT_ALIVE, block=False, retries=False, ssl_context=self.ssl)
        # Each origin's pool, as the PoolManager made it, kept here: asking the manager for it on every
        # call (parsing the URL, normalising its key under a lock) costs a sixth of a post's CPU.
        self._pools: dict[str, HTTPConnectionPool] = {}

    def close(self) -> None:
        """Close the kept-alive connections (a later call opens new ones)."""
        pools = list(self._pools.values())
        self._pools.clear()
        self._http.clear()
        for pool in pools:
            pool.close()  # idle connections now, one in use when it is given back

    def _send(self, method: str, url: str, body: bytes | None, headers: dict[str, str]) -> BaseHTTPResponse:
        """One request over the origin's pool: PoolManager.request's work, the pool looked up once."""
        scheme, _, rest = url.partition("://")
        netloc, _, path = rest.partition("/")
        origin = f"{scheme}://{netloc}"
        pool = self._pools.get(origin)
        if pool is None:  # two threads at once get the same pool: the manager makes it under its lock
            pool = self._pools.setdefault(origin, self._http.connection_from_url(origin))
        return pool.urlopen(
            method,
            f"/{path}",
            body=body,
            headers=headers,
            timeout=urllib3.Timeout(connect=self.timeout, read=self.timeout),
            retries=False,
            redirect=False,
            assert_same_host=False,
        )

    def _perform_urllib_http_request_internal(self, url: str, req: Request) -> dict[str, Any]:
        """Send the request slack_sdk built over a pooled connection; answer like urlopen."""
        if self.proxy is not None or not url.lower().startswith("http"):
            return super()._perform_urllib_http_request_internal(url, req)
        try:
            response = self._send(req.get_method(), url, req.data, dict(req.header_items()))
        except (NewConnectionError, ConnectTimeoutError) as exc:  # nothing was sent
            raise URLError(exc.__cause__ or exc) from exc
        except ReadTimeoutError as exc:  # sent, no answer in time: Slack may have acted
            raise TimeoutError(str(exc) or "the read operation timed out") from exc
        except ProtocolError as exc:  # dropped mid-call: Slack may have acted
            raise ConnectionResetError(str(exc)) from exc
        except urllib3.exceptions.HTTPError as exc:  # anything else urllib3 raises: as urlopen wraps it
            raise URLError(exc) from exc
        if not 200 <= response.status < 300:
            # urlopen raises for 4xx/5xx; slack_sdk's retry loop and 429 handling start from this error.
            message = HTTPMessage()
            for name, value in response.headers.iteritems():  # as Slack spelt them, repeats kept
                message[name] = value
            raise HTTPError(url, response.status, response.reason or "", message, io.BytesIO(response.data))
        # slack_sdk makes a dict of a 2xx answer's headers: urllib3's own (case-insensitive, as Slack spelt
        # them) serve, without an HTTPMessage built and parsed again for every post.
        content_type, charset = _content_type(response.headers.get("Content-Type", ""))
        if content_type == "application/gzip":  # admin.analytics.getFile, as slack_sdk reads it
            return {"status": response.status, "headers": response.headers, "body": response.data}
        return {"status": response.status, "headers": response.headers, "body": response.data.decode(charset)}


@functools.lru_cache(maxsize=64)
def _content_type(header: str) -> tuple[str, str]:
    """A Content-Type header's type and charset (utf-8 if none), read as urllib's answer reads it; Slack
    sends a handful of distinct values, so each is parsed once."""
    message = HTTPMessage()
    message["Content-Type"] = header
    return message.get_content_type(), message.get_content_charset() or "utf-8"
