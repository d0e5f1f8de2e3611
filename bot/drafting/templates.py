"""Seed templates filled from the record: the drafts people get when no Claude key is configured.

Every fact comes from the DraftContext; whatever the record lacks stays a visible `[placeholder]`. No
draft promises a fix time: each commits to the next update instead (seed 000).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.drafting.context import BRIEF_TARGETS, DraftContext, placeholder
from bot.drafting.lint import SOCIAL_PRIVATE_HEADING, SOCIAL_PUBLIC_HEADING

BRIEF_SEVERITY = {"SEV-1": "Critical", "SEV-2": "High", "SEV-3": "Medium", "SEV-4": "Medium"}
INTERNAL_FOLLOW_UP = {"Critical": "2 hours", "High": "4 hours", "Medium": "1 business day"}  # seed 003
ASKS = {
    "engineering": "Investigate the root cause and give us a fix plan we can share with the customer",
    "product": "Make a product decision on this and tell us what we can say to the customer",
    "security": "Assess what data or access is exposed and confirm the containment steps",
    "leadership": "Decide on the recovery offer and name an executive sponsor for the account",
}
PAUSE = "(pause — let them respond)"
SIGNATURE = f"{placeholder('your name')} | {placeholder('your role')} | Direct: {placeholder('direct line')}"

STATUS_NOW = {
    "investigating": "Our {team} team is working to find the root cause right now.",
    "identified": "Our {team} team has found the cause and is working on the fix now.",
    "monitoring": "Our {team} team has applied a fix, and we're watching it closely to make sure it holds.",
    "resolved": "Our {team} team has applied a fix, and I want your confirmation that it works for you.",
    "closed": "We've closed this on our side; if anything still looks wrong, tell me and I'll reopen it.",
}
STATUS_NEXT = {
    "investigating": "Narrow down the cause, and look for a workaround so your team can keep going.",
    "identified": "Finish and test the fix, and offer you a workaround in the meantime if we find one.",
    "monitoring": "Keep watching the fix and check with you that everything looks right on your side.",
}
SUMMARY_NEXT = {
    "investigating": "find the root cause, and a workaround in parallel",
    "identified": "ship and test the fix, and offer a workaround meanwhile",
    "monitoring": "watch the fix and get the customer's confirmation",
    "resolved": "get the customer's confirmation, then close",
    "closed": "recovery actions and the post-incident review",
}
NO_ETA = "I can't give you a reliable fix time yet, and I won't guess; I'll tell you as soon as we have one."


@dataclass(frozen=True)
class Draft:
    """A draft for a person to review, edit and send; the bot never sends it."""

    kind: str
    subject: str | None
    body: str
    coaching: str | None = None
    options: tuple[str, ...] = ()
    recommendation: str | None = None
    source: str = "template"


# --- sentences built from the record -----------------------------------------------------------------


def _join(*paragraphs: str) -> str:
    return "\n\n".join(part.strip() for part in paragraphs if part.strip())


def _bullets(items: list[str], mark: str = "- ") -> str:
    return "\n".join(mark + item for item in items)


def _empathy(ctx: DraftContext) -> str:
    if ctx.severity == "SEV-1":
        return (
            f"What you're dealing with ({ctx.issue}) is not acceptable, and I know what it costs your team."
        )
    if ctx.severity == "SEV-2":
        return f"I know this issue ({ctx.issue}) is getting in the way of real work for your team."
    return f"I've looked into what you reported ({ctx.issue}), and I want you to know where things stand."


def _history(ctx: DraftContext) -> str:
    if not ctx.repeat_contacts:
        return ""
    return (
        f" You've contacted us {ctx.contacts_so_far} times about this, and you shouldn't have had to."
        " I've read the full history, so you won't need to explain any of it again."
    )


def _status_now(ctx: DraftContext) -> str:
    return STATUS_NOW.get(ctx.status, "Our {team} team is working on this now.").format(team=ctx.team)


def _status_next(ctx: DraftContext) -> str:
    return STATUS_NEXT.get(ctx.status, "Confirm with you that everything works on your side.")


def _no_eta(ctx: DraftContext) -> str:
    return NO_ETA if ctx.status in ("investigating", "identified") else ""


def _then(ctx: DraftContext) -> str:
    return f", and {ctx.customer_update_cadence} after that" if ctx.customer_update_cadence else ""


# --- seed 001: acknowledgment, progress update, resolution, executive apology ---------------------------


def _ack(ctx: DraftContext) -> Draft:
    urgent = "[URGENT] " if ctx.severity in ("SEV-1", "SEV-2") else ""
    where = [f"We've brought in our {ctx.team} team.", _status_now(ctx)]
    body = _join(
        f"Hi {ctx.addressee},",
        f"I'm {placeholder('your name')}, {placeholder('your role')}, and I'm personally handling this "
        f"escalation for {ctx.customer}.",
        _empathy(ctx) + _history(ctx),
        "Here's where we are:\n" + _bullets([*where, f"I'll update you by {ctx.next_update}{_then(ctx)}."]),
        f"You have one contact for this: me, at {placeholder('email')} or {placeholder('direct line')}. "
        "I'll stay on this until you tell me it works again for your team.",
        placeholder("your name"),
    )
    return Draft("ack", f"{urgent}We're on it: {ctx.title}", body)


def _update(ctx: DraftContext) -> Draft:
    done = ctx.progress_items[:4] or [placeholder("what we've done since the last update")]
    body = _join(
        f"Hi {ctx.addressee},",
        f"Here's where things stand on the issue you raised: {ctx.issue}.",
        f"Current status: {ctx.status.title()}. {_status_now(ctx)}",
        "What we've done:\n" + _bullets(done),
        "Next steps:\n"
        + _bullets([_status_next(ctx), _no_eta(ctx)] if _no_eta(ctx) else [_status_next(ctx)]),
        f"Next update: by {ctx.next_update}{_then(ctx)}.",
        f"Questions? Call me directly at {placeholder('direct line')}.",
        placeholder("your name"),
    )
    return Draft("update", f"Update on {ctx.title}: {ctx.status.title()}", body)


def _resolution(ctx: DraftContext) -> Draft:
    early = ctx.status not in ("monitoring", "resolved", "closed")
    contacts = f", and that it took {ctx.contacts_so_far} contacts to get here" if ctx.repeat_contacts else ""
    body = _join(
        f"[Send once the fix is confirmed; the record still says {ctx.status.title()}.]" if early else "",
        f"Hi {ctx.addressee},",
        f"I'm glad to confirm that we've fixed the problem you reported: {ctx.issue}.",
        f"What happened: {placeholder('brief explanation of the cause')}\n"
        f"What we did: {placeholder('what fixed it')}\n"
        f"Preventing recurrence: {placeholder('what we are changing so this does not happen again')}",
        f"I know this disrupted your team{contacts}, and I'm truly sorry. I'd like to talk about how we make "
        "this right. Would you have 15 minutes this week?",
        f"I'll check in with you by {ctx.next_update} to confirm everything works on your side. Until you "
        "confirm it, I'm keeping this open.",
        "Thank you for working through this with us.",
        placeholder("your name"),
    )
    return Draft("resolution", f"Resolved: {ctx.title}", body)


def _apology(ctx: DraftContext) -> Draft:
    trust = f"{ctx.customer} has trusted us for {ctx.customer_tenure}. " if ctx.customer_tenure else ""
    worse = f" Your team also had to contact us {ctx.contacts_so_far} times, which made it worse."
    plan = [_status_now(ctx), placeholder("process change"), placeholder("prevention measure")]
    body = _join(
        f"{ctx.addressee},",
        f"I'm {placeholder('executive name')}, {placeholder('title')} at {ctx.company}, and I'm writing to "
        f"you personally about what happened: {ctx.issue}.",
        f"First, I'm sorry. {trust}This is not acceptable, and I take full responsibility."
        + (worse if ctx.repeat_contacts else ""),
        "I've reviewed the situation with our team, and here's what we're doing:\n"
        + "\n".join(f"{number}. {step}" for number, step in enumerate(plan, 1)),
        f"You'll hear from us by {ctx.next_update} with the next update, and I'd welcome the chance to talk "
        "with you directly. Would you be open to a call this week?",
        "I intend to earn back your trust.",
        f"Sincerely,\n{placeholder('executive name')}\n{placeholder('direct contact info')}",
    )
    return Draft("apology", f"A personal apology from {placeholder('executive name')}", body)


# --- seed 000: the specialist's response, coaching notes and recovery options ---------------------------


def recovery_options(ctx: DraftContext) -> tuple[tuple[str, ...], str]:
    """2-3 recovery options scaled to severity and account (seed 001 recovery table), and the pick."""
    credit, executive = placeholder("credit amount, 1-3 months is typical"), placeholder("executive name")
    if ctx.severity == "SEV-1" and ctx.strategic:
        level, pick = "severe", "B"
        options = (
            f"A. Executive call this week, a written remediation plan with dates, and a service credit of "
            f"{credit}.",
            f"B. In-person meeting with {executive}, a named engineer on {ctx.customer} until they confirm "
            f"the fix, and a significant gesture: {placeholder('credit or extension, to approve')}.",
            f"C. Premium support for the rest of the term, early access to {placeholder('roadmap item')}, "
            "and a seat on the customer advisory board.",
        )
    elif ctx.severity == "SEV-1" or (ctx.severity == "SEV-2" and ctx.strategic):
        level, pick = "significant", "A"
        options = (
            f"A. Executive call, a service credit of {credit}, and a roadmap review of the fix.",
            f"B. A service credit of {credit} and weekly check-ins until the next renewal.",
            "C. Premium support upgrade and free training for their team.",
        )
    elif ctx.severity == "SEV-2" or ctx.strategic:
        level, pick = "moderate", "A"
        options = (
            f"A. A personal apology and a service credit of {credit}.",
            f"B. A personal apology and a premium support upgrade for {placeholder('period')}.",
        )
    else:
        level, pick = "minor", "A"
        options = (
            "A. A personal apology and thanks for reporting it, with a check-in once the fix ships.",
            "B. A personal apology and a free training session on the affected feature.",
        )
    facts = ", ".join(ctx.account_facts) or "no account weight on record"
    recommendation = (
        f"Option {pick}: a {level} impact ({ctx.severity}; {facts}), and the recovery playbook "
        "scales gestures to impact. Get approval before you offer anything with a cost."
    )
    return options, recommendation


def _response(ctx: DraftContext) -> Draft:
    name = ctx.first_name or ctx.customer
    options, recommendation = recovery_options(ctx)
    worse = f" And the {ctx.contacts_so_far} conversations you've had without a fix make it worse."
    closing = (
        f"You've been a partner with us for {ctx.customer_tenure}. That matters, and I intend to show it."
    )
    body = _join(
        f"{ctx.addressee},",
        _empathy(ctx)
        + (worse if ctx.repeat_contacts else "")
        + " I'm not going to ask you to explain this again: I've read the full history, and I understand"
        f" what's at stake for {ctx.customer}.",
        f"I'm {placeholder('your name')}, and I'm personally taking ownership of this case starting now. "
        "Here is what I'm committing to:",
        f"By {ctx.next_update}: I'll send you an update on what we've found, what we're doing next, and who "
        f"is doing it. {_status_now(ctx)}",
        ("Until we fix this" if _no_eta(ctx) else "Until you confirm it works")
        + ", you'll hear from me "
        + (ctx.customer_update_cadence or "at every step, even when the news is that we're still working")
        + f". {_no_eta(ctx)}",
        "I'd also like 30 minutes with you this week to talk through what this has cost your team and how we "
        "make it right beyond the technical fix.",
        closing if ctx.customer_tenure else f"{ctx.customer} matters to us, and I intend to show you that.",
        SIGNATURE,
    )
    contacts = f" and the {ctx.contacts_so_far} contacts without a fix" if ctx.repeat_contacts else ""
    tenure = f" The close uses their {ctx.customer_tenure} with you to show the relationship counts."
    public = (
        " They may go public: answer fast and privately, and never mention the threat; it reads as defensive."
    )
    regulatory = " Regulatory flag: bring in compliance before you say anything about data handling."
    coaching = _join(
        f"What {name} wants beyond the fix: acknowledgment, speed and control, meaning proof that one person "
        "owns this and a date they can hold you to.",
        f"The subject line uses {name}'s name and signals ownership; it breaks the pattern of generic "
        f"support emails. The opening names the impact{contacts}, not only the original issue, which shows "
        "you read the history. “I'm not going to ask you to explain this again” removes the top "
        "frustration of escalated customers.",
        f"The commitment is an update time ({ctx.next_update}), not a fix time: never promise a resolution "
        "you can't guarantee. Fill in your name and a real direct line before you send it.",
        "The meeting offer moves the conversation from the ticket to what the disruption cost them."
        + (tenure if ctx.customer_tenure else ""),
        "Landmines: a stock apology as the opening, arguing about blame or contract terms, passive voice "
        "(“mistakes were made”), and offers nobody has approved."
        + (public if ctx.public_exposure else "")
        + (regulatory if ctx.regulatory else ""),
        f"Recovery: {recommendation}",
    )
    subject = f"{name}, I'm taking personal ownership of this"
    return Draft("response", subject, body, coaching, options, recommendation)


# --- seed 000 variations: phone script and social media ----------------------------------------------


def _phone(ctx: DraftContext) -> Draft:
    name, when = ctx.first_name or placeholder("contact name"), ctx.next_update
    repeat = f" (they've contacted us {ctx.contacts_so_far} times)" if ctx.repeat_contacts else ""
    handling = [
        "Stop talking and let them finish.",
        "Then: “You're right to be upset. What matters most now?”",
    ]
    if ctx.public_exposure:
        handling.append(
            "If they mention going public or to the CEO: “I understand. I'd like the chance to fix this with "
            "you first, and I'll keep you informed at every step.”"
        )
    if ctx.regulatory:
        handling.append(
            "If they raise contracts, legal or compliance: don't argue and don't agree on liability. “I hear "
            f"you. I'll bring our compliance team in and call you back by {when}.”"
        )
    now_and_eta = " ".join(part for part in (_status_now(ctx), _no_eta(ctx)) if part)
    prepare = [
        f"Have the full history open: {name} should not have to repeat anything{repeat}.",
        f"Know your next commitment: an update by {when}.",
        "Goal: they feel heard, they know who owns this, and they know when they'll hear from you next.",
    ]
    close = [
        f"Repeat the next update time back to them: {when}.",
        f"Give them your direct line: {placeholder('direct line')}.",
        f"“Thank you for talking this through with me, {name}.”",
    ]
    body = _join(
        f"Call guide: {ctx.customer}, {name} ({ctx.public_id})",
        "Before you dial\n" + _bullets(prepare),
        f"Opening\n“{name}, this is {placeholder('your name')} from {ctx.company}. I'm calling because I'm "
        f"personally taking ownership of this issue ({ctx.issue}).”\n{PAUSE}",
        f"Acknowledge\n“{_empathy(ctx)}{_history(ctx)}”\n{PAUSE}",
        "If they interrupt\n" + _bullets(handling),
        f"Ownership and next step\n“Here's what happens next. {now_and_eta} I'll call you back by {when} "
        f"with what we've found.”\n{PAUSE}",
        "Close\n" + _bullets(close),
    )
    return Draft("phone", None, body)


def _social(ctx: DraftContext) -> Draft:
    name = ctx.first_name or ctx.customer
    public = (
        f"{name}, I'm sorry. This isn't the experience you deserve from us, and I'm looking into it "
        "personally. I've sent you a DM so we can sort out the details privately. "
        f"{placeholder('your name')}, {ctx.company}"
    )
    private = _join(
        f"Hi {ctx.addressee}, {placeholder('your name')} here from {ctx.company}. Thanks for raising this. "
        f"I've read the full history of this issue ({ctx.issue}), so you won't need to repeat anything.",
        _status_now(ctx),
        f"I'll send you an update by {ctx.next_update}. If a call is easier, send me a good number and time, "
        f"or call me at {placeholder('direct line')}.",
    )
    heading = f"*{SOCIAL_PUBLIC_HEADING}* (keep account details out of it)"
    body = f"{heading}\n{public}\n\n*{SOCIAL_PRIVATE_HEADING}*\n{private}"
    return Draft("social", None, body)


# --- internal: seed 003 escalation brief and the catch-up summary ------------------------------------


def _customer_communication(ctx: DraftContext) -> list[str]:
    sent = [entry for entry in ctx.timeline if "customer" in entry.kind]
    last = f"{ctx.clock(sent[-1].at)}: {sent[-1].text}" if sent else ""
    risks = [
        name
        for flag, name in ((ctx.public_exposure, "public exposure"), (ctx.regulatory, "regulatory"))
        if flag
    ]
    expects = f"next update by {ctx.next_update}" if ctx.next_customer_update_at else ""
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


def _brief(ctx: DraftContext) -> Draft:
    level = BRIEF_SEVERITY.get(ctx.severity, "Medium")
    target = ctx.brief_target if ctx.brief_target in BRIEF_TARGETS else "engineering"
    users = (
        f"{ctx.users_affected:,} users" if ctx.users_affected is not None else placeholder("number of users")
    )
    tier = f", {ctx.tier.title()} tier" if ctx.tier else ""
    arr = f"${ctx.arr_at_risk:,} ARR" if ctx.arr_at_risk is not None else placeholder("ARR at risk")
    if ctx.next_customer_update_at:
        deadline = f"before {ctx.next_update}, when we owe {ctx.customer} the next update"
    else:
        deadline = f"an update within {INTERNAL_FOLLOW_UP[level]} (our follow-up cadence for {level})"
    repro = f"Not applicable: this asks {target} for a decision, not a code fix."
    if target in ("engineering", "security"):
        steps = _bullets([placeholder("step")] * 3, "• ")
        repro = f"{steps}\nExpected: {placeholder('expected behaviour')}\nActual: {ctx.title}\n"
        repro += f"Environment: {placeholder('browser, plan, account, feature flags')}"
    impact = [
        f"Customers affected: {ctx.customer}{tier}; {users}",
        f"Workflow impact: {ctx.title}",
        f"Revenue at risk: {arr}",
        f"Time in queue: {ctx.time_in_queue or placeholder('how long this has been an issue')}",
    ]
    context = ctx.timeline_lines(6) + [f"Room: “{message[:200]}”" for message in ctx.recent_messages[-2:]]
    details = f"{ctx.title}. {placeholder('what they see, since when, who is affected')}"
    tried = ctx.tried_items or [placeholder("troubleshooting step and result")]
    body = _join(
        f"*ESCALATION: {ctx.title}*\nSeverity: {level} ({ctx.severity})\nTarget team: {target.title()}\n"
        f"Reported by: {ctx.ic_name or placeholder('your name')} ({ctx.public_id})\nDate: {ctx.now:%Y-%m-%d}",
        "*Impact*\n" + _bullets(impact, "• "),
        f"*Issue description*\n{ctx.description.strip() or details}",
        "*What's been tried*\n" + _bullets(tried, "• "),
        f"*Reproduction steps*\n{repro}",
        "*Customer communication*\n" + _bullets(_customer_communication(ctx), "• "),
        f"*What's needed*\n• {ASKS[target]}\n• Deadline: {deadline}",
        "*Supporting context*\n" + _bullets(context or [placeholder("related tickets, threads, logs")], "• "),
    )
    return Draft("brief", f"ESCALATION: {ctx.title}", body)


def _summary(ctx: DraftContext) -> Draft:
    story = ctx.description.strip()
    ic = ctx.ic_name or f"nobody yet, {placeholder('assign an incident commander')}"
    latest = [f"“{message[:200]}”" for message in ctx.recent_messages[-3:]]
    body = _join(
        f"*Catching up on {ctx.public_id}: {ctx.customer}*",
        f"*What happened:* {ctx.title.rstrip('.')}. {story}",
        f"*Current status:* {ctx.severity} ({ctx.severity_label}), {ctx.status.title()}. "
        f"Incident commander: {ic}.",
        "*What's been done*\n"
        + _bullets(ctx.timeline_lines(8) or [placeholder("nothing on the timeline yet")], "• "),
        f"*What's next:* next customer update due {ctx.next_update}{_then(ctx)}. "
        f"Then: {SUMMARY_NEXT.get(ctx.status, 'agree the next step in the room')}.",
        "*Latest in the room*\n" + _bullets(latest, "• ") if latest else "",
    )
    return Draft("summary", None, body)


RENDERERS = {
    "ack": _ack,
    "update": _update,
    "resolution": _resolution,
    "apology": _apology,
    "response": _response,
    "phone": _phone,
    "social": _social,
    "brief": _brief,
    "summary": _summary,
}


def render_template(kind: str, ctx: DraftContext) -> Draft:
    """The seed template for `kind`, filled from `ctx`."""
    if kind not in RENDERERS:
        raise ValueError(f"unknown draft kind {kind!r}; expected one of {', '.join(RENDERERS)}")
    return RENDERERS[kind](ctx)
