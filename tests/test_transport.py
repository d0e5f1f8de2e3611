"""PooledWebClient (bot/slack/transport.py) side by side with a plain slack_sdk WebClient, both over loopback
HTTP to the sandbox's fake Slack: the pooled one reuses its connections, and every answer, refusal and
failure reaches slack_sdk, the gateway and the step log as urllib's would."""

from __future__ import annotations

import copy
import socket
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.error import URLError

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.rooms.steps import reconciling
from bot.sandbox import FakeSlack
from bot.sandbox.loopback import LoopbackServer
from bot.slack.client import build_web_client
from bot.slack.gateway import SlackGateway, error_code
from bot.slack.transport import PooledWebClient

TOKEN = "xoxb-test"
CHANNEL = "C0SUPPORT"
Both = Callable[..., tuple[WebClient, PooledWebClient]]


class _CountingServer(FakeSlack.server_class):  # type: ignore[misc,valid-type]
    """The fake's HTTP server, counting the TCP connections it accepts and closes."""

    def process_request(self, request: Any, client_address: Any) -> None:
        self.fake.connection(opened=True)  # type: ignore[attr-defined]
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        super().shutdown_request(request)
        self.fake.connection(opened=False)  # type: ignore[attr-defined]


class CountingFake(FakeSlack):
    """FakeSlack that knows how many connections were opened and closed."""

    server_class = _CountingServer

    def __init__(self) -> None:
        super().__init__()
        self.opened = self.closed = 0
        self._conns = threading.Condition()

    def connection(self, *, opened: bool) -> None:
        with self._conns:
            if opened:
                self.opened += 1
            else:
                self.closed += 1
            self._conns.notify_all()

    def wait_closed(self, count: int) -> None:
        with self._conns:
            assert self._conns.wait_for(lambda: self.closed >= count, timeout=10), (self.closed, count)


class _HangsUpHandler(FakeSlack.handler):  # type: ignore[misc,name-defined]
    def _dispatch(self) -> None:
        super()._dispatch()
        self.close_connection = True  # without `Connection: close`: the client thinks it can reuse it


class HangsUpFake(CountingFake):
    """A Slack that closes every kept-alive connection after answering, as after its idle timeout."""

    handler = _HangsUpHandler


class _ScriptedHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        server: Scripted = self.server.fake  # type: ignore[attr-defined]
        server.seen.append(f"{self.command} {self.path}")
        status, headers, body = server.reply
        self.send_response(status)
        for name, value in {**headers, "Content-Length": str(len(body))}.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""


class Scripted(LoopbackServer):
    """A loopback server answering every request the same way, recording each request line."""

    handler = _ScriptedHandler

    def __init__(self, status: int, headers: dict[str, str], body: bytes = b"") -> None:
        super().__init__()
        self.reply = (status, headers, body)
        self.seen: list[str] = []


@pytest.fixture
def fake() -> Iterator[CountingFake]:
    with CountingFake() as server:
        yield server


@pytest.fixture
def both() -> Iterator[Both]:
    """`both(base_url, **kwargs)`: a plain WebClient and a PooledWebClient alike (no retry handlers unless
    given); the pooled ones are closed afterwards."""
    pooled: list[PooledWebClient] = []

    def build(base_url: str, **kwargs: Any) -> tuple[WebClient, PooledWebClient]:
        kwargs = {"base_url": base_url, "token": TOKEN, "retry_handlers": [], **kwargs}
        pooled.append(PooledWebClient(**kwargs))
        return WebClient(**kwargs), pooled[-1]

    yield build
    for client in pooled:
        client.close()


def _raised(call: Callable[[], object]) -> BaseException:
    with pytest.raises(Exception) as info:
        call()
    return info.value


def _texts(fake: FakeSlack) -> list[str]:
    return [m["text"] for m in fake.messages(CHANNEL)]


# -- connections ------------------------------------------------------------------------------------------


def test_sequential_calls_reuse_one_connection_where_urllib_opens_one_each(fake, both) -> None:
    plain, pooled = both(fake.api_url)
    for i in range(20):
        pooled.chat_postMessage(channel=CHANNEL, text=f"pooled {i}")
    assert fake.opened == 1
    for i in range(20):
        plain.chat_postMessage(channel=CHANNEL, text=f"plain {i}")
    assert fake.opened == 1 + 20
    assert len(_texts(fake)) == 40


def test_the_gateway_and_its_acting_twin_share_one_pool_that_close_releases(fake) -> None:
    gateway = SlackGateway(build_web_client(TOKEN, fake.api_url))
    posted = gateway.post_message(CHANNEL, "card")  # through the twin that never repeats a call: a copy
    gateway.update_message(posted.channel, posted.ts, "card, edited")  # through the client itself
    copy.copy(gateway.client).auth_test()
    assert fake.opened == 1
    gateway.close()
    fake.wait_closed(1)  # the copies' connection is closed with the client's
    assert _texts(fake) == ["card, edited"]


