"""The fake Anthropic API, driven through the real `anthropic` SDK over loopback HTTP."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import anthropic
import pytest

from tests.fakes.fake_anthropic import REDACTED, FakeAnthropic

MODEL = "claude-haiku-4-5"
HI: list[Any] = [{"role": "user", "content": "Summarise the incident."}]
TOOLS: list[Any] = [
    {
        "name": "record_summary",
        "description": "Record a structured summary.",
        "input_schema": {
            "type": "object",
            "properties": {"severity": {"type": "string"}, "actions": {"type": "array"}},
            "required": ["severity"],
        },
    }
]
FORCED: Any = {"type": "tool", "name": "record_summary"}
SUMMARY = {"severity": "sev1", "actions": ["page on-call", {"owner": "ana", "due": "2h"}], "note": "x" * 40}


@pytest.fixture
def fake() -> Iterator[FakeAnthropic]:
    with FakeAnthropic() as server:
        yield server


def client(fake: FakeAnthropic, *, max_retries: int = 0, timeout: float = 5.0) -> anthropic.Anthropic:
    return anthropic.Anthropic(
        api_key="sk-ant-test-key", base_url=fake.base_url, max_retries=max_retries, timeout=timeout
    )


def test_create_returns_the_queued_text_and_records_the_request(fake):
    fake.reply_with("The database failover caused the outage.")
    message = client(fake).messages.create(model=MODEL, max_tokens=200, messages=HI)
    assert message.content[0].type == "text"
    assert message.content[0].text == "The database failover caused the outage."
    assert message.stop_reason == "end_turn"
    assert message.model == MODEL
    assert message.usage.input_tokens > 0 and message.usage.output_tokens == 10
    [request] = fake.requests
    assert request.body["messages"] == HI and request.body["max_tokens"] == 200
    assert not request.streamed
    assert request.headers["anthropic-version"]
    assert request.headers["authorization"] == REDACTED
    assert "sk-ant-test-key" not in str(request.headers)


def test_default_replies(fake):
    sdk = client(fake)
    assert sdk.messages.create(model=MODEL, max_tokens=50, messages=HI).content[0].text == "OK"
    forced = sdk.messages.create(model=MODEL, max_tokens=50, messages=HI, tools=TOOLS, tool_choice=FORCED)
    assert forced.stop_reason == "tool_use"
    assert forced.content[0].type == "tool_use"
    assert (forced.content[0].name, forced.content[0].input) == ("record_summary", {})


def test_forced_tool_returns_the_queued_input(fake):
    fake.reply_with(tool_input=SUMMARY)
    message = client(fake).messages.create(
        model=MODEL, max_tokens=500, messages=HI, tools=TOOLS, tool_choice=FORCED
    )
    block = message.content[0]
    assert block.type == "tool_use" and block.name == "record_summary"
    assert block.input == SUMMARY
    assert block.id.startswith("toolu_")
    assert message.stop_reason == "tool_use"


def test_stream_yields_text_in_pieces(fake):
    text = "Customer Acme reports checkout failures since 09:12 UTC."
    fake.reply_with(text)
    with client(fake).messages.stream(model=MODEL, max_tokens=200, messages=HI) as stream:
        chunks = list(stream.text_stream)
        final = stream.get_final_message()
    assert len(chunks) > 5
    assert "".join(chunks) == text
    assert final.content[0].type == "text" and final.content[0].text == text
    assert final.stop_reason == "end_turn"
    assert final.usage.output_tokens == len(chunks)
    assert fake.requests[-1].streamed


def test_stream_assembles_tool_input_from_partial_json(fake):
    fake.reply_with(tool_input=SUMMARY)
    sdk = client(fake)
    with sdk.messages.stream(model=MODEL, max_tokens=500, messages=HI, tools=TOOLS, tool_choice=FORCED) as s:
        events = [event.type for event in s]
        final = s.get_final_message()
    assert events.count("input_json") > 5
    assert final.content[0].type == "tool_use"
    assert final.content[0].input == SUMMARY
    assert final.stop_reason == "tool_use"


def test_stream_events_follow_the_api_sequence(fake):
    fake.reply_with("Hello there")
    stream = client(fake).messages.create(model=MODEL, max_tokens=50, messages=HI, stream=True)
    kinds = [event.type for event in stream]
    assert kinds[:2] == ["message_start", "content_block_start"]
    assert kinds[-3:] == ["content_block_stop", "message_delta", "message_stop"]
    assert set(kinds[2:-3]) == {"content_block_delta"}


def test_pacing_delivers_the_first_chunk_early():
    text = "word " * 32  # 160 characters: 40 tokens, 0.8 s at 50 tokens/s
    with FakeAnthropic(tokens_per_second=50) as fake:
        sdk = client(fake)
        with sdk.messages.stream(model=MODEL, max_tokens=200, messages=HI) as warm_up:  # lazy imports, pool
            warm_up.until_done()
        fake.reply_with(text)
        start = time.perf_counter()
        first = None
        with sdk.messages.stream(model=MODEL, max_tokens=200, messages=HI) as stream:
            for _chunk in stream.text_stream:
                first = first if first is not None else time.perf_counter() - start
        total = time.perf_counter() - start
    assert first is not None
    assert total > 0.6
    assert first < total / 2


def test_overloaded_once_is_retried(fake):
    fake.fail_next(529, retry_after=0.01)
    fake.reply_with("recovered")
    message = client(fake, max_retries=1).messages.create(model=MODEL, max_tokens=50, messages=HI)
    assert message.content[0].text == "recovered"
    assert len(fake.requests) == 2
    assert fake.requests[1].headers["x-stainless-retry-count"] == "1"


def test_overloaded_without_retries_raises(fake):
    fake.fail_next(529)
    with pytest.raises(anthropic.OverloadedError) as caught:
        client(fake, max_retries=0).messages.create(model=MODEL, max_tokens=50, messages=HI)
    assert isinstance(caught.value, anthropic.InternalServerError)
    assert isinstance(caught.value, anthropic.APIStatusError)
    assert caught.value.status_code == 529
    assert caught.value.body["error"]["type"] == "overloaded_error"


def test_stream_retries_too(fake):
    fake.fail_next(500, times=2, retry_after=0.01)
    fake.reply_with("streamed after two failures")
    with client(fake, max_retries=2).messages.stream(model=MODEL, max_tokens=50, messages=HI) as stream:
        assert "".join(stream.text_stream) == "streamed after two failures"
    assert len(fake.requests) == 3


def test_error_types_and_x_should_retry(fake):
    fake.fail_next(429, should_retry=False)
    with pytest.raises(anthropic.RateLimitError) as caught:
        client(fake, max_retries=3).messages.create(model=MODEL, max_tokens=50, messages=HI)
    assert caught.value.body["error"]["type"] == "rate_limit_error"
    assert len(fake.requests) == 1  # `x-should-retry: false` overrides the 429 retry rule
    fake.fail_next(500)
    with pytest.raises(anthropic.InternalServerError) as caught:
        client(fake).messages.create(model=MODEL, max_tokens=50, messages=HI)
    assert caught.value.body["error"]["type"] == "api_error"


def test_delay_triggers_the_client_timeout(fake):
    fake.delay_next(2)
    fake.reply_with("too late")
    start = time.perf_counter()
    with pytest.raises(anthropic.APITimeoutError):
        client(fake, timeout=0.5).messages.create(model=MODEL, max_tokens=50, messages=HI)
    assert time.perf_counter() - start < 1.5
    assert len(fake.requests) == 1
    time.sleep(1.7)  # the abandoned request wakes, sees the client gone, and keeps the reply queued
    assert client(fake).messages.create(model=MODEL, max_tokens=50, messages=HI).content[0].text == "too late"


def test_cache_control_creates_then_reads(fake):
    system: Any = [
        {
            "type": "text",
            "text": "You are the war-room assistant. " * 40,
            "cache_control": {"type": "ephemeral"},
        }
    ]
    sdk = client(fake)
    first = sdk.messages.create(model=MODEL, max_tokens=50, system=system, messages=HI)
    assert fake.requests[-1].body["system"][0]["cache_control"] == {"type": "ephemeral"}
    assert first.usage.cache_creation_input_tokens > 0
    assert first.usage.cache_read_input_tokens == 0
    second = sdk.messages.create(model=MODEL, max_tokens=50, system=system, messages=HI)
    assert second.usage.cache_creation_input_tokens == 0
    assert second.usage.cache_read_input_tokens == first.usage.cache_creation_input_tokens
    uncached = sdk.messages.create(model=MODEL, max_tokens=50, messages=HI)
    assert uncached.usage.cache_creation_input_tokens == uncached.usage.cache_read_input_tokens == 0


def test_streamed_usage_reports_the_cache(fake):
    system: Any = [{"type": "text", "text": "Context. " * 100, "cache_control": {"type": "ephemeral"}}]
    sdk = client(fake)
    for expect_read in (False, True):
        with sdk.messages.stream(model=MODEL, max_tokens=50, system=system, messages=HI) as stream:
            usage = stream.get_final_message().usage
        assert (usage.cache_read_input_tokens > 0) is expect_read
        assert (usage.cache_creation_input_tokens > 0) is not expect_read


def test_missing_api_key_is_rejected(fake):
    with pytest.raises(anthropic.AuthenticationError) as caught:
        client(fake).messages.create(
            model=MODEL, max_tokens=50, messages=HI, extra_headers={"Authorization": anthropic.Omit()}
        )
    assert caught.value.body["error"]["type"] == "authentication_error"
    assert "authorization" not in fake.requests[-1].headers


def test_invalid_requests_are_rejected(fake):
    sdk = client(fake)
    with pytest.raises(anthropic.BadRequestError, match="anthropic-version"):
        sdk.messages.create(
            model=MODEL, max_tokens=50, messages=HI, extra_headers={"anthropic-version": anthropic.Omit()}
        )
    with pytest.raises(anthropic.BadRequestError, match="at least one message"):
        sdk.messages.create(model=MODEL, max_tokens=50, messages=[])
    with pytest.raises(anthropic.BadRequestError, match="tool_choice"):
        sdk.messages.create(model=MODEL, max_tokens=50, messages=HI, tool_choice=FORCED)
    assert len(fake.requests) == 3


def test_max_tokens_truncates(fake):
    fake.reply_with("a" * 40)
    message = client(fake).messages.create(model=MODEL, max_tokens=3, messages=HI)
    assert message.content[0].text == "a" * 12
    assert message.stop_reason == "max_tokens"


def test_reset_forgets_everything(fake):
    fake.reply_with("queued")
    fake.fail_next(529, times=3)
    fake.delay_next(5)
    fake.reset()
    assert fake.requests == []
    assert client(fake).messages.create(model=MODEL, max_tokens=50, messages=HI).content[0].text == "OK"


def test_reply_with_needs_exactly_one_kind():
    fake = FakeAnthropic()
    with pytest.raises(ValueError):
        fake.reply_with()
    with pytest.raises(ValueError):
        fake.reply_with("text", tool_input={})
    with pytest.raises(ValueError):
        fake.reply_with("text", tool_name="record_summary")
