"""FakeSlack's conversations.* and usergroups.* methods, driven through the real slack_sdk WebClient over
loopback HTTP: creating, naming, inviting, joining, archiving, listing and paginating channels, hiding
private ones, and user groups."""

from __future__ import annotations

import pytest

from tests.fake_slack_client import HUMANS, code
from tests.fake_slack_client import client_fixture as client_fixture  # the `client` fixture
from tests.fake_slack_client import fake_fixture as fake_fixture  # the `fake` fixture

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
