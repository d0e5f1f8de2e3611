"""Severity suggestion: seed 001 criteria weighted by the account, with readable reasons."""

import pytest

from bot.escalations.intake import account_of
from bot.escalations.prefill import parse_free_text
from bot.escalations.severity import (
    NOTHING_MATCHED,
    Account,
    account_reasons,
    suggest_severity,
    technical_impact,
)
from bot.policy.model import default_policy, load_policy

POLICY = default_policy()
SLOW = "Dashboards are slow"  # SEV-3 on its own


# ---------------------------------------------------------------------------------------------------------
# Seed 001 criteria table
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "severity", "phrase"),
    [
        # SEV-1: production down, data loss, security breach
        ("Production down for all EU tenants", "SEV-1", "production down"),
        ("Complete outage since 09:00", "SEV-1", "outage"),
        ("Customer reports data loss after the migration", "SEV-1", "data loss"),
        ("Migration corrupted 6 months of reports", "SEV-1", "corrupted"),
        ("Security breach: unauthorized access to the admin panel", "SEV-1", "security breach"),
        ("All users are locked out", "SEV-1", "locked out"),
        # SEV-2: major feature broken, significant impact
        ("Major feature broken: scheduled exports", "SEV-2", "major feature"),
        ("API returning 500 errors for Acme Corp", "SEV-2", "500"),
        ("SSO login loop", "SEV-2", "login loop"),
        ("Data export is missing rows", "SEV-2", "missing rows"),
        # SEV-3: feature degraded, workaround exists
        ("Search is degraded", "SEV-3", "degraded"),
        ("Reports are slow but a workaround exists", "SEV-3", "workaround"),
        # SEV-4: minor, cosmetic
        ("Minor cosmetic issue on the settings page", "SEV-4", "cosmetic"),
        ("Typo in the invoice footer", "SEV-4", "typo"),
    ],
)
def test_seed_001_criteria(text, severity, phrase):
    found, reason = technical_impact(text, POLICY)
    assert found == severity
    assert f"“{phrase}”" in reason  # the card shows which words decided it


@pytest.mark.parametrize(
    ("text", "criteria"),
    [
        ("Production down", "Production down"),
        ("The sync deleted their grades", "Data loss, corruption or deletion"),
        ("Payroll export shows another tenant's employees", "Customer data shown or sent to the wrong party"),
        ("Export button is broken", "Major feature broken, significant impact"),
        ("Search is degraded", "Feature degraded, workaround exists"),
        ("Cosmetic glitch", "Minor issue, low impact"),
    ],
)
def test_reason_names_the_situation(text, criteria):
    assert technical_impact(text, POLICY)[1].startswith(criteria)


def test_the_most_severe_match_wins():
    assert technical_impact("Minor issue at first, now production down", POLICY)[0] == "SEV-1"
    assert technical_impact("Slow, and now the export is broken", POLICY)[0] == "SEV-2"


@pytest.mark.parametrize("text", ["Customer would like a call back", "", "Please reach out to Globex"])
def test_nothing_matching_is_sev3_and_says_so(text):
    severity, reason = technical_impact(text, POLICY)
    assert severity == "SEV-3"
    assert reason == NOTHING_MATCHED


def test_keywords_match_whole_words_only():
    # "minority" is not "minor"; "slowly" is not "slow".
    assert technical_impact("A minority of reports load slowly", POLICY)[0] == "SEV-3"
    assert technical_impact("A minority of reports load slowly", POLICY)[1] == NOTHING_MATCHED


def test_matching_ignores_case_and_curly_apostrophes():
    assert technical_impact("PRODUCTION DOWN", POLICY)[0] == "SEV-1"
    assert technical_impact("Users can’t log in", POLICY)[0] == "SEV-2"  # blocked; SEV-1 when everyone is


# ---------------------------------------------------------------------------------------------------------
# False friends
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "He used the words 'breach of contract' and 'incompetence'",
        "Their lawyer calls it a contract breach",
        "There was no data loss, the dashboards are just slow",
        "Reports are not corrupted, only slow",
    ],
)
def test_false_friends_alone_do_not_make_sev1(text):
    suggestion = suggest_severity(text, Account(), POLICY)
    assert suggestion.technical_severity != "SEV-1"
    assert suggestion.severity != "SEV-1"


