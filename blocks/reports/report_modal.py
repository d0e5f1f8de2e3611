"""The post-incident review modal (*Write the report*, `/escalate report`): seed 004's root-cause category,
the root cause with seed 001's five whys as its prompt, what contributed, lessons learned, and up to three
new prevention actions with owners and due dates. Reading it back (pure)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from blocks import limits
from blocks.form_fields import choice_input, element_state, selected_of, text_input, text_of, user_input
from blocks.rooms.update_modals import which_escalation
from blocks.text import escape_within, mrkdwn, plain
from bot.core.text import clean
from bot.core.vocabulary import RootCause
from bot.escalations.read_model import EscalationSnapshot
from bot.followups.model import FollowUpView

REPORT_MODAL = "report_modal"
NEW_ACTIONS = 3
RECORDED_SHOWN = 10
TEXT_MAX = 3_000
ACTION_MAX = 300
HORIZONS = {"immediate": "Immediate", "long_term": "Long-term improvement"}
FIVE_WHYS = (
    "Why did it happen? Ask why five times: each answer's cause is the next question. Also: why didn't we "
    "prevent it, why didn't we detect it earlier, what made resolution difficult? (seed 001)"
)
CATEGORIES = {
    RootCause.PRODUCT.value: "Product (a bug, an outage, a design gap)",
    RootCause.PROCESS.value: "Process (how we triage, hand over, release)",
    RootCause.PEOPLE.value: "People (skills, staffing, training)",
    RootCause.EXTERNAL.value: "External (a vendor, the customer's side)",
}


@dataclass(frozen=True)
class NewAction:
    """A prevention action typed into the modal."""

    text: str
    owner_user_id: str | None
    due: date | None
    horizon: str


@dataclass(frozen=True)
class ReportSubmission:
    """What the review modal holds."""

    escalation_id: int
    category: str | None
    root_cause: str
    contributing_factors: tuple[str, ...]
    lessons: tuple[str, ...]
    actions: tuple[NewAction, ...]


def build_report_modal(esc: EscalationSnapshot, recorded: Sequence[FollowUpView] = ()) -> dict[str, Any]:
    """The review modal for `esc`, prefilled with what the record already says, and the prevention actions
    already recorded listed (so nobody types them again)."""
    note = (
        "Submitting posts the post-incident report in the room (seed 001's template, with the real timeline)."
    )
    if recorded:
        listed = "\n".join(f"• {escape_within(f.text, 200)}" for f in recorded[:RECORDED_SHOWN])
        more = f"\n…and {len(recorded) - RECORDED_SHOWN} more" if len(recorded) > RECORDED_SHOWN else ""
        note += f"\n*Prevention actions already recorded* (they stay as they are):\n{listed}{more}"
    blocks: list[dict[str, Any]] = [
        which_escalation(esc),
        {"type": "section", "block_id": "note", "text": mrkdwn(note, limits.SECTION_TEXT)},
        choice_input(
            "category", "Root-cause category", CATEGORIES, initial=esc.root_cause_category, optional=True
        ),
        text_input(
            "root_cause",
            "Root cause",
            esc.root_cause,
            multiline=True,
            optional=True,
            max_length=TEXT_MAX,
            placeholder="What went wrong, found by asking why five times",
        ),
        {"type": "context", "block_id": "five_whys", "elements": [mrkdwn(FIVE_WHYS, limits.CONTEXT_TEXT)]},
        text_input(
            "factors",
            "Contributing factors (one per line)",
            "\n".join(esc.contributing_factors),
            multiline=True,
            optional=True,
            max_length=TEXT_MAX,
        ),
        text_input(
            "lessons",
            "Lessons learned (one per line)",
            "\n".join(esc.lessons),
            multiline=True,
            optional=True,
            max_length=TEXT_MAX,
            placeholder="What we learned; what we will do differently",
        ),
    ]
    for n in range(1, NEW_ACTIONS + 1):
        blocks += [
            {"type": "divider"},
            text_input(
                f"action_{n}",
                f"New prevention action {n}",
                None,
                optional=True,
                max_length=ACTION_MAX,
                placeholder="e.g. Alert when the nightly sync deletes more than 1% of rows",
            ),
            user_input(f"owner_{n}", "Owner", None, optional=True, placeholder="You, unless someone else"),
            {
                "type": "input",
                "block_id": f"due_{n}",
                "optional": True,
                "label": plain("Due date", limits.INPUT_LABEL),
                "element": {"type": "datepicker", "action_id": "value"},
            },
            choice_input(f"horizon_{n}", "Kind", HORIZONS, initial="immediate", optional=True),
        ]
    return {
        "type": "modal",
        "callback_id": REPORT_MODAL,
        "private_metadata": json.dumps({"id": esc.id}),
        "title": plain("Post-incident report", limits.VIEW_TITLE),
        "submit": plain("Post report", limits.VIEW_SUBMIT),
        "close": plain("Cancel", limits.VIEW_CLOSE),
        "blocks": blocks,
    }


def read_report(view: dict[str, Any]) -> ReportSubmission:
    """The submitted review; `ValueError` if the metadata is not warroom's."""
    try:
        escalation_id = int(json.loads(view.get("private_metadata") or "{}")["id"])
    except (KeyError, TypeError) as exc:
        raise ValueError("not a report modal's metadata") from exc
    actions = []
    for n in range(1, NEW_ACTIONS + 1):
        text = " ".join(clean(text_of(view, f"action_{n}")).split())
        if not text:
            continue
        picked = element_state(view, f"due_{n}").get("selected_date")
        actions.append(
            NewAction(
                text=text,
                owner_user_id=element_state(view, f"owner_{n}").get("selected_user"),
                due=date.fromisoformat(picked) if picked else None,
                horizon=selected_of(view, f"horizon_{n}") or "immediate",
            )
        )
    return ReportSubmission(
        escalation_id=escalation_id,
        category=selected_of(view, "category"),
        root_cause=clean(text_of(view, "root_cause")).strip(),
        contributing_factors=_lines(text_of(view, "factors")),
        lessons=_lines(text_of(view, "lessons")),
        actions=tuple(actions),
    )


def _lines(text: str) -> tuple[str, ...]:
    return tuple(line.strip(" -•*\t") for line in clean(text).splitlines() if line.strip(" -•*\t"))
