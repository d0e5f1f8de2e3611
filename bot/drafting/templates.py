"""The customer-facing seed templates, filled from the record: the drafts people get when no Claude key is
configured. `render_template` renders any kind; the internal brief and summary are in
`bot.drafting.internal_templates`, the shared sentences in `bot.drafting.template_wording`.

Every fact comes from the DraftContext; whatever the record lacks stays a visible `[placeholder]`. No
draft promises a fix time: each commits to the next update instead (seed 000).
"""

from __future__ import annotations

from collections.abc import Callable

from bot.core.vocabulary import Mood
from bot.drafting.context import DraftContext, placeholder
from bot.drafting.draft import Draft
from bot.drafting.internal_templates import brief, summary
from bot.drafting.lint_rules import SOCIAL_PRIVATE_HEADING, SOCIAL_PUBLIC_HEADING
from bot.drafting.template_wording import (
    STATUS_IN_SUBJECT,
    and_then,
    bullets,
    empathy,
    feeling,
    history,
    join_paragraphs,
    late_promise,
    milestones,
    no_eta,
    owned_by_someone_senior,
    status_next,
    status_now,
    subject_line,
)

# Seed 000's underlying need behind each emotional state: what the coaching tells the agent to meet.
NEEDS: dict[Mood, str] = {
    Mood.CALM: "speed and clarity, meaning one person who owns this and a time they can hold you to.",
    Mood.DISAPPOINTED: "fairness, meaning you own the broken expectation plainly and show what changes now.",
    Mood.ANGRY: "acknowledgment first, then speed, meaning one owner and a time to hold you to.",
    Mood.THREATENING: "control, meaning a senior owner, a plan with dates, and no defensiveness.",
}
# Stage directions in the phone script, and the sign-off of the seed 000 response.
PAUSE = "(pause — let them respond)"
SIGNATURE = f"{placeholder('your name')} | {placeholder('your role')} | Direct: {placeholder('direct line')}"


# --- seed 001: acknowledgment, progress update, resolution, executive apology ---------------------------


def _ack(ctx: DraftContext) -> Draft:
    esc = ctx.escalation
    urgent = "[URGENT] " if esc.severity in ("SEV-1", "SEV-2") else ""
    where = [f"We've brought in our {ctx.team} team.", status_now(ctx)]
    senior = (
        " If it helps to talk it through, I can set up a call with our team today."
        if owned_by_someone_senior(ctx)
        else ""
    )
    body = join_paragraphs(
        f"Hi {ctx.addressee},",
        f"I'm {placeholder('your name')}, {placeholder('your role')}, and I'm personally handling this "
        f"escalation for {esc.customer}.",
        empathy(ctx) + feeling(ctx) + history(ctx),
        "Here's where we are:\n" + bullets([*where, f"I'll update you by {ctx.next_update}{and_then(ctx)}."]),
        f"You have one contact for this: me, at {placeholder('email')} or {placeholder('direct line')}."
        f"{senior} I'll stay on this until you tell me it works again for your team.",
        placeholder("your name"),
    )
    return Draft("ack", subject_line(f"{urgent}We're on it: ", ctx), body)


def _update(ctx: DraftContext) -> Draft:
    esc = ctx.escalation
    body = join_paragraphs(
        f"Hi {ctx.addressee},",
        f"Here's where things stand on {ctx.issue}.{late_promise(ctx)}{feeling(ctx)}",
        f"Current status: {esc.status_label}. {status_now(ctx)}",
        "What we've done:\n" + bullets(milestones(ctx)),
        "Next steps:\n" + bullets([status_next(ctx), no_eta(ctx)] if no_eta(ctx) else [status_next(ctx)]),
        f"Next update: by {ctx.next_update}{and_then(ctx)}.",
        f"Questions? Call me directly at {placeholder('direct line')}.",
        placeholder("your name"),
    )
    tail = f" ({STATUS_IN_SUBJECT.get(esc.status, esc.status_label.lower())})"
    return Draft("update", subject_line("Update: ", ctx, tail), body)


