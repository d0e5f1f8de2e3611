"""InMemoryWebClient: slack_sdk's WebClient answered in-process by a FakeSlack that is never started."""

from __future__ import annotations

import json
import socket
import time

import pytest
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler, ServerErrorRetryHandler
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator

from bot.sandbox import FakeSlack
from bot.sandbox.in_memory import InMemoryWebClient, in_memory_slack
from tests.fake_slack_client import code, section, slack_error


@pytest.fixture
def fake() -> FakeSlack:
    return FakeSlack()  # deliberately not started: no server, no port


@pytest.fixture
def client(fake: FakeSlack) -> InMemoryWebClient:
    return InMemoryWebClient(fake)


def test_posted_message_is_in_the_fake(fake, client):
    resp = client.chat_postMessage(channel="C0SUPPORT", text="Escalation: Acme", blocks=[section("Acme")])
    assert resp["ok"] and resp.status_code == 200 and resp["channel"] == "C0SUPPORT"
    stored = fake.messages("C0SUPPORT")
    assert [(m["ts"], m["text"], m["blocks"]) for m in stored] == [
        (resp["ts"], "Escalation: Acme", [section("Acme")])
    ]
    assert [(c.method, c.ok) for c in fake.calls] == [("chat.postMessage", True)]
    assert "xoxb" not in repr(fake.calls)


def test_factory_gives_an_unstarted_fake_and_its_client():
    fake, client = in_memory_slack()
    assert client.fake is fake and client.token == "xoxb-in-memory"
    assert client.auth_test()["user_id"] == "U0WARROOM"
    with pytest.raises(RuntimeError, match="not started"):
        fake.base_url  # noqa: B018  (the property raises: nothing is listening)


def test_slack_error_becomes_slack_api_error(fake, client):
    err = slack_error(lambda: client.chat_postMessage(channel="C0NOPE", text="x"))
    assert err.response["error"] == "channel_not_found" and err.response.status_code == 200
    assert code(lambda: client.conversations_create(name="support")) == "name_taken"
    assert code(lambda: client.api_call("chat.teleport")) == "unknown_method"
    assert code(lambda: InMemoryWebClient(fake, token=None).auth_test()) == "not_authed"
    assert code(lambda: InMemoryWebClient(fake, token="sk-nope").auth_test()) == "invalid_auth"
    assert [c.error for c in fake.calls] == [
        "channel_not_found",
        "name_taken",
        "unknown_method",
        "not_authed",
        "invalid_auth",
    ]


def test_token_in_body_is_accepted_and_not_recorded(fake):
    no_header = InMemoryWebClient(fake, token=None)
    assert no_header.api_call("auth.test", params={"token": "xoxb-secret-in-body"})["ok"]
    assert fake.calls[0].params == {} and "secret" not in repr(fake.calls)


def test_invalid_blocks_rejected_and_state_unchanged(fake, client):
    bad = [{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}]
    err = slack_error(lambda: client.chat_postMessage(channel="C0SUPPORT", text="t", blocks=bad))
    assert err.response["error"] == "invalid_blocks"
    assert err.response["response_metadata"]["messages"] == [
        "[ERROR] must be less than 151 characters [json-pointer:/blocks/0/text/text]"
    ]
    assert fake.messages("C0SUPPORT") == []


def test_form_and_json_bodies_are_decoded(fake, client):
    blocks = [section("from a form post")]
    client.api_call(
        "chat.postMessage", params={"channel": "C0SUPPORT", "text": "t", "blocks": json.dumps(blocks)}
    )
    client.api_call("chat.postMessage", json={"channel": "C0SUPPORT", "text": "j", "blocks": blocks})
    assert [(m["text"], m["blocks"]) for m in fake.messages("C0SUPPORT")] == [("t", blocks), ("j", blocks)]
    bad = json.dumps([section("x" * 3001)])
    form = {"channel": "C0SUPPORT", "blocks": bad}
    assert code(lambda: client.api_call("chat.postMessage", params=form)) == "invalid_blocks"


def test_429_is_retried_by_rate_limit_handler(fake):
    fake.fail_next("chat.postMessage", status=429, retry_after=0)
    client = InMemoryWebClient(fake, retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)])
    resp = client.chat_postMessage(channel="C0SUPPORT", text="after backoff")
    assert resp["ok"] and [m["text"] for m in fake.messages("C0SUPPORT")] == ["after backoff"]
    outcomes = [(c.ok, c.error) for c in fake.calls_to("chat.postMessage")]
    assert outcomes == [(False, "ratelimited"), (True, None)]


def test_429_without_handler_raises_with_retry_after(fake, client):
    fake.fail_next("chat.postMessage", status=429, retry_after=7)
    err = slack_error(lambda: client.chat_postMessage(channel="C0SUPPORT", text="x"))
    assert err.response.status_code == 429 and err.response["error"] == "ratelimited"
    assert err.response.headers.get("Retry-After", err.response.headers.get("retry-after")) == "7"
    assert fake.messages("C0SUPPORT") == []


def test_5xx_is_retried_by_server_error_handler(fake):
    no_wait = FixedValueRetryIntervalCalculator(0)
    retrying = InMemoryWebClient(
        fake, retry_handlers=[ServerErrorRetryHandler(max_retry_count=2, interval_calculator=no_wait)]
    )
    fake.fail_next("conversations.create", status=503, times=2)
    assert retrying.conversations_create(name="inc-5")["channel"]["name"] == "inc-5"
    assert [c.error for c in fake.calls_to("conversations.create")] == ["http_503", "http_503", None]
    fake.fail_next("conversations.create", status=503)
    plain = InMemoryWebClient(fake, retry_handlers=[])
    assert slack_error(lambda: plain.conversations_create(name="inc-6")).response.status_code == 503
    assert fake.find_channel("inc-6") is None


def test_latency_still_applies(fake, client):
    fake.latency = 0.2
    started = time.monotonic()
    client.auth_test()
    assert time.monotonic() - started >= 0.2


def test_cursor_pagination_through_slack_response(client):
    pages = [page["members"] for page in client.conversations_members(channel="C0SUPPORT", limit=2)]
    assert pages == [["U0ANA", "U0BEN"], ["U0CHLOE", "U0DAVE"], ["U0WARROOM"]]


def test_no_socket_is_opened(fake, client, monkeypatch):
    def no_network(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("InMemoryWebClient touched the network")

    for name in ("connect", "connect_ex", "bind"):
        monkeypatch.setattr(socket.socket, name, no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    cid = client.conversations_create(name="inc-77")["channel"]["id"]
    client.chat_postMessage(channel=cid, text="no sockets here")
    assert code(lambda: client.chat_postMessage(channel="C0NOPE", text="x")) == "channel_not_found"
    assert [m["text"] for m in fake.messages(cid)] == ["no sockets here"]
    with pytest.raises(RuntimeError, match="not started"):
        fake.api_url  # noqa: B018


def test_usergroups_in_memory(fake, client):
    leads = fake.add_usergroup("support-leads", ["U0ANA", "U0CHLOE"], name="Support Leads")
    assert client.usergroups_users_list(usergroup=leads)["users"] == ["U0ANA", "U0CHLOE"]
    assert code(lambda: client.usergroups_users_list(usergroup="S0NOPE")) == "no_such_subteam"
