"""The intake modal: valid Block Kit prefilled from the free text, the suggested severity preselected and
explained, a warning when the customer already has an open escalation, private metadata that round-trips,
and the submitted form read back.

The triage card is covered in test_blocks.py, the other messages in test_message_blocks.py."""

from dataclasses import replace

import pytest

from blocks import limits
from blocks.escalations.intake_modal import IntakeSource, build_intake_modal, read_intake_form
from blocks.text import ELLIPSIS
from bot.core.vocabulary import SEVERITIES
from bot.escalations.intake import IntakeDraft, account_of, validate_intake
from bot.escalations.prefill import parse_free_text
from bot.escalations.severity import suggest_severity
from bot.policy.model import default_policy
from bot.sandbox.block_kit_rules import validate_view
from bot.sandbox.signed import fill_view_state
from tests.block_samples import block
from tests.block_samples import esc_fixture as esc_fixture  # the `esc` fixture

POLICY = default_policy()
SEVERITY_LABELS = {s: POLICY.for_severity(s).label for s in SEVERITIES}

OKAFOR_TEXT = (
    "Email from David Okafor, 4-year enterprise customer (pays $180k/year). He's furious. Three weeks ago "
    "we migrated his data to a new server and corrupted 6 months of his historical reports. He's been in "
    "touch with our tier-1 team 8 times. He is posting on LinkedIn."
)


SOURCE = IntakeSource(
    intake_key="T0WARROOM:U0CALLER:trigger-1",
    channel_id="C0SUPPORT",
    message_ts="1772460300.000100",
    permalink="https://warroom-sandbox.slack.com/archives/C0SUPPORT/p1772460300000100",
)


def _modal(draft: IntakeDraft, open_for_customer=(), source: IntakeSource = SOURCE) -> dict:
    account = account_of(draft)
    suggestion = suggest_severity(draft.text, account, POLICY)
    return build_intake_modal(
        draft,
        source,
        "U0CALLER",
        (suggestion.severity, suggestion.reasons),
        SEVERITY_LABELS,
        POLICY.escalation_types,
        open_for_customer,
    )


def _element(view: dict, block_id: str) -> dict:
    return block(view["blocks"], block_id)["element"]


def test_intake_modal_is_valid_and_prefilled_from_the_free_text():
    view = _modal(parse_free_text(OKAFOR_TEXT, POLICY))
    assert validate_view(view) == []
    assert "initial_value" not in _element(view, "customer"), (
        "a person's name is not prefilled as the account"
    )
    assert _element(view, "contact_name")["initial_value"] == "David Okafor"
    assert _element(view, "summary")["initial_value"].startswith("Three weeks ago we migrated his data")
    assert _element(view, "tier")["initial_option"]["value"] == "enterprise"
    assert _element(view, "arr")["initial_value"] == "180000"
    assert _element(view, "description")["initial_value"] == OKAFOR_TEXT
    assert [o["value"] for o in _element(view, "flags")["initial_options"]] == ["public_exposure"]
    assert _element(view, "ic")["initial_user"] == "U0CALLER"


def test_intake_modal_preselects_the_suggested_severity_and_shows_why():
    view = _modal(parse_free_text("Dashboards are slow for Globex, an enterprise customer", POLICY))
    severity = block(view["blocks"], "severity")
    assert severity["element"]["initial_option"]["value"] == "SEV-2"
    assert severity["element"]["initial_option"]["text"]["text"] == "🟠 SEV-2 · High"
    hint = severity["hint"]["text"]
    assert hint.startswith("Suggested SEV-2: ")
    assert "“slow”" in hint
    assert "Moved up from SEV-3 to SEV-2" in hint
    assert "Enterprise tier" in hint
    assert [o["value"] for o in severity["element"]["options"]] == list(SEVERITIES)


def test_intake_modal_without_text_still_opens():
    view = _modal(parse_free_text("", POLICY))
    assert validate_view(view) == []
    assert "initial_value" not in _element(view, "customer")
    assert "initial_value" not in _element(view, "description")
    assert _element(view, "severity")["initial_option"]["value"] == "SEV-3"
    assert _element(view, "escalation_type")["initial_option"]["value"] == "technical"


def test_intake_modal_stays_valid_for_an_extreme_draft():
    free_text = ("Ünïcødé 🚀 outage <!here> & data loss for Grüße " * 120)[:5000]
    draft = IntakeDraft(
        text=free_text,
        customer="Grüße & Söhne 株式会社 " * 20,
        tier="enterprise",
        arr=10**12,
        users_affected=10**9,
        escalation_type="security",
        summary="S" * 400,
        public_exposure=True,
        regulatory=True,
    )
    reasons = tuple("Because " * 50 for _ in range(40))
    view = build_intake_modal(
        draft, SOURCE, "U0CALLER", ("SEV-1", reasons), SEVERITY_LABELS, POLICY.escalation_types
    )
    assert validate_view(view) == []
    for block_id in ("customer", "summary", "description"):
        element = _element(view, block_id)
        cap = element.get("max_length", limits.PLAIN_TEXT_INPUT_INITIAL)
        assert len(element["initial_value"]) <= cap
        assert element["initial_value"].endswith(ELLIPSIS)
    assert len(block(view["blocks"], "severity")["hint"]["text"]) <= limits.INPUT_HINT
    assert _element(view, "escalation_type")["initial_option"]["value"] == "security"
    assert len(_element(view, "flags")["initial_options"]) == 2


