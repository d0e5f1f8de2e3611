"""The triage card: it stays within Slack's limits, shows the facts and the reasons for the severity, offers
the buttons that fit the escalation's state, cuts long text cleanly and never lets user text ping or link.
Also `truncate`, which does the cutting.

The intake modal is covered in test_intake_modal.py, the other messages in test_message_blocks.py."""

from dataclasses import replace
from datetime import timedelta

import pytest

from blocks import limits
from blocks.escalations.triage_card import (
    ACKNOWLEDGE,
    CLAIM_ROLE,
    CLOSE,
    CONFIRM,
    CUSTOMER_UPDATED,
    DRAFT_UPDATE,
    POST_UPDATE,
    RECOVERY,
    REOPEN,
    REPORT,
    RESOLVE,
    TAKE_COMMAND,
    build_triage_card,
    card_fallback_text,
)
from blocks.text import ELLIPSIS, truncate
from bot.sandbox.block_kit_rules import validate_message_blocks
from tests.block_samples import CREATED, DUE, block, texts
from tests.block_samples import esc_fixture as esc_fixture  # the `esc` fixture
from tests.block_samples import extreme_fixture as extreme_fixture  # the `extreme` fixture


def _fields(blocks: list[dict]) -> dict[str, str]:
    fields = block(blocks, "card_facts")["fields"]
    return dict(f["text"].split("\n", 1) for f in fields)


def _buttons(blocks: list[dict], block_id: str = "card_actions") -> list[str]:
    actions = [b for b in blocks if b["type"] == "actions" and b["block_id"] == block_id]
    return [e["action_id"] for a in actions for e in a["elements"]]


def _labels(blocks: list[dict]) -> list[str]:
    actions = [b for b in blocks if b["type"] == "actions" and b["block_id"] == "card_actions"]
    return [e["text"]["text"] for a in actions for e in a["elements"]]


def _roles(blocks: list[dict]) -> dict[str, str]:
    return dict(f["text"].split("\n", 1) for f in block(blocks, "card_roles")["fields"])


def test_triage_card_is_valid_block_kit(esc, extreme):
    assert validate_message_blocks(build_triage_card(esc)) == []
    assert validate_message_blocks(build_triage_card(extreme)) == []


def test_triage_card_shows_the_facts(esc):
    blocks = build_triage_card(esc)
    assert block(blocks, "card_header")["text"]["text"] == "🔴 SEV-1 · Okafor Analytics"
    assert "*ESC-2026-007*" in block(blocks, "card_title")["text"]["text"]
    facts = _fields(blocks)
    assert facts == {
        "*Severity*": "🔴 SEV-1 Critical",
        "*Status*": "Investigating",
        "*Customer*": "Okafor Analytics",
        "*Tier*": "Enterprise",
        "*ARR at risk*": "$180,000",
        "*Users affected*": "1,200",
        "*Type*": "Technical",
        "*First response*": f"⏱️ Due <!date^{int(DUE.timestamp())}^{{date_short_pretty}} at {{time}}"
        "|2026-03-02 14:20 UTC>",
        "*Room*": "<#C0ROOM>",
    }
    assert _roles(blocks) == {
        "*Incident commander*": "<@U0IC>",
        "*Customer liaison*": "nobody yet",
        "*Engineering owner*": "nobody yet",
        "*CSM*": "nobody yet",
    }


def test_empty_roles_get_claim_buttons_and_taken_ones_show_who(esc):
    blocks = build_triage_card(esc)
    claims = [CLAIM_ROLE + role for role in ("liaison", "engineering", "csm")]
    assert _buttons(blocks, "card_claims") == claims
    staffed = build_triage_card(replace(esc, liaison_user_id="U0LIA", csm_user_id="U0CSM"))
    assert _buttons(staffed, "card_claims") == [CLAIM_ROLE + "engineering"]
    assert _roles(staffed)["*Customer liaison*"] == "<@U0LIA>"
    full = replace(esc, liaison_user_id="U0LIA", engineering_user_id="U0ENG", csm_user_id="U0CSM")
    assert not any(b["block_id"] == "card_claims" for b in build_triage_card(full))


def test_triage_card_shows_unknowns_as_a_dash_and_a_thread_room(esc):
    facts = _fields(
        build_triage_card(
            replace(esc, tier=None, arr_at_risk=None, users_affected=None, room_channel_id=None)
        )
    )
    assert facts["*Tier*"] == facts["*ARR at risk*"] == facts["*Users affected*"] == "—"
    assert facts["*Room*"] == "This thread"


def test_triage_card_explains_the_severity(esc):
    text = block(build_triage_card(esc), "card_reasons")["text"]["text"]
    assert text.startswith("*Why SEV-1*")
    assert "• Production down, data loss or security breach (“corrupted”)" in text
    assert "• Strategic account: Enterprise tier, $180,000 ARR at risk (≥ $100,000)" in text


def test_triage_card_without_reasons_says_who_chose(esc):
    text = block(build_triage_card(replace(esc, severity_reasons=())), "card_reasons")["text"]["text"]
    assert "Set by the person escalating" in text


def test_triage_card_context_names_caller_source_flags_and_responders(esc):
    flagged = replace(esc, public_exposure=True, regulatory=True)
    context = block(build_triage_card(flagged), "card_context")["elements"][0]["text"]
    assert "Raised by <@U0CALLER> in <#C0SUPPORT>" in context
    assert f"<{esc.source_permalink}|where it was raised>" in context
    assert "📣 Public exposure risk" in context
    assert "⚖️ Regulatory implications" in context
    assert "Responders: <@U0ENG>, <@U0CSM>" in context


