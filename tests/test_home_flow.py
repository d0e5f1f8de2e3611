"""End to end: the App Home tab as Slack would drive it (a signed `app_home_opened` event or a click on
the tab's buttons → the Bolt app over HTTP → `views.publish` / `views.open` on the fake Slack, which
validates the view as Slack does), on both databases."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, select, update

from blocks import limits
from blocks.escalations.intake_modal import CALLBACK_ID as INTAKE_CALLBACK_ID
from blocks.escalations.intake_modal import IntakeSource
from blocks.home.home_tab import REFRESH_HOME, START_ESCALATION
from bot.core.vocabulary import FollowUpKind
from bot.escalations.changes import Actor
from bot.escalations.intake import Intake
from bot.home.service import HomeDashboard
from bot.sandbox.signed import TEAM
from bot.sandbox.stack import ControlledClock, Sandbox, wait_until
from storage.db import Database
from storage.models import Escalation
from tests.flows import escalate, settled, submit

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
IC, CALLER, RESPONDER, OUTSIDER = "U0ANA", "U0BEN", "U0CHLOE", "U0DAVE"
SEVERITIES = ("SEV-1", "SEV-2", "SEV-3", "SEV-4")
SECURITY_TEXT = "Unauthorized access to Hooli's admin console; data may be exposed"
HOSTILE = "<!channel> <@U123> <https://evil|x>"


@pytest.fixture
def home(db: Database) -> Iterator[tuple[Sandbox, ControlledClock]]:
    """The app on a clock that stands still at T0 until a test moves it."""
    clock = ControlledClock(T0)
    with Sandbox(db=db, clock=clock) as sandbox:
        yield sandbox, clock


# --- helpers -------------------------------------------------------------------------------------


def _create(sandbox: Sandbox, key: str, customer: str, severity: str, **intake: Any) -> int:
    """An escalation as the modal would create it (no room: these tests are about the dashboard)."""
    private = intake.pop("private", False)
    caller = intake.pop("caller", CALLER)
    esc, created = sandbox.warroom.service.create(
        Intake(
            customer=customer,
            summary=intake.pop("summary", "Reports failing"),
            escalation_type="security" if private else "technical",
            severity=severity,
            ic_user_id=intake.pop("ic_user_id", IC),
            **intake,
        ),
        caller,
        IntakeSource(key),
    )
    assert created and esc.is_private == private
    return esc.id


def _set(sandbox: Sandbox, ids: list[int], **values: Any) -> None:
    with sandbox.warroom.db.session() as session:
        session.execute(update(Escalation).where(Escalation.id.in_(ids)).values(**values))


def _rows(sandbox: Sandbox) -> dict[int, Escalation]:
    with sandbox.warroom.db.session() as session:
        return {row.id: row for row in session.execute(select(Escalation)).scalars()}


def _published(sandbox: Sandbox, user: str) -> list[Any]:
    return [c for c in sandbox.fake.calls_to("views.publish") if c.params.get("user_id") == user]


def _open_home(sandbox: Sandbox, user: str, tab: str = "home") -> dict[str, Any]:
    """`user` opens warroom's Home tab; the view Slack accepted for them."""
    before = len(_published(sandbox, user))
    reply = sandbox.slack.event(
        {"type": "app_home_opened", "user": user, "channel": f"D{user}", "tab": tab, "event_ts": _ts()}
    )
    assert reply.status == 200, reply.body
    call = wait_until(lambda: _published(sandbox, user)[before:])[-1]
    assert call.ok, call.error  # the fake validates Block Kit and the 100-block limit as Slack does
    view = call.params["view"]
    assert view["type"] == "home" and len(view["blocks"]) <= limits.VIEW_BLOCKS
    return view


