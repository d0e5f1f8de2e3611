"""The intake form and the same issue open for another customer, end to end (signed requests → the Bolt app
over HTTP → the fake Slack), on both databases: the form shows a very similar open escalation with a way in
(join its war room, or open its card's thread), joining invites the person and says so without opening
anything, a private one stays invisible to outsiders, and its text stays inert."""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import replace
from typing import Any

from sqlalchemy import func, select

from blocks.escalations.intake_modal import IntakeSource, build_intake_modal
from blocks.escalations.patterns import JOIN_ROOM, OPEN_CARD, OpenElsewhere
from bot.core.vocabulary import SEVERITIES
from bot.escalations.intake import IntakeDraft
from bot.escalations.read_model import EscalationSnapshot
from bot.policy.model import default_policy
from bot.sandbox.block_kit_rules import validate_view
from bot.sandbox.fake_workspace import TEAM_URL
from bot.sandbox.signed import TEAM, fill_view_state
from bot.sandbox.stack import Sandbox, wait_until
from storage.models import Escalation
from tests.block_samples import esc_fixture as esc_fixture
from tests.block_samples import extreme_fixture as extreme_fixture
from tests.flows import escalate, open_modal, settled

OUTSIDER = "U0DAVE"  # not in any room, not an IC or a caller, and there is no managers group
GLOBEX_SSO = "Globex — SSO login loop since this morning"
ACME_SSO = "Acme: SSO login loop after the update"
LIVE = ("<!channel>", "<!here>", "<!everyone>", "<https://evil.example")


def _count(sandbox: Sandbox) -> int:
    with sandbox.warroom.db.session() as session:
        return session.execute(select(func.count()).select_from(Escalation)).scalar_one()


def _open_escalation(sandbox: Sandbox, text: str, values: dict[str, Any], user: str = "U0BEN") -> Escalation:
    before = _count(sandbox)
    reply = escalate(sandbox, text, values, user=user)
    assert reply.status == 200 and reply.body == "", reply.body
    wait_until(lambda: _count(sandbox) == before + 1)
    settled(sandbox)
    with sandbox.warroom.db.session() as session:
        return session.execute(select(Escalation).order_by(Escalation.id.desc()).limit(1)).scalar_one()


def _form(sandbox: Sandbox, text: str, user: str = OUTSIDER) -> dict[str, Any]:
    """`/escalate <text>`; the form as the fake Slack holds it (with its id and hash)."""
    key = IntakeSource.from_metadata(open_modal(sandbox, text, user=user)["private_metadata"]).intake_key
    return next(
        v
        for v in sandbox.fake.views.values()
        if IntakeSource.from_metadata(v["private_metadata"]).intake_key == key
    )


def _block(view: dict[str, Any], block_id: str) -> dict[str, Any] | None:
    return next((b for b in view["blocks"] if b.get("block_id") == block_id), None)


def _click(sandbox: Sandbox, view: dict[str, Any], block_id: str, user: str = OUTSIDER) -> dict[str, Any]:
    """Click the button of section `block_id` in the open form; the form once warroom has updated it."""
    button = (_block(view, block_id) or {})["accessory"]
    return _send_click(sandbox, view, block_id, button["action_id"], button["value"], user)


def _send_click(
    sandbox: Sandbox, view: dict[str, Any], block_id: str, action_id: str, value: str, user: str
) -> dict[str, Any]:
    before = len(sandbox.fake.calls_to("views.update"))
    payload = {
        "type": "block_actions",
        "team": TEAM,
        "user": {"id": user, "username": user.lower(), "team_id": TEAM["id"]},
        "api_app_id": "A0WARROOM",
        "token": "legacy-verification-token",
        "container": {"type": "view", "view_id": view["id"]},
        "trigger_id": f"trigger-{uuid.uuid4().hex[:12]}",
        "view": {**view, "state": {"values": fill_view_state(view, {})}},
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "block_id": block_id,
                "value": value,
                "action_ts": f"{time.time():.6f}",
            }
        ],
    }
    reply = sandbox.slack.interaction(payload)
    assert reply.status == 200 and reply.body == "", reply.body
    wait_until(lambda: len(sandbox.fake.calls_to("views.update")) > before)
    return sandbox.fake.views[view["id"]]