def test_breach_of_contract_does_not_hide_a_real_impact():
    text = "Breach of contract, and the migration corrupted their data"
    assert technical_impact(text, POLICY)[0] == "SEV-1"


@pytest.mark.parametrize("text", ["We breached the SLA on this ticket", "Another SLA breach for Globex"])
def test_an_sla_breach_is_not_a_security_breach(text):
    assert technical_impact(text, POLICY)[0] != "SEV-1"


# ---------------------------------------------------------------------------------------------------------
# Account weight
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("account", "severity"),
    [
        (Account(), "SEV-3"),
        (Account(tier="enterprise"), "SEV-2"),
        (Account(tier="Enterprise"), "SEV-2"),
        (Account(tier="business"), "SEV-3"),
        (Account(tier="starter"), "SEV-3"),
        (Account(arr=100_000), "SEV-2"),
        (Account(arr=99_999), "SEV-3"),
        (Account(users_affected=500), "SEV-2"),
        (Account(users_affected=499), "SEV-3"),
        (Account(public_exposure=True), "SEV-2"),
        (Account(regulatory=True), "SEV-2"),
        # Every reason at once still moves exactly one level.
        (
            Account(
                tier="enterprise", arr=5_000_000, users_affected=10_000, public_exposure=True, regulatory=True
            ),
            "SEV-2",
        ),
    ],
)
def test_account_weight_moves_up_one_level(account, severity):
    suggestion = suggest_severity(SLOW, account, POLICY)
    assert suggestion.technical_severity == "SEV-3"
    assert suggestion.severity == severity


@pytest.mark.parametrize(
    ("text", "severity"),
    [
        ("Production down", "SEV-1"),
        ("Export is broken", "SEV-1"),
        (SLOW, "SEV-2"),
        ("Cosmetic typo", "SEV-3"),
    ],
)
def test_strategic_account_bump_per_level_never_above_sev1(text, severity):
    account = Account(tier="enterprise", arr=180_000)
    assert suggest_severity(text, account, POLICY).severity == severity


def test_strategic_sev1_is_not_bumped_but_still_explains_the_account():
    suggestion = suggest_severity("Production down", Account(tier="enterprise"), POLICY)
    assert suggestion.severity == "SEV-1"
    assert any(r.startswith("Strategic account") and "Enterprise tier" in r for r in suggestion.reasons)
    assert not any("Moved up" in r for r in suggestion.reasons)


@pytest.fixture
def policy_with_max_bump(tmp_path):
    def load(max_bump: int):
        path = tmp_path / "policy.yaml"
        path.write_text(f"account_weight:\n  max_bump: {max_bump}\n", encoding="utf-8")
        return load_policy(path)

    return load


@pytest.mark.parametrize(
    ("max_bump", "text", "severity"),
    [
        (0, SLOW, "SEV-3"),
        (1, SLOW, "SEV-2"),
        (2, SLOW, "SEV-1"),
        (2, "Cosmetic typo", "SEV-2"),
        (3, "Cosmetic typo", "SEV-1"),
        (3, "Export is broken", "SEV-1"),
    ],
)
def test_max_bump_from_a_policy_file(policy_with_max_bump, max_bump, text, severity):
    policy = policy_with_max_bump(max_bump)
    assert suggest_severity(text, Account(tier="enterprise"), policy).severity == severity


def test_max_bump_zero_keeps_the_level_but_names_the_account(policy_with_max_bump):
    suggestion = suggest_severity(SLOW, Account(tier="enterprise"), policy_with_max_bump(0))
    assert suggestion.severity == "SEV-3"
    assert "Strategic account: Enterprise tier" in suggestion.reasons


def test_policy_thresholds_from_a_file_change_who_is_strategic(tmp_path):
    path = tmp_path / "policy.yaml"
    path.write_text(
        "account_weight:\n  strategic_tiers: [business]\n  strategic_arr: 1000000\n"
        "  bump_for_public_exposure: false\n",
        encoding="utf-8",
    )
    policy = load_policy(path)
    assert suggest_severity(SLOW, Account(tier="enterprise", arr=180_000), policy).severity == "SEV-3"
    assert suggest_severity(SLOW, Account(tier="business"), policy).severity == "SEV-2"
    assert suggest_severity(SLOW, Account(public_exposure=True), policy).severity == "SEV-3"