def _click(sandbox: Sandbox, action_id: str, user: str, value: str = "home") -> None:
    """`user` presses a button on their Home tab."""
    payload = {
        "type": "block_actions",
        "team": {"id": TEAM["id"], "domain": TEAM["domain"]},
        "user": {"id": user, "username": user.lower(), "team_id": TEAM["id"]},
        "api_app_id": "A0WARROOM",
        "token": "legacy-verification-token",
        "container": {"type": "view", "view_id": "V0HOME"},
        "trigger_id": f"trigger-{uuid.uuid4().hex[:12]}",
        "view": {"id": "V0HOME", "type": "home", "callback_id": "warroom_home", "blocks": []},
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "block_id": "home_actions",
                "value": value,
                "action_ts": _ts(),
            }
        ],
    }
    reply = sandbox.slack.interaction(payload)
    assert reply.status == 200 and reply.body == "", reply.body


def _ts() -> str:
    return f"{time.time():.6f}"


def _text(view: dict[str, Any], block_id: str) -> str:
    block = next(b for b in view["blocks"] if b.get("block_id") == block_id)
    return block["text"]["text"] if "text" in block else block["elements"][0]["text"]


def _lines(view: dict[str, Any], prefix: str = "esc_") -> list[int]:
    """The escalations the view lists under `prefix`, in order."""
    ids = [b["block_id"] for b in view["blocks"] if b.get("block_id", "").startswith(prefix)]
    return [int(block_id.removeprefix(prefix)) for block_id in ids]


def _said(view: dict[str, Any]) -> str:
    return json.dumps(view["blocks"], ensure_ascii=False)


# --- 300 open escalations --------------------------------------------------------------------------


def _three_hundred(sandbox: Sandbox, clock: ControlledClock) -> dict[str, list[int]]:
    """300 open escalations at T0, all with @ana as IC: every fourth of each severity; every tenth
    private (security) in one of three private rooms of @ana and @ben; the private SEV-1s never
    acknowledged; every twelfth a public SEV-1 whose resolution SLA has breached. The clock then stands
    at T0 + 20 min, past the 15-minute first response of the unacknowledged SEV-1s."""
    rooms = [
        sandbox.fake.add_channel(f"esc-secret-{n}", is_private=True, members=[IC, CALLER]) for n in range(3)
    ]
    public, private, breached, unacknowledged = [], [], [], []
    for i in range(300):
        secret = i % 10 == 0
        name = f"Secret Customer {i}" if secret else f"Customer {i}"
        escalation_id = _create(sandbox, f"home-{i}", name, SEVERITIES[i % 4], private=secret)
        (private if secret else public).append(escalation_id)
        if secret:
            _set(sandbox, [escalation_id], room_channel_id=rooms[i % 3])
        if i % 12 == 4:
            breached.append(escalation_id)
        if secret and i % 4 == 0:
            unacknowledged.append(escalation_id)
    acknowledged = [
        escalation_id for escalation_id in public + private if escalation_id not in unacknowledged
    ]
    _set(sandbox, acknowledged, acknowledged_at=T0 + timedelta(minutes=1), acknowledged_by=IC)
    _set(sandbox, breached, resolution_breached=True)
    clock.now = T0 + timedelta(minutes=20)
    return {"public": public, "private": private, "breached": breached, "rooms": rooms}