def _mrkdwn(view: dict[str, Any]) -> list[str]:
    """Every mrkdwn text of the form (Slack parses those for mentions and links)."""
    return [
        text["text"]
        for block in view["blocks"]
        for text in [block.get("text") or {}, *(block.get("elements") or [])]
        if text.get("type") == "mrkdwn"
    ]


# --- shown, with a way in ------------------------------------------------------------------------------


def test_the_form_shows_a_similar_open_escalation_of_another_customer_and_join_invites_you(
    sandbox: Sandbox,
) -> None:
    globex = _open_escalation(sandbox, GLOBEX_SSO, {"customer": "Globex", "severity": "SEV-1"})
    room = globex.room_channel_id
    assert room and OUTSIDER not in sandbox.fake.members(room)

    view = _form(sandbox, ACME_SSO)

    similar = _block(view, f"similar_{globex.id}")
    assert similar is not None, "the same issue, open for Globex, is shown"
    text = similar["text"]["text"]
    assert globex.public_id in text and "Globex" in text and "SEV-1" in text and f"<#{room}>" in text
    assert similar["accessory"]["text"]["text"] == "Join that room"
    assert view["blocks"].index(_block(view, "similar_open")) < view["blocks"].index(_block(view, "customer"))

    joined = _click(sandbox, view, f"similar_{globex.id}")

    assert OUTSIDER in sandbox.fake.members(room), "invited to the war room"
    notice = (_block(joined, "joined_room") or {})["text"]["text"]
    assert f"You're in <#{room}> now" in notice and "Nothing new was opened" in notice
    assert _block(joined, f"similar_{globex.id}") is None
    assert joined["close"]["text"] == "Close" and _block(joined, "summary") is not None, "they can go on"
    assert _count(sandbox) == 1, "nothing new was opened"


def test_a_typed_summary_is_looked_up_when_enter_is_pressed(sandbox: Sandbox) -> None:
    globex = _open_escalation(sandbox, GLOBEX_SSO, {"customer": "Globex", "severity": "SEV-2"})
    view = _form(sandbox, "Call from Acme, they are upset")
    assert _block(view, "similar_open") is None

    before = len(sandbox.fake.calls_to("views.update"))
    sandbox.slack.view_action(
        view, "summary", {"summary": "Users stuck in an SSO login loop"}, user_id=OUTSIDER
    )
    wait_until(lambda: len(sandbox.fake.calls_to("views.update")) > before)

    updated = sandbox.fake.views[view["id"]]
    assert _block(updated, f"similar_{globex.id}") is not None
    kept = [(_block(v, "summary") or {})["element"]["action_id"] for v in (view, updated)]
    assert kept[0] == kept[1], "the same action_id: Slack keeps what was typed"


def test_a_card_worked_in_a_thread_gets_a_link_to_its_thread(sandbox: Sandbox) -> None:
    card = _open_escalation(
        sandbox, "CSV export times out for large reports", {"customer": "Globex", "severity": "SEV-3"}
    )
    assert card.room_channel_id is None and card.card_ts

    view = _form(sandbox, "Initech: CSV exports timing out on big reports")

    button = (_block(view, f"similar_{card.id}") or {})["accessory"]
    assert button["text"]["text"] == "Open its thread" and button["action_id"] == OPEN_CARD
    # Slack's permalink of the card, built from the workspace's address: the form does not wait on Slack.
    assert button["url"] == f"{TEAM_URL}archives/C0SUPPORT/p{card.card_ts.replace('.', '')}"
    assert not sandbox.fake.calls_to("chat.getPermalink")
    reply = sandbox.slack.interaction(
        {
            "type": "block_actions",
            "team": TEAM,
            "user": {"id": OUTSIDER, "team_id": TEAM["id"]},
            "container": {"type": "view", "view_id": view["id"]},
            "view": view,
            "actions": [{"type": "button", "action_id": OPEN_CARD, "block_id": f"similar_{card.id}"}],
        }
    )
    assert reply.status == 200, "a click on the link is acknowledged"


