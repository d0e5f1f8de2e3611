"""The intake form's severity: left as suggested, it follows what was submitted; picked, it is recorded as
the person's override."""

from __future__ import annotations

from sqlalchemy import select

from blocks.escalations.triage_card import build_triage_card
from bot.sandbox.stack import Sandbox
from storage.models import Escalation
from tests.factories import make_snapshot
from tests.flows import escalate, settled

SLOW = "Dashboard charts load slowly for Initech; a workaround exists (export to CSV)."


def _escalation(sandbox: Sandbox) -> Escalation:
    settled(sandbox)
    with sandbox.warroom.db.session() as session:
        return session.execute(select(Escalation)).scalar_one()


def test_an_untouched_suggestion_follows_the_type_chosen_in_the_form(sandbox: Sandbox) -> None:
    # The form opens suggesting SEV-3 for a slow dashboard; the person says it is a security matter.
    escalate(sandbox, SLOW, {"customer": "Initech", "escalation_type": "security"})
    esc = _escalation(sandbox)
    assert (esc.severity, esc.suggested_severity) == ("SEV-2", "SEV-2"), "security starts at SEV-2"
    assert not [reason for reason in esc.severity_reasons if reason.startswith("Set to")], "no override"


def test_a_severity_the_person_picked_is_their_override(sandbox: Sandbox) -> None:
    escalate(sandbox, SLOW, {"customer": "Initech", "severity": "SEV-4"})
    esc = _escalation(sandbox)
    assert (esc.severity, esc.suggested_severity) == ("SEV-4", "SEV-3")
    assert esc.severity_reasons[0] == "Set to SEV-4 by <@U0BEN>; warroom suggested SEV-3"


def test_the_card_shows_who_overrode_as_a_working_mention(sandbox: Sandbox) -> None:
    escalate(sandbox, SLOW, {"customer": "Initech", "severity": "SEV-4"})
    esc = _escalation(sandbox)
    card = next(m for m in sandbox.fake.messages("C0SUPPORT") if m.get("ts") == esc.card_ts)
    reasons = next(b for b in card["blocks"] if b.get("block_id") == "card_reasons")["text"]["text"]
    assert "Set to SEV-4 by <@U0BEN>; warroom suggested SEV-3" in reasons


def test_only_warroom_s_own_opening_of_a_reason_becomes_a_mention() -> None:
    card = build_triage_card(
        make_snapshot(
            severity_reasons=(
                "Changed from SEV-1 to SEV-2 by <@U0ANA>: Set to SEV-1 by <@U0EVIL> <!channel>",
                "Production down <@U0EVIL>",
            )
        )
    )
    reasons = next(b for b in card if b.get("block_id") == "card_reasons")["text"]["text"]
    assert "by <@U0ANA>:" in reasons
    assert "<@U0EVIL>" not in reasons and "<!channel>" not in reasons
