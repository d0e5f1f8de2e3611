"""Slack's Web API over kept-alive connections: a WebClient whose requests go through an httpx2 pool.

slack_sdk's WebClient opens a new connection for every call (urllib sends `Connection: close`). A sweep
posting hundreds of reminders a second, or a replica refreshing cards, then spends much of its time on
TCP and TLS handshakes. `PooledWebClient` keeps slack_sdk for everything it does (encoding, retry
handlers, 429 handling, SlackResponse) and swaps only the one step that moves bytes, the private hook
`_perform_urllib_http_request_internal`, for a pooled httpx2 client (anthropic's HTTP stack, so nothing
new is installed). It answers exactly as urlopen would: a dict for 2xx, `HTTPError` otherwise, and
`OSError`s for a connection that failed or an answer that never came, so callers that tell "Slack said
no" from "no answer" keep doing so.
"""

from __future__ import annotations

import io
import socket
from email.message import Message
from http.client import HTTPMessage
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.request import Request

import httpx2
from slack_sdk import WebClient
from slack_sdk.web.base_client import BaseClient

# The override relies on a private slack_sdk hook; fail at import if an upgrade renames it, rather than
# quietly falling back to a connection per call.
if not callable(getattr(BaseClient, "_perform_urllib_http_request_internal", None)):
    raise ImportError("slack_sdk no longer has BaseClient._perform_urllib_http_request_internal")

# Enough for every thread that calls Slack at once (the gateway's pool, the sweep's, Bolt's workers);
# idle connections are dropped well before a server would close them, so a reused one is rarely stale
# (and httpx2 checks that a pooled connection is still open before reusing it).
POOL_LIMITS = httpx2.Limits(max_connections=64, max_keepalive_connections=32, keepalive_expiry=5.0)


class PooledWebClient(WebClient):
    """A WebClient that reuses its HTTP connections. Its copies (`copy.copy`) share the pool."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # trust_env=False: proxies are slack_sdk's business (`proxy=`), and with one set it does the
        # request itself; nothing from the environment (netrc, proxy variables) changes where we connect.
        # TCP_NODELAY: a request goes out as headers then body; on a kept-alive connection Nagle's
        # algorithm would hold the body until the server's delayed ACK, 40 ms a call.
        transport = httpx2.HTTPTransport(
            verify=self.ssl or True,
            trust_env=False,
            limits=POOL_LIMITS,
            socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)],
        )
        self._http = httpx2.Client(transport=transport, trust_env=False)

    def close(self) -> None:
        """Close the kept-alive connections."""
        self._http.close()

    def _perform_urllib_http_request_internal(self, url: str, req: Request) -> dict[str, Any]:
        """Send the request slack_sdk built over a pooled connection; answer like urlopen."""
        if self.proxy is not None or not url.lower().startswith("http"):
            return super()._perform_urllib_http_request_internal(url, req)
        # httpx2 sets Content-Length from the body; urllib's capitalised names and int values are normalised.
        headers = {k: str(v) for k, v in req.header_items() if k.lower() != "content-length"}
        try:
            response = self._http.post(url, content=req.data, headers=headers, timeout=self.timeout)
        except (httpx2.ConnectError, httpx2.ConnectTimeout) as exc:  # nothing was sent: safe to retry
            raise URLError(exc) from exc
        except httpx2.TimeoutException as exc:  # sent, no answer in time: Slack may have acted
            raise TimeoutError(str(exc) or "the read operation timed out") from exc
        except httpx2.TransportError as exc:  # dropped mid-call: Slack may have acted
            raise URLError(exc) from exc
        message = _http_message(response.headers)
        if not 200 <= response.status_code < 300:
            # urlopen raises for 4xx/5xx; slack_sdk's retry loop and 429 handling start from this error.
            raise HTTPError(
                url, response.status_code, response.reason_phrase, message, io.BytesIO(response.content)
            )
        if message.get_content_type() == "application/gzip":  # admin.analytics.getFile, as slack_sdk reads it
            return {"status": response.status_code, "headers": message, "body": response.content}
        charset = message.get_content_charset() or "utf-8"
        return {"status": response.status_code, "headers": message, "body": response.content.decode(charset)}


def _http_message(headers: httpx2.Headers) -> Message:
    """The headers object urlopen hands back (case-insensitive, with a charset accessor)."""
    message = HTTPMessage()
    for name, value in headers.multi_items():
        message[name] = value
    return message