def test_300_open_escalations_fit_in_100_blocks_most_urgent_first_and_the_rest_are_counted(
    home: tuple[Sandbox, ControlledClock],
) -> None:
    sandbox, clock = home
    made = _three_hundred(sandbox, clock)
    rows = _rows(sandbox)

    # An outsider: none of the 30 private escalations is shown or named, only counted.
    members_before = len(sandbox.fake.calls_to("conversations.members"))
    view = _open_home(sandbox, OUTSIDER)
    shown = _lines(view)
    assert shown and not set(shown) & set(made["private"])
    assert "Secret" not in _said(view)
    assert not any(rows[i].public_id in _said(view) for i in made["private"])
    assert _text(view, "open_private").startswith("🔒 30 private escalations not shown")
    # Most urgent first: by severity, and within SEV-1 the breached ones before the rest.
    ranks = [SEVERITIES.index(rows[i].severity) for i in shown]
    assert ranks == sorted(ranks) and ranks[0] == 0
    sev1 = [i in made["breached"] for i in shown if rows[i].severity == "SEV-1"]
    assert sev1[0] and sev1 == sorted(sev1, reverse=True)
    assert "🚨 SLA breached: resolution" in _text(view, f"esc_{shown[0]}")
    assert _text(view, "open_more").startswith(f"…and {270 - len(shown)} more open escalations")
    assert "*270 open escalations*" in _text(view, "home_summary")
    # Only private rooms were asked about, each at most once (the gateway caches membership).
    asked = [c.params["channel"] for c in sandbox.fake.calls_to("conversations.members")[members_before:]]
    assert set(asked) <= set(made["rooms"]) and len(asked) <= len(made["rooms"])

    # Their IC sees them all: the breached private SEV-1s come first, marked private.
    view = _open_home(sandbox, IC)
    first = _lines(view)[0]
    assert first in made["private"] and rows[first].severity == "SEV-1"
    assert _text(view, f"esc_{first}").startswith(f"🔒 *{rows[first].public_id}* · Secret Customer")
    assert "🚨 First response breached 5 min ago" in _text(view, f"esc_{first}")
    assert "open_private" not in _said(view)
    assert _text(view, "open_more").startswith(f"…and {300 - len(_lines(view))} more open escalations")
    assert _text(view, "mine_more") == "…and 290 more of yours, less urgent."


def test_the_dashboard_of_300_is_read_in_one_query(home: tuple[Sandbox, ControlledClock]) -> None:
    sandbox, clock = home
    _three_hundred(sandbox, clock)
    statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    engine = sandbox.warroom.db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        dashboard = HomeDashboard(sandbox.warroom.changes).for_viewer(OUTSIDER)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(dashboard.open) == 270 and dashboard.hidden == 30
    assert len([s for s in statements if "FROM escalations" in s]) == 1


def test_past_the_read_limit_the_rest_are_counted_and_mine_are_read_first(
    home: tuple[Sandbox, ControlledClock],
) -> None:
    sandbox, _clock = home
    for i in range(40):
        _create(sandbox, f"limit-{i}", f"Customer {i}", SEVERITIES[i % 4])
    mine = _create(sandbox, "limit-mine", "Mine", "SEV-4", ic_user_id=OUTSIDER)
    dashboard = HomeDashboard(sandbox.warroom.changes, row_limit=11).for_viewer(OUTSIDER)
    assert [entry.escalation.id for entry in dashboard.mine] == [mine]
    # Read: the viewer's own, then the ten SEV-1s; the thirty less severe ones are only counted.
    assert len(dashboard.open) == 11 and dashboard.open_total == 41
    assert dashboard.unread_open == {"SEV-2": 10, "SEV-3": 10, "SEV-4": 10}


# --- my escalations ---------------------------------------------------------------------------------


