"""Intake triage: what the form is prefilled with (the free text, then the account directory) and the
severity it suggests (the situation, the account's weight, its repeat escalations, Claude's reading when
one is at hand).

The rules are pure (`bot.escalations.severity`); this adds the two things they cannot know by themselves:
the directory's record of the account and how often it escalated lately.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from bot.accounts.service import AccountDirectory, AccountProfile
from bot.escalations.claude_triage import ClaudeTriage
from bot.escalations.customer_words import in_customer_words
from bot.escalations.intake import Intake, IntakeDraft, account_of
from bot.escalations.prefill import parse_free_text, without_customer
from bot.escalations.severity import SeveritySuggestion, TriageOpinion, suggest_severity
from bot.policy.model import Policy

# A Slack user id (the directory's CSM may also be a name or an email, which the form cannot preselect).
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")


def situation_text(values: IntakeDraft | Intake) -> str:
    """Everything written about what happened, for reading the situation."""
    described = values.text if isinstance(values, IntakeDraft) else values.description
    parts = (values.summary, described, values.affected, values.business_impact)
    return "\n".join(part for part in parts if part)


@dataclass(frozen=True)
class IntakeTriage:
    """Prefills and suggests for the intake form."""

    policy: Policy
    directory: AccountDirectory
    clock: Callable[[], datetime]
    claude: ClaudeTriage | None = None

    def prefill(self, text: str) -> tuple[IntakeDraft, AccountProfile | None]:
        """The form's first values from `/escalate <text>`: guessed from the words, then completed from the
        directory when it knows the customer named (or the account named anywhere in the text)."""
        draft = parse_free_text(text, self.policy)
        account = (self.directory.recognise(draft.customer) if draft.customer else None) or (
            self.directory.find_in_text(text)
        )
        return with_account(draft, account), account

    def recognise(self, customer: str | None) -> AccountProfile | None:
        """The directory's (or an earlier escalation's) record of the customer typed in the form."""
        return self.directory.recognise(customer) if customer else None

    def suggest(
        self,
        values: IntakeDraft | Intake,
        account: AccountProfile | None,
        opinion: TriageOpinion | None = None,
    ) -> SeveritySuggestion:
        """The severity for what the form holds, counting the account's recent escalations and weighing
        Claude's `opinion` when it gave one."""
        facts = account_of(values, self.recent_escalations(account))
        return suggest_severity(situation_text(values), facts, self.policy, opinion)

    def read_with_claude(self, draft: IntakeDraft) -> TriageOpinion | None:
        """Claude's reading of what the form holds (None without a key or on any failure)."""
        if self.claude is None:
            return None
        facts = "; ".join(
            f"{name}: {value}"
            for name, value in (
                ("tier", draft.tier),
                ("ARR", draft.arr),
                ("users affected", draft.users_affected),
            )
            if value
        )
        return self.claude.read(situation_text(draft), facts)

    def recent_escalations(self, account: AccountProfile | None) -> int:
        """Escalations of the account opened within the policy's repeat window."""
        if account is None:
            return 0
        since = self.clock() - self.policy.triage.repeat_escalations.window
        return self.directory.repeat_escalations(account.customer_id, since)


def with_account(draft: IntakeDraft, account: AccountProfile | None) -> IntakeDraft:
    """`draft` with what the directory knows filled into the fields still empty (never over typed ones):
    the contact named on the form (else the account's first), with their email and time zone."""
    if account is None:
        return draft
    named = (draft.contact_name or "").casefold()
    contact = next((c for c in account.contacts if c.name.casefold() == named), None)
    if contact is None and not named and account.contacts:
        contact = account.contacts[0]
    csm = account.csm if account.csm and _USER_ID.match(account.csm) else None
    customer = account.name
    summary = without_customer(draft.summary, customer) if draft.summary else draft.summary
    # The wording the rules made from the old summary follows the account's name; a typed one stays.
    derived = draft.customer_wording == in_customer_words(draft.summary, draft.customer)
    return replace(
        draft,
        customer=customer,
        summary=summary,
        customer_wording=in_customer_words(summary, customer) if derived else draft.customer_wording,
        tier=draft.tier or (account.tier.value if account.tier else None),
        arr=draft.arr if draft.arr is not None else account.arr,
        contact_name=draft.contact_name or (contact.name if contact else None),
        contact_email=draft.contact_email or (contact.email if contact else None),
        contact_timezone=draft.contact_timezone or (contact.timezone if contact else None),
        csm_user_id=draft.csm_user_id or csm,
    )
