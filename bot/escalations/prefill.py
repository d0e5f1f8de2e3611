"""What `/escalate <free text>` (or a message) prefills in the intake modal: pure guesses from the words,
for a person to check. What a submitted form must hold is in `bot.escalations.intake`.
"""

from __future__ import annotations

import re

from bot.core.text import clean
from bot.core.vocabulary import Tier
from bot.core.wording import normalize, phrases_in
from bot.escalations.intake import CUSTOMER_MAX, SUMMARY_MAX, IntakeDraft, parse_count, scale_amount

TIERS = tuple(Tier)

# A dollar figure in running text ("pays $180k/year"), read as the ARR.
_MONEY = re.compile(r"\$\s?(?P<amount>\d[\d,]*+(?:\.\d+)?)\s*(?P<unit>k|m|mm|million|thousand|K|M)?\b")
# A head count in running text ("250 enterprise users", "1.2k seats").
# A number is only read from its first digit (the lookbehind) and never re-read (possessive `*+`): a paste
# of 40,000 digits is one linear scan, not 40,000 overlapping tries.
_USERS = re.compile(
    r"(?<![\d,.])(?P<count>\d[\d,]*+(?:\.\d+)?\s*k?)\s+(?:\w+\s+)?"
    r"(?:users|seats|people|employees|agents|members|accounts)\b",
    re.I,
)
# Where an account name tends to sit, most telling first: a leading "Acme Corp: ...", then after
# customer/account/client, "from", "for" and "at". A name is up to five capitalised words.
_NAME = r"[A-Z][\w&.'’-]*(?:\s+(?:&\s+)?[A-Z][\w&.'’-]*){0,4}"
_CUSTOMER_PATTERNS = (
    re.compile(rf"^\s*(?P<name>{_NAME})\s*[:\-–—]\s"),
    re.compile(rf"\b(?:customer|account|client)\s+(?P<name>{_NAME})"),
    re.compile(rf"\bfrom\s+(?P<name>{_NAME})"),
    re.compile(rf"\bfor\s+(?P<name>{_NAME})"),
    re.compile(rf"\bat\s+(?P<name>{_NAME})"),
)
# A person is a capitalised first and last name after a word that introduces one.
_CONTACT = re.compile(
    r"\b(?:from|by|with|contact|spoke to|call with)\s+(?P<name>[A-Z][a-z]+ [A-Z][a-z'’-]+)\b"
)
# Last words that make a two-word name a company ("Acme Corp"), not a person.
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
# Capitalised words that open a sentence or name a product, never an account.
_NOT_A_CUSTOMER = {"all", "every", "enterprise", "our", "the", "we", "i", "sso", "api", "monday", "friday"}

# Checked in order: the first type with a phrase in the text wins.
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
# Phrases that set the public-exposure and regulatory flags.
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
    """Prefill the intake modal from `/escalate <free text>` or a message (only its first few thousand
    characters are read)."""
    text = clean(text)
    lowered = text.lower()
    words = normalize(text)
    customer, contact = guess_customer(text), guess_contact(text)
    money = _MONEY.search(text)
    users = _USERS.search(text)
    arr = None
    if money:
        try:
            arr = scale_amount(money.group("amount"), money.group("unit"))
        except ValueError:  # "$99999999999999999999": no ARR rather than a wrong one
            arr = None
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
        arr=arr,
        users_affected=users_affected,
        escalation_type=guess_type(text),
        summary=summary_sentence(text),
        public_exposure=bool(phrases_in(words, _PUBLIC)),
        regulatory=bool(phrases_in(words, _REGULATORY)),
    )
