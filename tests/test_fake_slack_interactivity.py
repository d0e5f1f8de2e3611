"""FakeSlack's interactive surfaces, driven over loopback HTTP: views.open, views.update and views.publish
through the real slack_sdk WebClient, and posting to a `response_url`."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from tests.fake_slack_client import client_fixture as client_fixture  # the `client` fixture
from tests.fake_slack_client import code, section, slack_error
from tests.fake_slack_client import fake_fixture as fake_fixture  # the `fake` fixture

# -- views --------------------------------------------------------------------------------------------


def modal(title: str = "Escalate") -> dict[str, Any]:
    return {"type": "modal", "title": {"type": "plain_text", "text": title}, "blocks": [section("hi")]}


def test_views_open_limits(fake, client):
    err = slack_error(lambda: client.views_open(trigger_id="t1", view=modal("x" * 25)))
    assert err.response["error"] == "invalid_arguments"
    assert err.response["response_metadata"]["messages"] == [
        "[ERROR] must be less than 25 characters [json-pointer:/view/title/text]"
    ]
    assert fake.views == {}
    view = client.views_open(trigger_id="t1", view=modal("x" * 24))["view"]
    assert view["id"].startswith("V") and view["hash"] and view["title"]["text"] == "x" * 24
    assert list(fake.views) == [view["id"]]
    assert code(lambda: client.views_open(trigger_id="t1", view=modal())) == "exchanged_trigger_id"
    assert code(lambda: client.views_open(trigger_id="expired-1", view=modal())) == "expired_trigger_id"
    assert code(lambda: client.api_call("views.open", json={"view": modal()})) == "invalid_arguments"


def test_views_update_hash_and_publish(fake, client):
    opened = client.views_open(trigger_id="t2", view=modal("One"))["view"]
    updated = client.views_update(view_id=opened["id"], hash=opened["hash"], view=modal("Two"))["view"]
    assert updated["id"] == opened["id"] and updated["hash"] != opened["hash"]
    assert code(lambda: client.views_update(view_id=opened["id"], hash=opened["hash"], view=modal())) == (
        "hash_conflict"
    )
    assert fake.views[opened["id"]]["title"]["text"] == "Two"
    home = {"type": "home", "blocks": [section("dashboard")]}
    published = client.views_publish(user_id="U0ANA", view=home)["view"]
    assert published["type"] == "home"
    assert code(lambda: client.views_publish(user_id="U0ANA", view=modal())) == "invalid_arguments"
    assert code(lambda: client.views_publish(user_id="U0NOBODY", view=home)) == "user_not_found"


# -- response_url ----------------------------------------------------------------------------------------


def post_json(url: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    req = urllib.request.Request(
        url, data=json.dumps(body).encode(), method="POST", headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(req, timeout=5) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def test_response_url(fake):
    url = fake.new_response_url()
    token = url.rsplit("/", 1)[1]
    assert post_json(url, {"text": "ack", "replace_original": False}) == (200, {"ok": True})
    status, body = post_json(url, {"blocks": [section("x" * 3001)]})
    assert status == 400 and body["error"] == "invalid_blocks"
    assert fake.responses == [(token, {"text": "ack", "replace_original": False})]
    assert post_json(fake.base_url + "/response/unknown", {"text": "x"})[0] == 404
    for _ in range(4):
        assert post_json(url, {"text": "again"})[0] == 200
    assert post_json(url, {"text": "sixth"})[0] == 404  # Slack allows five uses
