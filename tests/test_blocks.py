"""Block Kit builders: the triage card, the intake modal and the other messages stay within Slack's limits,
show what a person needs, cut long text cleanly and never leak a private escalation."""

import json
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from blocks import limits
from blocks.escalations.intake_modal import IntakeSource, build_intake_modal, read_intake_form
from blocks.escalations.messages import (
    build_announcement,
    build_created_confirmation,
    build_error,
    build_help,
    build_open_list,
    build_thread_kickoff,
    build_topic,
)
from blocks.escalations.triage_card import (
    ACKNOWLEDGE,
    CUSTOMER_UPDATED,
    DRAFT_UPDATE,
    POST_UPDATE,
    TAKE_COMMAND,
    build_triage_card,
    card_fallback_text,
)
from blocks.text import ELLIPSIS, truncate
from bot.core.vocabulary import SEVERITIES
from bot.escalations.intake import (
    CUSTOMER_MAX,
    SUMMARY_MAX,
    IntakeDraft,
    account_of,
    validate_intake,
)
from bot.escalations.prefill import parse_free_text
from bot.escalations.read_model import EscalationSnapshot
from bot.escalations.severity import suggest_severity
from bot.policy.model import default_policy
from bot.sandbox.block_kit_rules import validate_message_blocks, validate_view
from bot.sandbox.signed import fill_view_state

CREATED = datetime(2026, 3, 2, 14, 5, tzinfo=UTC)
DUE = CREATED + timedelta(minutes=15)
POLICY = default_policy()
SEVERITY_LABELS = {s: POLICY.for_severity(s).label for s in SEVERITIES}
SLACK_CONTROL = re.compile(r"<(?![@#!]|https?://|mailto:)")  # a "<" that does not start a Slack sequence

OKAFOR_TEXT = (
    "Email from David Okafor, 4-year enterprise customer (pays $180k/year). He's furious. Three weeks ago "
    "we migrated his data to a new server and corrupted 6 months of his historical reports. He's been in "
    "touch with our tier-1 team 8 times. He is posting on LinkedIn."
)


@pytest.fixture
def esc() -> EscalationSnapshot:
    return EscalationSnapshot(
        id=7,
        public_id="ESC-2026-007",
        customer="Okafor Analytics",
        title="Migration corrupted 6 months of historical reports",
        severity="SEV-1",
        severity_label="Critical",
        suggested_severity="SEV-1",
        severity_reasons=(
            "Production down, data loss or security breach (“corrupted”)",
            "Strategic account: Enterprise tier, $180,000 ARR at risk (≥ $100,000)",
        ),
        escalation_type="technical",
        status="investigating",
        ic_user_id="U0IC",
        caller_user_id="U0CALLER",
        created_at=CREATED,
        first_response_due_at=DUE,
        room_kind="channel",
        is_private=False,
        tier="enterprise",
        arr_at_risk=180_000,
        users_affected=1_200,
        description="Three weeks ago we migrated his data to a new server and corrupted his reports.",
        tried="Restored last night's backup into staging; the reports are still wrong.",
        responder_user_ids=("U0ENG", "U0CSM"),
        room_channel_id="C0ROOM",
        room_channel_name="esc-2026-007-okafor-analytics-migration-corrupted",
        source_channel_id="C0SUPPORT",
        source_permalink="https://warroom-sandbox.slack.com/archives/C0SUPPORT/p1772460300000100",
    )


@pytest.fixture
def extreme(esc) -> EscalationSnapshot:
    return replace(
        esc,
        id=8,
        public_id="ESC-2026-008",
        customer="Ünïcødé Grüße & Söhne 株式会社 🚀 " * 8,  # well over 200 characters
        title="Everything is on fire 🔥 " * 40,
        severity="SEV-2",
        severity_label="High",
        severity_reasons=tuple(f"Reason {i}: " + "because " * 60 for i in range(20)),
        escalation_type="security",
        is_private=True,
        arr_at_risk=12_345_678_901,
        users_affected=9_876_543,
        description="Exfiltrated <@U0EVIL> & records " * 120,  # > 3000 characters
        tried="Rotated keys, blocked IPs, <!channel> paged everyone. " * 70,
        public_exposure=True,
        regulatory=True,
        responder_user_ids=tuple(f"U{i:010d}" for i in range(20)),
    )