def test_my_escalations_are_exactly_those_where_i_hold_a_role(home: tuple[Sandbox, ControlledClock]) -> None:
    sandbox, _clock = home
    as_ic = _create(sandbox, "ic", "Acme", "SEV-2", ic_user_id=OUTSIDER)
    as_csm = _create(sandbox, "csm", "Globex", "SEV-1", csm_user_id=OUTSIDER)
    as_liaison = _create(sandbox, "liaison", "Initech", "SEV-3")
    as_engineer = _create(sandbox, "eng", "Umbrella", "SEV-4")
    awaiting = _create(sandbox, "resolved", "Hooli", "SEV-3", ic_user_id=OUTSIDER)
    closed = _create(sandbox, "closed", "Pied Piper", "SEV-1", ic_user_id=OUTSIDER)
    raised_only = _create(sandbox, "caller", "Soylent", "SEV-1", caller=OUTSIDER)
    responder_only = _create(sandbox, "responder", "Vandelay", "SEV-2", responder_user_ids=(OUTSIDER,))
    _set(sandbox, [as_liaison], liaison_user_id=OUTSIDER)
    _set(sandbox, [as_engineer], engineering_user_id=OUTSIDER)
    _set(sandbox, [awaiting], status="resolved", resolved_at=T0, confirmation_due_at=T0 + timedelta(days=1))
    _set(sandbox, [closed], status="closed", closed_at=T0)

    view = _open_home(sandbox, OUTSIDER)
    mine = _lines(view, "mine_esc_")
    assert mine == [as_csm, as_ic, as_liaison, as_engineer, awaiting]  # most urgent first
    assert raised_only not in mine and responder_only not in mine and closed not in mine
    assert _text(view, "mine_header") == "Your escalations · 5"
    assert "*You:* CSM" in _text(view, f"mine_esc_{as_csm}")
    assert "*You:* Eng" in _text(view, f"mine_esc_{as_engineer}")
    assert "✅ Resolved" in _text(view, f"mine_esc_{awaiting}")
    # Every open one is in the open list too; the resolved one in its own group; the closed one nowhere.
    assert set(_lines(view)) == {
        as_ic,
        as_csm,
        as_liaison,
        as_engineer,
        raised_only,
        responder_only,
        awaiting,
    }
    assert "group_awaiting" in _said(view) and "Pied Piper" not in _said(view)

    empty = _open_home(sandbox, RESPONDER)
    assert _lines(empty, "mine_esc_") == [] and "Nothing on your plate" in _text(empty, "mine_none")


# --- who may see what -------------------------------------------------------------------------------


def test_a_private_escalation_is_neither_shown_nor_named_to_an_outsider_but_is_to_its_ic_and_room(
    sandbox: Sandbox,
) -> None:
    escalate(sandbox, SECURITY_TEXT, {"customer": "Hooli", "ic": IC, "responders": [RESPONDER]})
    settled(sandbox)
    (row,) = _rows(sandbox).values()
    assert row.is_private and row.room_channel_id
    assert RESPONDER in sandbox.fake.members(row.room_channel_id)

    outsider = _open_home(sandbox, OUTSIDER)
    assert "Hooli" not in _said(outsider) and row.public_id not in _said(outsider)
    assert row.room_channel_id not in _said(outsider)
    assert _text(outsider, "open_none") == "No open escalations you can see."
    assert _text(outsider, "open_private").startswith("🔒 1 private escalation not shown")

    for insider in (IC, RESPONDER):  # the IC by the record, the responder by being in the private room
        view = _open_home(sandbox, insider)
        assert _lines(view) == [row.id], insider
        line = _text(view, f"esc_{row.id}")
        assert f"🔒 *{row.public_id}* · Hooli" in line and f"<#{row.room_channel_id}>" in line
        assert "open_private" not in _said(view)
    assert _lines(_open_home(sandbox, IC), "mine_esc_") == [row.id]


def test_hostile_customer_names_stay_inert_text(home: tuple[Sandbox, ControlledClock]) -> None:
    sandbox, _clock = home
    escalation_id = _create(sandbox, "hostile", HOSTILE, "SEV-1", summary=f"{HOSTILE} everything is down")
    view = _open_home(sandbox, IC)
    said = _said(view)
    assert "<!channel>" not in said and "<@U123>" not in said and "<https://evil" not in said
    line = _text(view, f"esc_{escalation_id}")
    assert "&lt;!channel&gt; &lt;@U123&gt; &lt;https://evil|x&gt;" in line
    assert f"IC <@{IC}>" in line  # warroom's own ids still become mentions


# --- the buttons ------------------------------------------------------------------------------------


