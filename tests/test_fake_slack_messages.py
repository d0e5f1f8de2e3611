"""FakeSlack's chat.*, pins.*, bookmarks.*, reactions.* and users.* methods, driven through the real
slack_sdk WebClient over loopback HTTP: threads, history, Block Kit validation, message rules, edits and
deletes, DMs, ephemerals, permalinks, pins, bookmarks, reactions and users."""

from __future__ import annotations

import json

import pytest

from tests.fake_slack_client import HUMANS, code, section, slack_error
from tests.fake_slack_client import client_fixture as client_fixture  # the `client` fixture
from tests.fake_slack_client import fake_fixture as fake_fixture  # the `fake` fixture

# -- messages ---------------------------------------------------------------------------------------


def test_thread_replies_and_reply_count(fake, client):
    parent = client.chat_postMessage(channel="C0SUPPORT", text="Escalation: Acme")["ts"]
    r1 = client.chat_postMessage(channel="C0SUPPORT", text="update 1", thread_ts=parent)
    r2 = client.chat_postMessage(channel="C0SUPPORT", text="update 2", thread_ts=parent)
    assert r1["message"]["thread_ts"] == parent and r1["message"]["user"] == "U0WARROOM"
    assert parent < r1["ts"] < r2["ts"]
    thread = fake.thread("C0SUPPORT", parent)
    assert [m["text"] for m in thread] == ["Escalation: Acme", "update 1", "update 2"]
    assert thread[0]["reply_count"] == 2 and thread[0]["latest_reply"] == r2["ts"]
    replies = client.conversations_replies(channel="C0SUPPORT", ts=parent)["messages"]
    assert [m["ts"] for m in replies] == [parent, r1["ts"], r2["ts"]]
    history = client.conversations_history(channel="C0SUPPORT")["messages"]
    assert [m["ts"] for m in history] == [parent]  # replies are not top-level
    assert [m.get("thread_ts") for m in fake.messages("C0SUPPORT")] == [parent, parent, parent]
    missing = code(lambda: client.chat_postMessage(channel="C0SUPPORT", text="x", thread_ts="1.000001"))
    assert missing == "thread_not_found"
    assert len(fake.messages("C0SUPPORT")) == 3


def test_history_is_newest_first(client):
    ts = [client.chat_postMessage(channel="C0GENERAL", text=str(i))["ts"] for i in range(3)]
    assert [m["ts"] for m in client.conversations_history(channel="C0GENERAL")["messages"]] == ts[::-1]


def test_invalid_blocks_rejected_and_state_unchanged(fake, client):
    bad = [{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}]
    err = slack_error(lambda: client.chat_postMessage(channel="C0SUPPORT", text="t", blocks=bad))
    assert err.response["error"] == "invalid_blocks"
    assert err.response["response_metadata"]["messages"] == [
        "[ERROR] must be less than 151 characters [json-pointer:/blocks/0/text/text]"
    ]
    assert err.response["errors"]
    assert fake.messages("C0SUPPORT") == []
    ts = client.chat_postMessage(channel="C0SUPPORT", text="v1", blocks=[section("v1")])["ts"]
    rejected = code(lambda: client.chat_update(channel="C0SUPPORT", ts=ts, text="v2", blocks=bad))
    assert rejected == "invalid_blocks"
    assert fake.messages("C0SUPPORT")[0]["text"] == "v1" and fake.edit_count("C0SUPPORT", ts) == 0
    call = fake.calls_to("chat.update")[0]
    assert (call.ok, call.error) == (False, "invalid_blocks")


def test_form_encoded_blocks_are_decoded(fake, client):
    blocks = [section("from a form post")]
    form = {"channel": "C0SUPPORT", "text": "t", "blocks": json.dumps(blocks)}
    client.api_call("chat.postMessage", params=form)
    assert fake.messages("C0SUPPORT")[0]["blocks"] == blocks
    bad = json.dumps([section("x" * 3001)])
    err = code(lambda: client.api_call("chat.postMessage", params={"channel": "C0SUPPORT", "blocks": bad}))
    assert err == "invalid_blocks"


@pytest.mark.filterwarnings("ignore:The top-level `text` argument is missing")
def test_message_content_rules(client):
    assert code(lambda: client.chat_postMessage(channel="C0SUPPORT", text="")) == "no_text"
    assert code(lambda: client.chat_postMessage(channel="C0SUPPORT", text="x" * 40001)) == "msg_too_long"
    assert code(lambda: client.chat_postMessage(channel="C0NOPE", text="x")) == "channel_not_found"
    client.chat_postMessage(channel="C0SUPPORT", text="x" * 40000)


