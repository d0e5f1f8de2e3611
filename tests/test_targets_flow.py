"""End to end: what `/escalate …` refers to, as Slack would send it (signed requests → the Bolt app over
HTTP → the fake Slack), on both databases.

A command is acknowledged at once and worked on afterwards, so each step waits for the reply that proves
its request was processed before asserting what did *not* happen.
"""

from __future__ import annotations

import json

from bot.sandbox.stack import Sandbox, wait_until
from storage.models import Escalation
from tests.flows import SEV1_TEXT, SEV3_TEXT, open_modal, room_ready, submit
from tests.room_steps import STRANGER, count, events, open_escalation
from tests.room_steps import row as row_of

INITECH_TEXT = SEV3_TEXT
UMBRELLA_TEXT = (
    "Umbrella: the weekly usage report arrives a few hours late; a workaround exists (run it by hand)."
)
HOOLI = "Update from Hooli: their SSO is broken, all users locked out"
SECURITY_TEXT = "Unauthorized access to Hooli's admin console; data may be exposed"


# --- helpers -------------------------------------------------------------------------------------


def _command(sandbox: Sandbox, text: str, *, user: str = "U0BEN", channel: str = "C0SUPPORT") -> dict:
    """Type `/escalate <text>` and return the one ephemeral reply posted to its response_url."""
    before = len(sandbox.fake.responses)
    reply = sandbox.slack.slash_command(text, user_id=user, channel_id=channel)
    assert reply.status == 200, reply.body
    new = wait_until(lambda: sandbox.fake.responses[before:])
    assert len(new) == 1, new
    body = new[0][1]
    assert body.get("response_type", "ephemeral") == "ephemeral"
    return body


def _said(body: dict) -> str:
    return json.dumps(body, ensure_ascii=False)


def _two_sev3_cards(sandbox: Sandbox) -> tuple[Escalation, Escalation]:
    """Initech and Umbrella, each a SEV-3 card in #support."""
    initech = open_escalation(sandbox, INITECH_TEXT, {"customer": "Initech", "severity": "SEV-3"})
    umbrella = open_escalation(sandbox, UMBRELLA_TEXT, {"customer": "Umbrella", "severity": "SEV-3"})
    for esc in (initech, umbrella):
        assert esc.severity == "SEV-3" and esc.room_channel_id is None
        assert esc.card_channel_id == "C0SUPPORT" and esc.card_ts
    return initech, umbrella


def _threads(sandbox: Sandbox, *escs: Escalation) -> list[int]:
    return [len(sandbox.fake.thread("C0SUPPORT", esc.card_ts or "")) for esc in escs]


def _sev1_room(sandbox: Sandbox) -> Escalation:
    """A public SEV-1 war room raised by @ben, @ana its IC, @chloe a responder."""
    esc = open_escalation(
        sandbox, SEV1_TEXT, {"customer": "Okafor Analytics", "ic": "U0ANA", "responders": ["U0CHLOE"]}
    )
    room_ready(sandbox)
    assert esc.severity == "SEV-1" and esc.room_channel_id
    assert {"U0ANA", "U0BEN", "U0CHLOE"} <= sandbox.fake.members(esc.room_channel_id)
    return esc


# --- (a) "Update from Hooli: …" in a channel with two cards is a new report ------------------------


def test_update_from_another_customer_opens_the_intake_not_an_update_to_a_card(sandbox: Sandbox) -> None:
    initech, umbrella = _two_sev3_cards(sandbox)
    threads = _threads(sandbox, initech, umbrella)
    opened = len(sandbox.fake.calls_to("views.open"))
    posted = len(sandbox.fake.calls_to("chat.postMessage"))

    reply = sandbox.slack.slash_command(HOOLI, user_id="U0DAVE", channel_id="C0SUPPORT")
    assert reply.status == 200

    view = wait_until(lambda: sandbox.fake.calls_to("views.open")[opened:])[-1].params["view"]
    assert "Hooli" in json.dumps(view)
    customer = next(b for b in view["blocks"] if b.get("block_id") == "customer")
    assert customer["element"].get("initial_value") == "Hooli"
    assert _threads(sandbox, initech, umbrella) == threads, "nothing posted under either card"
    assert len(sandbox.fake.calls_to("chat.postMessage")) == posted
    for esc in (initech, umbrella):
        assert events(sandbox, esc.id, "internal_update") == []
        assert row_of(sandbox, esc.id).last_internal_update_text is None
    assert count(sandbox) == 2


