"""The fake Slack's files upload v2 flow and channel canvases, as slack_sdk drives them (over HTTP and
through the in-memory seam): what the report, the chart and the export rely on."""

from __future__ import annotations

import pytest
from slack_sdk.errors import SlackApiError

from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.in_memory import InMemoryWebClient
from bot.slack.gateway import SlackGateway, build_web_client

# The 8-byte PNG signature and a little more: the fake stores bytes as given.
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + bytes(range(64))


@pytest.fixture(params=["http", "in-memory"])
def slack(request: pytest.FixtureRequest):
    fake = FakeSlack()
    if request.param == "http":
        fake.start()
        yield fake, SlackGateway(build_web_client("xoxb-test", fake.api_url))
        fake.stop()
    else:
        yield fake, SlackGateway(InMemoryWebClient(fake))


def test_a_file_is_reserved_sent_and_shared_in_its_thread(slack) -> None:
    fake, gateway = slack
    parent = fake.add_message("C0GENERAL", "U0ANA", "the room")
    link = gateway.upload_file(
        "C0GENERAL", "chart.png", PNG_BYTES, title="Metrics", comment="Last 30 days", thread_ts=parent
    )
    [file] = fake.files()
    assert (file["name"], file["title"], file["content"], file["shared"]) == (
        "chart.png",
        "Metrics",
        PNG_BYTES,
        True,
    )
    assert link and link.endswith("/chart.png")
    [reply] = [m for m in fake.thread("C0GENERAL", parent) if m.get("files")]
    assert reply["text"] == "Last 30 days" and reply["files"][0]["id"] == file["id"]
    assert [c.method for c in fake.calls] == ["files.getUploadURLExternal", "files.completeUploadExternal"]


def test_a_file_cannot_be_shared_in_a_channel_the_bot_is_not_in(slack) -> None:
    fake, gateway = slack
    outside = fake.add_channel("outside", bot_member=False)
    with pytest.raises(SlackApiError) as refused:
        gateway.upload_file(outside, "report.md", b"# Report", title="Report")
    assert refused.value.response["error"] == "not_in_channel"


def test_a_channel_canvas_once_and_not_on_a_tier_without_canvases(slack) -> None:
    fake, gateway = slack
    canvas = gateway.create_channel_canvas("C0GENERAL", "Post-incident report", "# ESC-2026-001")
    assert fake.canvas("C0GENERAL") == {
        "id": canvas,
        "title": "Post-incident report",
        "markdown": "# ESC-2026-001",
    }
    with pytest.raises(SlackApiError) as again:
        gateway.create_channel_canvas("C0GENERAL", "Again", "#")
    assert again.value.response["error"] == "channel_canvas_already_exists"
    fake.without_canvases()
    with pytest.raises(SlackApiError) as free:
        gateway.create_channel_canvas("C0SUPPORT", "Report", "#")
    assert free.value.response["error"] == "team_tier_cannot_create_channel_canvases"
