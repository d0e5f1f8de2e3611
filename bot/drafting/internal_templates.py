"""The internal seed templates: the escalation brief to another team (seed 003) and the catch-up summary
for someone joining the room. Neither is sent to the customer, so only blame, jargon and length apply.

Both tell the record's story (`bot.drafting.story`): the updates, customer updates, status and severity
changes and captured messages, never warroom's own bookkeeping of the drafts it made.
"""

from __future__ import annotations

import re

from blocks.text import truncate
from bot.drafting.context import BRIEF_TARGETS, DraftContext, placeholder
from bot.drafting.draft import Draft
from bot.drafting.story import last_customer_update, story_lines, time_in_queue, waited
from bot.drafting.template_wording import SUBJECT_MAX, and_then, bullets, join_paragraphs

# Seed 003 speaks in Critical/High/Medium; SEV-3 and SEV-4 both read as Medium to another team.
BRIEF_SEVERITY: dict[str, str] = {"SEV-1": "Critical", "SEV-2": "High", "SEV-3": "Medium", "SEV-4": "Medium"}
# Seed 003's internal follow-up cadence: the deadline a brief asks for when no customer update is due.
INTERNAL_FOLLOW_UP: dict[str, str] = {"Critical": "2 hours", "High": "4 hours", "Medium": "1 business day"}
# The "What's needed" line of the brief, by the team it goes to.
ASKS: dict[str, str] = {
    "engineering": "Investigate the root cause and give us a fix plan we can share with the customer",
    "product": "Make a product decision on this and tell us what we can say to the customer",
    "security": "Assess what data or access is exposed and confirm the containment steps",
    "leadership": "Decide on the recovery offer and name an executive sponsor for the account",
}
# What the room does after the next customer update, by status.
SUMMARY_NEXT: dict[str, str] = {
    "investigating": "find the root cause, and a workaround in parallel",
    "identified": "ship and test the fix, and offer a workaround meanwhile",
    "monitoring": "watch the fix and get the customer's confirmation",
    "resolved": "get the customer's confirmation, then close",
    "closed": "recovery actions and the post-incident review",
}


def _customer_communication(ctx: DraftContext) -> list[str]:
    """The brief's customer-communication lines: last update sent, what they expect, escalation risk."""
    esc = ctx.escalation
    last = last_customer_update(ctx)
    risks = [
        name
        for flag, name in ((esc.public_exposure, "public exposure"), (esc.regulatory, "regulatory"))
        if flag
    ]
    expects = f"next update {_by(ctx.update_owed)}" if ctx.update_owed else ""
    return [
        f"Last update to customer: {last or placeholder('date and what was communicated')}",
        f"Customer expectation: {expects or placeholder('what they expect, by when')}",
        "Escalation risk: "
        + (
            f"{' and '.join(risks)} risk flagged"
            if risks
            else placeholder("will they escalate further, and when?")
        ),
    ]


def reported_by(ctx: DraftContext) -> str:
    """Who raised it and for whom: "Maya Chen (Slack), for David Okafor at Acme (ESC-2026-001)". The
    person who raised it, not the incident commander (who is only the same person when they raised it);
    unknown, it is whoever sends the brief, as in seed 003."""
    esc = ctx.escalation
    who = f"{ctx.reported_by_name} (Slack)" if ctx.reported_by_name else placeholder("your name")
    whom = f"{esc.contact_name} at {esc.customer}" if esc.contact_name else esc.customer
    return f"{who}, for {whom} ({esc.public_id})"


def _by(owed: str, word: str = "by") -> str:
    """ "by 5:00 PM Berlin time today", or "now: it was due …" for an update already late."""
    return owed if owed.startswith("now") else f"{word} {owed}"


