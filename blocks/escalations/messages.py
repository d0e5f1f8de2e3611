"""Every other message warroom posts: help, lists, announcements, confirmations, topics."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from blocks import limits
from blocks.escalations.triage_card import severity_badge
from blocks.text import escape, escape_within, money, mrkdwn, slack_date, truncate, user
from bot.core.vocabulary import ROLES
from bot.escalations.commands import ELSEWHERE, EXAMPLES
from bot.escalations.read_model import EscalationSnapshot

HELP_TEXT = """*warroom* runs the war room for a customer escalation.

*Open one*
• `/escalate &lt;what happened&gt;`: a form opens, prefilled from your text, with a suggested severity. \
SEV-1/2 get their own war-room channel; SEV-3/4 get a triage card here with a thread.
• Message menu ⋯ → *Escalate this message*: the same form, prefilled from the message, with a link back.
• `/escalate list`: open escalations, most severe first (only you see it). `/escalate help`: this message.

*In the war room* (or name one: `/escalate status ESC-2026-007`)
• `/escalate status`: every clock: last update, next due, SLA time left. `/escalate timeline`: what happened.
• `/escalate update &lt;what changed&gt;` · `/escalate customer-update &lt;what you told them&gt; \
[next update at 14:30]`
• `/escalate severity SEV-2 [why]` · `/escalate status identified|monitoring`
• `/escalate role liaison|engineering|csm|ic @person`, or the card's *Be the …* buttons.
• React 📌 to a message (thread replies too), or its ⋯ menu → *Add to timeline*, to put it on the timeline.
• Card buttons: *Acknowledge* (first response), *Post update*, *Draft customer update*, *Customer updated*, \
*Resolve*, *Take command*. Reminders come before each update is due; *Snooze 10 min* holds one.

*Closing the loop*
• `/escalate resolve &lt;what fixed it&gt;`: clocks stop; the liaison is reminded to get the customer's \
confirmation. `/escalate confirm` once the customer confirms: it closes.
• `/escalate close &lt;why&gt;` closes without confirmation (IC, the person who raised it or a manager; \
flagged as premature closure). `/escalate reopen &lt;why&gt;` brings it back with its clocks.