def test_update_and_delete(fake, client):
    ts = client.chat_postMessage(channel="C0SUPPORT", text="v1", blocks=[section("v1")])["ts"]
    updated = client.chat_update(channel="C0SUPPORT", ts=ts, text="v2")
    assert updated["message"]["blocks"] == [section("v1")]  # omitted blocks are kept
    client.chat_update(channel="C0SUPPORT", ts=ts, text="v3", blocks=[section("v3")])
    assert fake.edit_count("C0SUPPORT", ts) == 2
    assert fake.messages("C0SUPPORT")[0]["text"] == "v3"
    human = fake.add_message("C0SUPPORT", "U0ANA", "customer is angry")
    assert code(lambda: client.chat_update(channel="C0SUPPORT", ts=human, text="x")) == "cant_update_message"
    assert code(lambda: client.chat_update(channel="C0SUPPORT", ts="1.2", text="x")) == "message_not_found"
    assert code(lambda: client.chat_delete(channel="C0SUPPORT", ts=human)) == "cant_delete_message"
    client.chat_delete(channel="C0SUPPORT", ts=ts)
    assert [m["ts"] for m in fake.messages("C0SUPPORT")] == [human]


def test_post_to_user_opens_dm(fake, client):
    first = client.chat_postMessage(channel="U0BEN", text="you are on call")
    second = client.chat_postMessage(channel="U0BEN", text="still on call")
    assert first["channel"].startswith("D") and first["channel"] == second["channel"]
    assert fake.dm_channel("U0BEN") == first["channel"]
    assert [m["text"] for m in fake.messages(first["channel"])] == ["you are on call", "still on call"]


def test_ephemeral(fake, client):
    cid = client.conversations_create(name="inc-9")["channel"]["id"]
    outsider = code(lambda: client.chat_postEphemeral(channel=cid, user="U0ANA", text="hi"))
    assert outsider == "user_not_in_channel"
    assert client.chat_postEphemeral(channel="C0SUPPORT", user="U0ANA", text="only you")["message_ts"]
    sent = [(e["channel"], e["user"], e["text"]) for e in fake.ephemerals]
    assert sent == [("C0SUPPORT", "U0ANA", "only you")]
    assert fake.messages("C0SUPPORT") == []


def test_permalink(client):
    ts = client.chat_postMessage(channel="C0SUPPORT", text="x")["ts"]
    link = client.chat_getPermalink(channel="C0SUPPORT", message_ts=ts)["permalink"]
    assert link == f"https://warroom-sandbox.slack.com/archives/C0SUPPORT/p{ts.replace('.', '')}"
    missing = code(lambda: client.chat_getPermalink(channel="C0SUPPORT", message_ts="1.1"))
    assert missing == "message_not_found"


def test_pins(fake, client):
    ts = client.chat_postMessage(channel="C0SUPPORT", text="status")["ts"]
    client.pins_add(channel="C0SUPPORT", timestamp=ts)
    assert code(lambda: client.pins_add(channel="C0SUPPORT", timestamp=ts)) == "already_pinned"
    assert code(lambda: client.pins_add(channel="C0SUPPORT", timestamp="1.5")) == "message_not_found"
    assert code(lambda: client.pins_add(channel="C0RANDOM", timestamp=ts)) == "not_in_channel"
    assert fake.pins("C0SUPPORT") == [ts]
    assert [i["message"]["ts"] for i in client.pins_list(channel="C0SUPPORT")["items"]] == [ts]


def test_bookmarks_reactions_users(fake, client):
    client.bookmarks_add(channel_id="C0SUPPORT", title="Runbook", type="link", link="https://runbook")
    long_title = "t" * 101
    assert (
        code(
            lambda: client.bookmarks_add(
                channel_id="C0SUPPORT", title=long_title, type="link", link="https://x"
            )
        )
        == "invalid_arguments"
    )
    assert [b["title"] for b in fake.bookmarks("C0SUPPORT")] == ["Runbook"]
    assert [b["title"] for b in client.bookmarks_list(channel_id="C0SUPPORT")["bookmarks"]] == ["Runbook"]
    ts = client.chat_postMessage(channel="C0SUPPORT", text="x")["ts"]
    client.reactions_add(channel="C0SUPPORT", timestamp=ts, name="eyes")
    again = code(lambda: client.reactions_add(channel="C0SUPPORT", timestamp=ts, name="eyes"))
    assert again == "already_reacted"
    reactions = fake.messages("C0SUPPORT")[0]["reactions"]
    assert reactions == [{"name": "eyes", "users": ["U0WARROOM"], "count": 1}]
    user = client.users_info(user="U0CHLOE")["user"]
    assert (user["name"], user["real_name"], user["profile"]["title"], user["is_bot"], user["tz"]) == (
        "chloe",
        "Chloe Park",
        "Engineering Manager",
        False,
        "UTC",
    )
    assert code(lambda: client.users_info(user="U0NOBODY")) == "user_not_found"
    fake.add_user("U0ERIN", "erin", "Erin Cho", title="VP Support")
    assert {"U0WARROOM", "U0ERIN"} | HUMANS == {m["id"] for m in client.users_list()["members"]}