def brief(ctx: DraftContext) -> Draft:
    """Seed 003: the escalation brief to the target team, asking for one thing by a deadline."""
    esc = ctx.escalation
    level = BRIEF_SEVERITY.get(esc.severity, "Medium")
    target = ctx.brief_target if ctx.brief_target in BRIEF_TARGETS else "engineering"
    users = (
        f"{esc.users_affected:,} users" if esc.users_affected is not None else placeholder("number of users")
    )
    tier = f", {esc.tier.title()} tier" if esc.tier else ""
    arr = f"${esc.arr_at_risk:,} ARR" if esc.arr_at_risk is not None else placeholder("ARR at risk")
    if ctx.update_owed:
        deadline = f"{_by(ctx.update_owed, 'before')}, when we owe {esc.customer} the next update"
    else:
        deadline = f"an update within {INTERNAL_FOLLOW_UP[level]} (our follow-up cadence for {level})"
    repro = f"Not applicable: this asks {target} for a decision, not a code fix."
    if target in ("engineering", "security"):
        steps = bullets([placeholder("step")] * 3, "• ")
        repro = f"{steps}\nExpected: {placeholder('expected behaviour')}\nActual: {esc.title}\n"
        repro += f"Environment: {placeholder('browser, plan, account, feature flags')}"
    impact = [
        f"Customers affected: {esc.customer}{tier}; {users}",
        f"Workflow impact: {esc.title}",
        f"Revenue at risk: {arr}",
        f"Time in queue: {time_in_queue(ctx)}",
    ]
    context = story_lines(ctx, 6) + [f"Room: “{message[:200]}”" for message in ctx.recent_messages[-2:]]
    details = f"{esc.title}. {placeholder('what they see, since when, who is affected')}"
    tried = ctx.tried_items or [placeholder("troubleshooting step and result")]
    body = join_paragraphs(
        f"*ESCALATION: {esc.title}*\nSeverity: {level} ({esc.severity})\nTarget team: {target.title()}\n"
        f"Reported by: {reported_by(ctx)}\nDate: {ctx.now:%Y-%m-%d}",
        "*Impact*\n" + bullets(impact, "• "),
        f"*Issue description*\n{esc.description.strip() or details}",
        "*What's been tried*\n" + bullets(tried, "• "),
        f"*Reproduction steps*\n{repro}",
        "*Customer communication*\n" + bullets(_customer_communication(ctx), "• "),
        f"*What's needed*\n• {ASKS[target]}\n• Deadline: {deadline}",
        "*Supporting context*\n" + bullets(context or [placeholder("related tickets, threads, logs")], "• "),
    )
    return Draft("brief", truncate(f"ESCALATION: {esc.title}", SUBJECT_MAX), body)


def summary(ctx: DraftContext) -> Draft:
    """The catch-up for someone joining the room: what happened, where it stands, what's next."""
    esc = ctx.escalation
    story, headline = esc.description.strip(), esc.title.rstrip(".…")
    # The summary line, then the details; not twice when the details already hold the summary ("Acme: a
    # researcher reports…" is "A researcher reports…" in the description).
    bare = re.sub(rf"^\s*{re.escape(esc.customer)}\s*[:\-–—]\s*", "", headline, flags=re.I)
    happened = story if bare.casefold() in story.casefold() else f"{headline}. {story}".strip()
    ic = ctx.ic_name or f"nobody yet, {placeholder('assign an incident commander')}"
    latest = [f"“{message[:200]}”" for message in ctx.recent_messages[-3:]]
    # Who raised it and how long the customer has waited, when the record knows: said once, briefly.
    raised = f" Raised by {ctx.reported_by_name}." if ctx.reported_by_name else ""
    wait = waited(ctx)
    waiting = f" The customer has been waiting {wait}." if wait else ""
    body = join_paragraphs(
        f"*Catching up on {esc.public_id}: {esc.customer}*",
        f"*What happened:* {happened}",
        f"*Current status:* {esc.severity} ({esc.severity_label}), {esc.status.title()}. "
        f"Incident commander: {ic}.{raised}{waiting}",
        "*What's been done*\n"
        + bullets(story_lines(ctx, 8) or [placeholder("nothing on the timeline yet")], "• "),
        f"*What's next:* next customer update due {ctx.update_owed or ctx.next_update}{and_then(ctx)}. "
        f"Then: {SUMMARY_NEXT.get(esc.status, 'agree the next step in the room')}.",
        "*Latest in the room*\n" + bullets(latest, "• ") if latest else "",
    )
    return Draft("summary", None, body)
