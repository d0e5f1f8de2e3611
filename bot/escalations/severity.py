"""Severity suggestion: technical impact (seed 001 criteria) weighted by the account (pure)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.vocabulary import SEVERITIES
from bot.core.wording import normalize, phrases_in
from bot.policy.model import Policy

CRITERIA = {
    "SEV-1": "Production down, data loss or security breach",
    "SEV-2": "Major feature broken, significant impact",
    "SEV-3": "Feature degraded, workaround exists",
    "SEV-4": "Minor issue, low impact",
}
DEFAULT_SEVERITY = "SEV-3"


@dataclass(frozen=True)
class SeveritySuggestion:
    """The suggested severity, the technical one before account weight, and why."""

    severity: str
    technical_severity: str
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Account:
    """What the triage knows about the account and the blast radius."""

    tier: str | None = None
    arr: int | None = None
    users_affected: int | None = None
    public_exposure: bool = False
    regulatory: bool = False
    escalation_type: str = "technical"


def technical_impact(text: str, policy: Policy) -> tuple[str, str]:
    """The most severe level whose keywords occur in `text`, and the reason in words."""
    words = normalize(text)
    for severity in SEVERITIES:
        found = phrases_in(words, policy.impact_keywords[severity])
        if found:
            quoted = ", ".join(f"“{p}”" for p in found[:3])
            return severity, f"{CRITERIA[severity]} ({quoted})"
    return DEFAULT_SEVERITY, f"No impact keywords found: assumed {CRITERIA[DEFAULT_SEVERITY].lower()}"


def account_reasons(account: Account, policy: Policy) -> list[str]:
    """Why this account weighs more than average, per the policy's account_weight rules."""
    weight = policy.account_weight
    reasons: list[str] = []
    if account.tier and account.tier.lower() in weight.strategic_tiers:
        reasons.append(f"{account.tier.title()} tier")
    if account.arr is not None and account.arr >= weight.strategic_arr:
        reasons.append(f"${account.arr:,} ARR at risk (≥ ${weight.strategic_arr:,})")
    if account.users_affected is not None and account.users_affected >= weight.strategic_users_affected:
        reasons.append(
            f"{account.users_affected:,} users affected (from {weight.strategic_users_affected:,})"
        )
    if account.public_exposure and weight.bump_for_public_exposure:
        reasons.append("public exposure risk")
    if account.regulatory and weight.bump_for_regulatory:
        reasons.append("regulatory implications")
    return reasons


def is_strategic(account: Account, policy: Policy) -> bool:
    """True when the account weighs more than average (tier, ARR, users, public or regulatory risk): the
    one rule that severity, drafts and recovery options share."""
    return bool(account_reasons(account, policy))


def suggest_severity(text: str, account: Account, policy: Policy) -> SeveritySuggestion:
    """SEV-1..4 from what happened and who it happened to, with the reasons the card shows."""
    technical, impact_reason = technical_impact(text, policy)
    level = SEVERITIES.index(technical)
    reasons = [impact_reason]
    if account.escalation_type == "security" and level > 1:
        level = 1
        reasons.append("Security escalations start at SEV-2: they bypass normal tier progression")
    weight = account_reasons(account, policy)
    if weight:
        moved = min(policy.account_weight.max_bump, level)
        if moved:
            reasons.append(
                f"Moved up from {SEVERITIES[level]} to {SEVERITIES[level - moved]}, strategic account: "
                + ", ".join(weight)
            )
            level -= moved
        else:
            reasons.append("Strategic account: " + ", ".join(weight))
    return SeveritySuggestion(SEVERITIES[level], technical, tuple(reasons))
