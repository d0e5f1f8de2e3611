"""Sentences several seed templates share, built from the record: paragraphs and bullets, empathy scaled
to severity, the contact history, and what the status means for the customer now and next.

No sentence promises a fix time: while the cause or fix is open, `no_eta` says so plainly (seed 000).
"""

from __future__ import annotations

from bot.drafting.context import DraftContext

# What the customer is told about each status, in the words of the team that is fixing it.
STATUS_NOW: dict[str, str] = {
    "investigating": "Our {team} team is working to find the root cause right now.",
    "identified": "Our {team} team has found the cause and is working on the fix now.",
    "monitoring": "Our {team} team has applied a fix, and we're watching it closely to make sure it holds.",
    "resolved": "Our {team} team has applied a fix, and I want your confirmation that it works for you.",
    "closed": "We've closed this on our side; if anything still looks wrong, tell me and I'll reopen it.",
}
# What we do next, by status; resolved and closed have nothing left but the customer's confirmation.
STATUS_NEXT: dict[str, str] = {
    "investigating": "Narrow down the cause, and look for a workaround so your team can keep going.",
    "identified": "Finish and test the fix, and offer you a workaround in the meantime if we find one.",
    "monitoring": "Keep watching the fix and check with you that everything looks right on your side.",
}
# Said while the cause or the fix is still open: an honest "no fix time yet" instead of a guess.
NO_ETA = "I can't give you a reliable fix time yet, and I won't guess; I'll tell you as soon as we have one."


def join_paragraphs(*paragraphs: str) -> str:
    """The non-empty paragraphs, a blank line apart: a sentence the record cannot fill is left out."""
    return "\n\n".join(part.strip() for part in paragraphs if part.strip())


def bullets(items: list[str], mark: str = "- ") -> str:
    """One `mark`-prefixed line per item."""
    return "\n".join(mark + item for item in items)


def empathy(ctx: DraftContext) -> str:
    """One sentence naming the issue, as strong as the severity warrants."""
    esc = ctx.escalation
    if esc.severity == "SEV-1":
        return (
            f"What you're dealing with ({ctx.issue}) is not acceptable, and I know what it costs your team."
        )
    if esc.severity == "SEV-2":
        return f"I know this issue ({ctx.issue}) is getting in the way of real work for your team."
    return f"I've looked into what you reported ({ctx.issue}), and I want you to know where things stand."


def history(ctx: DraftContext) -> str:
    """For a customer who had to come back, owning that (" You've contacted us 3 times..."); else ""."""
    if not ctx.repeat_contacts:
        return ""
    return (
        f" You've contacted us {ctx.contacts_so_far} times about this, and you shouldn't have had to."
        " I've read the full history, so you won't need to explain any of it again."
    )


def status_now(ctx: DraftContext) -> str:
    """Where the fix stands, for the customer, naming the team on it."""
    fallback = "Our {team} team is working on this now."
    return STATUS_NOW.get(ctx.escalation.status, fallback).format(team=ctx.team)


def status_next(ctx: DraftContext) -> str:
    """What we do next at this status."""
    return STATUS_NEXT.get(ctx.escalation.status, "Confirm with you that everything works on your side.")


def no_eta(ctx: DraftContext) -> str:
    """NO_ETA while the cause or fix is open, else ""."""
    return NO_ETA if ctx.escalation.status in ("investigating", "identified") else ""


def and_then(ctx: DraftContext) -> str:
    """The tail ", and every 2 hours after that" when the record has an update cadence, else ""."""
    return f", and {ctx.customer_update_cadence} after that" if ctx.customer_update_cadence else ""
