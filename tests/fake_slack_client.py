"""Shared by the FakeSlack tests (test_fake_slack*.py): a started FakeSlack and the real slack_sdk
WebClient pointed at it over loopback HTTP, as the `fake` and `client` fixtures, and small helpers.

Import the fixtures into a test module with `from tests.fake_slack_client import fake_fixture as fake_fixture`
(the redundant alias marks a re-export).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.sandbox import FakeSlack

HUMANS = {"U0ANA", "U0BEN", "U0CHLOE", "U0DAVE"}


@pytest.fixture(name="fake")
def fake_fixture() -> Iterator[FakeSlack]:
    with FakeSlack() as server:
        yield server


@pytest.fixture(name="client")
def client_fixture(fake: FakeSlack) -> WebClient:
    return WebClient(base_url=fake.api_url, token="xoxb-test")


def slack_error(call: Any) -> SlackApiError:
    with pytest.raises(SlackApiError) as info:
        call()
    return info.value


def code(call: Any) -> str:
    return str(slack_error(call).response["error"])


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}
