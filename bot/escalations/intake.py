"""Intake: what `/escalate <free text>` prefills, and what a submitted modal must hold (pure)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.core.vocabulary import Tier
from bot.core.wording import normalize, phrases_in
from bot.escalations.severity import Account

TIERS = tuple(Tier)
SUMMARY_MAX = 150
CUSTOMER_MAX = 120

_MONEY = re.compile(r"\$\s?(?P<amount>\d[\d,]*(?:\.\d+)?)\s*(?P<unit>k|m|mm|million|thousand|K|M)?\b")
_BARE_AMOUNT = re.compile(
    r"^\$?\s*(?P<amount>\d[\d,]*(?:\.\d+)?)\s*(?P<unit>k|m|mm|million|thousand)?$", re.I
)
_DOTTED_THOUSANDS = re.compile(r"^\$?\d{1,3}(?:\.\d{3})+$")
_USERS = re.compile(
    r"(?P<count>\d[\d,]*(?:\.\d+)?\s*k?)\s+(?:\w+\s+)?(?:users|seats|people|employees|agents|members|accounts)\b",
    re.I,
)
_NAME = r"[A-Z][\w&.'’-]*(?:\s+(?:&\s+)?[A-Z][\w&.'’-]*){0,4}"
_CUSTOMER_PATTERNS = (
    re.compile(rf"^\s*(?P<name>{_NAME})\s*[:\-–—]\s"),
    re.compile(rf"\b(?:customer|account|client)\s+(?P<name>{_NAME})"),
    re.compile(rf"\bfrom\s+(?P<name>{_NAME})"),
    re.compile(rf"\bfor\s+(?P<name>{_NAME})"),
    re.compile(rf"\bat\s+(?P<name>{_NAME})"),
)
_CONTACT = re.compile(
    r"\b(?:from|by|with|contact|spoke to|call with)\s+(?P<name>[A-Z][a-z]+ [A-Z][a-z'’-]+)\b"
)
_COMPANY_WORDS = {
    "corp",
    "inc",
    "ltd",
    "llc",
    "gmbh",
    "group",
    "labs",
    "analytics",
    "health",
    "bank",
    "systems",
    "software",
    "technologies",
    "solutions",
    "holdings",
    "partners",
    "co",
    "company",
}
_NOT_A_CUSTOMER = {"all", "every", "enterprise", "our", "the", "we", "i", "sso", "api", "monday", "friday"}

_TYPE_KEYWORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "security",
        (
            "security",
            "breach",
            "breached",
            "unauthorized",
            "unauthorised",
            "data leak",
            "leaked",
            "exposed",
            "vulnerability",
            "vulnerable",
            "phishing",
            "hacked",
            "compromised",
            "ransomware",
        ),
    ),
    (
        "compliance",
        (
            "gdpr",
            "hipaa",
            "sox",
            "pci",
            "compliance",
            "regulator",
            "regulators",
            "audit log",
            "legal hold",
            "data protection",
        ),
    ),
    # A broken product is a technical escalation even when the customer also threatens to leave.
    (
        "technical",
        (
            "corrupted",
            "corruption",
            "outage",
            "down",
            "errors",
            "error",
            "bug",
            "broken",
            "crash",
            "crashes",
            "failing",
            "fails",
            "data loss",
            "lost data",
            "not working",
            "timeout",
            "500",
            "login loop",
            "missing rows",
            "slow",
            "latency",
        ),
    ),
    ("billing", ("invoice", "invoices", "billing", "billed", "charged", "overcharged", "refund", "payment")),
    (
        "business",
        (
            "churn",
            "cancel",
            "cancelling",
            "canceling",
            "cancellation",
            "competitor",
            "competing vendor",
            "renewal",
            "contract",
            "terminate",
        ),
    ),
    (
        "service",
        ("no response", "tier-1", "tier 1", "support team", "ticket", "tickets", "waiting for", "ignored"),
    ),
)
_PUBLIC = (
    "linkedin",
    "twitter",
    "social media",
    "publicly",
    "post on",
    "posting on",
    "press",
    "journalist",
    "reddit",
    "review site",
    "g2",
    "trustpilot",
    "go public",
)
_REGULATORY = (
    "gdpr",
    "hipaa",
    "sox",
    "pci",
    "regulator",
    "regulatory",
    "compliance",
    "data protection",
    "legal action",
    "lawyer",
    "attorney",
)


@dataclass(frozen=True)
class IntakeDraft:
    """What the modal is prefilled with; every field may be missing."""

    text: str = ""
    customer: str | None = None
    contact_name: str | None = None
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


@dataclass(frozen=True)
class Intake:
    """A validated intake, ready to become an escalation."""

    customer: str
    summary: str
    escalation_type: str
    severity: str | None
    contact_name: str | None = None
    tier: str | None = None
    arr: int | None = None
    users_affected: int | None = None
    description: str = ""
    tried: str = ""
    public_exposure: bool = False
    regulatory: bool = False
    ic_user_id: str = ""
    responder_user_ids: tuple[str, ...] = field(default_factory=tuple)


def account_of(values: IntakeDraft | Intake) -> Account:
    """What the severity suggestion weighs about the account, from a draft or a validated intake."""
    return Account(
        tier=values.tier,
        arr=values.arr,
        users_affected=values.users_affected,
        public_exposure=values.public_exposure,
        regulatory=values.regulatory,
        escalation_type=values.escalation_type,
    )


def draft_from_intake(intake: Intake) -> IntakeDraft:
    """Everything a person submitted, to show the form again as they left it."""
    return IntakeDraft(
        text=intake.description,
        customer=intake.customer,
        contact_name=intake.contact_name,
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
    )


def parse_amount(text: str) -> int:
    """`$180k`, `180,000`, `1.2M` → dollars; raises ValueError for anything else."""
    cleaned = text.strip().replace(" ", "")
    if _DOTTED_THOUSANDS.match(cleaned):  # "180.000" is how much of Europe writes 180,000
        cleaned = cleaned.replace(".", "")
    match = _BARE_AMOUNT.match(cleaned)
    if not match:
        raise ValueError(text)
    return _scale(match.group("amount"), match.group("unit"))


def parse_count(text: str) -> int:
    """`250`, `1,200`, `1.5k` → a whole number ≥ 0; raises ValueError for anything else."""
    cleaned = text.strip().replace(",", "").replace(" ", "").lower()
    if not re.fullmatch(r"\d+(\.\d+)?k?", cleaned):
        raise ValueError(text)
    value = float(cleaned.removesuffix("k")) * (1000 if cleaned.endswith("k") else 1)
    if value != int(value):
        raise ValueError(text)
    return int(value)


def _scale(amount: str, unit: str | None) -> int:
    value = float(amount.replace(",", ""))
    multiplier = {"k": 1_000, "thousand": 1_000, "m": 1_000_000, "mm": 1_000_000, "million": 1_000_000}
    return round(value * multiplier.get((unit or "").lower(), 1))


def first_sentence(text: str, limit: int = SUMMARY_MAX) -> str:
    """The first sentence of `text`, cut cleanly to `limit` characters."""
    flat = " ".join(text.split())
    sentence = re.split(r"(?<=[.!?])\s", flat, maxsplit=1)[0].strip()
    if len(sentence) <= limit:
        return sentence
    return sentence[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def summary_sentence(text: str, limit: int = SUMMARY_MAX) -> str:
    """The sentence that says what is wrong (the one naming a failure), else the first; cut to `limit`."""
    flat = " ".join(text.split())
    sentences = [part.strip() for part in re.split(r"(?<=[.!?])\s", flat) if part.strip()]
    if not sentences:
        return ""
    failure_words = [
        word for kind, words in _TYPE_KEYWORDS if kind in ("technical", "security") for word in words
    ]
    telling = next(
        (sentence for sentence in sentences if phrases_in(normalize(sentence), failure_words)), None
    )
    return first_sentence(telling or sentences[0], limit)


def guess_customer(text: str) -> str | None:
    """A customer or account name mentioned in the text, if one stands out."""
    for pattern in _CUSTOMER_PATTERNS:
        for match in pattern.finditer(text):
            # "for Acme Corp. They are furious": a name does not run past the end of a sentence.
            name = re.split(r"\.\s", match.group("name"))[0].strip(" .,'’-")
            if name.split()[0].lower() not in _NOT_A_CUSTOMER:
                return name[:CUSTOMER_MAX]
    return None


def guess_contact(text: str) -> str | None:
    """The person who wrote in, when the text names one ("Email from David Okafor")."""
    for match in _CONTACT.finditer(text):
        if match.group("name").split()[-1].lower().strip(".") not in _COMPANY_WORDS:
            return match.group("name")
    return None


def guess_type(text: str) -> str:
    """The escalation type the words suggest; technical when nothing else stands out."""
    words = normalize(text)
    for escalation_type, phrases in _TYPE_KEYWORDS:
        if phrases_in(words, phrases):
            return escalation_type
    return "technical"


def parse_free_text(text: str) -> IntakeDraft:
    """Prefill the intake modal from `/escalate <free text>` or a message."""
    lowered = text.lower()
    words = normalize(text)
    customer, contact = guess_customer(text), guess_contact(text)
    money = _MONEY.search(text)
    users = _USERS.search(text)
    tier = next((tier for tier in TIERS if re.search(rf"\b{tier}\b", lowered)), None)
    users_affected = None
    if users:
        try:
            users_affected = parse_count(users.group("count"))
        except ValueError:
            users_affected = None
    return IntakeDraft(
        text=text.strip(),
        # A person's name ("Email from David Okafor") is the contact, not the account: leave the account to
        # the person escalating rather than prefill it wrongly.
        customer=customer if customer != contact else None,
        contact_name=contact,
        tier=tier,
        arr=_scale(money.group("amount"), money.group("unit")) if money else None,
        users_affected=users_affected,
        escalation_type=guess_type(text),
        summary=summary_sentence(text),
        public_exposure=bool(phrases_in(words, _PUBLIC)),
        regulatory=bool(phrases_in(words, _REGULATORY)),
    )


@dataclass(frozen=True)
class IntakeForm:
    """The raw values a person submitted in the modal (strings as typed, selections as ids)."""

    customer: str = ""
    contact_name: str = ""
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


def validate_intake(form: IntakeForm, caller_user_id: str) -> tuple[Intake | None, dict[str, str]]:
    """The intake, or the errors to show on each field (keyed by field name); never both."""
    errors: dict[str, str] = {}
    customer = " ".join(form.customer.split())
    if not customer:
        errors["customer"] = "Which customer is this? Enter the account name."
    elif len(customer) > CUSTOMER_MAX:
        errors["customer"] = f"Keep the customer name under {CUSTOMER_MAX} characters."
    summary = " ".join(form.summary.split())
    if not summary:
        errors["summary"] = "Add a one-line summary of what is wrong."
    arr = _optional(
        form.arr, parse_amount, "arr", errors, "Enter the ARR in US dollars, like 180000 or $180k."
    )
    users = _optional(
        form.users_affected, parse_count, "users_affected", errors, "Enter a whole number of users, like 250."
    )
    if not form.escalation_type:
        errors["escalation_type"] = "Pick the kind of escalation."
    if errors:
        return None, errors
    return (
        Intake(
            customer=customer,
            contact_name=" ".join(form.contact_name.split())[:CUSTOMER_MAX] or None,
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
        ),
        {},
    )


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
