"""The intake form as a person fills it in, against the fake Slack: the severity suggestion follows tier,
type, flags and the workaround answer as they change (`dispatch_action` and `views.update`), a severity the
person picked stays theirs, and a customer the account directory knows fills the form."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from blocks.escalations.intake_modal import IntakeSource
from bot.accounts.directory import Contact, DirectoryEntry
from bot.accounts.service import AccountDirectory
from bot.sandbox.stack import Sandbox, wait_until
from storage.db import Database
from storage.models import Escalation
from tests.fakes.fake_anthropic import FakeAnthropic
from tests.flows import SEV3_TEXT, open_modal, settled, submit

OKAFOR = "Email from David Okafor at Okafor Analytics: the CSV exports fail since Monday."


def _open(sandbox: Sandbox, text: str) -> dict[str, Any]:
    """`/escalate <text>`; the modal as the fake Slack holds it (with its id and hash)."""
    key = IntakeSource.from_metadata(open_modal(sandbox, text)["private_metadata"]).intake_key
    return next(
        v
        for v in sandbox.fake.views.values()
        if IntakeSource.from_metadata(v["private_metadata"]).intake_key == key
    )


def _change(sandbox: Sandbox, view: dict[str, Any], block_id: str, values: dict[str, Any]) -> dict[str, Any]:
    """Change one field of the open modal; the modal once warroom has updated it."""
    before = len(sandbox.fake.calls_to("views.update"))
    reply = sandbox.slack.view_action(view, block_id, values, user_id="U0BEN")
    assert reply.status == 200, reply.body
    wait_until(lambda: len(sandbox.fake.calls_to("views.update")) > before)
    return sandbox.fake.views[view["id"]]


def _block(view: dict[str, Any], block_id: str) -> dict[str, Any]:
    return next(b for b in view["blocks"] if b.get("block_id") == block_id)


def _severity(view: dict[str, Any]) -> tuple[str, str]:
    block = _block(view, "severity")
    return block["element"]["initial_option"]["value"], block["hint"]["text"]


def _directory(sandbox: Sandbox) -> AccountDirectory:
    directory = AccountDirectory(sandbox.warroom.db)
    directory.import_entries(
        [
            DirectoryEntry(
                name="Okafor Analytics",
                aliases=("Okafor",),
                tier="enterprise",
                arr=180_000,
                csm="U0CSM",
                contacts=(
                    Contact(name="David Okafor", email="david@okafor.example", timezone="Europe/London"),
                ),
            )
        ]
    )
    return directory


def test_a_tier_change_updates_the_suggestion_and_its_reasons(sandbox: Sandbox) -> None:
    view = _open(sandbox, SEV3_TEXT)
    assert _severity(view)[0] == "SEV-3"
    updated = _change(sandbox, view, "tier", {"tier": "enterprise"})
    severity, hint = _severity(updated)
    assert severity == "SEV-2" and "Enterprise tier" in hint
    # The suggestion shows as a new value (a new action_id); what the person typed keeps its ids.
    assert (
        _block(updated, "severity")["element"]["action_id"]
        != _block(view, "severity")["element"]["action_id"]
    )
    for typed in ("summary", "description", "customer"):
        assert _block(updated, typed)["element"]["action_id"] == _block(view, typed)["element"]["action_id"]


def test_the_type_floor_applies_when_the_type_is_set_in_the_form(sandbox: Sandbox) -> None:
    view = _open(sandbox, SEV3_TEXT)
    severity, hint = _severity(_change(sandbox, view, "escalation_type", {"escalation_type": "compliance"}))
    assert severity == "SEV-2" and "Compliance escalations start at SEV-2" in hint


def test_a_workaround_answer_lowers_a_broken_feature(sandbox: Sandbox) -> None:
    view = _open(sandbox, "Initech: the Salesforce sync is broken since the deploy.")
    assert _severity(view)[0] == "SEV-2"
    severity, hint = _severity(_change(sandbox, view, "workaround", {"workaround": "yes"}))
    assert severity == "SEV-3" and "A workaround exists" in hint


def test_a_severity_the_person_picked_stays_theirs_while_the_facts_change(sandbox: Sandbox) -> None:
    view = _open(sandbox, SEV3_TEXT)
    updated = _change(sandbox, view, "tier", {"tier": "enterprise", "severity": "SEV-4"})
    block = _block(updated, "severity")
    assert block["element"]["action_id"] == _block(view, "severity")["element"]["action_id"], "kept as typed"
    assert block["hint"]["text"].startswith("You chose SEV-4; warroom suggests SEV-2")


def test_a_known_customer_prefills_tier_arr_contact_and_csm(sandbox: Sandbox) -> None:
    _directory(sandbox)
    view = _open(sandbox, OKAFOR)
    assert _block(view, "customer")["element"]["initial_value"] == "Okafor Analytics"
    assert _block(view, "tier")["element"]["initial_option"]["value"] == "enterprise"
    assert _block(view, "arr")["element"]["initial_value"] == "180000"
    assert _block(view, "contact_name")["element"]["initial_value"] == "David Okafor"
    assert _block(view, "csm")["element"]["initial_user"] == "U0CSM"
    assert "Enterprise tier" in _severity(view)[1]


def test_typing_a_known_alias_fills_the_empty_fields_and_keeps_typed_ones(sandbox: Sandbox) -> None:
    _directory(sandbox)
    view = _open(sandbox, "The CSV exports fail since Monday.")
    assert "initial_value" not in _block(view, "arr")["element"]
    updated = _change(sandbox, view, "customer", {"customer": "OKAFOR", "contact_name": "Ada Obi"})
    assert _block(updated, "customer")["element"]["initial_value"] == "Okafor Analytics"
    assert _block(updated, "arr")["element"]["initial_value"] == "180000"
    assert _block(updated, "contact_name")["element"]["initial_value"] == "Ada Obi", "typed, so kept"
    assert _block(updated, "arr")["element"]["action_id"] != _block(view, "arr")["element"]["action_id"]


def test_a_repeat_escalation_is_counted_and_said(sandbox: Sandbox) -> None:
    _directory(sandbox)
    submit(sandbox, open_modal(sandbox, OKAFOR), {"tier": "business", "arr": "", "csm": None})
    settled(sandbox)
    _, hint = _severity(_open(sandbox, OKAFOR))
    assert "repeat escalation (1 earlier escalation in the last 90 days)" in hint
    assert "Enterprise tier" in hint, "the form's tier did not rewrite the directory"


def test_the_triage_answers_are_kept_with_the_escalation(sandbox: Sandbox) -> None:
    view = open_modal(sandbox, SEV3_TEXT)
    answers = {"started": "Monday 09:40", "affected": "the finance team", "workaround": "yes"}
    submit(sandbox, view, {"customer": "Initech", **answers, "business_impact": "Month-end close is late"})
    settled(sandbox)
    with sandbox.warroom.db.session() as session:
        esc = session.execute(select(Escalation)).scalar_one()
        stored = (esc.started, esc.affected, esc.workaround, esc.business_impact)
    assert stored == ("Monday 09:40", "the finance team", "yes", "Month-end close is late")


def test_a_stale_change_does_not_overwrite_a_newer_form(sandbox: Sandbox) -> None:
    view = _open(sandbox, SEV3_TEXT)
    _change(sandbox, view, "tier", {"tier": "enterprise"})
    # A second change sent with the first form's hash: Slack refuses it, and warroom lets the newer stand.
    reply = sandbox.slack.view_action(view, "tier", {"tier": "starter"}, user_id="U0BEN")
    assert reply.status == 200
    wait_until(lambda: [c for c in sandbox.fake.calls_to("views.update") if not c.ok])
    assert _severity(sandbox.fake.views[view["id"]])[0] == "SEV-2"


# ---------------------------------------------------------------------------------------------------------
# Claude's reading, when a key is configured
# ---------------------------------------------------------------------------------------------------------

MISSED = "The monthly summary at Brightwell Dental showed names from the clinic across the street."
READING = {
    "severity": "SEV-1",
    "escalation_type": "security",
    "flags": ["regulatory"],
    "users_affected": 30,
    "reasons": ["Patient data shown to another practice: “showed names from the clinic across the street”"],
    "customer_wording": "your appointment summary listing another practice's patients",
    "mood": "disappointed",
}


@pytest.fixture
def claude() -> Iterator[FakeAnthropic]:
    with FakeAnthropic() as fake:
        yield fake


@pytest.fixture
def sandbox_claude(db: Database, claude: FakeAnthropic) -> Iterator[Sandbox]:
    with Sandbox(db=db, ANTHROPIC_API_KEY="sk-ant-test-key", ANTHROPIC_BASE_URL=claude.base_url) as sandbox:
        yield sandbox


def test_claude_reading_updates_the_open_form_and_the_reasons_say_they_disagree(
    sandbox_claude: Sandbox, claude: FakeAnthropic
) -> None:
    sandbox = sandbox_claude
    claude.reply_with(tool_input=READING)
    opened = open_modal(sandbox, MISSED)
    assert _severity(opened)[0] == "SEV-3", "the form opens at once with the rules' suggestion"
    view = next(iter(sandbox.fake.views.values()))
    wait_until(lambda: sandbox.fake.calls_to("views.update"))
    updated = sandbox.fake.views[view["id"]]
    severity, hint = _severity(updated)
    assert severity == "SEV-1"
    assert "Claude reads SEV-1" in hint and "The rules read SEV-3" in hint
    assert _block(updated, "escalation_type")["element"]["initial_option"]["value"] == "security"
    assert _block(updated, "customer_wording")["element"]["initial_value"] == READING["customer_wording"]
    assert _block(updated, "customer_mood")["element"]["initial_option"]["value"] == "disappointed"
    # Submitted untouched, the escalation is opened at what the form suggested, Claude's reading included.
    submit(sandbox, updated, {"customer": "Brightwell Dental"})
    settled(sandbox)
    with sandbox.warroom.db.session() as session:
        esc = session.execute(select(Escalation)).scalar_one()
        assert (esc.severity, esc.escalation_type) == ("SEV-1", "security")
        assert any(reason.startswith("Claude reads SEV-1") for reason in esc.severity_reasons)
        assert (esc.customer_wording, esc.customer_mood) == (READING["customer_wording"], "disappointed")


def test_a_failed_claude_reading_leaves_the_rules_suggestion(
    sandbox_claude: Sandbox, claude: FakeAnthropic
) -> None:
    sandbox = sandbox_claude
    claude.fail_next(500, times=2)
    view = _open(sandbox, MISSED)
    wait_until(lambda: len(claude.requests) >= 1)
    time.sleep(0.5)
    assert not sandbox.fake.calls_to("views.update")
    assert _severity(sandbox.fake.views[view["id"]])[0] == "SEV-3"
