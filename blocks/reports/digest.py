"""The weekly digest in the escalations channel (pure): the week's metrics, the escalations raising seed
001's red flags, and overdue follow-ups. Private escalations are counted, never named: the channel is not
their room."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from blocks import limits
from blocks.followups.follow_ups import follow_up_line
from blocks.reports.metrics import build_metrics
from blocks.reports.red_flags import red_flags_line
from blocks.text import escape_within, mrkdwn, plain
from bot.escalations.read_model import EscalationSnapshot
from bot.followups.model import FollowUpView
from bot.reports.metrics import Metrics
from bot.reports.red_flags import RedFlag

DIGEST_BLOCK = "digest_header"
FLAGGED_SHOWN = 12
OVERDUE_SHOWN = 8
# With the headings, the lists above and their notes: 47 blocks at most, within a message's 50.
METRICS_SHOWN = 20


def build_digest(
    week: str,
    metrics: Metrics,
    flagged: Sequence[tuple[EscalationSnapshot, Sequence[RedFlag]]],
    overdue: Sequence[tuple[FollowUpView, EscalationSnapshot]],
    now: datetime,
) -> tuple[str, list[dict[str, Any]]]:
    """The digest of `week` ("2026-W49"): fallback text and blocks, within a message's 50 blocks."""
    public_flagged = [(esc, flags) for esc, flags in flagged if not esc.is_private]
    private_flagged = len(flagged) - len(public_flagged)
    public_overdue = [(f, esc) for f, esc in overdue if not esc.is_private]
    private_overdue = len(overdue) - len(public_overdue)
    _, figures = build_metrics(metrics)
    blocks: list[dict[str, Any]] = [
        {
            "type": "header",
            "block_id": DIGEST_BLOCK,
            "text": plain(f"Weekly escalation digest · {week}", 150),
        },
        *[block for block in figures if block.get("type") != "header"][:METRICS_SHOWN],
        {"type": "divider"},
        _heading(
            f"🚩 Red flags ({len(flagged)} escalations)", "Seed 001's red flags, open or closed this week"
        ),
    ]
    for esc, flags in public_flagged[:FLAGGED_SHOWN]:
        line = f"*{esc.public_id}* · {escape_within(esc.customer, 80)} · {esc.severity} · {esc.status_label}"
        blocks.append(_section(f"{line}\n{red_flags_line(flags)}"))
    notes = _left_out(len(public_flagged) - FLAGGED_SHOWN, private_flagged)
    if not flagged:
        blocks.append(_section("None this week. 🎉"))
    if notes:
        blocks.append(_context(notes))
    blocks += [
        {"type": "divider"},
        _heading(f"⏰ Overdue follow-ups ({len(overdue)})", "Owners are reminded"),
    ]
    for follow_up, esc in public_overdue[:OVERDUE_SHOWN]:
        blocks.append(_section(f"*{esc.public_id}* · {follow_up_line(follow_up, now, 2_500)}"))
    if not overdue:
        blocks.append(_section("None. Every prevention action and recovery promise is on time."))
    notes = _left_out(len(public_overdue) - OVERDUE_SHOWN, private_overdue)
    if notes:
        blocks.append(_context(notes))
    text = (
        f"Weekly escalation digest {week}: {metrics.overall.escalations} escalations, "
        f"{len(flagged)} with red flags, {len(overdue)} overdue follow-ups"
    )
    return text, blocks[: limits.MESSAGE_BLOCKS]


def _heading(title: str, note: str) -> dict[str, Any]:
    return _section(f"*{title}*  _{note}_")


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": mrkdwn(text, limits.SECTION_TEXT)}


def _context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [mrkdwn(text, limits.CONTEXT_TEXT)]}


def _left_out(more: int, private: int) -> str:
    parts = []
    if more > 0:
        parts.append(f"{more} more not shown")
    if private:
        parts.append(f"{private} private (counted, not named here)")
    return " · ".join(parts)