def test_start_an_escalation_opens_the_intake_modal_and_its_submission_opens_one(sandbox: Sandbox) -> None:
    view = _open_home(sandbox, CALLER)
    assert _text(view, "open_none") == "No open escalations. 🎉"
    _click(sandbox, START_ESCALATION, CALLER)
    opened = wait_until(lambda: [c for c in sandbox.fake.calls_to("views.open") if c.ok])[-1]
    modal = opened.params["view"]
    assert modal["callback_id"] == INTAKE_CALLBACK_ID
    stored = next(b for b in modal["blocks"] if b.get("block_id") == "customer")
    assert not stored["element"].get("initial_value")  # an empty form: the Home tab has no text to read

    reply = submit(
        sandbox,
        modal,
        {"customer": "Initech", "summary": "Dashboard charts load slowly", "severity": "SEV-3"},
        user=CALLER,
    )
    assert reply.status == 200 and reply.body == "", reply.body
    settled(sandbox)
    (row,) = _rows(sandbox).values()
    assert row.customer.name == "Initech" and row.card_channel_id == "C0ESCALATIONS"

    _click(sandbox, REFRESH_HOME, CALLER)  # Refresh publishes again, with the new escalation
    after = wait_until(lambda: _published(sandbox, CALLER)[1:])[-1]
    assert after.ok and row.public_id in _said(after.params["view"])
    assert _lines(after.params["view"], "mine_esc_") == [row.id]  # raised it, and IC by default


def test_the_messages_tab_publishes_nothing(sandbox: Sandbox) -> None:
    reply = sandbox.slack.event(
        {"type": "app_home_opened", "user": CALLER, "channel": "D0BEN", "tab": "messages", "event_ts": _ts()}
    )
    assert reply.status == 200
    _open_home(sandbox, CALLER)  # sent after the Messages tab: its publish is the only one
    time.sleep(0.3)
    assert len(_published(sandbox, CALLER)) == 1


def test_my_follow_ups_are_on_my_home_tab_with_mark_done(home: tuple[Sandbox, ControlledClock]) -> None:
    sandbox, _clock = home
    escalation_id = _create(sandbox, "k-follow", "Initech", "SEV-2")
    added = sandbox.warroom.follow_ups.add(
        escalation_id, Actor(IC), FollowUpKind.PREVENTION, "Alert on <!channel> deletes", OUTSIDER, None
    )
    view = _open_home(sandbox, OUTSIDER)
    assert _text(view, "follow_ups_header") == "Your follow-ups · 1"
    [line] = [b for b in view["blocks"] if b.get("block_id", "").startswith("follow_up_")]
    assert (
        "Alert on &lt;!channel&gt; deletes" in line["text"]["text"]
        and added.escalation.public_id in line["text"]["text"]
    )
    assert line["accessory"]["action_id"] == "follow_up_done"
    assert "follow_ups_header" not in _said(_open_home(sandbox, IC)), "only the owner's own"


def test_mark_done_on_the_home_tab_redraws_it_without_the_follow_up(
    home: tuple[Sandbox, ControlledClock],
) -> None:
    sandbox, _clock = home
    escalation_id = _create(sandbox, "k-done", "Initech", "SEV-2")
    added = sandbox.warroom.follow_ups.add(
        escalation_id, Actor(IC), FollowUpKind.PREVENTION, "Add the guard", OUTSIDER, None
    )
    assert "follow_ups_header" in _said(_open_home(sandbox, OUTSIDER))
    follow_up_id = next(
        e.data["follow_up_id"]
        for e in sandbox.warroom.service.timeline(escalation_id)
        if e.kind == "follow_up_added"
    )
    before = len(_published(sandbox, OUTSIDER))
    _click(sandbox, "follow_up_done", OUTSIDER, str(follow_up_id))
    redrawn = wait_until(lambda: _published(sandbox, OUTSIDER)[before:])[-1].params["view"]
    assert "follow_ups_header" not in _said(redrawn) and added.changed
