"""Severity suggestion: the situation read from the text (seed 001 criteria), the type floor, a workaround,
then the account's weight (pure)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.durations import format_duration
from bot.core.vocabulary import SEVERITIES, EscalationType, label_of
from bot.escalations.situations import Reading, read_situation
from bot.policy.model import Policy
from bot.policy.triage import Flag

DEFAULT_SEVERITY = "SEV-3"
NOTHING_MATCHED = (
    "Nothing in the text matched a triage situation: assumed feature degraded, workaround exists"
)


@dataclass(frozen=True)
class SeveritySuggestion:
    """The suggested severity, the technical one before account weight, and why."""

    severity: str
    technical_severity: str
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class TriageOpinion:
    """Claude's reading of the text: technical severity (before account weight), type, flags, users, why
    (each reason quoting the text)."""

    severity: str
    escalation_type: str
    flags: frozenset[str]
    users_affected: int | None
    reasons: tuple[str, ...]
    customer_wording: str | None = None  # the problem in the customer's terms, for the intake form
    mood: str | None = None  # seed 000's emotional state, a `Mood` value


@dataclass(frozen=True)
class Account:
    """What the triage knows about the account and the blast radius."""

    tier: str | None = None
    arr: int | None = None
    users_affected: int | None = None
    public_exposure: bool = False
    regulatory: bool = False
    escalation_type: str = "technical"
    # The form's "is there a workaround?" answer; None when unanswered (the text may still say so).
    workaround: bool | None = None
    # Earlier escalations of this account within the policy's repeat window.
    recent_escalations: int = 0


def technical_impact(text: str, policy: Policy) -> tuple[str, str]:
    """The most severe situation the text describes, and the reason in words."""
    reading = read_situation(text, policy.triage)
    deciding = reading.deciding
    if deciding is None:
        return DEFAULT_SEVERITY, NOTHING_MATCHED
    return str(deciding.situation.severity), reading.impact_reason or NOTHING_MATCHED


def account_reasons(account: Account, policy: Policy, reading: Reading | None = None) -> list[str]:
    """Why this account weighs more than average: the policy's account_weight rules, repeat escalations
    within the policy's window, and a text that says many are hit."""
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
    widespread = reading.flagged(Flag.WIDESPREAD) if reading else None
    if widespread is not None:
        reasons.append(widespread.reason[0].lower() + widespread.reason[1:])
    if account.public_exposure and weight.bump_for_public_exposure:
        reasons.append("public exposure risk")
    if account.regulatory and weight.bump_for_regulatory:
        reasons.append("regulatory implications")
    repeat = policy.triage.repeat_escalations
    if account.recent_escalations >= repeat.from_count:
        times = (
            "1 earlier escalation"
            if account.recent_escalations == 1
            else (f"{account.recent_escalations} earlier escalations")
        )
        window = f"{repeat.window.days} days" if repeat.window.days else format_duration(repeat.window)
        reasons.append(f"repeat escalation ({times} in the last {window})")
    return reasons


def is_strategic(account: Account, policy: Policy) -> bool:
    """True when the account weighs more than average (tier, ARR, users, public or regulatory risk, repeat
    escalations): the one rule that severity, drafts and recovery options share."""
    return bool(account_reasons(account, policy))


def suggest_severity(
    text: str, account: Account, policy: Policy, opinion: TriageOpinion | None = None
) -> SeveritySuggestion:
    """SEV-1..4 from what happened and who it happened to, with the reasons the card shows. With Claude's
    `opinion`, the more severe of its reading and the rules' is the technical severity, and the reasons
    say where they disagree."""
    reading = read_situation(text, policy.triage)
    deciding = reading.deciding
    technical = str(deciding.situation.severity) if deciding else DEFAULT_SEVERITY
    reasons = [reading.impact_reason or NOTHING_MATCHED]
    if opinion is not None:
        technical, reasons = _with_opinion(technical, reasons[0], opinion)
    level = SEVERITIES.index(technical)
    triage = policy.triage
    said = reading.flags | (opinion.flags if opinion else frozenset())
    workaround = account.workaround if account.workaround is not None else Flag.WORKAROUND in said
    if workaround and triage.workaround_lowers and technical == triage.workaround_lowers:
        level += 1
        reasons.append(f"A workaround exists: {SEVERITIES[level]}, feature degraded (seed 001)")
    floor = triage.type_floors.get(account.escalation_type)
    if floor is not None and level > SEVERITIES.index(floor):
        level = SEVERITIES.index(floor)
        reasons.append(f"{label_of(EscalationType, account.escalation_type)} escalations start at {floor}")
    weight = account_reasons(account, policy, reading)
    if opinion is not None and Flag.WIDESPREAD in opinion.flags and not reading.flagged(Flag.WIDESPREAD):
        weight.append("widespread impact (Claude's reading)")
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


def _with_opinion(rules: str, rules_reason: str, opinion: TriageOpinion) -> tuple[str, list[str]]:
    """The technical severity and its reasons once Claude's reading is weighed against the rules'."""
    why = "; ".join(opinion.reasons)
    if opinion.severity == rules:
        return rules, [rules_reason, f"Claude agrees ({rules}): {why}"]
    if SEVERITIES.index(opinion.severity) < SEVERITIES.index(rules):
        return opinion.severity, [
            f"Claude reads {opinion.severity}: {why}",
            f"The rules read {rules}: {rules_reason}",
        ]
    return rules, [rules_reason, f"Claude reads {opinion.severity}, the rules' {rules} stands: {why}"]