def test_a_closed_client_used_again_opens_a_new_connection_and_posts_once(fake, both) -> None:
    _, pooled = both(fake.api_url)
    pooled.chat_postMessage(channel=CHANNEL, text="first")
    pooled.close()
    fake.wait_closed(1)
    pooled.chat_postMessage(channel=CHANNEL, text="second")
    assert _texts(fake) == ["first", "second"]
    assert fake.opened == 2


def test_sixteen_threads_at_once_all_succeed_over_a_bounded_pool(fake, both) -> None:
    _, pooled = both(fake.api_url)
    start = threading.Barrier(16)

    def post(worker: int) -> list[str]:
        start.wait(timeout=10)
        return [pooled.chat_postMessage(channel=CHANNEL, text=f"{worker}.{i}")["ts"] for i in range(5)]

    with ThreadPoolExecutor(max_workers=16) as pool:
        stamps = [ts for batch in pool.map(post, range(16), timeout=30) for ts in batch]
    assert len(set(stamps)) == 80 and len(_texts(fake)) == 80
    assert fake.opened <= 16, "at most one connection per thread calling at once"


def test_a_kept_alive_connection_the_server_closed_is_not_used_again(both) -> None:
    with HangsUpFake() as fake:
        _, pooled = both(fake.api_url)
        for i in range(3):
            pooled.chat_postMessage(channel=CHANNEL, text=f"m{i}")
            fake.wait_closed(i + 1)  # Slack hung up on the idle connection before the next call
        assert _texts(fake) == ["m0", "m1", "m2"] and len(fake.calls_to("chat.postMessage")) == 3
        assert fake.opened == 3


def test_a_proxy_is_slack_sdks_business_not_the_pools(fake, monkeypatch) -> None:
    for name in ("no_proxy", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
    reply = (200, {"Content-Type": "application/json"}, b'{"ok": true, "via": "proxy"}')
    with Scripted(*reply) as proxy:
        client = PooledWebClient(base_url=fake.api_url, token=TOKEN, proxy=proxy.base_url)
        try:
            assert client.auth_test()["via"] == "proxy"
        finally:
            client.close()
        assert proxy.seen == [f"POST {fake.api_url}auth.test"]  # an absolute URL: a proxy request
    assert fake.opened == 0 and fake.calls == []


# -- answers ---------------------------------------------------------------------------------------------


def _without_date(headers: dict[str, Any]) -> dict[str, Any]:
    return {k.lower(): v for k, v in headers.items() if k.lower() != "date"}


def test_a_2xx_answer_reads_as_the_plain_clients(fake, both) -> None:
    plain, pooled = both(fake.api_url)
    a, b = plain.auth_test(), pooled.auth_test()
    assert b.data == a.data and b.status_code == a.status_code == 200
    assert _without_date(b.headers) == _without_date(a.headers)
    assert b.headers["Content-Type"] == "application/json; charset=utf-8"
    text = "Ünïcode ✓ — 日本語 & <b>"
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]
    posted = [c.chat_postMessage(channel=CHANNEL, text=text, blocks=blocks) for c in (plain, pooled)]
    assert [p["message"]["text"] for p in posted] == [text, text]
    assert [p["message"]["blocks"][0]["text"]["text"] for p in posted] == [text, text]


def test_header_names_are_spelled_as_the_server_sent_them(fake, both) -> None:
    plain, pooled = both(fake.api_url)
    assert list(pooled.auth_test().headers) == list(plain.auth_test().headers)


def test_ok_false_raises_the_same_slack_api_error(fake, both) -> None:
    errors = [_raised(lambda c=c: c.chat_postMessage(channel="C0NOPE", text="x")) for c in both(fake.api_url)]
    assert all(isinstance(e, SlackApiError) for e in errors)
    plain, pooled = (e.response for e in errors)  # type: ignore[attr-defined]
    assert pooled.data == plain.data and pooled.status_code == plain.status_code == 200
    assert [error_code(e) for e in errors] == ["channel_not_found", "channel_not_found"]


def test_429_without_retry_handlers_is_a_slack_api_error_with_retry_after(fake, both) -> None:
    fake.fail_next("chat.postMessage", status=429, retry_after=7, times=2)
    errors = [_raised(lambda c=c: c.chat_postMessage(channel=CHANNEL, text="x")) for c in both(fake.api_url)]
    assert all(isinstance(e, SlackApiError) for e in errors)
    plain, pooled = (e.response for e in errors)  # type: ignore[attr-defined]
    assert pooled.status_code == plain.status_code == 429 and pooled.data == plain.data
    assert pooled.headers["Retry-After"] == pooled.headers["retry-after"] == "7"
    assert plain.headers["Retry-After"] == plain.headers["retry-after"] == "7"
    assert _texts(fake) == []