def test_intake_modal_warns_about_an_open_escalation_for_the_customer(esc):
    view = _modal(
        parse_free_text("Okafor Analytics: reports are broken again", POLICY), open_for_customer=[esc]
    )
    assert validate_view(view) == []
    first = view["blocks"][0]
    assert first["block_id"] == "already_open"
    text = first["text"]["text"]
    assert "*Okafor Analytics* already has an open escalation" in text
    assert "*ESC-2026-007* (SEV-1, investigating) in <#C0ROOM>" in text


def test_intake_modal_has_no_warning_without_open_escalations():
    view = _modal(parse_free_text("Okafor Analytics: reports are broken again", POLICY))
    assert all(b["block_id"] != "already_open" for b in view["blocks"])


@pytest.mark.parametrize(
    "source",
    [
        SOURCE,
        IntakeSource(intake_key="key-only"),
        IntakeSource(intake_key="dm", channel_id="D0DM", message_ts="1.2"),
    ],
)
def test_private_metadata_round_trips(source):
    view = _modal(parse_free_text("Exports fail for Globex", POLICY), source=source)
    assert len(view["private_metadata"]) <= limits.VIEW_PRIVATE_METADATA
    assert IntakeSource.from_metadata(view["private_metadata"]) == source


def test_private_metadata_drops_an_absurd_permalink_but_keeps_the_rest():
    source = replace(SOURCE, permalink="https://example.slack.com/" + "p" * 4000)
    view = _modal(parse_free_text("Exports fail for Globex", POLICY), source=source)
    assert validate_view(view) == []
    assert IntakeSource.from_metadata(view["private_metadata"]) == replace(SOURCE, permalink=None)


def test_read_intake_form_returns_what_was_submitted():
    view = _modal(parse_free_text(OKAFOR_TEXT, POLICY))
    values = {
        "customer": "Okafor Analytics",
        "summary": "Reports corrupted after migration",
        "severity": "SEV-2",
        "escalation_type": "business",
        "tier": "business",
        "arr": "$250k",
        "users_affected": "1,200",
        "description": "Details",
        "tried": "Restored a backup",
        "flags": ["regulatory"],
        "ic": "U0IC",
        "responders": ["U0ENG", "U0CSM", "U0ENG"],
    }
    form = read_intake_form({**view, "state": {"values": fill_view_state(view, values)}})
    assert form.customer == "Okafor Analytics"
    assert form.summary == "Reports corrupted after migration"
    assert form.severity == "SEV-2"
    assert form.escalation_type == "business"
    assert form.tier == "business"
    assert form.arr == "$250k"
    assert form.users_affected == "1,200"
    assert form.description == "Details"
    assert form.tried == "Restored a backup"
    assert form.flags == ("regulatory",)
    assert form.ic_user_id == "U0IC"
    assert form.responder_user_ids == ("U0ENG", "U0CSM", "U0ENG")


def test_the_prefill_needs_only_the_account_name_to_be_a_valid_intake():
    view = _modal(parse_free_text(OKAFOR_TEXT, POLICY))
    untouched = read_intake_form({**view, "state": {"values": fill_view_state(view, {})}})
    assert validate_intake(untouched, "U0CALLER")[1] == {
        "customer": "Which customer is this? Enter the account name."
    }
    form = read_intake_form(
        {**view, "state": {"values": fill_view_state(view, {"customer": "Okafor Analytics"})}}
    )
    intake, errors = validate_intake(form, "U0CALLER")
    assert errors == {}
    assert intake is not None
    assert intake.customer == "Okafor Analytics" and intake.contact_name == "David Okafor"
    assert intake.severity == "SEV-1"
    assert intake.tier == "enterprise"
    assert intake.arr == 180_000
    assert intake.users_affected is None
    assert intake.public_exposure is True
    assert intake.ic_user_id == "U0CALLER"
    assert intake.description == OKAFOR_TEXT
    assert intake.tried == ""


def test_cleared_optional_selects_read_back_as_nothing():
    view = _modal(parse_free_text(OKAFOR_TEXT, POLICY))
    form = read_intake_form(
        {**view, "state": {"values": fill_view_state(view, {"tier": None, "flags": [], "arr": None})}}
    )
    assert form.tier is None
    assert form.flags == ()
    assert form.arr == ""
