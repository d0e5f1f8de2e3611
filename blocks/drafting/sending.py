"""The blocks of sending a draft: the post in the customer's Slack Connect channel, the form that confirms
it, and the copyable email when a `mailto:` link would be too long for a button."""

from __future__ import annotations

import json
from typing import Any

from blocks import limits
from blocks.drafting.drafts import split_body
from blocks.text import escape, mrkdwn, plain, truncate

POST_MODAL = "draft_post_modal"
POST_TEXT_MAX = 3_000  # what a modal's text input holds
POST_SECTIONS = 10  # a post of 3,000 characters is at most two sections; ten leaves room


def posted_marker(draft_id: int) -> str:
    """The block id the post's sender line carries: how a retry finds a post whose answer was lost."""
    return f"warroom_draft_{draft_id}"


def build_customer_post(draft_id: int, text: str, sender: str) -> list[dict[str, Any]]:
    """The update as the customer sees it in the shared channel: the text as written (escaped, so
    nothing in it becomes a mention or a link) and who sent it."""
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": mrkdwn(piece, limits.SECTION_TEXT)} for piece in split_body(text)
    ][:POST_SECTIONS]
    blocks.append(
        {
            "type": "context",
            "block_id": posted_marker(draft_id),
            "elements": [mrkdwn(f"Sent by {escape(truncate(sender, 80))}", limits.CONTEXT_TEXT)],
        }
    )
    return blocks


def build_post_modal(draft_id: int, text: str, channel_name: str) -> dict[str, Any]:
    """The form a person confirms before anything reaches the customer: the draft, editable."""
    return {
        "type": "modal",
        "callback_id": POST_MODAL,
        "private_metadata": json.dumps({"draft_id": draft_id}),
        "title": plain("Post to the customer", limits.VIEW_TITLE),
        "submit": plain("Post it", limits.VIEW_SUBMIT),
        "close": plain("Cancel", limits.VIEW_CLOSE),
        "blocks": [
            {
                "type": "context",
                "elements": [
                    mrkdwn(
                        f"This goes to *#{escape(truncate(channel_name, 80))}*, which the customer reads, "
                        "as your message. Fill in every [placeholder] first.",
                        limits.CONTEXT_TEXT,
                    )
                ],
            },
            {
                "type": "input",
                "block_id": "text",
                "label": plain("Message", limits.INPUT_LABEL),
                "element": {
                    "type": "plain_text_input",
                    "action_id": "value",
                    "multiline": True,
                    "max_length": POST_TEXT_MAX,
                    "initial_value": text[:POST_TEXT_MAX],
                },
            },
        ],
    }


def read_post_modal(view: dict[str, Any]) -> tuple[int, str]:
    """(draft id, the text as confirmed) of a submitted post form; ValueError when it is not one."""
    try:
        draft_id = int(json.loads(view.get("private_metadata") or "{}")["draft_id"])
        text = view["state"]["values"]["text"]["value"].get("value") or ""
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError("not a post form") from exc
    return draft_id, text


def build_email_copy(to: str | None, subject: str | None, body: str) -> list[dict[str, Any]]:
    """The email to copy into a mail program, for a draft too long for a `mailto:` link."""
    head = [
        f"*To:* {escape(to)}" if to else "*To:* the customer contact",
        f"*Subject:* {escape(subject)}" if subject else "",
    ]
    blocks: list[dict[str, Any]] = [{"type": "section", "text": mrkdwn("\n".join(head), limits.SECTION_TEXT)}]
    return (blocks + build_text_copy(body))[: limits.MESSAGE_BLOCKS]


def build_text_copy(text: str) -> list[dict[str, Any]]:
    """`text` in code blocks to copy as it is (a ``` inside cannot end the block early)."""
    fenced = text.replace("```", "ʼʼʼ")
    return [
        {"type": "section", "text": mrkdwn(f"```{piece}```", limits.SECTION_TEXT)}
        for piece in split_body(fenced, limits.SECTION_TEXT - 10)
    ][: limits.MESSAGE_BLOCKS]
