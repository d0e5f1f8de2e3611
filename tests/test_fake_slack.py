"""FakeSlack driven through the real slack_sdk WebClient over loopback HTTP."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from bot.sandbox import FakeSlack

HUMANS = {"U0ANA", "U0BEN", "U0CHLOE", "U0DAVE"}


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as server:
        yield server


@pytest.fixture
def client(fake: FakeSlack) -> WebClient:
    return WebClient(base_url=fake.api_url, token="xoxb-test")


def slack_error(call: Any) -> SlackApiError:
    with pytest.raises(SlackApiError) as info:
        call()
    return info.value


def code(call: Any) -> str:
    return str(slack_error(call).response["error"])


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


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


# -- conversations ---------------------------------------------------------------------------------


def test_create_channel(fake, client):
    channel = client.conversations_create(name="inc-42-acme", is_private=True)["channel"]
    assert channel["id"].startswith("C") and channel["id"] != "C0GENERAL"
    assert channel["name"] == "inc-42-acme"
    assert channel["is_private"] is True and channel["is_archived"] is False
    assert channel["creator"] == "U0WARROOM" and channel["num_members"] == 1
    assert isinstance(channel["created"], int) and set(channel["topic"]) == {"value", "creator", "last_set"}
    assert fake.members(channel["id"]) == {"U0WARROOM"}
    assert fake.find_channel("inc-42-acme")["id"] == channel["id"]
    listed = client.conversations_list(types="private_channel")["channels"]
    assert [c["id"] for c in listed] == [channel["id"]]


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("Inc-42", "invalid_name_specials"),
        ("inc 42", "invalid_name_specials"),
        ("i" * 81, "invalid_name_maxlength"),
        ("", "invalid_name_required"),
        ("support", "name_taken"),
    ],
)
def test_create_channel_name_rules(fake, client, name, error):
    before = fake.find_channel("i" * 80)
    assert code(lambda: client.conversations_create(name=name)) == error
    assert before is None and len(client.conversations_list()["channels"]) == 5  # nothing created


def test_name_taken_by_archived_channel(client):
    cid = client.conversations_create(name="inc-1")["channel"]["id"]
    client.conversations_archive(channel=cid)
    assert code(lambda: client.conversations_create(name="inc-1")) == "name_taken"
    assert code(lambda: client.chat_postMessage(channel=cid, text="hi")) == "is_archived"
    assert code(lambda: client.conversations_archive(channel=cid)) == "already_archived"
    assert cid not in [c["id"] for c in client.conversations_list(exclude_archived=True)["channels"]]


def test_invite(fake, client):
    cid = client.conversations_create(name="inc-7")["channel"]["id"]
    assert client.conversations_invite(channel=cid, users=["U0ANA", "U0BEN"])["channel"]["num_members"] == 3
    assert fake.members(cid) == {"U0WARROOM", "U0ANA", "U0BEN"}
    assert code(lambda: client.conversations_invite(channel=cid, users="U0ANA,U0BEN")) == "already_in_channel"
    client.conversations_invite(channel=cid, users="U0ANA,U0DAVE")  # partly new: fine
    assert "U0DAVE" in fake.members(cid)
    assert code(lambda: client.conversations_invite(channel=cid, users="U0WARROOM")) == "cant_invite_self"
    unknown = code(lambda: client.conversations_invite(channel=cid, users="U0CHLOE,U0NOBODY"))
    assert unknown == "user_not_found"
    assert "U0CHLOE" not in fake.members(cid)  # failed call changed nothing
    assert code(lambda: client.conversations_invite(channel="C0RANDOM", users="U0ANA")) == "not_in_channel"
    assert code(lambda: client.conversations_invite(channel="C0NOPE", users="U0ANA")) == "channel_not_found"


def test_private_channels_hidden_unless_member(fake, client):
    hidden = fake.add_channel("secret", is_private=True, bot_member=False, members=["U0ANA"])
    assert code(lambda: client.conversations_info(channel=hidden)) == "channel_not_found"
    assert code(lambda: client.conversations_join(channel=hidden)) == "channel_not_found"
    mine = fake.add_channel("mine", is_private=True)
    names = {c["name"] for c in client.conversations_list(types="public_channel,private_channel")["channels"]}
    assert "mine" in names and "secret" not in names
    assert client.conversations_info(channel=mine)["channel"]["is_member"] is True


def test_join_rename_topic_purpose_members(fake, client):
    assert code(lambda: client.chat_postMessage(channel="C0RANDOM", text="hi")) == "not_in_channel"
    client.conversations_join(channel="C0RANDOM")
    client.chat_postMessage(channel="C0RANDOM", text="hi")
    private = client.conversations_create(name="p", is_private=True)["channel"]["id"]
    assert code(lambda: client.conversations_join(channel=private)) == "method_not_supported_for_channel_type"
    client.conversations_setTopic(channel="C0SUPPORT", topic="Sev1: Acme down")
    assert fake.topic("C0SUPPORT") == "Sev1: Acme down"
    assert code(lambda: client.conversations_setTopic(channel="C0SUPPORT", topic="x" * 251)) == "too_long"
    assert fake.topic("C0SUPPORT") == "Sev1: Acme down"
    info = client.conversations_setPurpose(channel="C0SUPPORT", purpose="war room")["channel"]
    assert info["purpose"]["value"] == "war room"
    assert client.conversations_rename(channel=private, name="p-2")["channel"]["name"] == "p-2"
    assert code(lambda: client.conversations_rename(channel=private, name="support")) == "name_taken"
    assert set(client.conversations_members(channel="C0SUPPORT")["members"]) == HUMANS | {"U0WARROOM"}


def test_list_pagination(client):
    first = client.conversations_list(limit=2)
    assert len(first["channels"]) == 2
    cursor = first["response_metadata"]["next_cursor"]
    assert cursor
    rest = client.conversations_list(limit=10, cursor=cursor)
    assert rest["response_metadata"]["next_cursor"] == ""
    ids = [c["id"] for c in first["channels"] + rest["channels"]]
    assert sorted(ids) == sorted(["C0GENERAL", "C0SUPPORT", "C0ESCALATIONS", "C0LEADERSHIP", "C0RANDOM"])


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


# -- user groups --------------------------------------------------------------------------------------


def test_usergroups_list_and_users(fake, client):
    assert client.usergroups_list()["usergroups"] == []
    leads = fake.add_usergroup("@support-leads", ["U0ANA", "U0CHLOE", "U0ANA"], name="Support Leads")
    oncall = fake.add_usergroup("oncall", ["U0BEN"])
    assert leads.startswith("S") and oncall.startswith("S") and leads != oncall
    groups = client.usergroups_list()["usergroups"]
    assert [(g["id"], g["handle"], g["name"], g["user_count"]) for g in groups] == [
        (leads, "support-leads", "Support Leads", 2),
        (oncall, "oncall", "oncall", 1),
    ]
    assert all(g["team_id"] == "T0WARROOM" and g["is_usergroup"] and "users" not in g for g in groups)
    with_users = client.usergroups_list(include_users=True)["usergroups"]
    assert [g["users"] for g in with_users] == [["U0ANA", "U0CHLOE"], ["U0BEN"]]
    assert client.usergroups_users_list(usergroup=leads)["users"] == ["U0ANA", "U0CHLOE"]
    assert code(lambda: client.usergroups_users_list(usergroup="S0NOPE")) == "no_such_subteam"
    assert code(lambda: client.api_call("usergroups.users.list")) == "invalid_arguments"


def test_add_usergroup_rejects_bad_set_up(fake):
    fake.add_usergroup("oncall", ["U0BEN"])
    with pytest.raises(ValueError, match="U0NOBODY"):
        fake.add_usergroup("ghosts", ["U0ANA", "U0NOBODY"])
    with pytest.raises(ValueError, match="taken"):
        fake.add_usergroup("oncall", ["U0ANA"])


def test_conversations_members_paginates(client):
    first = client.conversations_members(channel="C0SUPPORT", limit=3)
    cursor = first["response_metadata"]["next_cursor"]
    assert len(first["members"]) == 3 and cursor
    rest = client.conversations_members(channel="C0SUPPORT", limit=3, cursor=cursor)
    assert rest["response_metadata"]["next_cursor"] == ""
    assert set(first["members"] + rest["members"]) == HUMANS | {"U0WARROOM"}


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