# --- (b) several cards and no id: nothing is guessed, the choices are listed -------------------------


def test_a_subcommand_with_two_cards_in_the_channel_changes_nothing_and_lists_both(sandbox: Sandbox) -> None:
    initech, umbrella = _two_sev3_cards(sandbox)
    threads = _threads(sandbox, initech, umbrella)

    for text in ("status identified", "update restarted the pods", "resolve restarted the pods"):
        said = _said(_command(sandbox, text))
        for esc in (initech, umbrella):
            assert esc.public_id in said and esc.customer.name in said, (text, said)
        assert "changed nothing" in said

    for esc in (initech, umbrella):
        row = row_of(sandbox, esc.id)
        assert (row.status, row.resolved_at, row.last_internal_update_at) == ("investigating", None, None)
        assert events(sandbox, esc.id, "internal_update") == []
        assert events(sandbox, esc.id, "status_changed") == []
    assert _threads(sandbox, initech, umbrella) == threads


# --- (c) naming the id changes that one only -------------------------------------------------------


def test_a_subcommand_naming_an_id_changes_that_escalation_only(sandbox: Sandbox) -> None:
    initech, umbrella = _two_sev3_cards(sandbox)

    sandbox.slack.slash_command(
        f"update {umbrella.public_id} restarted the pods", user_id="U0BEN", channel_id="C0SUPPORT"
    )
    wait_until(lambda: events(sandbox, umbrella.id, "internal_update"))
    sandbox.slack.slash_command(
        f"resolve {umbrella.public_id} the restart fixed it", user_id="U0BEN", channel_id="C0SUPPORT"
    )
    wait_until(lambda: row_of(sandbox, umbrella.id).status == "resolved")

    [update] = events(sandbox, umbrella.id, "internal_update")
    assert update.text == "restarted the pods" and update.actor_user_id == "U0BEN"
    # Said under Umbrella's card (posted after the commit, so waited for rather than assumed).
    wait_until(
        lambda: any(
            "restarted the pods" in m.get("text", "")
            for m in sandbox.fake.thread("C0SUPPORT", umbrella.card_ts or "")
        )
    )

    row = row_of(sandbox, initech.id)
    assert (row.status, row.last_internal_update_at) == ("investigating", None)
    assert events(sandbox, initech.id, "internal_update") == []
    assert events(sandbox, initech.id, "status_changed") == []
    assert not any(
        "restarted the pods" in m.get("text", "")
        for m in sandbox.fake.thread("C0SUPPORT", initech.card_ts or "")
    )


# --- (d) a single unknown word is help, not a form ---------------------------------------------------


def test_a_single_unknown_word_in_a_war_room_gets_help_and_no_modal(sandbox: Sandbox) -> None:
    esc = _sev1_room(sandbox)
    opened = len(sandbox.fake.calls_to("views.open"))

    said = _said(_command(sandbox, "postmortem", channel=esc.room_channel_id or ""))

    assert "not a warroom command" in said and "/escalate postmortem" in said
    assert len(sandbox.fake.calls_to("views.open")) == opened, "no intake form for one word in a room"
    assert count(sandbox) == 1


def test_a_mistyped_subcommand_anywhere_suggests_the_right_one(sandbox: Sandbox) -> None:
    opened = len(sandbox.fake.calls_to("views.open"))
    for channel in ("C0GENERAL", "C0SUPPORT"):
        said = _said(_command(sandbox, "stauts", channel=channel))
        assert "not a warroom command" in said
        assert "Did you mean `/escalate status" in said
    assert len(sandbox.fake.calls_to("views.open")) == opened