def _resolution(ctx: DraftContext) -> Draft:
    esc = ctx.escalation
    early = esc.status not in ("monitoring", "resolved", "closed")
    took = f", and that it took you {ctx.contacts_so_far} contacts to get here"
    contacts = took if ctx.repeat_contacts else ""
    body = join_paragraphs(
        f"[Send once the fix is confirmed; the record still says {esc.status_label}.]" if early else "",
        f"Hi {ctx.addressee},",
        f"I'm glad to tell you that we've fixed the problem you reported ({ctx.issue}).",
        f"What happened: {placeholder('brief explanation of the cause')}\n"
        f"What we did: {placeholder('what fixed it')}\n"
        f"Preventing recurrence: {placeholder('what we are changing so this does not happen again')}",
        f"I know this disrupted your team{contacts}. I'm truly sorry, and I'd like to talk about how we make "
        "this right. Would you have 15 minutes this week?",
        f"I'll check in with you by {ctx.next_update} to confirm everything works on your side. Until you "
        "confirm it, I'm keeping this open.",
        "Thank you for working through this with us.",
        placeholder("your name"),
    )
    return Draft("resolution", subject_line("Fixed: ", ctx), body)


def _apology(ctx: DraftContext) -> Draft:
    customer = ctx.escalation.customer
    trust = f"{customer} has trusted us for {ctx.customer_tenure}. " if ctx.customer_tenure else ""
    worse = f" Your team also had to contact us {ctx.contacts_so_far} times, which made it worse."
    plan = [status_now(ctx), placeholder("process change"), placeholder("prevention measure")]
    body = join_paragraphs(
        f"Dear {ctx.addressee},",
        f"I'm {placeholder('executive name')}, {placeholder('title')} at {ctx.company}, and I'm writing to "
        f"you personally about what happened ({ctx.issue}).",
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
    esc = ctx.escalation
    credit, executive = placeholder("credit amount, 1-3 months is typical"), placeholder("executive name")
    if esc.severity == "SEV-1" and ctx.strategic:
        level, pick = "severe", "B"
        options = (
            f"A. Executive call this week, a written remediation plan with dates, and a service credit of "
            f"{credit}.",
            f"B. In-person meeting with {executive}, a named engineer on {esc.customer} until they confirm "
            f"the fix, and a significant gesture: {placeholder('credit or extension, to approve')}.",
            f"C. Premium support for the rest of the term, early access to {placeholder('roadmap item')}, "
            "and a seat on the customer advisory board.",
        )
    elif esc.severity == "SEV-1" or (esc.severity == "SEV-2" and ctx.strategic):
        level, pick = "significant", "A"
        options = (
            f"A. Executive call, a service credit of {credit}, and a roadmap review of the fix.",
            f"B. A service credit of {credit} and weekly check-ins until the next renewal.",
            "C. Premium support upgrade and free training for their team.",
        )
    elif esc.severity == "SEV-2" or ctx.strategic:
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
        f"Option {pick}: a {level} impact ({esc.severity}; {facts}), and the recovery playbook "
        "scales gestures to impact. Get approval before you offer anything with a cost."
    )
    return options, recommendation


def _response(ctx: DraftContext) -> Draft:
    esc = ctx.escalation
    name = ctx.salutation_name or esc.customer
    options, recommendation = recovery_options(ctx)
    worse = f" And the {ctx.contacts_so_far} conversations you've had without a fix make it worse."
    closing = (
        f"You've been a partner with us for {ctx.customer_tenure}. That matters, and I intend to show it."
    )
    body = join_paragraphs(
        f"{ctx.addressee},",
        empathy(ctx)
        + feeling(ctx)
        + (worse if ctx.repeat_contacts else "")
        + " I'm not going to ask you to explain this again: I've read the full history, and I understand"
        f" what's at stake for {esc.customer}.",
        f"I'm {placeholder('your name')}, and I'm personally taking ownership of this case starting now. "
        "Here is what I'm committing to:",
        f"By {ctx.next_update}: I'll send you an update on what we've found, what we're doing next, and who "
        f"is doing it. {status_now(ctx)}",
        ("Until we fix this" if no_eta(ctx) else "Until you confirm it works")
        + ", you'll hear from me "
        + (ctx.customer_update_cadence or "at every step, even when the news is that we're still working")
        + f". {no_eta(ctx)}",
        "I'd also like 30 minutes with you this week to talk through what this has cost your team and how we "
        "make it right beyond the technical fix.",
        closing if ctx.customer_tenure else f"{esc.customer} matters to us, and I intend to show you that.",
        SIGNATURE,
    )
    contacts = f" and the {ctx.contacts_so_far} contacts without a fix" if ctx.repeat_contacts else ""
    tenure = f" The close uses their {ctx.customer_tenure} with you to show the relationship counts."
    public = (
        " They may go public: answer fast and privately, and never mention the threat; it reads as defensive."
    )
    regulatory = " Regulatory flag: bring in compliance before you say anything about data handling."
    coaching = join_paragraphs(
        f"{name} is {ctx.mood.label.lower().split(',')[0]}. What they want beyond the fix: "
        + NEEDS[ctx.mood],
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
        + (public if esc.public_exposure or ctx.mood == Mood.THREATENING else "")
        + (regulatory if esc.regulatory else ""),
        f"Recovery: {recommendation}",
    )
    subject = f"{name}, I'm taking personal ownership of this"
    return Draft("response", subject, body, coaching, options, recommendation)


