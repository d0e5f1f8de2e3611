"""The modals behind the card's Resolve, Close without confirmation and Reopen buttons: each asks for the
one sentence the step needs (what fixed it, why close now, why it is back), and reading them back."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from blocks import limits
from blocks.form_fields import text_input
from blocks.rooms.update_modals import UPDATE_MAX, which_escalation
from blocks.text import mrkdwn, plain
from bot.core.durations import humanize_duration
from bot.core.text import clean
from bot.escalations.read_model import EscalationSnapshot

CLOSING_MODAL = "closing_modal"
RESOLVE, CLOSE, REOPEN = "resolve", "close", "reopen"
TITLES = {RESOLVE: "Resolve", CLOSE: "Close unconfirmed", REOPEN: "Reopen"}
LABELS = {
    RESOLVE: "What fixed it?",
    CLOSE: "Why close before the customer confirms?",
    REOPEN: "What is wrong again?",
}
MISSING = {
    RESOLVE: "Say what fixed it: the timeline and the report keep it.",
    CLOSE: "Closing without the customer's confirmation needs a reason.",
    REOPEN: "Say why it is back.",
}


@dataclass(frozen=True)
class SubmittedStep:
    """What was typed in a closing modal."""

    escalation_id: int
    step: str
    text: str


def build_closing_modal(esc: EscalationSnapshot, step: str, confirmation_every: Any = None) -> dict[str, Any]:
    """The modal for `step` (resolve, close or reopen) of `esc`."""
    notes = {
        RESOLVE: (
            "Resolving stops the update clocks. The escalation then waits for the customer's confirmation; "
            f"the customer liaison is reminded every {humanize_duration(confirmation_every)} until it comes."
            if confirmation_every
            else "Resolving stops the update clocks and waits for the customer's confirmation."
        ),
        CLOSE: (
            "⚠️ Seed 001: *don't close until the customer confirms.* Closing now is recorded and shown as a "
            "*premature closure*. If the customer has confirmed, press *Customer confirmed* instead."
        ),
        REOPEN: "The update clocks and the resolution target run again from now.",
    }
    return {
        "type": "modal",
        "callback_id": CLOSING_MODAL,
        "private_metadata": json.dumps({"id": esc.id, "step": step}),
        "title": plain(TITLES[step], limits.VIEW_TITLE),
        "submit": plain(TITLES[step].split()[0], limits.VIEW_SUBMIT),
        "close": plain("Cancel", limits.VIEW_CLOSE),
        "blocks": [
            which_escalation(esc),
            {"type": "section", "block_id": "note", "text": mrkdwn(notes[step], limits.SECTION_TEXT)},
            text_input("reason", LABELS[step], None, multiline=True, max_length=UPDATE_MAX),
        ],
    }


def read_closing_step(view: dict[str, Any]) -> SubmittedStep:
    """The submitted modal: which escalation, which step, what was typed (cleaned as all text is).
    `ValueError` if the metadata is not what warroom put there."""
    try:
        meta = json.loads(view.get("private_metadata") or "{}")
        escalation_id, step = int(meta["id"]), str(meta["step"])
    except (KeyError, TypeError) as exc:
        raise ValueError("not a closing modal's metadata") from exc
    values: dict[str, dict[str, Any]] = view.get("state", {}).get("values", {})
    text = clean(values.get("reason", {}).get("value", {}).get("value")).strip()
    return SubmittedStep(escalation_id=escalation_id, step=step, text=text)