def test_the_customers_own_open_escalation_is_not_shown_twice(sandbox: Sandbox) -> None:
    _open_escalation(sandbox, GLOBEX_SSO, {"customer": "Globex", "severity": "SEV-1"})
    view = _form(sandbox, "Globex: SSO login loop again")
    before = len(sandbox.fake.calls_to("views.update"))
    sandbox.slack.view_action(view, "customer", {"customer": "Globex"}, user_id=OUTSIDER)
    wait_until(lambda: len(sandbox.fake.calls_to("views.update")) > before)
    updated = sandbox.fake.views[view["id"]]
    assert _block(updated, "already_open") is not None and _block(updated, "similar_open") is None


# --- private stays private; text stays inert ------------------------------------------------------------


def test_a_private_similar_escalation_is_hidden_from_an_outsider_and_shown_to_its_people(
    sandbox: Sandbox,
) -> None:
    private = _open_escalation(
        sandbox, "Globex: SSO login loop", {"customer": "Globex", "escalation_type": "security"}
    )
    assert private.is_private and private.room_channel_id

    outsider_view = _form(sandbox, ACME_SSO, user=OUTSIDER)
    said = json.dumps(outsider_view["blocks"])
    assert _block(outsider_view, "similar_open") is None
    assert private.public_id not in said and "Globex" not in said and "private" not in said.lower()

    caller_view = _form(sandbox, ACME_SSO, user="U0BEN")
    assert _block(caller_view, f"similar_{private.id}") is not None, "its caller sees it"

    # A click naming it anyway (a stale or forged button) finds nothing and invites nobody.
    answered = _send_click(sandbox, outsider_view, "similar_open", JOIN_ROOM, private.public_id, OUTSIDER)
    problem = (_block(answered, "join_problem") or {})["text"]["text"]
    assert f"I can't find *{private.public_id}*" in problem
    assert OUTSIDER not in sandbox.fake.members(private.room_channel_id)
    assert _block(answered, "joined_room") is None


def test_hostile_text_of_a_similar_escalation_stays_inert_in_the_form(sandbox: Sandbox) -> None:
    hostile = _open_escalation(
        sandbox,
        "<!here> SSO login loop <https://evil.example|click>",
        {"customer": "<!channel>", "summary": "<!here> SSO login loop", "severity": "SEV-2"},
    )
    view = _form(sandbox, ACME_SSO)
    text = (_block(view, f"similar_{hostile.id}") or {})["text"]["text"]
    assert "&lt;!channel&gt;" in text and "&lt;!here&gt; SSO login loop" in text
    assert not [marker for marker in LIVE for said in _mrkdwn(view) if marker in said]


def test_the_form_stays_valid_block_kit_with_extreme_similar_escalations(
    esc: EscalationSnapshot, extreme: EscalationSnapshot
) -> None:
    policy = default_policy()
    similar = [
        replace(extreme, is_private=False, room_channel_id="C0ROOM"),
        replace(extreme, id=9, public_id="ESC-2026-009", room_channel_id=None, card_channel_id="C0SUPPORT"),
        replace(esc, id=10, public_id="ESC-2026-010", room_channel_id=None, card_channel_id=None),
    ]
    view = build_intake_modal(
        IntakeDraft(text="SSO login loop", summary="SSO login loop"),
        IntakeSource(intake_key="k", joined="ESC-2026-007"),
        "U0BEN",
        ("SEV-2", ("Because",)),
        {s: policy.for_severity(s).label for s in SEVERITIES},
        policy.escalation_types,
        (),
        OpenElsewhere(similar, {9: f"{TEAM_URL}archives/C0SUPPORT/p1"}, esc, "A problem"),
    )
    assert validate_view(view) == []
    assert [b["block_id"] for b in view["blocks"][:5]] == [
        "joined_room",
        "join_problem",
        "similar_open",
        "similar_8",
        "similar_9",
    ]
    assert "accessory" not in (_block(view, "similar_10") or {}), "no room, no link: nothing to click"
    assert IntakeSource.from_metadata(view["private_metadata"]).joined == "ESC-2026-007"