*Drafts* (never sent by warroom: you review and send)
• `@warroom draft ack|update|resolution|apology|response|phone|social`, `@warroom brief [engineering|\
product|security|leadership]`, `@warroom summarize`"""


def build_help(unknown: str | None = None, suggestion: str | None = None) -> list[dict[str, Any]]:
    """The `/escalate help` reply; after an unknown word, what it is not and what was probably meant."""
    blocks: list[dict[str, Any]] = []
    if unknown:
        word = unknown.strip().lower()
        if suggestion:
            hint = f"Did you mean `{EXAMPLES[suggestion]}`?"
        elif word in ELSEWHERE:
            hint = f"For that, {ELSEWHERE[word]}."
        else:
            hint = "Here is what it can do:"
        said = f"`/escalate {escape(truncate(word, 60))}` is not a warroom command. {hint}"
        blocks.append({"type": "section", "block_id": "unknown", "text": mrkdwn(said, limits.SECTION_TEXT)})
    blocks.append({"type": "section", "block_id": "help", "text": mrkdwn(HELP_TEXT, limits.SECTION_TEXT)})
    examples = "\n".join(f"• `{example}`" for example in EXAMPLES.values())
    blocks.append(
        {
            "type": "section",
            "block_id": "examples",
            "text": mrkdwn(f"*Every subcommand, with an example*\n{examples}", limits.SECTION_TEXT),
        }
    )
    return blocks


def build_choices(subcommand: str, choices: Sequence[EscalationSnapshot]) -> list[dict[str, Any]]:
    """Several escalations could be meant and none was named: list them; nothing was changed."""
    shown = choices[: limits.MESSAGE_BLOCKS - 2]
    intro = (
        f"This channel has {len(choices)} open escalations, so I changed nothing. "
        f"Name one: `/escalate {subcommand} ESC-… …`"
    )
    blocks: list[dict[str, Any]] = [
        {"type": "section", "block_id": "choices_intro", "text": mrkdwn(intro, limits.SECTION_TEXT)}
    ]
    blocks += [
        {
            "type": "section",
            "block_id": f"choice_{esc.id}",
            "text": mrkdwn(
                f"{severity_badge(esc.severity)} *{esc.public_id}* · {escape(esc.customer)} · {esc.severity}",
                limits.SECTION_TEXT,
            ),
        }
        for esc in shown
    ]
    return blocks


def escalation_line(esc: EscalationSnapshot) -> str:
    """One line about an escalation: badge, id, customer, title, status, IC, where."""
    where = f"<#{esc.room_channel_id}>" if esc.room_channel_id else "thread"
    return (
        f"{severity_badge(esc.severity)} *{esc.public_id}* · {escape(esc.customer)}: {escape(esc.title)} · "
        f"{esc.status_label} · IC {user(esc.ic_user_id)} · {where}"
    )


def build_open_list(
    escalations: Sequence[EscalationSnapshot], total: int, hidden: int = 0
) -> list[dict[str, Any]]:
    """The `/escalate list` reply: one section per escalation, within the 50-block limit. Private
    escalations the reader may not see are a count, with no customer or details."""
    private = (
        f"{hidden} private escalation{'s' if hidden != 1 else ''} not shown: only their rooms and "
        "escalation managers see them."
        if hidden
        else ""
    )
    if not escalations:
        empty: list[dict[str, Any]] = [
            {
                "type": "section",
                "block_id": "none",
                "text": mrkdwn(
                    "No open escalations. 🎉" if not hidden else "No open escalations you can see.",
                    limits.SECTION_TEXT,
                ),
            }
        ]
        if private:
            empty.append(
                {
                    "type": "context",
                    "block_id": "list_private",
                    "elements": [mrkdwn(private, limits.CONTEXT_TEXT)],
                }
            )
        return empty
    shown = escalations[: limits.MESSAGE_BLOCKS - 3]
    header = f"*{total} open escalation{'s' if total != 1 else ''}*, most severe first"
    blocks: list[dict[str, Any]] = [
        {"type": "section", "block_id": "list_header", "text": mrkdwn(header, limits.SECTION_TEXT)}
    ]
    blocks += [
        {
            "type": "section",
            "block_id": f"esc_{esc.id}",
            "text": mrkdwn(escalation_line(esc), limits.SECTION_TEXT),
        }
        for esc in shown
    ]
    if total > len(shown):
        blocks.append(
            {
                "type": "context",
                "block_id": "list_more",
                "elements": [mrkdwn(f"…and {total - len(shown)} more.", limits.CONTEXT_TEXT)],
            }
        )
    if private:
        blocks.append(
            {
                "type": "context",
                "block_id": "list_private",
                "elements": [mrkdwn(private, limits.CONTEXT_TEXT)],
            }
        )
    return blocks


def build_announcement(esc: EscalationSnapshot) -> tuple[str, list[dict[str, Any]]]:
    """The post in the escalations channel, kept current as severity, status and the IC change. Private
    (security, compliance) ones say almost nothing."""
    state = _announced_state(esc)
    if esc.is_private:
        text = (
            f"🔒 {severity_badge(esc.severity)} *{esc.public_id}*: a {esc.type_label.lower()} escalation. "
            f"{state} · IC {user(esc.ic_user_id)}. Details stay in its private room."
        )
    else:
        room = f" Join <#{esc.room_channel_id}>." if esc.room_channel_id and esc.is_open else ""
        text = (
            f"{severity_badge(esc.severity)} *{esc.public_id}* · {escape(esc.customer)}: "
            f"{escape(esc.title)}\n"
            f"{state} · ARR at risk {money(esc.arr_at_risk)} · IC {user(esc.ic_user_id)}.{room}"
        )
    return (
        truncate(f"{esc.severity} {esc.public_id} {'reopened' if esc.reopened_at else 'opened'}", 3000),
        [{"type": "section", "block_id": "announcement", "text": mrkdwn(text, limits.SECTION_TEXT)}],
    )


def _announced_state(esc: EscalationSnapshot) -> str:
    if esc.is_closed:
        how = "customer confirmed" if esc.confirmed_at else "⚠️ without the customer's confirmation"
        return f"🔒 Closed ({how})"
    if esc.awaiting_confirmation:
        return "✅ Resolved, awaiting the customer's confirmation"
    reopened = "↩️ Reopened · " if esc.reopened_at else ""
    if esc.acknowledged_at is None:
        verb = "overdue since" if esc.first_response_breached else "due"
        return f"{reopened}{esc.status_label} · first response {verb} {slack_date(esc.first_response_due_at)}"
    return f"{reopened}{esc.status_label}"


def build_created_confirmation(esc: EscalationSnapshot) -> str:
    """What the person who escalated is told once the room or card exists."""
    if esc.room_channel_id:
        return (
            f"{severity_badge(esc.severity)} *{esc.public_id}* is open and its war room is ready: "
            f"<#{esc.room_channel_id}>. You are in it with the IC {user(esc.ic_user_id)}."
        )
    where = "here" if esc.card_channel_id == esc.source_channel_id else f"in <#{esc.card_channel_id}>"
    if esc.card_channel_id and esc.card_channel_id.startswith("D"):
        where = "in your direct messages with warroom"
    return (
        f"{severity_badge(esc.severity)} *{esc.public_id}* is open. Its triage card is posted {where}; "
        "keep the conversation in its thread."
    )


def build_thread_kickoff(esc: EscalationSnapshot) -> str:
    """The first reply under a SEV-3/4 card: who owns it and how to work the thread."""
    return (
        f"{user(esc.ic_user_id)} is the incident commander for *{esc.public_id}*. Keep updates about "
        f"{escape(esc.customer)} in this thread so the timeline stays in one place."
    )


def build_topic(esc: EscalationSnapshot) -> str:
    """The war-room topic: severity, status, the roles and the first response (≤ 250 characters). A
    topic does not render dates in each reader's zone, so the time is UTC; a passed SLA says breached."""
    when = esc.first_response_due_at.strftime("%a %d %b %H:%M UTC")
    if not esc.is_open:
        due = ""
    elif esc.acknowledged_at is not None:
        due = "acknowledged · "
    elif esc.first_response_breached:
        due = f"🚨 first response breached ({when}) · "
    else:
        due = f"first response due {when} · "
    status = "Resolved, awaiting confirmation" if esc.awaiting_confirmation else esc.status_label
    roles = [f"{role.short_label} <@{holder}>" for role in ROLES if (holder := esc.holder(role))]
    ours = ""
    while roles:  # the IC always; the other roles while they fit
        ours = f"{esc.severity} · {status} · {' · '.join(roles)} · {due}{esc.public_id} "
        if len(ours) <= limits.CHANNEL_TOPIC or len(roles) == 1:
            break
        roles.pop()
    # Slack parses a topic like a message: the customer's name is escaped, and cut to what is left.
    return ours + escape_within(esc.customer, max(limits.CHANNEL_TOPIC - len(ours), 0))


ARCHIVE_NOTICE = "archive_notice"


def build_archive_notice(esc: EscalationSnapshot) -> tuple[str, list[dict[str, Any]]]:
    """The last message in a war room before it is archived: where the record lives."""
    closed = f" {slack_date(esc.closed_at)}" if esc.closed_at else ""
    text = (
        f"🗄️ *{esc.public_id}* was closed{closed}; this room is being archived. Its record stays in "
        f"warroom: `/escalate timeline {esc.public_id}` shows what happened, and "
        f"`/escalate reopen {esc.public_id} &lt;why&gt;` brings it back with a room."
    )
    notice = {"type": "section", "block_id": ARCHIVE_NOTICE, "text": mrkdwn(text, limits.SECTION_TEXT)}
    return text, [notice]


def build_error(text: str) -> list[dict[str, Any]]:
    """A short ephemeral error, said plainly."""
    return [{"type": "section", "block_id": "error", "text": mrkdwn(f"⚠️ {text}", limits.SECTION_TEXT)}]