def test_429_is_ridden_out_by_the_bots_rate_limit_handler(fake) -> None:
    fake.fail_next("chat.postMessage", status=429, retry_after=0)  # the handler waits 0-1 s
    client = build_web_client(TOKEN, fake.api_url)
    try:
        assert client.chat_postMessage(channel=CHANNEL, text="after backoff")["ok"]
    finally:
        client.close()  # type: ignore[attr-defined]
    outcomes = [(c.ok, c.error) for c in fake.calls_to("chat.postMessage")]
    assert outcomes == [(False, "ratelimited"), (True, None)]
    assert _texts(fake) == ["after backoff"] and fake.opened == 1, "the 429 left the connection usable"


@pytest.mark.parametrize("status", [500, 502, 503])
def test_a_server_error_reads_as_the_plain_clients(fake, both, status: int) -> None:
    fake.fail_next("conversations.create", status=status, times=2)
    errors = [_raised(lambda c=c: c.conversations_create(name="inc-5")) for c in both(fake.api_url)]
    assert all(isinstance(e, SlackApiError) for e in errors)
    plain, pooled = (e.response for e in errors)  # type: ignore[attr-defined]
    assert pooled.status_code == plain.status_code == status and pooled.data == plain.data
    assert _without_date(pooled.headers) == _without_date(plain.headers)


def test_a_503_is_retried_by_the_bots_server_error_handler(fake) -> None:
    fake.fail_next("conversations.create", status=503)
    client = build_web_client(TOKEN, fake.api_url)
    try:
        assert client.conversations_create(name="inc-6")["channel"]["name"] == "inc-6"
    finally:
        client.close()  # type: ignore[attr-defined]
    assert [c.error for c in fake.calls_to("conversations.create")] == ["http_503", None]


def test_a_redirect_is_reported_not_followed(fake, both) -> None:
    """urlopen would re-send the call to wherever a 3xx points; the pooled client says so instead, so a
    misconfigured SLACK_API_URL is an error to fix, and the bot's token goes nowhere it was not sent."""
    with Scripted(302, {"Location": fake.api_url + "auth.test"}) as moved:
        _plain, pooled = both(moved.base_url + "/api/")
        exc = _raised(pooled.auth_test)
    assert isinstance(exc, SlackApiError) and exc.response.status_code == 302
    assert fake.calls_to("auth.test") == [], "not followed"


# -- no answer ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["plain", "pooled"])
def test_a_lost_answer_is_an_os_error_and_the_post_is_sent_once(fake, both, kind: str) -> None:
    client = both(fake.api_url)[kind == "pooled"]
    client.chat_postMessage(channel=CHANNEL, text="warm")  # the pooled call below reuses this connection
    fake.drop_after_acting("chat.postMessage")
    exc = _raised(lambda: client.chat_postMessage(channel=CHANNEL, text="lost"))
    assert isinstance(exc, OSError) and error_code(exc) is None, repr(exc)  # "no answer", not "Slack said no"
    assert _texts(fake) == ["warm", "lost"] and len(fake.calls_to("chat.postMessage")) == 2, "not re-sent"
    client.chat_postMessage(channel=CHANNEL, text="next")  # the pool recovers from the dropped connection
    assert _texts(fake) == ["warm", "lost", "next"]


def test_the_step_log_looks_before_posting_again_after_a_lost_answer(fake) -> None:
    gateway = SlackGateway(build_web_client(TOKEN, fake.api_url))
    gateway.post_message(CHANNEL, "warm")
    fake.drop_after_acting("chat.postMessage")
    runs: list[int] = []

    def post_card(prior: dict[str, Any]) -> dict[str, Any]:
        runs.append(prior["run"])
        if prior["run"] > 1 and (ts := gateway.find_own_message(CHANNEL, "card INC-7")):
            return {"ts": ts}
        return {"ts": gateway.post_message(CHANNEL, "card INC-7").ts}

    try:
        result = reconciling(post_card, {"run": 1})
    finally:
        gateway.close()
    assert runs == [1, 2], "the lost answer was read as 'Slack may have acted'"
    assert _texts(fake) == ["warm", "card INC-7"] and result["ts"] == fake.messages(CHANNEL)[1]["ts"]


def test_no_answer_within_the_timeout_is_a_timeout_error_as_with_urllib(fake, both) -> None:
    fake.latency = 3.0  # Slack answers long after the client gave up
    for client in both(fake.api_url, timeout=0.3):
        started = time.monotonic()
        exc = _raised(client.auth_test)
        elapsed = time.monotonic() - started
        assert type(exc) is TimeoutError and error_code(exc) is None, (type(client).__name__, repr(exc))
        assert 0.25 <= elapsed < 2.5, elapsed


def test_connection_refused_is_a_url_error_as_with_urllib(both) -> None:
    with socket.socket() as probe:  # a port with nothing listening on it
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    for client in both(f"http://127.0.0.1:{port}/api/"):
        exc = _raised(client.auth_test)
        assert type(exc) is URLError and error_code(exc) is None, (type(client).__name__, repr(exc))