def test_triage_card_does_not_link_a_dm_as_the_source(esc):
    context = block(build_triage_card(replace(esc, source_channel_id="D0DM")), "card_context")
    assert "<#D0DM>" not in context["elements"][0]["text"]


def test_private_escalation_card_is_marked(esc):
    facts = _fields(build_triage_card(replace(esc, escalation_type="security", is_private=True)))
    assert facts["*Type*"] == "🔒 Security"


def test_open_card_offers_acknowledge_and_take_command(esc):
    blocks = build_triage_card(esc)
    assert _buttons(blocks) == [
        ACKNOWLEDGE,
        POST_UPDATE,
        DRAFT_UPDATE,
        CUSTOMER_UPDATED,
        RESOLVE,
        TAKE_COMMAND,
    ]
    acknowledge = block(blocks, "card_actions")["elements"][0]
    assert acknowledge["value"] == "7"
    assert acknowledge["style"] == "primary"


def test_acknowledge_button_goes_once_acknowledged_and_the_card_says_who(esc):
    acked_at = CREATED + timedelta(minutes=4)
    blocks = build_triage_card(replace(esc, acknowledged_at=acked_at, acknowledged_by="U0AGENT"))
    assert _buttons(blocks) == [POST_UPDATE, DRAFT_UPDATE, CUSTOMER_UPDATED, RESOLVE, TAKE_COMMAND]
    response = _fields(blocks)["*First response*"]
    assert response.startswith("✅ Acknowledged by <@U0AGENT> <!date^")
    assert str(int(acked_at.timestamp())) in response
    assert "Due" not in response
    assert validate_message_blocks(blocks) == []


def test_a_resolved_card_waits_for_the_customer(esc):
    resolved = replace(
        esc, status="resolved", resolved_at=CREATED, resolved_by="U0IC", resolution_summary="Restored <@U0X>"
    )
    blocks = build_triage_card(resolved)
    assert _buttons(blocks) == [CONFIRM, CUSTOMER_UPDATED, RECOVERY, REOPEN, CLOSE]
    assert _fields(blocks)["*Status*"] == "✅ Resolved, awaiting customer confirmation"
    clocks = block(blocks, "card_clocks")["fields"]
    assert any("Restored &lt;@U0X&gt;" in f["text"] for f in clocks), "what fixed it, escaped"
    assert validate_message_blocks(blocks) == []


def test_a_closed_card_offers_the_review_the_recovery_and_reopen_and_flags_a_premature_closure(esc):
    confirmed = replace(esc, status="closed", closed_at=CREATED, closed_by="U0IC", confirmed_at=CREATED)
    blocks = build_triage_card(confirmed)
    assert _buttons(blocks) == [REPORT, RECOVERY, REOPEN] and _buttons(blocks, "card_claims") == []
    assert _labels(blocks)[0] == "Write the report"
    assert _labels(build_triage_card(replace(confirmed, report_link="https://x")))[0] == "Update the report"
    assert _fields(blocks)["*Status*"] == "🔒 Closed (customer confirmed)"
    assert not any(b["block_id"] == "card_flag" for b in blocks)
    premature = replace(
        confirmed, confirmed_at=None, closed_without_confirmation=True, close_reason="Churned <!channel>"
    )
    blocks = build_triage_card(premature)
    flag = block(blocks, "card_flag")["text"]["text"]
    assert flag.startswith("*⚠️ Premature closure*: closed by <@U0IC>")
    assert flag.endswith("Reason: Churned &lt;!channel&gt;")
    assert _fields(blocks)["*Status*"] == "🔒 Closed without confirmation"
    assert validate_message_blocks(blocks) == []


@pytest.mark.parametrize("status", ["investigating", "identified", "monitoring"])
def test_buttons_stay_while_work_goes_on(esc, status):
    assert TAKE_COMMAND in _buttons(build_triage_card(replace(esc, status=status)))


def test_long_text_is_cut_with_an_ellipsis_inside_the_limits(extreme):
    blocks = build_triage_card(extreme)
    header = block(blocks, "card_header")["text"]["text"]
    assert len(header) <= limits.HEADER_TEXT
    assert header.startswith("🟠 SEV-2 · Ünïcødé Grüße")
    assert header.endswith(ELLIPSIS)
    for block_id, heading in (
        ("card_description", "*What happened*\n"),
        ("card_tried", "*What has been tried*\n"),
    ):
        text = block(blocks, block_id)["text"]["text"]
        assert text.startswith(heading)
        assert text.endswith(ELLIPSIS)
        assert len(text) <= limits.SECTION_TEXT
        assert len(text) > limits.SECTION_TEXT - 200  # cut near the limit, not emptied
    reasons = block(blocks, "card_reasons")["text"]["text"]
    assert reasons.endswith(ELLIPSIS) and len(reasons) <= limits.SECTION_TEXT
    context = block(blocks, "card_context")["elements"][0]["text"]
    assert len(context) <= limits.CONTEXT_TEXT
    assert "<@U0000000019>" in context  # all 20 responders are named
    assert _fields(blocks)["*ARR at risk*"] == "$12,345,678,901"


def test_user_text_cannot_ping_or_link(extreme):
    text = texts(build_triage_card(extreme))
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