# --- (e) a private escalation does not exist for people outside it ----------------------------------


def _private(sandbox: Sandbox) -> Escalation:
    esc = open_escalation(sandbox, SECURITY_TEXT, {"customer": "Hooli", "escalation_type": "security"})
    room_ready(sandbox)
    assert esc.is_private and esc.room_channel_id
    assert sandbox.fake.channel(esc.room_channel_id)["is_private"]
    sandbox.fake.add_user(STRANGER, "eve", "Eve Outsider", "Contractor")
    assert STRANGER not in sandbox.fake.members(esc.room_channel_id)
    return esc


def _secrets(esc: Escalation) -> tuple[str, ...]:
    return ("Hooli", esc.title, "admin console", esc.room_channel_id or "C0NONE")


def test_a_non_member_does_not_see_a_private_escalation_in_the_list(sandbox: Sandbox) -> None:
    esc = _private(sandbox)
    said = _said(_command(sandbox, "list", user=STRANGER, channel="C0GENERAL"))
    for secret in _secrets(esc):
        assert secret not in said, secret
    assert esc.public_id not in said
    assert "1 private escalation not shown" in said

    member = _said(_command(sandbox, "list", user="U0BEN", channel="C0GENERAL"))
    assert "Hooli" in member and esc.public_id in member, "the person who raised it sees it"


def test_the_intake_form_does_not_show_a_private_escalation_to_a_non_member(sandbox: Sandbox) -> None:
    esc = _private(sandbox)
    view = open_modal(sandbox, "Hooli: exports are slow", user=STRANGER, channel="C0GENERAL")
    shown = json.dumps(view)
    assert esc.public_id not in shown and (esc.room_channel_id or "C0NONE") not in shown
    assert "already_open" not in shown, "no open-escalation notice: for them it does not exist"

    submitted = submit(sandbox, view, {"customer": "Hooli"}, user=STRANGER)
    assert submitted.body == "", "no warning on submit either: it goes straight through"

    mine = json.dumps(open_modal(sandbox, "Hooli: exports are slow", user="U0BEN", channel="C0GENERAL"))
    assert esc.public_id in mine, "the person who raised it is shown it before opening a second one"


def test_a_non_member_naming_a_private_escalation_is_told_it_cannot_be_found(sandbox: Sandbox) -> None:
    esc = _private(sandbox)
    before = row_of(sandbox, esc.id)
    card_edits = sandbox.fake.edit_count(esc.room_channel_id or "", esc.card_ts or "")
    room_messages = len(sandbox.fake.messages(esc.room_channel_id or ""))

    for text in (
        f"status {esc.public_id}",
        f"status {esc.public_id} resolved",
        f"update {esc.public_id} x",
        f"severity {esc.public_id} SEV-4",
        f"customer-update {esc.public_id} told them",
        f"timeline {esc.public_id}",
        f"role {esc.public_id} liaison <@{STRANGER}|eve>",
        f"resolve {esc.public_id} fixed it",
        f"confirm {esc.public_id}",
        f"close {esc.public_id} not needed",
        f"reopen {esc.public_id} again",
    ):
        said = _said(_command(sandbox, text, user=STRANGER, channel="C0GENERAL"))
        assert "I can't find" in said and esc.public_id in said, (text, said)
        for secret in _secrets(esc):
            assert secret not in said, (text, secret)

    after = row_of(sandbox, esc.id)
    assert (after.status, after.severity, after.last_internal_update_at, after.last_customer_update_at) == (
        before.status,
        before.severity,
        None,
        None,
    )
    assert after.liaison_user_id is None
    for kind in (
        "internal_update",
        "status_changed",
        "severity_changed",
        "customer_update",
        "premature_closure",
    ):
        assert events(sandbox, esc.id, kind) == [], kind
    assert sandbox.fake.edit_count(esc.room_channel_id or "", esc.card_ts or "") == card_edits
    assert len(sandbox.fake.messages(esc.room_channel_id or "")) == room_messages