def _texts(blocks: list[dict]) -> str:
    """Everything a reader sees in the blocks, as one string."""
    return json.dumps(blocks, ensure_ascii=False)


def _block(blocks: list[dict], block_id: str) -> dict:
    return next(b for b in blocks if b.get("block_id") == block_id)


def _fields(blocks: list[dict]) -> dict[str, str]:
    fields = _block(blocks, "card_facts")["fields"]
    return dict(f["text"].split("\n", 1) for f in fields)


def _buttons(blocks: list[dict]) -> list[str]:
    actions = [b for b in blocks if b["type"] == "actions"]
    return [e["action_id"] for a in actions for e in a["elements"]]


# ---------------------------------------------------------------------------------------------------------
# Triage card
# ---------------------------------------------------------------------------------------------------------


def test_triage_card_is_valid_block_kit(esc, extreme):
    assert validate_message_blocks(build_triage_card(esc)) == []
    assert validate_message_blocks(build_triage_card(extreme)) == []


def test_triage_card_shows_the_facts(esc):
    blocks = build_triage_card(esc)
    assert _block(blocks, "card_header")["text"]["text"] == "🔴 SEV-1 · Okafor Analytics"
    assert "*ESC-2026-007*" in _block(blocks, "card_title")["text"]["text"]
    facts = _fields(blocks)
    assert facts == {
        "*Severity*": "🔴 SEV-1 Critical",
        "*Status*": "Investigating",
        "*Customer*": "Okafor Analytics",
        "*Tier*": "Enterprise",
        "*ARR at risk*": "$180,000",
        "*Users affected*": "1,200",
        "*Type*": "Technical",
        "*Incident commander*": "<@U0IC>",
        "*First response*": f"⏱️ Due <!date^{int(DUE.timestamp())}^{{date_short_pretty}} at {{time}}"
        "|2026-03-02 14:20 UTC>",
        "*Room*": "<#C0ROOM>",
    }


def test_triage_card_shows_unknowns_as_a_dash_and_a_thread_room(esc):
    facts = _fields(
        build_triage_card(
            replace(esc, tier=None, arr_at_risk=None, users_affected=None, room_channel_id=None)
        )
    )
    assert facts["*Tier*"] == facts["*ARR at risk*"] == facts["*Users affected*"] == "—"
    assert facts["*Room*"] == "This thread"


def test_triage_card_explains_the_severity(esc):
    text = _block(build_triage_card(esc), "card_reasons")["text"]["text"]
    assert text.startswith("*Why SEV-1*")
    assert "• Production down, data loss or security breach (“corrupted”)" in text
    assert "• Strategic account: Enterprise tier, $180,000 ARR at risk (≥ $100,000)" in text


def test_triage_card_without_reasons_says_who_chose(esc):
    text = _block(build_triage_card(replace(esc, severity_reasons=())), "card_reasons")["text"]["text"]
    assert "Set by the person escalating" in text


def test_triage_card_context_names_caller_source_flags_and_responders(esc):
    flagged = replace(esc, public_exposure=True, regulatory=True)
    context = _block(build_triage_card(flagged), "card_context")["elements"][0]["text"]
    assert "Raised by <@U0CALLER> in <#C0SUPPORT>" in context
    assert f"<{esc.source_permalink}|where it was raised>" in context
    assert "📣 Public exposure risk" in context
    assert "⚖️ Regulatory implications" in context
    assert "Responders: <@U0ENG>, <@U0CSM>" in context


def test_triage_card_does_not_link_a_dm_as_the_source(esc):
    context = _block(build_triage_card(replace(esc, source_channel_id="D0DM")), "card_context")
    assert "<#D0DM>" not in context["elements"][0]["text"]


def test_private_escalation_card_is_marked(esc):
    facts = _fields(build_triage_card(replace(esc, escalation_type="security", is_private=True)))
    assert facts["*Type*"] == "🔒 Security"


def test_open_card_offers_acknowledge_and_take_command(esc):
    blocks = build_triage_card(esc)
    assert _buttons(blocks) == [ACKNOWLEDGE, POST_UPDATE, DRAFT_UPDATE, CUSTOMER_UPDATED, TAKE_COMMAND]
    acknowledge = _block(blocks, "card_actions")["elements"][0]
    assert acknowledge["value"] == "7"
    assert acknowledge["style"] == "primary"


