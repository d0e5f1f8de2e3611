"""The recovery plan (pure) and its message: the impact level from the severity, the strategic account and a
breached resolution target (at most severe, each bump the policy's to switch off), check-ins from the
policy's offsets, the gestures the actions imply ticked, and Block Kit within Slack's limits.

Built-in policy: SEV-1 significant, SEV-2 moderate, SEV-3/4 minor; resolution targets SEV-1 4 h, SEV-2 8 h,
SEV-3 2 days, SEV-4 1 week; strategic from the enterprise tier, $100,000 ARR or 500 users affected."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from blocks import limits
from blocks.reports.recovery import ACCEPT_ACTION, GESTURES_ACTION, build_recovery_plan
from blocks.text import slack_date
from bot.policy.loop import RecoveryLevel, RecoveryLevelPolicy
from bot.policy.model import Policy, load_policy
from bot.reports.recovery import recovery_plan
from bot.sandbox.block_kit_rules import validate_message_blocks
from tests.factories import CREATED, make_snapshot

POLICY = load_policy(None)
NOW = CREATED + timedelta(days=30)
STARTER = {"tier": "starter", "arr_at_risk": 5_000, "users_affected": 10}
ENTERPRISE = {"tier": "enterprise", "arr_at_risk": 180_000, "users_affected": 1_200}
L = RecoveryLevel


def hours(n: float) -> datetime:
    return CREATED + timedelta(hours=n)


def without_bumps(policy: Policy) -> Policy:
    recovery = policy.recovery.model_copy(
        update={"bump_for_strategic_account": False, "bump_for_resolution_breach": False}
    )
    return policy.model_copy(update={"recovery": recovery})


@pytest.mark.parametrize(
    ("severity", "account", "changes", "now", "policy", "level"),
    [
        pytest.param("SEV-3", STARTER, {"resolved_at": hours(1)}, NOW, POLICY, L.MINOR, id="SEV-3 starter"),
        pytest.param(
            "SEV-3", ENTERPRISE, {"resolved_at": hours(1)}, NOW, POLICY, L.MODERATE, id="SEV-3 enterprise"
        ),
        pytest.param(
            "SEV-3", STARTER, {"resolved_at": hours(72)}, NOW, POLICY, L.MODERATE, id="SEV-3 3 days > 2"
        ),
        pytest.param(
            "SEV-2", STARTER, {"resolved_at": hours(2)}, NOW, POLICY, L.MODERATE, id="SEV-2 starter"
        ),
        pytest.param(
            "SEV-2", ENTERPRISE, {"resolved_at": hours(9)}, NOW, POLICY, L.SEVERE, id="SEV-2 ent 9h > 8"
        ),
        pytest.param(
            "SEV-1", STARTER, {"resolved_at": hours(3)}, NOW, POLICY, L.SIGNIFICANT, id="SEV-1 starter"
        ),
        pytest.param(
            "SEV-1", ENTERPRISE, {"resolved_at": hours(3)}, NOW, POLICY, L.SEVERE, id="SEV-1 enterprise"
        ),
        pytest.param(
            "SEV-1",
            ENTERPRISE,
            {"resolved_at": hours(5)},
            NOW,
            POLICY,
            L.SEVERE,
            id="SEV-1 ent breached: cap",
        ),
        pytest.param(
            "SEV-1",
            STARTER,
            {"resolved_at": hours(3), "resolution_breached": True},
            NOW,
            POLICY,
            L.SEVERE,
            id="SEV-1 breach recorded",
        ),
        pytest.param(
            "SEV-4", STARTER, {}, hours(24 * 8), POLICY, L.MODERATE, id="SEV-4 open 8 days > 1 week"
        ),
        pytest.param("SEV-4", STARTER, {}, hours(24 * 6), POLICY, L.MINOR, id="SEV-4 open 6 days"),
        pytest.param(
            "SEV-3",
            ENTERPRISE,
            {"resolved_at": hours(72)},
            NOW,
            without_bumps(POLICY),
            L.MINOR,
            id="bumps switched off",
        ),
    ],
)
def test_the_level_follows_severity_account_and_breach(severity, account, changes, now, policy, level):
    esc = make_snapshot(severity=severity, suggested_severity=severity, **account, **changes)
    assert recovery_plan(esc, policy, now).level == level


def test_the_reasons_say_why_in_words_and_where_the_level_stops():
    esc = make_snapshot(**ENTERPRISE, resolved_at=hours(5))
    plan = recovery_plan(esc, POLICY, NOW)
    assert plan.suffered == timedelta(hours=5)
    assert plan.reasons == (
        "SEV-1 starts at significant impact (seed 001's recovery table)",
        "Strategic account (Enterprise tier, $180,000 ARR at risk (≥ $100,000), 1,200 users affected "
        "(from 500)): one level up",
        "Affected for 5 h, past the 4 h resolution target: one level up",
        "Severe is the most there is",
    )
    off = recovery_plan(esc, without_bumps(POLICY), NOW)
    assert off.level == L.SIGNIFICANT
    assert off.reasons[1].endswith("; the policy does not move the level for it")


def test_check_ins_follow_the_level_offsets_from_now_and_go_to_the_csm_then_liaison_then_ic():
    esc = make_snapshot(severity="SEV-2", **STARTER, resolved_at=hours(2), csm_user_id="U0CSM")
    plan = recovery_plan(esc, POLICY, NOW)
    assert plan.level == L.MODERATE  # moderate: check-ins after 1 and 4 weeks
    assert plan.check_ins == (NOW + timedelta(days=7), NOW + timedelta(days=28))
    assert plan.check_in_owner == "U0CSM"
    assert recovery_plan(
        replace(esc, csm_user_id=None, liaison_user_id="U0LIA"), POLICY, NOW
    ).check_in_owner == ("U0LIA")
    assert recovery_plan(replace(esc, csm_user_id=None), POLICY, NOW).check_in_owner == "U0IC"


def test_the_gestures_the_actions_name_are_preselected():
    moderate = recovery_plan(make_snapshot(severity="SEV-2", **STARTER, resolved_at=hours(2)), POLICY, NOW)
    assert moderate.actions == ("Apology", "Service credit")
    assert [g.text for g in moderate.gestures] == list(POLICY.recovery.gestures)
    assert [g.text for g in moderate.preselected] == ["Service credit (1-3 months)"]
    minor = recovery_plan(make_snapshot(severity="SEV-3", **STARTER, resolved_at=hours(1)), POLICY, NOW)
    assert minor.actions == ("Apology", "Thank-you for their patience") and minor.preselected == ()
    assert minor.conversation[0] == "Acknowledge what happened" and len(minor.conversation) == 6


def _element(blocks: list[dict], block_id: str) -> dict:
    return next(b for b in blocks if b.get("block_id") == block_id)["elements"][0]


def test_the_message_offers_choices_and_one_accept_button():
    esc = make_snapshot(severity="SEV-2", **STARTER, resolved_at=hours(2), csm_user_id="U0CSM")
    text, blocks = build_recovery_plan(esc, recovery_plan(esc, POLICY, NOW))
    assert validate_message_blocks(blocks) == []
    assert blocks[0] == {
        "type": "header",
        "block_id": "recovery_header",
        "text": {"type": "plain_text", "text": "Recovery plan · ESC-2026-007", "emoji": True},
    }
    assert "moderate" in text and "ESC-2026-007" in text
    gestures = _element(blocks, "recovery_gestures")
    assert gestures["type"] == "checkboxes" and gestures["action_id"] == GESTURES_ACTION
    assert [o["value"] for o in gestures["options"]] == ["0", "1", "2", "3", "4", "5"]
    assert gestures["initial_options"] == [gestures["options"][0]]  # "Service credit (1-3 months)"
    accept = _element(blocks, "recovery_accept")
    assert (accept["action_id"], accept["value"], accept["style"]) == (
        ACCEPT_ACTION,
        "7",  # the escalation's id, as every card button carries it
        "primary",
    )
    assert accept["text"]["text"] == "Accept and schedule"
    shown = json.dumps(blocks, ensure_ascii=False)
    assert "1. Acknowledge what happened\\n2. Take responsibility (no excuses)" in shown
    assert "Apology · Service credit" in shown and "<@U0CSM>" in shown
    for due in (NOW + timedelta(days=7), NOW + timedelta(days=28)):
        assert slack_date(due, "{date_long_pretty}") in shown
    assert _element(blocks, "recovery_note")["text"] == (
        "Suggestions only: nothing is sent to the customer; accepted gestures and check-ins are reminded to "
        "their owner"
    )


def test_a_plan_without_ticked_gestures_leaves_out_initial_options():
    esc = make_snapshot(severity="SEV-3", **STARTER, resolved_at=hours(1))
    _, blocks = build_recovery_plan(esc, recovery_plan(esc, POLICY, NOW))
    assert "initial_options" not in _element(blocks, "recovery_gestures")
    assert validate_message_blocks(blocks) == []


def test_a_private_plan_names_no_customer_and_an_oversized_policy_stays_within_limits():
    long = "Credit <!channel> & <https://evil.example|click> " * 6  # ≈ 300 characters
    levels = dict(POLICY.recovery.levels)
    levels[L.MODERATE] = RecoveryLevelPolicy(
        actions=tuple(f"{long} {i}" for i in range(30)),
        check_ins=tuple(timedelta(days=d) for d in range(1, 200)),
    )
    recovery = POLICY.recovery.model_copy(
        update={
            "levels": levels,
            "gestures": tuple(f"Gesture {i}: {long}" for i in range(35)),
            "conversation": tuple(f"Step {i}: {long}" for i in range(40)),
        }
    )
    policy = POLICY.model_copy(update={"recovery": recovery})
    esc = make_snapshot(severity="SEV-2", **STARTER, resolved_at=hours(2), is_private=True)
    text, blocks = build_recovery_plan(esc, recovery_plan(esc, policy, NOW))
    assert validate_message_blocks(blocks) == [] and len(blocks) <= limits.MESSAGE_BLOCKS
    checkboxes = [
        e for b in blocks if b["type"] == "actions" for e in b["elements"] if e["type"] == "checkboxes"
    ]
    assert [len(c["options"]) for c in checkboxes] == [10, 10, 10]  # 30 of the 35, in three groups
    assert [o["value"] for c in checkboxes for o in c["options"]] == [str(i) for i in range(30)]
    assert all(len(o["text"]["text"]) <= limits.OPTION_TEXT for c in checkboxes for o in c["options"])
    assert "5 more gestures" in _element(blocks, "recovery_gestures_more")["text"]
    sections = [b["text"]["text"] for b in blocks if b["type"] == "section"]
    assert all(len(section) <= limits.SECTION_TEXT for section in sections)
    assert not any("<!channel>" in section or "<https" in section for section in sections)
    assert "more" in _block_text(blocks, "recovery_conversation").rsplit("\n", 1)[1]
    shown = json.dumps(blocks, ensure_ascii=False) + text
    assert "Okafor" not in shown and esc.title not in shown


def _block_text(blocks: list[dict], block_id: str) -> str:
    return next(b for b in blocks if b.get("block_id") == block_id)["text"]["text"]