# ---------------------------------------------------------------------------------------------------------
# Security floor
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "severity", "floor_applied"),
    [
        ("Cosmetic typo on the login page", "SEV-2", True),
        (SLOW, "SEV-2", True),
        ("Export is broken", "SEV-2", False),
        ("Data leak confirmed", "SEV-1", False),
    ],
)
def test_security_escalations_start_at_sev2(text, severity, floor_applied):
    suggestion = suggest_severity(text, Account(escalation_type="security"), POLICY)
    assert suggestion.severity == severity
    said = any("Security escalations start at SEV-2" in r for r in suggestion.reasons)
    assert said is floor_applied


def test_compliance_escalations_start_at_sev2_too():
    suggestion = suggest_severity("Cosmetic typo", Account(escalation_type="compliance"), POLICY)
    assert suggestion.severity == "SEV-2"
    assert "Compliance escalations start at SEV-2" in suggestion.reasons


def test_the_type_floors_do_not_apply_to_other_types():
    for escalation_type in ("technical", "billing", "business", "service", "relationship"):
        account = Account(escalation_type=escalation_type)
        assert suggest_severity("Cosmetic typo", account, POLICY).severity == "SEV-4"


# ---------------------------------------------------------------------------------------------------------
# Reasons a person can read
# ---------------------------------------------------------------------------------------------------------


def test_reasons_name_the_matched_phrases_and_every_account_reason():
    account = Account(
        tier="enterprise", arr=180_000, users_affected=1_200, public_exposure=True, regulatory=True
    )
    suggestion = suggest_severity("Search is degraded, a workaround exists", account, POLICY)
    assert suggestion.severity == "SEV-2"
    impact, bump = suggestion.reasons
    assert impact == "Feature degraded, workaround exists (“degraded”, “workaround”)"
    assert bump.startswith("Moved up from SEV-3 to SEV-2, strategic account: ")
    for part in (
        "Enterprise tier",
        "$180,000 ARR at risk (≥ $100,000)",
        "1,200 users affected",
        "public exposure risk",
        "regulatory implications",
    ):
        assert part in bump


def test_reasons_are_plain_sentences_not_python_values():
    account = Account(tier="enterprise", arr=2_500_000, users_affected=None, escalation_type="security")
    suggestion = suggest_severity("Cosmetic typo", account, POLICY)
    for reason in suggestion.reasons:
        assert isinstance(reason, str)
        assert reason.strip() == reason and reason
        for leak in ("None", "('", "[]", "2500000"):
            assert leak not in reason


def test_impact_reason_quotes_at_most_three_phrases():
    _, reason = technical_impact("data loss, corrupted, lost data, wiped, corruption", POLICY)
    assert reason.count("“") == 3


@pytest.mark.parametrize(
    ("account", "reasons"),
    [
        (Account(), []),
        (Account(tier="starter", arr=10_000, users_affected=20), []),
        (Account(tier="enterprise"), ["Enterprise tier"]),
        (Account(arr=250_000), ["$250,000 ARR at risk (≥ $100,000)"]),
        (Account(users_affected=2_000), ["2,000 users affected (from 500)"]),
        (
            Account(tier="enterprise", public_exposure=True, regulatory=True),
            ["Enterprise tier", "public exposure risk", "regulatory implications"],
        ),
    ],
)
def test_account_reasons(account, reasons):
    assert account_reasons(account, POLICY) == reasons


# ---------------------------------------------------------------------------------------------------------
# The seed situations, end to end from the free text
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "technical", "suggested"),
    [
        (
            "Email from David Okafor, 4-year enterprise customer (pays $180k/year). Three weeks ago we "
            "migrated his data and corrupted 6 months of his historical reports. "
            "He used the words 'breach of contract'.",
            "SEV-1",
            "SEV-1",
        ),
        ("API returning 500 errors intermittently for Acme Corp", "SEV-2", "SEV-2"),
        ("Data export is missing rows — 3 customers reported this week", "SEV-2", "SEV-2"),
        ("SSO login loop affecting all Enterprise customers", "SEV-2", "SEV-1"),
    ],
    ids=["okafor", "acme", "export", "sso"],
)
def test_seed_situations_from_free_text(text, technical, suggested):
    draft = parse_free_text(text, POLICY)
    account = account_of(draft)
    suggestion = suggest_severity(text, account, POLICY)
    assert (suggestion.technical_severity, suggestion.severity) == (technical, suggested)
