"""The recovery plan as a Slack message with choices (pure): the impact level and why, seed 001's
recommended actions, the goodwill gestures as checkboxes (the ones the actions imply pre-selected), the
recovery conversation, the increased check-ins, and *Accept and schedule*.

Policy text is an operator's file, not warroom's own words, so it is escaped like anything a person typed.
Nothing here sends anything to the customer: the message says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from blocks import limits
from blocks.reports.red_flags import cut_markup
from blocks.text import button, escape_within, mrkdwn, plain, slack_date
from bot.escalations.read_model import EscalationSnapshot
from bot.reports.recovery import GestureChoice, RecoveryPlan
from bot.reports.red_flags import span

GESTURES_ACTION = "recovery.gestures"
ACCEPT_ACTION = "recovery.accept"
ACCEPT_LABEL = "Accept and schedule"
SUGGESTIONS_ONLY = (
    "Suggestions only: nothing is sent to the customer; accepted gestures and check-ins are reminded to "
    "their owner"
)
# Slack's checkboxes hold 10 options; a longer list of gestures takes a few checkbox groups, at most these.
CHECKBOX_OPTIONS = 10
GESTURE_GROUPS = 3
ITEM_SHOWN = 300  # one reason, action or conversation step


def build_recovery_plan(esc: EscalationSnapshot, plan: RecoveryPlan) -> tuple[str, list[dict[str, Any]]]:
    """The plan for `esc`: notification text and blocks, within Block Kit's limits."""
    level = plan.level.value.capitalize()
    why = [f"• {escape_within(reason, ITEM_SHOWN)}" for reason in plan.reasons]
    actions = " · ".join(escape_within(action, ITEM_SHOWN) for action in plan.actions)
    steps = [f"{n}. {escape_within(step, ITEM_SHOWN)}" for n, step in enumerate(plan.conversation, 1)]
    blocks: list[dict[str, Any]] = [
        {
            "type": "header",
            "block_id": "recovery_header",
            "text": plain(f"Recovery plan · {esc.public_id}", limits.HEADER_TEXT),
        },
        _section(
            "recovery_level",
            f"*Impact level: {level}* · the customer was affected for {span(plan.suffered)}",
            why,
        ),
        _section("recovery_actions", f"*Recommended for {plan.level.value} impact (seed 001):* {actions}"),
        _section(
            "recovery_gestures_intro",
            "*Goodwill gestures:* pick what to offer. The ones the recommended actions name are ticked.",
        ),
        *_gesture_blocks(plan.gestures),
        _section("recovery_conversation", "*The recovery conversation:*", steps),
        _section("recovery_check_ins", *_check_ins(plan)),
        {
            "type": "actions",
            "block_id": "recovery_accept",
            "elements": [button(ACCEPT_LABEL, ACCEPT_ACTION, str(esc.id), style="primary")],
        },
        {
            "type": "context",
            "block_id": "recovery_note",
            "elements": [mrkdwn(SUGGESTIONS_ONLY, limits.CONTEXT_TEXT)],
        },
    ]
    check_ins = len(plan.check_ins)
    text = (
        f"Recovery plan for {esc.public_id}: {plan.level.value} impact, "
        f"{check_ins} check-in{'s' if check_ins != 1 else ''} suggested"
    )
    return text, blocks


def _gesture_blocks(gestures: Sequence[GestureChoice]) -> list[dict[str, Any]]:
    offered = list(gestures)[: CHECKBOX_OPTIONS * GESTURE_GROUPS]
    blocks = []
    for group, first in enumerate(range(0, len(offered), CHECKBOX_OPTIONS)):
        chunk = offered[first : first + CHECKBOX_OPTIONS]
        options = [{"text": plain(g.text, limits.OPTION_TEXT), "value": str(g.index)} for g in chunk]
        element: dict[str, Any] = {"type": "checkboxes", "action_id": GESTURES_ACTION, "options": options}
        ticked = [option for option, gesture in zip(options, chunk, strict=True) if gesture.preselected]
        if ticked:  # Slack refuses an empty initial_options
            element["initial_options"] = ticked
        block_id = "recovery_gestures" if group == 0 else f"recovery_gestures_{group + 1}"
        blocks.append({"type": "actions", "block_id": block_id, "elements": [element]})
    if len(gestures) > len(offered):
        left = len(gestures) - len(offered)
        note = f"{left} more gesture{'s' if left != 1 else ''} in the policy, not shown here."
        blocks.append(
            {"type": "context", "block_id": "recovery_gestures_more", "elements": [mrkdwn(note, 200)]}
        )
    return blocks


def _check_ins(plan: RecoveryPlan) -> tuple[str, list[str]]:
    if not plan.check_ins:
        return "*Increased check-ins:* none at this impact level.", []
    heading = (
        f"*Increased check-ins* with the customer, reminded to <@{plan.check_in_owner}> "
        "(seed 001: increase touch points after recovery):"
    )
    return heading, [f"• {slack_date(due, '{date_long_pretty}')}" for due in plan.check_ins]


def _section(block_id: str, heading: str, lines: Sequence[str] = ()) -> dict[str, Any]:
    """A section of a heading and whole lines, as many as fit; the rest are counted, never cut mid-line."""
    text = cut_markup(heading, limits.SECTION_TEXT)
    for index, line in enumerate(lines):
        left = len(lines) - index
        more = f"\n…and {left} more" if left > 1 else ""
        if len(text) + 1 + len(line) + len(more) > limits.SECTION_TEXT:
            text += f"\n…and {left} more"
            break
        text += "\n" + line
    return {"type": "section", "block_id": block_id, "text": mrkdwn(text, limits.SECTION_TEXT)}