def test_acknowledge_button_goes_once_acknowledged_and_the_card_says_who(esc):
    acked_at = CREATED + timedelta(minutes=4)
    blocks = build_triage_card(replace(esc, acknowledged_at=acked_at, acknowledged_by="U0AGENT"))
    assert _buttons(blocks) == [POST_UPDATE, DRAFT_UPDATE, CUSTOMER_UPDATED, TAKE_COMMAND]
    response = _fields(blocks)["*First response*"]
    assert response.startswith("✅ Acknowledged by <@U0AGENT> <!date^")
    assert str(int(acked_at.timestamp())) in response
    assert "Due" not in response
    assert validate_message_blocks(blocks) == []


@pytest.mark.parametrize("status", ["resolved", "closed"])
def test_no_buttons_once_resolved(esc, status):
    blocks = build_triage_card(replace(esc, status=status))
    assert _buttons(blocks) == []
    assert not any(b["type"] == "actions" for b in blocks)
    assert _fields(blocks)["*Status*"] == status.title()
    assert validate_message_blocks(blocks) == []


@pytest.mark.parametrize("status", ["investigating", "identified", "monitoring"])
def test_buttons_stay_while_work_goes_on(esc, status):
    assert TAKE_COMMAND in _buttons(build_triage_card(replace(esc, status=status)))


def test_long_text_is_cut_with_an_ellipsis_inside_the_limits(extreme):
    blocks = build_triage_card(extreme)
    header = _block(blocks, "card_header")["text"]["text"]
    assert len(header) <= limits.HEADER_TEXT
    assert header.startswith("🟠 SEV-2 · Ünïcødé Grüße")
    assert header.endswith(ELLIPSIS)
    for block_id, heading in (
        ("card_description", "*What happened*\n"),
        ("card_tried", "*What has been tried*\n"),
    ):
        text = _block(blocks, block_id)["text"]["text"]
        assert text.startswith(heading)
        assert text.endswith(ELLIPSIS)
        assert len(text) <= limits.SECTION_TEXT
        assert len(text) > limits.SECTION_TEXT - 200  # cut near the limit, not emptied
    reasons = _block(blocks, "card_reasons")["text"]["text"]
    assert reasons.endswith(ELLIPSIS) and len(reasons) <= limits.SECTION_TEXT
    context = _block(blocks, "card_context")["elements"][0]["text"]
    assert len(context) <= limits.CONTEXT_TEXT
    assert "<@U0000000019>" in context  # all 20 responders are named
    assert _fields(blocks)["*ARR at risk*"] == "$12,345,678,901"


def test_user_text_cannot_ping_or_link(extreme):
    text = _texts(build_triage_card(extreme))
    assert "<@U0EVIL>" not in text
    assert "<!channel>" not in text
    assert "&lt;@U0EVIL&gt;" in text


def test_card_fallback_text_names_the_escalation(esc, extreme):
    assert card_fallback_text(esc) == (
        "SEV-1 ESC-2026-007 · Okafor Analytics: Migration corrupted 6 months of historical reports"
    )
    assert len(card_fallback_text(replace(extreme, title="x" * 5000))) <= 3000


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("short", 10, "short"),
        ("exactly ten", 11, "exactly ten"),
        ("the quick brown fox jumps over", 20, "the quick brown fox…"),
        ("abcdefghijklmnopqrstuvwxyz", 10, "abcdefghi…"),
        ("cut at, a comma and more words", 8, "cut at…"),
    ],
)
def test_truncate(text, limit, expected):
    cut = truncate(text, limit)
    assert cut == expected
    assert len(cut) <= limit


# ---------------------------------------------------------------------------------------------------------
# Intake modal
# ---------------------------------------------------------------------------------------------------------

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
    return _block(view["blocks"], block_id)["element"]


def test_intake_modal_is_valid_and_prefilled_from_the_free_text():
    view = _modal(parse_free_text(OKAFOR_TEXT))
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
    view = _modal(parse_free_text("Dashboards are slow for Globex, an enterprise customer"))
    severity = _block(view["blocks"], "severity")
    assert severity["element"]["initial_option"]["value"] == "SEV-2"
    assert severity["element"]["initial_option"]["text"]["text"] == "🟠 SEV-2 · High"
    hint = severity["hint"]["text"]
    assert hint.startswith("Suggested SEV-2: ")
    assert "“slow”" in hint
    assert "Moved up from SEV-3 to SEV-2" in hint
    assert "Enterprise tier" in hint
    assert [o["value"] for o in severity["element"]["options"]] == list(SEVERITIES)


