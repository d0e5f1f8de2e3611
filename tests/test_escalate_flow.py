"""End to end: signed Slack requests → the real Bolt app over HTTP → the fake Slack, on both databases."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

from sqlalchemy import func, select

from bot.escalations.naming import war_room_name
from bot.sandbox.block_kit_rules import validate_channel_name, validate_message_blocks
from bot.sandbox.stack import Sandbox, wait_until
from storage.models import Escalation
from tests.flows import SEV1_TEXT, SEV3_TEXT, escalate, open_modal, room_ready, settled, submit


def _count(sandbox: Sandbox) -> int:
    with sandbox.warroom.db.session() as session:
        return session.execute(select(func.count()).select_from(Escalation)).scalar_one()


def _only_escalation(sandbox: Sandbox) -> Escalation:
    with sandbox.warroom.db.session() as session:
        rows = list(session.execute(select(Escalation)).scalars())
        assert len(rows) == 1, [r.public_id for r in rows]
        return rows[0]


def test_sev1_opens_a_war_room_with_ic_topic_and_pinned_card(sandbox: Sandbox) -> None:
    view = open_modal(sandbox, SEV1_TEXT)
    severity = next(b for b in view["blocks"] if b["block_id"] == "severity")
    assert severity["element"]["initial_option"]["value"] == "SEV-1"
    assert "corrupted" in severity["hint"]["text"]

    reply = submit(sandbox, view, {"customer": "Okafor Analytics", "ic": "U0ANA", "responders": ["U0CHLOE"]})
    assert reply.status == 200 and reply.body == ""
    channel = room_ready(sandbox)
    settled(sandbox)

    assert validate_channel_name(channel["name"]) is None
    assert channel["name"].startswith(f"esc-{_only_escalation(sandbox).year}-001-okafor-analytics")
    assert not channel["is_private"]
    assert {"U0ANA", "U0BEN", "U0CHLOE"} <= sandbox.fake.members(channel["id"])
    topic = sandbox.fake.topic(channel["id"])
    assert "SEV-1" in topic and "<@U0ANA>" in topic and "first response due" in topic
    card_ts = sandbox.fake.pins(channel["id"])[0]
    card = next(m for m in sandbox.fake.messages(channel["id"]) if m["ts"] == card_ts)
    card_text = json.dumps(card["blocks"])
    assert "ESC-" in card_text and "Okafor Analytics" in card_text and "$180,000" in card_text
    assert "card_acknowledge" in card_text and "card_take_command" in card_text

    escalation = _only_escalation(sandbox)
    assert escalation.public_id.endswith("-001") and escalation.severity == "SEV-1"
    assert escalation.room_channel_id == channel["id"] and escalation.card_ts == card_ts
    announcement = sandbox.fake.messages("C0ESCALATIONS")[-1]
    assert escalation.public_id in json.dumps(announcement["blocks"])
    told = [e for e in sandbox.fake.ephemerals if e["user"] == "U0BEN"]
    assert told and channel["id"] in told[-1]["text"]


def test_sev3_gets_a_card_with_a_thread_where_it_was_raised(sandbox: Sandbox) -> None:
    view = open_modal(sandbox, SEV3_TEXT)
    assert (
        next(b for b in view["blocks"] if b["block_id"] == "severity")["element"]["initial_option"]["value"]
        == "SEV-3"
    )
    submit(sandbox, view, {"customer": "Initech"})
    settled(sandbox)

    escalation = _only_escalation(sandbox)
    assert escalation.room_kind == "thread" and escalation.room_channel_id is None
    assert sandbox.fake.calls_to("conversations.create") == []
    assert escalation.card_channel_id == "C0SUPPORT"
    thread = sandbox.fake.thread("C0SUPPORT", escalation.card_ts)
    assert len(thread) == 2, "the card and the incident commander's kickoff reply"
    assert "Initech" in json.dumps(thread[0]["blocks"])
    assert "<@U0BEN>" in thread[1]["text"] and "thread" in thread[1]["text"]


def test_the_same_submission_twice_and_a_slack_retry_make_one_escalation_and_one_room(
    sandbox: Sandbox,
) -> None:
    view = open_modal(sandbox, SEV1_TEXT)
    values = {"customer": "Okafor Analytics"}
    replies: list[int] = []
    threads = [
        threading.Thread(target=lambda: replies.append(submit(sandbox, view, values).status))
        for _ in range(3)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    submit(sandbox, view, values, retry_num=1)
    room_ready(sandbox)
    settled(sandbox)
    submit(sandbox, view, values, retry_num=2)  # after everything is done, too

    assert replies == [200, 200, 200]
    assert _count(sandbox) == 1
    assert len([c for c in sandbox.fake.calls_to("conversations.create") if c.ok]) == 1
    channel_id = _only_escalation(sandbox).room_channel_id
    assert channel_id is not None
    assert len(sandbox.fake.pins(channel_id)) == 1
    assert len(sandbox.fake.messages(channel_id)) == 1


def test_a_taken_name_gets_a_suffix(sandbox: Sandbox) -> None:
    view = open_modal(sandbox, SEV1_TEXT)
    summary = next(b for b in view["blocks"] if b["block_id"] == "summary")["element"]["initial_value"]
    from storage.db import utcnow

    taken = war_room_name(f"ESC-{utcnow().year}-001", "Okafor Analytics", summary)
    sandbox.fake.add_channel(taken)
    submit(sandbox, view, {"customer": "Okafor Analytics"})
    channel = room_ready(sandbox)
    assert channel["name"] == f"{taken}-2"
    assert validate_channel_name(channel["name"]) is None


def test_an_arr_of_abc_is_a_field_error_and_creates_nothing(sandbox: Sandbox) -> None:
    view = open_modal(sandbox, SEV1_TEXT)
    reply = submit(sandbox, view, {"customer": "Okafor Analytics", "arr": "abc"})
    assert reply.status == 200
    assert reply.json()["response_action"] == "errors"
    assert "arr" in reply.json()["errors"] and "180000" in reply.json()["errors"]["arr"]
    assert _count(sandbox) == 0
    assert sandbox.fake.calls_to("conversations.create") == []


def test_a_missing_customer_is_a_field_error(sandbox: Sandbox) -> None:
    view = open_modal(sandbox, "Dashboard is broken")
    reply = submit(sandbox, view, {"customer": "", "users_affected": "lots"})
    errors = reply.json()["errors"]
    assert set(errors) == {"customer", "users_affected"}
    assert _count(sandbox) == 0


def test_a_429_or_a_503_from_slack_once_still_completes_the_room(sandbox: Sandbox) -> None:
    sandbox.fake.fail_next("conversations.create", status=429, retry_after=1)
    sandbox.fake.fail_next("pins.add", status=429, retry_after=1)
    sandbox.fake.fail_next("conversations.setTopic", status=503)
    escalate(sandbox, SEV1_TEXT, {"customer": "Okafor Analytics"})
    channel = room_ready(sandbox)
    settled(sandbox)
    assert "SEV-1" in sandbox.fake.topic(channel["id"])
    assert len(sandbox.fake.calls_to("conversations.create")) == 2
    assert len(sandbox.fake.pins(channel["id"])) == 1


def test_a_tampered_signature_gets_401_and_does_nothing(sandbox: Sandbox) -> None:
    reply = sandbox.slack.slash_command(SEV1_TEXT, user_id="U0BEN", channel_id="C0SUPPORT", tamper=True)
    assert reply.status == 401
    stale = sandbox.slack.slash_command(SEV1_TEXT, user_id="U0BEN", channel_id="C0SUPPORT", timestamp=1)
    assert stale.status == 401
    assert sandbox.fake.calls_to("views.open") == []


def test_a_200_character_customer_name_gives_a_valid_channel_and_card(sandbox: Sandbox) -> None:
    customer = ("Très Long Company Name Ünlimited " * 7)[:120]
    description = "Production down for all users. " * 200
    view = open_modal(sandbox, description)
    long_name = ("Globex Intercontinental Holdings " * 7)[:200]
    reply = submit(sandbox, view, {"customer": long_name})
    assert reply.json()["response_action"] == "errors", "the modal caps customer names at 120 characters"
    submit(sandbox, view, {"customer": customer})
    channel = room_ready(sandbox)
    assert validate_channel_name(channel["name"]) is None and len(channel["name"]) <= 80
    card = sandbox.fake.messages(channel["id"])[0]
    assert validate_message_blocks(card["blocks"]) == []
    assert "…" in json.dumps(card["blocks"], ensure_ascii=False)


def test_acknowledge_records_the_first_response_and_updates_the_card(sandbox: Sandbox) -> None:
    escalate(sandbox, SEV1_TEXT, {"customer": "Okafor Analytics"})
    channel = room_ready(sandbox)
    settled(sandbox)
    escalation = _only_escalation(sandbox)
    for _ in range(2):  # a double click changes nothing the second time
        sandbox.slack.button(
            "card_acknowledge",
            str(escalation.id),
            user_id="U0ANA",
            channel_id=channel["id"],
            message_ts=escalation.card_ts,
        )
    wait_until(lambda: sandbox.fake.edit_count(channel["id"], escalation.card_ts) >= 1)
    wait_until(lambda: "acknowledged" in sandbox.fake.topic(channel["id"]))

    card = next(m for m in sandbox.fake.messages(channel["id"]) if m["ts"] == escalation.card_ts)
    text = json.dumps(card["blocks"])
    assert "Acknowledged by <@U0ANA>" in text and "card_acknowledge" not in text
    acknowledged = _only_escalation(sandbox)
    assert acknowledged.acknowledged_by == "U0ANA" and acknowledged.acknowledged_at is not None
    kinds = [e.kind for e in sandbox.warroom.service.timeline(escalation.id)]
    assert kinds.count("acknowledged") == 1


def test_take_command_reassigns_the_ic_and_the_card_and_topic_follow(sandbox: Sandbox) -> None:
    escalate(sandbox, SEV1_TEXT, {"customer": "Okafor Analytics", "ic": "U0ANA", "responders": ["U0CHLOE"]})
    channel = room_ready(sandbox)
    settled(sandbox)
    escalation = _only_escalation(sandbox)

    def click(user: str) -> None:
        sandbox.slack.button(
            "card_take_command",
            str(escalation.id),
            user_id=user,
            channel_id=channel["id"],
            message_ts=escalation.card_ts,
        )

    # A responder cannot take command: handing it over is for its owners (else anyone could then close it).
    click("U0CHLOE")
    wait_until(lambda: any("can hand over command" in e["text"] for e in sandbox.fake.ephemerals))
    assert _only_escalation(sandbox).ic_user_id == "U0ANA"
    click("U0BEN")  # the person who raised it can
    wait_until(lambda: "<@U0BEN>" in sandbox.fake.topic(channel["id"]).split("·")[2])
    wait_until(lambda: sandbox.fake.edit_count(channel["id"], escalation.card_ts) >= 1)
    card = next(m for m in sandbox.fake.messages(channel["id"]) if m["ts"] == escalation.card_ts)
    assert "*Incident commander*\\n<@U0BEN>" in json.dumps(card["blocks"])
    assert _only_escalation(sandbox).ic_user_id == "U0BEN"


def test_security_escalations_get_a_private_room_and_a_discreet_announcement(sandbox: Sandbox) -> None:
    escalate(
        sandbox,
        "Unauthorized access to Hooli's admin console; data may be exposed",
        {"customer": "Hooli", "escalation_type": "security"},
    )
    channel = room_ready(sandbox)
    assert channel["is_private"]
    announcement = json.dumps(sandbox.fake.messages("C0ESCALATIONS")[-1])
    assert "Hooli" not in announcement and "admin console" not in announcement
    assert "private" in announcement


def test_help_and_list_answer_only_the_person_asking(sandbox: Sandbox) -> None:
    help_reply = sandbox.slack.slash_command("help", user_id="U0DAVE", channel_id="C0GENERAL")
    assert help_reply.json()["response_type"] == "ephemeral"
    assert "/escalate list" in json.dumps(help_reply.json()["blocks"])

    escalate(sandbox, SEV1_TEXT, {"customer": "Okafor Analytics"})
    settled(sandbox)
    sandbox.slack.slash_command("list", user_id="U0DAVE", channel_id="C0GENERAL")
    answer = wait_until(lambda: sandbox.fake.responses)[-1][1]
    assert answer["response_type"] == "ephemeral"
    assert "Okafor Analytics" in json.dumps(answer["blocks"]) and "1 open escalation" in json.dumps(answer)


def test_an_open_escalation_for_the_same_customer_is_shown_before_a_second(sandbox: Sandbox) -> None:
    escalate(sandbox, "Acme Corp: SSO login loop for every user", {"customer": "Acme Corp"})
    settled(sandbox)
    view = open_modal(sandbox, "Acme Corp: exports are also failing")
    notice = next(b for b in view["blocks"] if b["block_id"] == "already_open")
    assert "-001" in notice["text"]["text"]


def test_escalate_this_message_keeps_the_permalink(sandbox: Sandbox) -> None:
    ts = sandbox.fake.add_message(
        "C0SUPPORT", "U0DAVE", "Globex: 1,200 users locked out after the SSO change"
    )
    sandbox.slack.message_shortcut(
        "escalate_message",
        {"ts": ts, "text": "Globex: 1,200 users locked out after the SSO change", "user": "U0DAVE"},
        user_id="U0BEN",
        channel_id="C0SUPPORT",
    )
    view = wait_until(lambda: sandbox.fake.calls_to("views.open"))[-1].params["view"]
    customer = next(b for b in view["blocks"] if b["block_id"] == "customer")
    assert customer["element"]["initial_value"] == "Globex"
    submit(sandbox, view, {})
    channel = room_ready(sandbox)
    settled(sandbox)
    escalation = _only_escalation(sandbox)
    assert escalation.source_permalink and ts.replace(".", "") in escalation.source_permalink
    assert sandbox.fake.bookmarks(channel["id"])[0]["link"] == escalation.source_permalink
    link_back = sandbox.fake.thread("C0SUPPORT", ts)[-1]
    assert escalation.public_id in link_back["text"] and channel["id"] in link_back["text"]


def test_a_step_that_fails_is_resumed_without_a_second_room(sandbox: Sandbox) -> None:
    sandbox.fake.fail_next("pins.add", error="internal_error")
    escalate(sandbox, SEV1_TEXT, {"customer": "Okafor Analytics"})
    wait_until(lambda: sandbox.fake.calls_to("pins.add"))
    wait_until(
        lambda: (
            [
                m
                for m in sandbox.fake.messages(sandbox.fake.dm_channel("U0BEN") or "D0NONE")
                if "pins" in m.get("text", "") or "pin" in m.get("text", "")
            ]
            if sandbox.fake.dm_channel("U0BEN")
            else None
        )
    )
    escalation = _only_escalation(sandbox)
    assert escalation.provisioned_at is None and escalation.room_channel_id

    from storage.db import utcnow

    assert sandbox.warroom.flow.resume_unfinished(utcnow()) == 0, "the retry waits for its backoff"
    assert sandbox.warroom.flow.resume_unfinished(utcnow() + timedelta(minutes=1)) == 1
    resumed = _only_escalation(sandbox)
    assert resumed.provisioned_at is not None
    assert len([c for c in sandbox.fake.calls_to("conversations.create") if c.ok]) == 1
    assert sandbox.fake.pins(resumed.room_channel_id) == [resumed.card_ts]
    assert len(sandbox.fake.messages(resumed.room_channel_id)) == 1


def test_a_typed_customer_with_an_open_escalation_is_warned_once_then_opened(sandbox: Sandbox) -> None:
    escalate(sandbox, "Acme Corp: SSO login loop for every user", {"customer": "Acme Corp"})
    settled(sandbox)
    view = open_modal(sandbox, "Exports are failing since this morning")
    typed = {"customer": "ACME corp", "tried": "Retried the export twice", "responders": ["U0DAVE"]}
    first = submit(sandbox, view, typed)
    answer = first.json()
    assert answer["response_action"] == "update"
    warned = answer["view"]
    notice = next(b for b in warned["blocks"] if b["block_id"] == "already_open")
    assert "-001" in notice["text"]["text"]
    by_id = {b["block_id"]: b["element"] for b in warned["blocks"] if b["type"] == "input"}
    assert by_id["customer"]["initial_value"] == "ACME corp"
    assert by_id["tried"]["initial_value"] == "Retried the export twice"
    assert by_id["responders"]["initial_users"] == ["U0DAVE"]
    assert _count(sandbox) == 1

    warned_view = {**warned, "id": view.get("id")}
    second = submit(sandbox, warned_view, {})
    assert second.status == 200 and second.body == ""
    wait_until(lambda: _count(sandbox) == 2)


def test_a_card_posted_just_before_a_crash_is_found_not_posted_again(sandbox: Sandbox) -> None:
    from storage import claims
    from storage.db import utcnow

    sandbox.fake.fail_next("pins.add", error="internal_error")
    escalate(sandbox, SEV1_TEXT, {"customer": "Okafor Analytics"})
    wait_until(lambda: sandbox.fake.calls_to("pins.add"))
    wait_until(lambda: _only_escalation(sandbox).provisioning_owner is None)
    escalation = _only_escalation(sandbox)
    # Simulate a crash between chat.postMessage and recording its answer: the card exists in Slack,
    # but the record only says the step started.
    with sandbox.warroom.db.session() as session:
        step = claims.steps_of(session, escalation.id)["room_card"]
        step.status, step.result = "started", {}
        row = session.get(Escalation, escalation.id)
        assert row is not None
        row.card_ts = row.card_channel_id = None

    sandbox.warroom.flow.resume_unfinished(utcnow() + timedelta(minutes=1))
    resumed = _only_escalation(sandbox)
    assert resumed.card_ts == escalation.card_ts
    assert len(sandbox.fake.messages(resumed.room_channel_id)) == 1
    assert sandbox.fake.pins(resumed.room_channel_id) == [escalation.card_ts]


def test_a_step_that_keeps_failing_tells_the_caller_once(sandbox: Sandbox) -> None:
    from storage.db import utcnow

    sandbox.fake.fail_next("pins.add", error="internal_error", times=3)
    escalate(sandbox, SEV1_TEXT, {"customer": "Okafor Analytics"})
    wait_until(
        lambda: sandbox.fake.calls_to("pins.add") and _only_escalation(sandbox).provisioning_owner is None
    )
    for minutes in (1, 3):  # retries back off: 30 s, then 1 min, then 2 min...
        assert sandbox.warroom.flow.resume_unfinished(utcnow() + timedelta(minutes=minutes)) == 1
    dm = sandbox.fake.dm_channel("U0BEN")
    assert dm is not None
    notices = [m for m in sandbox.fake.messages(dm) if "setting up its room stopped" in m.get("text", "")]
    assert len(notices) == 1
    assert len(sandbox.fake.calls_to("pins.add")) == 3
