"""The intake form's severity: left as suggested, it follows what was submitted; picked, it is recorded as
the person's override."""

from __future__ import annotations

from sqlalchemy import select

from bot.sandbox.stack import Sandbox
from storage.models import Escalation
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