def test_intake_modal_without_text_still_opens():
    view = _modal(parse_free_text(""))
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
    assert len(_block(view["blocks"], "severity")["hint"]["text"]) <= limits.INPUT_HINT
    assert _element(view, "escalation_type")["initial_option"]["value"] == "security"
    assert len(_element(view, "flags")["initial_options"]) == 2


def test_intake_modal_warns_about_an_open_escalation_for_the_customer(esc):
    view = _modal(parse_free_text("Okafor Analytics: reports are broken again"), open_for_customer=[esc])
    assert validate_view(view) == []
    first = view["blocks"][0]
    assert first["block_id"] == "already_open"
    text = first["text"]["text"]
    assert "*Okafor Analytics* already has an open escalation" in text
    assert "*ESC-2026-007* (SEV-1, investigating) in <#C0ROOM>" in text


def test_intake_modal_has_no_warning_without_open_escalations():
    view = _modal(parse_free_text("Okafor Analytics: reports are broken again"))
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
    view = _modal(parse_free_text("Exports fail for Globex"), source=source)
    assert len(view["private_metadata"]) <= limits.VIEW_PRIVATE_METADATA
    assert IntakeSource.from_metadata(view["private_metadata"]) == source


def test_private_metadata_drops_an_absurd_permalink_but_keeps_the_rest():
    source = replace(SOURCE, permalink="https://example.slack.com/" + "p" * 4000)
    view = _modal(parse_free_text("Exports fail for Globex"), source=source)
    assert validate_view(view) == []
    assert IntakeSource.from_metadata(view["private_metadata"]) == replace(SOURCE, permalink=None)


def test_read_intake_form_returns_what_was_submitted():
    view = _modal(parse_free_text(OKAFOR_TEXT))
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
    view = _modal(parse_free_text(OKAFOR_TEXT))
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
    view = _modal(parse_free_text(OKAFOR_TEXT))
    form = read_intake_form(
        {**view, "state": {"values": fill_view_state(view, {"tier": None, "flags": [], "arr": None})}}
    )
    assert form.tier is None
    assert form.flags == ()
    assert form.arr == ""


# ---------------------------------------------------------------------------------------------------------
# Messages
# ---------------------------------------------------------------------------------------------------------


def test_help_is_valid_and_names_the_commands():
    blocks = build_help()
    assert validate_message_blocks(blocks) == []
    text = blocks[0]["text"]["text"]
    for words in ("/escalate list", "/escalate help", "Escalate this message", "Acknowledge", "Take command"):
        assert words in text


def test_help_escapes_angle_brackets():
    text = build_help()[0]["text"]["text"]
    assert not SLACK_CONTROL.search(text)


def test_open_list_with_nothing_open():
    blocks = build_open_list([], 0)
    assert validate_message_blocks(blocks) == []
    assert "No open escalations" in blocks[0]["text"]["text"]


def test_open_list_with_one(esc):
    blocks = build_open_list([esc], 1)
    assert validate_message_blocks(blocks) == []
    assert blocks[0]["text"]["text"].startswith("*1 open escalation*,")
    line = blocks[1]["text"]["text"]
    for part in (
        "🔴 SEV-1",
        "*ESC-2026-007*",
        "Okafor Analytics",
        "Investigating",
        "IC <@U0IC>",
        "<#C0ROOM>",
    ):
        assert part in line
    assert not any(b["block_id"] == "list_more" for b in blocks)


def test_open_list_of_120_stays_under_50_blocks_and_says_how_many_more(esc, extreme):
    many = [replace(extreme if i % 2 else esc, id=i, public_id=f"ESC-2026-{i:03d}") for i in range(1, 121)]
    blocks = build_open_list(many, 120)
    assert len(blocks) <= limits.MESSAGE_BLOCKS
    assert validate_message_blocks(blocks) == []
    assert blocks[0]["text"]["text"].startswith("*120 open escalations*")
    shown = [b for b in blocks if b["block_id"].startswith("esc_")]
    assert [b["block_id"] for b in shown] == [f"esc_{i}" for i in range(1, len(shown) + 1)]  # order kept
    assert blocks[-1]["elements"][0]["text"] == f"…and {120 - len(shown)} more."