# --- seed 000 variations: phone script and social media ----------------------------------------------


def _phone(ctx: DraftContext) -> Draft:
    esc = ctx.escalation
    name, when = ctx.salutation_name or placeholder("contact name"), ctx.next_update
    repeat = f" (they've contacted us {ctx.contacts_so_far} times)" if ctx.repeat_contacts else ""
    handling = [
        "Stop talking and let them finish.",
        "Then: “You're right to be upset. What matters most now?”",
    ]
    if esc.public_exposure or ctx.mood == Mood.THREATENING:
        handling.append(
            "If they mention going public or to the CEO: “I understand. I'd like the chance to fix this with "
            "you first, and I'll keep you informed at every step.”"
        )
    if esc.regulatory:
        handling.append(
            "If they raise contracts, legal or compliance: don't argue and don't agree on liability. “I hear "
            f"you. I'll bring our compliance team in and call you back by {when}.”"
        )
    now_and_eta = " ".join(part for part in (status_now(ctx), no_eta(ctx)) if part)
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
    body = join_paragraphs(
        f"Call guide: {esc.customer}, {name} ({esc.public_id})",
        "Before you dial\n" + bullets(prepare),
        f"Opening\n“{name}, this is {placeholder('your name')} from {ctx.company}. I'm calling because I'm "
        f"personally taking ownership of this issue ({ctx.issue}).”\n{PAUSE}",
        f"Acknowledge\n“{empathy(ctx)}{feeling(ctx)}{history(ctx)}”\n{PAUSE}",
        "If they interrupt\n" + bullets(handling),
        f"Ownership and next step\n“Here's what happens next. {now_and_eta} I'll call you back by {when} "
        f"with what we've found.”\n{PAUSE}",
        "Close\n" + bullets(close),
    )
    return Draft("phone", None, body)


def _social(ctx: DraftContext) -> Draft:
    name = ctx.salutation_name or ctx.escalation.customer
    public = (
        f"{name}, I'm sorry. This isn't the experience you deserve from us, and I'm looking into it "
        "personally. I've sent you a DM so we can sort out the details privately. "
        f"{placeholder('your name')}, {ctx.company}"
    )
    private = join_paragraphs(
        f"Hi {ctx.addressee}, {placeholder('your name')} here from {ctx.company}. Thanks for raising this. "
        f"I've read the full history of this issue ({ctx.issue}), so you won't need to repeat anything.",
        status_now(ctx),
        f"I'll send you an update by {ctx.next_update}. If a call is easier, send me a good number and time, "
        f"or call me at {placeholder('direct line')}.",
    )
    heading = f"*{SOCIAL_PUBLIC_HEADING}* (keep account details out of it)"
    body = f"{heading}\n{public}\n\n*{SOCIAL_PRIVATE_HEADING}*\n{private}"
    return Draft("social", None, body)


RENDERERS: dict[str, Callable[[DraftContext], Draft]] = {
    "ack": _ack,
    "update": _update,
    "resolution": _resolution,
    "apology": _apology,
    "response": _response,
    "phone": _phone,
    "social": _social,
    "brief": brief,
    "summary": summary,
}


def render_template(kind: str, ctx: DraftContext) -> Draft:
    """The seed template for `kind`, filled from `ctx`."""
    if kind not in RENDERERS:
        raise ValueError(f"unknown draft kind {kind!r}; expected one of {', '.join(RENDERERS)}")
    return RENDERERS[kind](ctx)
