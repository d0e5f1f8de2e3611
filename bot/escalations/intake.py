"""Intake: what a submitted escalation modal must hold, as pure values and validation.

`IntakeDraft` is what the modal shows (prefilled by `bot.escalations.prefill` or the last submission),
`IntakeForm` what a person submitted, and `validate_intake` turns that into an `Intake` or field errors.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal

from bot.core.text import clean
from bot.core.vocabulary import Mood
from bot.core.zones import known_zone
from bot.escalations.customer_words import WORDING_MAX, in_customer_words
from bot.escalations.severity import Account

# Field limits of the modal; the prefill cuts its guesses to the same lengths.
SUMMARY_MAX = 150
CUSTOMER_MAX = 120
# What the form's long fields hold (a modal text input holds 3,000 characters at most).
DETAIL_MAX = 3_000
# The short triage answers ("since Monday 09:40", "all 14 schools' teachers").
SHORT_ANSWER_MAX = 200
# The form's "is there a workaround?" choices, as the suggestion reads them (not sure: unanswered).
WORKAROUND_ANSWERS: dict[str, bool | None] = {"yes": True, "no": False, "unsure": None}
# The largest ARR worth believing (a trillion dollars), and the most users the database column holds.
ARR_MAX = 10**12
USERS_MAX = 2**31 - 1
EMAIL_MAX = 254
# An email address as a person types one; nothing with spaces or angle brackets gets into a mailto link.
EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")

# What the ARR field accepts: one amount, optionally with "$" and a unit ("180k", "$1.2M").
_BARE_AMOUNT = re.compile(
    r"^\$?\s*(?P<amount>\d[\d,]*(?:\.\d+)?)\s*(?P<unit>k|m|mm|million|thousand)?$", re.I
)
_DOTTED_THOUSANDS = re.compile(r"^\$?\d{1,3}(?:\.\d{3})+$")


@dataclass(frozen=True)
class IntakeDraft:
    """What the modal is prefilled with; every field may be missing."""

    text: str = ""
    customer: str | None = None
    contact_name: str | None = None
    contact_email: str | None = None
    contact_timezone: str | None = None
    customer_wording: str = ""
    customer_mood: str | None = None
    tier: str | None = None
    arr: int | None = None
    users_affected: int | None = None
    escalation_type: str = "technical"
    summary: str = ""
    public_exposure: bool = False
    regulatory: bool = False
    tried: str = ""
    severity: str | None = None
    ic_user_id: str | None = None
    responder_user_ids: tuple[str, ...] = ()
    # Seed 001's triage questions: when it started, who is affected, the business impact, a workaround.
    started: str = ""
    affected: str = ""
    business_impact: str = ""
    workaround: bool | None = None
    csm_user_id: str | None = None


@dataclass(frozen=True)
class Intake:
    """A validated intake, ready to become an escalation."""

    customer: str
    summary: str
    escalation_type: str
    severity: str | None
    contact_name: str | None = None
    contact_email: str | None = None
    contact_timezone: str | None = None
    customer_wording: str = ""
    customer_mood: str | None = None
    tier: str | None = None
    arr: int | None = None
    users_affected: int | None = None
    description: str = ""
    tried: str = ""
    public_exposure: bool = False
    regulatory: bool = False
    ic_user_id: str = ""
    responder_user_ids: tuple[str, ...] = field(default_factory=tuple)
    started: str = ""
    affected: str = ""
    business_impact: str = ""
    workaround: bool | None = None
    csm_user_id: str | None = None


def account_of(values: IntakeDraft | Intake, recent_escalations: int = 0) -> Account:
    """What the severity suggestion weighs about the account, from a draft or a validated intake."""
    return Account(
        tier=values.tier,
        arr=values.arr,
        users_affected=values.users_affected,
        public_exposure=values.public_exposure,
        regulatory=values.regulatory,
        escalation_type=values.escalation_type,
        workaround=values.workaround,
        recent_escalations=recent_escalations,
    )


def draft_from_intake(intake: Intake) -> IntakeDraft:
    """Everything a person submitted, to show the form again as they left it."""
    return IntakeDraft(
        text=intake.description,
        customer=intake.customer,
        contact_name=intake.contact_name,
        contact_email=intake.contact_email,
        contact_timezone=intake.contact_timezone,
        customer_wording=intake.customer_wording,
        customer_mood=intake.customer_mood,
        tier=intake.tier,
        arr=intake.arr,
        users_affected=intake.users_affected,
        escalation_type=intake.escalation_type,
        summary=intake.summary,
        public_exposure=intake.public_exposure,
        regulatory=intake.regulatory,
        tried=intake.tried,
        severity=intake.severity,
        ic_user_id=intake.ic_user_id,
        responder_user_ids=intake.responder_user_ids,
        started=intake.started,
        affected=intake.affected,
        business_impact=intake.business_impact,
        workaround=intake.workaround,
        csm_user_id=intake.csm_user_id,
    )


def draft_from_form(form: IntakeForm) -> IntakeDraft:
    """What the form holds while it is being filled in, read leniently (a half-typed ARR counts as none),
    to suggest a severity and show the form again."""
    form = _cleaned(form)
    return IntakeDraft(
        text=form.description,
        customer=" ".join(form.customer.split()) or None,
        contact_name=" ".join(form.contact_name.split()) or None,
        contact_email=form.contact_email.strip() or None,
        contact_timezone=known_zone(form.contact_timezone),
        customer_wording=" ".join(form.customer_wording.split()),
        customer_mood=mood_of(form.customer_mood),
        tier=form.tier,
        arr=_lenient(form.arr, parse_amount),
        users_affected=_lenient(form.users_affected, parse_count),
        escalation_type=form.escalation_type or "technical",
        summary=" ".join(form.summary.split()),
        public_exposure="public_exposure" in form.flags,
        regulatory="regulatory" in form.flags,
        tried=form.tried,
        severity=form.severity,
        ic_user_id=form.ic_user_id,
        responder_user_ids=form.responder_user_ids,
        started=form.started,
        affected=form.affected,
        business_impact=form.business_impact,
        workaround=WORKAROUND_ANSWERS.get(form.workaround or ""),
        csm_user_id=form.csm_user_id,
    )


def parse_amount(text: str) -> int:
    """`$180k`, `180,000`, `1.2M` → dollars; raises ValueError for anything else."""
    cleaned = text.strip().replace(" ", "")
    if _DOTTED_THOUSANDS.match(cleaned):  # "180.000" is how much of Europe writes 180,000
        cleaned = cleaned.replace(".", "")
    match = _BARE_AMOUNT.match(cleaned)
    if not match:
        raise ValueError(text)
    return scale_amount(match.group("amount"), match.group("unit"))


def parse_count(text: str) -> int:
    """`250`, `1,200`, `1.5k` → a whole number from 0 to `USERS_MAX`; raises ValueError otherwise."""
    cleaned = text.strip().replace(",", "").replace(" ", "").lower()
    if len(cleaned) > 20 or not re.fullmatch(r"\d+(\.\d+)?k?", cleaned):
        raise ValueError(text)
    value = Decimal(cleaned.removesuffix("k")) * (1000 if cleaned.endswith("k") else 1)
    if value != value.to_integral_value() or value > USERS_MAX:
        raise ValueError(text)
    return int(value)


def scale_amount(amount: str, unit: str | None) -> int:
    """Whole dollars from a matched amount ("1.2", "180,000") and unit ("k", "million", none), at most
    `ARR_MAX`; raises ValueError past it."""
    digits = amount.replace(",", "")
    if len(digits) > 20:
        raise ValueError(amount)
    multiplier = {"k": 1_000, "thousand": 1_000, "m": 1_000_000, "mm": 1_000_000, "million": 1_000_000}
    value = round(Decimal(digits) * multiplier.get((unit or "").lower(), 1))
    if value > ARR_MAX:
        raise ValueError(amount)
    return value


@dataclass(frozen=True)
class IntakeForm:
    """The raw values a person submitted in the modal (strings as typed, selections as ids)."""

    customer: str = ""
    contact_name: str = ""
    contact_email: str = ""
    contact_timezone: str | None = None
    customer_wording: str = ""
    customer_mood: str | None = None
    summary: str = ""
    escalation_type: str | None = None
    severity: str | None = None
    tier: str | None = None
    arr: str = ""
    users_affected: str = ""
    description: str = ""
    tried: str = ""
    flags: tuple[str, ...] = ()
    ic_user_id: str | None = None
    responder_user_ids: tuple[str, ...] = ()
    started: str = ""
    affected: str = ""
    business_impact: str = ""
    workaround: str | None = None
    csm_user_id: str | None = None


def mood_of(chosen: str | None) -> str | None:
    """The mood chosen on the form as the vocabulary spells it ("angry"), or None for anything else."""
    mood = Mood.parse(chosen)
    return mood.value if mood else None


def validate_intake(form: IntakeForm, caller_user_id: str) -> tuple[Intake | None, dict[str, str]]:
    """The intake, or the errors to show on each field (keyed by field name); never both."""
    errors: dict[str, str] = {}
    form = _cleaned(form)
    customer = " ".join(form.customer.split())
    if not customer:
        errors["customer"] = "Which customer is this? Enter the account name."
    elif len(customer) > CUSTOMER_MAX:
        errors["customer"] = f"Keep the customer name under {CUSTOMER_MAX} characters."
    summary = " ".join(form.summary.split())
    if not summary:
        errors["summary"] = "Add a one-line summary of what is wrong."
    arr = _optional(
        form.arr,
        parse_amount,
        "arr",
        errors,
        f"Enter the ARR in US dollars, like 180000 or $180k (at most ${ARR_MAX:,}).",
    )
    users = _optional(
        form.users_affected,
        parse_count,
        "users_affected",
        errors,
        f"Enter a whole number of users, like 250 (at most {USERS_MAX:,}).",
    )
    if not form.escalation_type:
        errors["escalation_type"] = "Pick the kind of escalation."
    email = form.contact_email.strip()
    if email and (len(email) > EMAIL_MAX or not EMAIL.match(email)):
        errors["contact_email"] = "Enter one email address, like david@acme.com, or leave it empty."
    wording = " ".join(form.customer_wording.split())
    if len(wording) > WORDING_MAX:
        errors["customer_wording"] = f"Keep it under {WORDING_MAX} characters: drafts use it in a sentence."
    if errors:
        return None, errors
    return (
        Intake(
            customer=customer,
            contact_name=" ".join(form.contact_name.split())[:CUSTOMER_MAX] or None,
            contact_email=email or None,
            contact_timezone=known_zone(form.contact_timezone),
            # Left empty, the problem is told in the words the rules make of the summary.
            customer_wording=wording or in_customer_words(summary, customer),
            customer_mood=mood_of(form.customer_mood),
            summary=summary[:SUMMARY_MAX],
            escalation_type=form.escalation_type or "technical",
            severity=form.severity,
            tier=form.tier,
            arr=arr,
            users_affected=users,
            description=form.description.strip(),
            tried=form.tried.strip(),
            public_exposure="public_exposure" in form.flags,
            regulatory="regulatory" in form.flags,
            ic_user_id=form.ic_user_id or caller_user_id,
            responder_user_ids=tuple(dict.fromkeys(form.responder_user_ids)),
            started=" ".join(form.started.split())[:SHORT_ANSWER_MAX],
            affected=" ".join(form.affected.split())[:SHORT_ANSWER_MAX],
            business_impact=form.business_impact.strip(),
            workaround=WORKAROUND_ANSWERS.get(form.workaround or ""),
            csm_user_id=form.csm_user_id,
        ),
        {},
    )


def _cleaned(form: IntakeForm) -> IntakeForm:
    # NUL, control characters and lone surrogates go before anything is checked or stored.
    return replace(
        form,
        customer=clean(form.customer, CUSTOMER_MAX * 2),
        contact_name=clean(form.contact_name, CUSTOMER_MAX * 2),
        contact_email=clean(form.contact_email, EMAIL_MAX * 2),
        customer_wording=clean(form.customer_wording, WORDING_MAX * 4),
        summary=clean(form.summary, SUMMARY_MAX * 2),
        arr=clean(form.arr, 64),
        users_affected=clean(form.users_affected, 64),
        description=clean(form.description, DETAIL_MAX),
        tried=clean(form.tried, DETAIL_MAX),
        started=clean(form.started, SHORT_ANSWER_MAX * 2),
        affected=clean(form.affected, SHORT_ANSWER_MAX * 2),
        business_impact=clean(form.business_impact, DETAIL_MAX),
    )


def _lenient(raw: str, parse: Callable[[str], int]) -> int | None:
    try:
        return parse(raw) if raw.strip() else None
    except ValueError:
        return None


def _optional(
    raw: str, parse: Callable[[str], int], name: str, errors: dict[str, str], message: str
) -> int | None:
    text = raw.strip()
    if not text:
        return None
    try:
        return parse(text)
    except ValueError:
        errors[name] = message
        return None