def test_open_list_counts_beyond_the_page_it_was_given(esc):
    blocks = build_open_list([esc], 30)
    assert blocks[0]["text"]["text"].startswith("*30 open escalations*")
    assert blocks[-1]["elements"][0]["text"] == "…and 29 more."


@pytest.mark.parametrize("escalation_type", ["security", "compliance"])
def test_announcement_of_a_private_escalation_does_not_leak(esc, escalation_type):
    private = replace(
        esc,
        escalation_type=escalation_type,
        is_private=True,
        customer="Okafor Analytics",
        title="Attacker exfiltrated payroll records",
        description="Attacker used a leaked admin token to export payroll",
        tried="Revoked the token",
    )
    fallback, blocks = build_announcement(private)
    assert validate_message_blocks(blocks) == []
    shown = fallback + _texts(blocks)
    for secret in ("Okafor", "payroll", "leaked admin token", "Revoked", "180,000", "C0ROOM"):
        assert secret not in shown
    assert "*ESC-2026-007*" in blocks[0]["text"]["text"]
    assert f"a {escalation_type} escalation" in blocks[0]["text"]["text"]
    assert "private room" in blocks[0]["text"]["text"]


def test_announcement_of_a_public_escalation_invites_people_in(esc):
    fallback, blocks = build_announcement(esc)
    assert validate_message_blocks(blocks) == []
    assert fallback == "SEV-1 ESC-2026-007 opened"
    text = blocks[0]["text"]["text"]
    for part in (
        "Okafor Analytics",
        "Migration corrupted",
        "$180,000",
        "IC <@U0IC>",
        "<!date^",
        "Join <#C0ROOM>.",
    ):
        assert part in text


def test_announcement_of_an_extreme_public_escalation_is_valid(extreme):
    public = replace(extreme, escalation_type="technical", is_private=False, title="t " * 3000)
    _, blocks = build_announcement(public)
    assert validate_message_blocks(blocks) == []
    assert blocks[0]["text"]["text"].endswith(ELLIPSIS)


def test_announcement_with_the_longest_intake_values_keeps_the_room_link(esc):
    longest = replace(esc, customer="C" * CUSTOMER_MAX, title="word " * (SUMMARY_MAX // 5))
    text = build_announcement(longest)[1][0]["text"]["text"]
    assert text.endswith("Join <#C0ROOM>.")


def test_topic_shows_severity_status_ic_and_what_is_due(esc):
    topic = build_topic(esc)
    assert (
        topic == "SEV-1 · Investigating · IC <@U0IC> · first response due Mon 02 Mar 14:20 UTC · "
        "ESC-2026-007 Okafor Analytics"
    )
    acked = build_topic(replace(esc, acknowledged_at=CREATED, acknowledged_by="U0IC", status="identified"))
    assert acked.startswith("SEV-1 · Identified · IC <@U0IC> · acknowledged · ESC-2026-007")


def test_topic_fits_in_250_characters(extreme):
    topic = build_topic(extreme)
    assert len(topic) <= limits.CHANNEL_TOPIC
    assert topic.startswith("SEV-2 · Investigating · IC <@U0IC>")
    assert topic.endswith(ELLIPSIS)


def test_confirmation_points_at_the_room_or_the_thread(esc):
    assert "<#C0ROOM>" in build_created_confirmation(esc)
    in_thread = build_created_confirmation(replace(esc, room_channel_id=None, severity="SEV-3"))
    assert "thread" in in_thread and "<#" not in in_thread


def test_thread_kickoff_names_the_ic_and_escapes_the_customer(esc):
    text = build_thread_kickoff(replace(esc, customer="<!channel> Corp"))
    assert text.startswith("<@U0IC> is the incident commander for *ESC-2026-007*")
    assert "<!channel>" not in text


def test_error_is_valid():
    blocks = build_error("That escalation is already closed.")
    assert validate_message_blocks(blocks) == []
    assert blocks[0]["text"]["text"] == "⚠️ That escalation is already closed."
