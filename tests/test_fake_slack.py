"""FakeSlack driven through the real slack_sdk WebClient over loopback HTTP: the server itself (URLs,
auth, unknown methods, the call record, releasing its port) and failure injection, latency and concurrency.

The Web API method families are covered in test_fake_slack_conversations.py (conversations.*,
usergroups.*), test_fake_slack_messages.py (chat.*, pins, bookmarks, reactions, users) and
test_fake_slack_interactivity.py (views.*, response_url)."""

from __future__ import annotations

import threading
import time
import urllib.error
import urllib.request

import pytest
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from bot.sandbox import FakeSlack
from tests.fake_slack_client import client_fixture as client_fixture  # the `client` fixture
from tests.fake_slack_client import code, slack_error
from tests.fake_slack_client import fake_fixture as fake_fixture  # the `fake` fixture

# -- server, auth, recording ------------------------------------------------------------------------


def test_urls_and_auth_test(fake, client):
    assert fake.base_url.startswith("http://127.0.0.1:")
    assert fake.api_url == fake.base_url + "/api/"
    auth = client.auth_test()
    assert (auth["user_id"], auth["user"], auth["team_id"], auth["bot_id"]) == (
        "U0WARROOM",
        "warroom",
        "T0WARROOM",
        "B0WARROOM",
    )


def test_token_errors_and_unknown_method(fake, client):
    assert code(lambda: WebClient(base_url=fake.api_url).auth_test()) == "not_authed"
    assert code(lambda: WebClient(base_url=fake.api_url, token="sk-nope").auth_test()) == "invalid_auth"
    assert code(lambda: client.api_call("chat.teleport")) == "unknown_method"
    assert [(c.method, c.error) for c in fake.calls] == [
        ("auth.test", "not_authed"),
        ("auth.test", "invalid_auth"),
        ("chat.teleport", "unknown_method"),
    ]


def test_calls_are_recorded_without_tokens(fake, client):
    client.api_call("auth.test", params={"token": "xoxb-secret-in-body"})
    client.conversations_info(channel="C0SUPPORT")
    calls = fake.calls
    assert [c.method for c in calls] == ["auth.test", "conversations.info"]
    assert all(c.ok and c.error is None for c in calls)
    assert "xoxb" not in repr(calls)
    assert fake.calls_to("conversations.info")[0].params == {"channel": "C0SUPPORT"}
    calls[0].params["x"] = 1  # a copy: must not leak back
    assert "x" not in fake.calls[0].params
    fake.reset_calls()
    assert fake.calls == []


def test_stop_releases_port():
    server = FakeSlack().start()
    url = server.api_url
    server.stop()
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(url + "auth.test", data=b"", timeout=2)


# -- failure injection, latency, concurrency ------------------------------------------------------------


def test_429_retried_by_rate_limit_handler(fake):
    fake.fail_next("chat.postMessage", status=429, retry_after=1)
    client = WebClient(
        base_url=fake.api_url,
        token="xoxb-test",
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)],
    )
    started = time.monotonic()
    resp = client.chat_postMessage(channel="C0SUPPORT", text="after backoff")
    assert time.monotonic() - started >= 1.0
    assert resp["ok"] and [m["text"] for m in fake.messages("C0SUPPORT")] == ["after backoff"]
    outcomes = [(c.ok, c.error) for c in fake.calls_to("chat.postMessage")]
    assert outcomes == [(False, "ratelimited"), (True, None)]


def test_429_without_handler_raises(fake, client):
    fake.fail_next("chat.postMessage", status=429, retry_after=7)
    err = slack_error(lambda: client.chat_postMessage(channel="C0SUPPORT", text="x"))
    assert err.response.status_code == 429 and err.response["error"] == "ratelimited"
    assert err.response.headers.get("Retry-After", err.response.headers.get("retry-after")) == "7"
    assert fake.messages("C0SUPPORT") == []
    client.chat_postMessage(channel="C0SUPPORT", text="x")  # only the next call failed


def test_server_errors_and_injected_codes_change_nothing(fake, client):
    fake.fail_next("conversations.create", status=503, times=2)
    for _ in range(2):
        assert slack_error(lambda: client.conversations_create(name="inc-5")).response.status_code == 503
    fake.fail_next("conversations.create", error="restricted_action")
    assert code(lambda: client.conversations_create(name="inc-5")) == "restricted_action"
    assert fake.find_channel("inc-5") is None
    assert client.conversations_create(name="inc-5")["ok"]
    assert [c.error for c in fake.calls_to("conversations.create")] == [
        "http_503",
        "http_503",
        "restricted_action",
        None,
    ]


def test_latency(fake, client):
    fake.latency = 0.2
    started = time.monotonic()
    client.auth_test()
    assert time.monotonic() - started >= 0.2
    fake.latency = 0.0
    started = time.monotonic()
    client.auth_test()
    assert time.monotonic() - started < 0.2


def test_concurrent_posts_get_unique_ts(fake):
    results: list[str] = []
    errors: list[BaseException] = []

    def post(i: int) -> None:
        try:
            client = WebClient(base_url=fake.api_url, token="xoxb-test")
            results.append(client.chat_postMessage(channel="C0SUPPORT", text=f"m{i}")["ts"])
        except BaseException as e:  # surfaced below
            errors.append(e)

    threads = [threading.Thread(target=post, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(set(results)) == 20
    stored = [m["ts"] for m in fake.messages("C0SUPPORT")]
    assert sorted(stored) == sorted(results) and stored == sorted(stored)
