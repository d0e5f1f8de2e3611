"""What a mention asks for: `@warroom draft update`, `@warroom brief security`, `@warroom summarize`."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.core.text import clean
from bot.drafting.context import BRIEF_TARGETS

KIND_ALIASES = {
    "ack": "ack",
    "acknowledgment": "ack",
    "acknowledgement": "ack",
    "acknowledge": "ack",
    "update": "update",
    "progress": "update",
    "status": "update",
    "resolution": "resolution",
    "resolved": "resolution",
    "fixed": "resolution",
    "apology": "apology",
    "exec": "apology",
    "executive": "apology",
    "response": "response",
    "reply": "response",
    "coaching": "response",
    "phone": "phone",
    "call": "phone",
    "script": "phone",
    "social": "social",
    "linkedin": "social",
    "twitter": "social",
    "tweet": "social",
    "brief": "brief",
    "escalation-brief": "brief",
    "summary": "summary",
    "summarize": "summary",
    "summarise": "summary",
    "catch-up": "summary",
}
CAPABILITIES = (
    "Mention me in an escalation's room or thread with one of:\n"
    "• `draft ack` · `draft update` · `draft resolution` · `draft apology` (executive)\n"
    "• `draft response` (reply with coaching notes and 2-3 resolution options)\n"
    "• `draft phone` (call guide) · `draft social` (public reply + private follow-up)\n"
    "• `brief [engineering|product|security|leadership]` (impact, repro steps, the ask, a deadline)\n"
    "• `summarize` (catch-up for someone joining)\n"
    "Drafts are checked against the escalation playbook and never sent by me: a person reviews and sends."
)
_MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")


@dataclass(frozen=True)
class DraftRequest:
    """A draft kind, and the brief's audience when it is a brief."""

    kind: str
    brief_target: str = "engineering"


def parse_mention(text: str) -> DraftRequest | None:
    """The draft a mention asks for, or None when it asks for something warroom does not do."""
    words = _MENTION.sub(" ", clean(text)).lower().replace("’", "'").split()
    words = [w.strip(".,!?:;") for w in words if w.strip(".,!?:;")]
    while words and words[0] in ("draft", "write", "please", "can", "you", "a", "an", "the", "me", "us"):
        words = words[1:]
    if not words:
        return None
    kind = KIND_ALIASES.get(words[0]) or KIND_ALIASES.get("-".join(words[:2]))
    if kind is None:
        return None
    target = next((w for w in words[1:] if w in BRIEF_TARGETS), "engineering")
    return DraftRequest(kind, target)
