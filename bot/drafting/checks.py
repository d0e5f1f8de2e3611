"""What the person is told about a draft before sending it: the seeds' checks, read in the zone its
times are in, and the note on the time it promises (pure)."""

from __future__ import annotations

from bot.core.zones import zone_name
from bot.drafting.context import DraftContext
from bot.drafting.draft import Draft
from bot.drafting.lint import Finding, lint_draft
from bot.drafting.promise import format_promise


def internal_note(ctx: DraftContext) -> str:
    """What the team wrote for itself: a customer-facing draft should not copy long passages of it."""
    esc = ctx.escalation
    updates = [entry.text for entry in ctx.timeline if entry.kind == "internal_update"]
    return "\n".join([esc.title, esc.description, esc.tried, esc.business_impact, *updates])


def lint_of(draft: Draft, ctx: DraftContext) -> list[Finding]:
    """The quality findings of a draft, for its kind and customer, read in the zone its times are in."""
    esc = ctx.escalation
    return lint_draft(
        draft.kind,
        draft.body,
        customer=esc.customer,
        contact_name=esc.contact_name,
        coaching=draft.coaching,
        subject=draft.subject,
        internal_note=internal_note(ctx),
        now=ctx.now,
        zone=ctx.zone,
    )


def timing_note(ctx: DraftContext) -> str | None:
    """What the person should know about the promised time: this update is late (and the time it offers
    is a new one), and whose zone it is in when the contact's is unknown; None when there is nothing."""
    promise = ctx.promise
    if promise is None:
        return None
    notes = []
    if promise.late and promise.owed_at is not None:
        notes.append(
            f"This update is late: it was due {format_promise(promise.owed_at, ctx.now, promise.zone)}. "
            f"The draft offers a new time for the next one, {ctx.next_update}."
        )
    if not promise.contacts_zone:
        whose = "the incident commander's" if promise.zone != "UTC" else "the contact's zone is not known"
        notes.append(
            f"Times are in {zone_name(promise.zone, ctx.now)} ({whose}); add the contact's time zone to the "
            "account directory or the form to write them in theirs."
        )
    return " ".join(notes) or None
