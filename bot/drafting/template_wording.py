"""Sentences several seed templates share, built from the record: paragraphs and bullets, empathy scaled
to severity, the contact history, and what the status means for the customer now and next.

No sentence promises a fix time: while the cause or fix is open, `no_eta` says so plainly (seed 000).
"""

from __future__ import annotations

from bot.core.vocabulary import Mood
from bot.drafting.context import DraftContext, placeholder

SUBJECT_MAX = 77  # a subject a mail client shows whole: under 78 characters
# What the customer is told the status means, in a subject line.
STATUS_IN_SUBJECT: dict[str, str] = {
    "investigating": "we're still on it",
    "identified": "we've found the cause",
    "monitoring": "a fix is in place",
    "resolved": "fixed, please confirm",
    "closed": "closed on our side",
}
# What each status change did, as a customer reads it in "What we've done".
MILESTONES: dict[str, str] = {
    "identified": "Found the cause of the problem.",
    "monitoring": "Applied a fix, and started watching it closely.",
    "resolved": "Confirmed the fix on our side.",
}

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


def subject_line(head: str, ctx: DraftContext, tail: str = "") -> str:
    """`head` + the problem in the customer's words + `tail`, the problem cut at a word so the whole line
    stays under 78 characters."""
    room = SUBJECT_MAX - len(head) - len(tail)
    issue = ctx.issue[:1].upper() + ctx.issue[1:] if head.endswith(": ") or not head else ctx.issue
    if len(issue) > room:
        issue = issue[: max(room - 1, 0)].rsplit(" ", 1)[0].rstrip(",;:-") + "…"
    return f"{head}{issue}{tail}"[:SUBJECT_MAX]


def feeling(ctx: DraftContext) -> str:
    """A sentence for how the customer feels (seed 000: meet the emotion before the facts); "" when calm."""
    if ctx.mood == Mood.ANGRY:
        return " You're right to be angry about this, and I'm not going to pretend otherwise."
    if ctx.mood == Mood.DISAPPOINTED:
        return " You expected better from us, and you had every right to."
    if ctx.mood == Mood.THREATENING:
        # Seed 000: never name the threat; show what is at stake is understood, and who owns it.
        return f" I understand what's at stake for {ctx.escalation.customer}, and this has my full attention."
    return ""


def owned_by_someone_senior(ctx: DraftContext) -> bool:
    """True when the account warrants a senior person's call: a SEV-1, a strategic account, a threat."""
    return ctx.escalation.severity == "SEV-1" or ctx.strategic or ctx.mood == Mood.THREATENING


def late_promise(ctx: DraftContext) -> str:
    """Owning a promised update that is late ("I said you'd hear from me by …"); "" when none is."""
    promised = ctx.escalation.customer_update_promised_at
    if promised is None or promised > ctx.now or not ctx.escalation.is_open:
        return ""
    return " I promised you an update sooner than this, and I'm sorry I'm late with it."


def milestones(ctx: DraftContext) -> list[str]:
    """What we have done, as the customer reads it: the status changes on the record, in order, else a
    visible gap for the person to fill (internal notes never go to the customer)."""
    done = [f"Brought in our {ctx.team} team."]
    for entry in ctx.timeline:
        to = str(entry.data.get("to") or "") if entry.kind == "status_changed" else ""
        if to in MILESTONES and MILESTONES[to] not in done:
            done.append(MILESTONES[to])
    if len(done) == 1:
        done.append(placeholder("what we've done since the last update, in the customer's terms"))
    return done


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