def _click_acknowledge(sandbox: Sandbox, esc: Escalation, user: str, channel: str) -> None:
    """Click the card's Acknowledge button and wait until warroom has answered the click: either the
    acknowledgement is recorded or the person is told why not (an ephemeral, where Slack allows one)."""
    told = len(sandbox.fake.calls_to("chat.postEphemeral"))
    reply = sandbox.slack.button(
        "card_acknowledge", str(esc.id), user_id=user, channel_id=channel, message_ts=esc.card_ts or ""
    )
    assert reply.status == 200

    def answered() -> bool:
        refusals = [
            call
            for call in sandbox.fake.calls_to("chat.postEphemeral")[told:]
            if call.params.get("user") == user
        ]
        return bool(refusals) or row_of(sandbox, esc.id).acknowledged_at is not None

    wait_until(answered)


def test_a_non_member_clicking_acknowledge_from_outside_the_room_records_nothing(sandbox: Sandbox) -> None:
    esc = _private(sandbox)
    _click_acknowledge(sandbox, esc, STRANGER, "C0GENERAL")  # e.g. a copy of the card shared elsewhere
    row = row_of(sandbox, esc.id)
    assert (row.acknowledged_at, row.acknowledged_by) == (None, None)
    assert events(sandbox, esc.id, "acknowledged") == []
    [refusal] = [c for c in sandbox.fake.calls_to("chat.postEphemeral") if c.params.get("user") == STRANGER]
    assert "I can't find" in json.dumps(refusal.params) and "Hooli" not in json.dumps(refusal.params)


def test_a_non_member_clicking_acknowledge_in_the_private_room_records_nothing(sandbox: Sandbox) -> None:
    esc = _private(sandbox)
    _click_acknowledge(sandbox, esc, STRANGER, esc.room_channel_id or "")
    row = row_of(sandbox, esc.id)
    assert (row.acknowledged_at, row.acknowledged_by) == (None, None)
    assert events(sandbox, esc.id, "acknowledged") == []


# --- (f) downgrading from the war room is for the IC, the caller or a manager -----------------------


def test_a_room_member_typing_a_downgrade_in_the_war_room_is_refused_and_told_who_can(
    sandbox: Sandbox,
) -> None:
    esc = _sev1_room(sandbox)
    room = esc.room_channel_id or ""
    room_messages = len(sandbox.fake.messages(room))

    said = _said(_command(sandbox, "severity SEV-3 looks minor now", user="U0CHLOE", channel=room))

    assert "<@U0ANA>" in said and "downgrade" in said and esc.public_id in said
    row = row_of(sandbox, esc.id)
    assert row.severity == "SEV-1"
    assert events(sandbox, esc.id, "severity_changed") == []
    assert len(sandbox.fake.messages(room)) == room_messages, "nothing said in the room"

    # The IC may: the same command from them goes through, in the same room.
    sandbox.slack.slash_command("severity SEV-2 contained to one region", user_id="U0ANA", channel_id=room)
    wait_until(lambda: row_of(sandbox, esc.id).severity == "SEV-2")
    [changed] = events(sandbox, esc.id, "severity_changed")
    assert changed.actor_user_id == "U0ANA"


def test_a_room_member_may_escalate_from_the_war_room(sandbox: Sandbox) -> None:
    esc = open_escalation(
        sandbox, SEV1_TEXT, {"customer": "Okafor Analytics", "severity": "SEV-2", "responders": ["U0CHLOE"]}
    )
    room_ready(sandbox)
    sandbox.slack.slash_command(
        "severity SEV-1 second region down", user_id="U0CHLOE", channel_id=esc.room_channel_id or ""
    )
    wait_until(lambda: row_of(sandbox, esc.id).severity == "SEV-1")
    [changed] = events(sandbox, esc.id, "severity_changed")
    assert changed.actor_user_id == "U0CHLOE"
