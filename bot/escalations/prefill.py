"""What `/escalate <free text>` (or a message) prefills in the intake modal: pure guesses from the words,
for a person to check. What a submitted form must hold is in `bot.escalations.intake`.
"""

from __future__ import annotations

import re

from bot.core.text import clean
from bot.core.vocabulary import EscalationType, Tier
from bot.escalations.customer_words import in_customer_words, read_mood
from bot.escalations.intake import CUSTOMER_MAX, SUMMARY_MAX, IntakeDraft, parse_count, scale_amount
from bot.escalations.situations import most_telling, read_situation
from bot.policy.model import Policy
from bot.policy.triage import Flag

TIERS = tuple(Tier)

# A dollar figure in running text ("pays $180k/year"), read as the ARR.
_MONEY = re.compile(r"\$\s?(?P<amount>\d[\d,]*+(?:\.\d+)?)\s*(?P<unit>k|m|mm|million|thousand|K|M)?\b")
# A head count in running text ("250 enterprise users", "1.2k seats").
# A number is only read from its first digit (the lookbehind) and never re-read (possessive `*+`): a paste
# of 40,000 digits is one linear scan, not 40,000 overlapping tries.
_USERS = re.compile(
    r"(?<![\d,.])(?P<count>\d[\d,]*+(?:\.\d+)?\s*k?)\s+(?:\w+\s+)?"
    r"(?:users|seats|people|employees|staff|agents|members|accounts|students|teachers|patients|clinicians|"
    r"nurses|doctors|drivers|learners|subscribers|reps|managers)\b",
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


def first_sentence(text: str, limit: int = SUMMARY_MAX) -> str:
    """The first sentence of `text`, cut cleanly to `limit` characters."""
    flat = " ".join(text.split())
    sentence = re.split(r"(?<=[.!?])\s", flat, maxsplit=1)[0].strip()
    if len(sentence) <= limit:
        return sentence
    return sentence[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def summary_sentence(text: str, policy: Policy, limit: int = SUMMARY_MAX) -> str:
    """The sentence that says what is wrong (the most severe situation), else the first; cut to `limit`."""
    flat = " ".join(text.split())
    sentences = [part.strip() for part in re.split(r"(?<=[.!?])\s", flat) if part.strip()]
    if not sentences:
        return ""
    telling = most_telling(sentences, policy.triage)
    return first_sentence(telling or sentences[0], limit)


def without_customer(summary: str, customer: str | None) -> str:
    """The summary without a leading "Globex:" or "Globex -" naming the customer the form already names."""
    if not customer:
        return summary
    match = re.match(rf"\s*{re.escape(customer)}\s*(?:[:\-–—]\s*|'s\s+)", summary, re.I)
    if match is None or not summary[match.end() :].strip():
        return summary
    rest = summary[match.end() :].strip()
    return rest[0].upper() + rest[1:]


def guess_customer(text: str, not_named: str | None = None) -> str | None:
    """A customer or account name mentioned in the text, if one stands out. `not_named` is the contact:
    in "Email from David Okafor at Okafor Analytics" the person is not the account."""
    for pattern in _CUSTOMER_PATTERNS:
        for match in pattern.finditer(text):
            # "for Acme Corp. They are furious": a name does not run past the end of a sentence.
            name = re.split(r"\.\s", match.group("name"))[0].strip(" .,'’-")
            if name.split()[0].lower() not in _NOT_A_CUSTOMER and name != not_named:
                return name[:CUSTOMER_MAX]
    return None


def guess_contact(text: str) -> str | None:
    """The person who wrote in, when the text names one ("Email from David Okafor")."""
    for match in _CONTACT.finditer(text):
        if match.group("name").split()[-1].lower().strip(".") not in _COMPANY_WORDS:
            return match.group("name")
    return None


def parse_free_text(text: str, policy: Policy) -> IntakeDraft:
    """Prefill the intake modal from `/escalate <free text>` or a message (only its first few thousand
    characters are read)."""
    text = clean(text)
    lowered = text.lower()
    contact = guess_contact(text)
    customer = guess_customer(text, not_named=contact)
    reading = read_situation(text, policy.triage)
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
    summary = without_customer(summary_sentence(text, policy), customer)
    return IntakeDraft(
        text=text.strip(),
        customer=customer,
        contact_name=contact,
        customer_wording=in_customer_words(summary, customer),
        customer_mood=read_mood(text).value,
        tier=tier,
        arr=arr,
        users_affected=users_affected,
        escalation_type=reading.escalation_type or EscalationType.TECHNICAL.value,
        summary=summary,
        public_exposure=Flag.PUBLIC_EXPOSURE in reading.flags,
        regulatory=Flag.REGULATORY in reading.flags,
    )
