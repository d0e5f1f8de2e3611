"""Draft messages in the thread: while Claude writes, and the finished draft with its checks and buttons."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from blocks import limits
from blocks.text import button, escape, escape_within, mrkdwn, slack_date, truncate, user
from bot.core.vocabulary import DraftKind
from bot.drafting.draft import Draft
from bot.drafting.lint import Finding
from bot.drafting.lint_rules import CUSTOMER_FACING

MARK_SENT = "draft_mark_sent"
REGENERATE = "draft_regenerate"
SHORTER = "draft_shorter"
MORE_FORMAL = "draft_more_formal"
OPEN_EMAIL = "draft_open_email"  # a link button: Slack still tells the app it was clicked
COPY_EMAIL = "draft_copy_email"
POST_TO_CUSTOMER = "draft_post_to_customer"

KIND_LABELS = {
    "ack": "acknowledgment",
    "update": "customer update",
    "resolution": "resolution notice",
    "apology": "executive apology",
    "response": "escalation response with coaching",
    "phone": "phone call guide",
    "social": "social media reply",
    "brief": "escalation brief",
    "summary": "catch-up summary",
}
BODY_CHUNK = limits.SECTION_TEXT - 100
MAX_BODY_SECTIONS = 40  # with the other blocks of a draft, well inside Slack's 50


@dataclass(frozen=True)
class DraftView:
    """A stored draft as the thread shows it."""

    draft_id: int
    public_id: str
    draft: Draft
    findings: tuple[Finding, ...]
    requested_by: str
    note: str | None = None
    sent_by: str | None = None
    sent_at: datetime | None = None
    letter: bool = False  # a letter to the customer: it can be opened as an email or posted
    email_link: str | None = None  # the `mailto:` link, when it fits in a button
    customer_channel: str | None = None  # the account's Slack Connect channel, when it may be posted
    customer_channel_name: str | None = None
    posted_channel: str | None = None  # where it was posted, once it was


def kind_label(kind: str) -> str:
    """`customer update`, `escalation brief`..."""
    return KIND_LABELS.get(kind, kind)


def article(kind: str) -> str:
    """ "an" before an executive apology, "a" before a customer update."""
    return "an" if kind_label(kind)[:1] in "aeiou" else "a"


def a_kind(kind: str) -> str:
    """The kind with its article: "a customer update", "an executive apology"."""
    return f"{article(kind)} {kind_label(kind)}"


def build_drafting_placeholder(
    public_id: str, kind: str, writer: str, so_far: str = ""
) -> list[dict[str, Any]]:
    """What the thread shows while a draft is being written (edited about once a second)."""
    blocks: list[dict[str, Any]] = [
        {
            "type": "context",
            "block_id": "drafting",
            "elements": [
                mrkdwn(f"✍️ {writer} is drafting {article(kind)} *{kind_label(kind)}* for *{public_id}*…", 300)
            ],
        }
    ]
    if so_far.strip():
        blocks.append(
            {
                "type": "section",
                "block_id": "so_far",
                "text": mrkdwn(escape_within(so_far, limits.SECTION_TEXT - 2) + " ▌", limits.SECTION_TEXT),
            }
        )
    return blocks


def split_body(text: str, size: int = BODY_CHUNK) -> list[str]:
    """The body escaped for mrkdwn, in pieces of at most `size` characters each.

    It is cut between paragraphs where possible and always before escaping, so no cut lands inside
    an `&amp;`.
    """
    pieces: list[str] = []
    current = ""
    for paragraph in text.split("\n\n"):
        candidate = f"{current}\n\n{paragraph}" if current else paragraph
        if len(escape(candidate)) <= size:
            current = candidate
            continue
        if current:
            pieces.append(escape(current))
        while len(escape(paragraph)) > size:
            head = escape_within(paragraph, size).removesuffix("…")
            raw_length = len(head.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">"))
            pieces.append(head)
            paragraph = paragraph[raw_length:]
        current = paragraph
    if current:
        pieces.append(escape(current))
    return pieces


def build_draft_message(view: DraftView) -> list[dict[str, Any]]:
    """The finished draft: who asked, who wrote it, the text, the checks, and what a person can do."""
    draft = view.draft
    writer = "seed template" if draft.source == "template" else f"Claude ({draft.source})"
    blocks: list[dict[str, Any]] = [
        {
            "type": "context",
            "block_id": "draft_meta",
            "elements": [
                mrkdwn(
                    f"✍️ Draft *{kind_label(draft.kind)}* for *{view.public_id}* · asked by "
                    f"{user(view.requested_by)} · written by {writer} · review and edit before "
                    "sending: warroom never sends to customers",
                    limits.CONTEXT_TEXT,
                )
            ],
        }
    ]
    if view.note:
        blocks.append(
            {
                "type": "context",
                "block_id": "draft_note",
                "elements": [mrkdwn(f"⚠️ {escape(view.note)}", limits.CONTEXT_TEXT)],
            }
        )
    if draft.subject:
        blocks.append(
            {
                "type": "section",
                "block_id": "draft_subject",
                "text": mrkdwn(f"*Subject:* {escape(draft.subject)}", limits.SECTION_TEXT),
            }
        )
    pieces = split_body(draft.body)
    for index, piece in enumerate(pieces[:MAX_BODY_SECTIONS]):
        blocks.append(
            {"type": "section", "block_id": f"draft_body_{index}", "text": mrkdwn(piece, limits.SECTION_TEXT)}
        )
    if len(pieces) > MAX_BODY_SECTIONS:
        hidden = sum(len(piece) for piece in pieces[MAX_BODY_SECTIONS:])
        blocks.append(
            {
                "type": "context",
                "block_id": "draft_cut",
                "elements": [
                    mrkdwn(
                        f"✂️ About {hidden:,} more characters do not fit in one message. Ask for *Shorter*.",
                        limits.CONTEXT_TEXT,
                    )
                ],
            }
        )
    if draft.options:
        options = "\n".join(f"{n}. {escape(option)}" for n, option in enumerate(draft.options, 1))
        recommended = f"\n*Recommended:* {escape(draft.recommendation)}" if draft.recommendation else ""
        blocks.append(
            {
                "type": "section",
                "block_id": "draft_options",
                "text": mrkdwn(f"*Resolution options*\n{options}{recommended}", limits.SECTION_TEXT),
            }
        )
    if draft.coaching:
        blocks.append(
            {
                "type": "section",
                "block_id": "draft_coaching",
                "text": mrkdwn(
                    "*Coaching notes*\n" + escape_within(draft.coaching, limits.SECTION_TEXT - 20),
                    limits.SECTION_TEXT,
                ),
            }
        )
    blocks.append(_checks(view.findings, view.draft.kind in CUSTOMER_FACING))
    blocks.append(_actions(view))
    return blocks


def _checks(findings: Sequence[Finding], customer_facing: bool) -> dict[str, Any]:
    if not findings:
        passed = (
            "✅ Passes warroom's checks: no dismissive opening, no promised fix time, no blame or jargon, "
            "a next update with a time the customer can hold you to."
            if customer_facing
            else "✅ Passes warroom's checks for a note to the team: no blame or jargon, within its length."
        )
        return {
            "type": "context",
            "block_id": "draft_checks",
            "elements": [mrkdwn(passed, limits.CONTEXT_TEXT)],
        }
    lines = "\n".join(
        f"• {escape(f.message)}" + (f" (“{escape(truncate(f.excerpt, 80))}”)" if f.excerpt else "")
        for f in findings
    )
    return {
        "type": "section",
        "block_id": "draft_checks",
        "text": mrkdwn(
            truncate(f"⚠️ *Check before sending*\n{lines}", limits.SECTION_TEXT), limits.SECTION_TEXT
        ),
    }


def _actions(view: DraftView) -> dict[str, Any]:
    if view.sent_at is not None:
        done = "Marked as sent"
        if view.draft.kind == DraftKind.PHONE:
            done = "Call made"
        elif view.posted_channel:
            done = f"Posted to <#{view.posted_channel}>"
        return {
            "type": "context",
            "block_id": "draft_sent",
            "elements": [
                mrkdwn(f"✅ {done} by {user(view.sent_by)} {slack_date(view.sent_at)}", limits.CONTEXT_TEXT)
            ],
        }
    value = str(view.draft_id)
    buttons = []
    if view.letter:
        if view.email_link:
            email = button("Open in email", OPEN_EMAIL, value)
            buttons.append({**email, "url": view.email_link})
        else:  # too long for a link: the email as text to copy
            buttons.append(button("Copy as email", COPY_EMAIL, value))
        if view.customer_channel:
            where = (
                f"#{view.customer_channel_name}" if view.customer_channel_name else "the customer's channel"
            )
            buttons.append(button(f"Post to {where}", POST_TO_CUSTOMER, value))
    if view.draft.kind in CUSTOMER_FACING:
        # A phone guide is not sent: the call is made.
        label = "Mark the call done" if view.draft.kind == DraftKind.PHONE else "Mark as sent"
        buttons.append(button(label, MARK_SENT, value, "primary"))
    buttons += [
        button("Regenerate", REGENERATE, value),
        button("Shorter", SHORTER, value),
        button("More formal", MORE_FORMAL, value),
    ]
    return {"type": "actions", "block_id": "draft_actions", "elements": buttons}


def draft_fallback_text(view: DraftView) -> str:
    """Notification text of a draft message."""
    return truncate(f"Draft {kind_label(view.draft.kind)} for {view.public_id}", 300)
