"""The `/escalate` intake modal, and reading its submitted state back."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from blocks import limits
from blocks.escalations.patterns import OpenElsewhere, build_open_elsewhere
from blocks.escalations.triage_card import severity_badge
from blocks.form_fields import (
    checkboxes_input,
    choice_input,
    element_state,
    selected_of,
    text_input,
    text_of,
    user_input,
)
from blocks.text import escape, mrkdwn, plain, truncate
from bot.core.vocabulary import EscalationType, Mood, Tier, label_of
from bot.core.zones import zone_options
from bot.escalations.customer_words import WORDING_MAX
from bot.escalations.intake import (
    CUSTOMER_MAX,
    EMAIL_MAX,
    SHORT_ANSWER_MAX,
    SUMMARY_MAX,
    WORKAROUND_ANSWERS,
    IntakeDraft,
    IntakeForm,
)
from bot.escalations.read_model import EscalationSnapshot
from bot.escalations.severity import TriageOpinion

CALLBACK_ID = "escalation_intake"
# The action_id of inputs that re-suggest the severity when they change.
REFRESH = "intake_refresh"
WORKAROUND_LABELS = {"yes": "Yes", "no": "No", "unsure": "Not sure yet"}
FLAG_LABELS = {
    "public_exposure": "Public exposure risk (social media, press)",
    "regulatory": "Regulatory or legal implications",
}


@dataclass(frozen=True)
class IntakeSource:
    """Where the escalation was raised; kept in the modal's private_metadata."""

    intake_key: str
    channel_id: str | None = None
    message_ts: str | None = None
    permalink: str | None = None
    # The customer (name key) whose open escalations the form already showed, so a second submit
    # after that warning goes through.
    warned_for: str | None = None
    # The severity the form suggested as its initial value: submitted unchanged, it is not the person's
    # choice, and the suggestion is made again from what they submitted.
    suggested: str | None = None
    # The directory account the customer field was last recognised as (its fields were prefilled).
    account_id: int | None = None
    # Claude's reading of the text, once it answered: every later suggestion weighs it too.
    opinion: TriageOpinion | None = None
    # The open escalation (ESC-…) whose room the person joined from this form instead of opening one.
    joined: str | None = None

    def to_metadata(self) -> str:
        """Compact JSON for `private_metadata` (≤ 3000 characters)."""
        data = {
            "k": self.intake_key,
            "c": self.channel_id,
            "m": self.message_ts,
            "p": self.permalink,
            "w": self.warned_for,
            "s": self.suggested,
            "a": self.account_id,
            "o": _opinion_data(self.opinion),
            "j": self.joined,
        }
        text = json.dumps({k: v for k, v in data.items() if v})
        if len(text) > limits.VIEW_PRIVATE_METADATA:  # an absurd permalink or name is the only way here
            text = json.dumps({"k": self.intake_key, "c": self.channel_id, "m": self.message_ts})
        return text

    @classmethod
    def from_metadata(cls, text: str) -> IntakeSource:
        """Read back what `to_metadata` wrote."""
        data = json.loads(text or "{}")
        return cls(
            intake_key=data["k"],
            channel_id=data.get("c"),
            message_ts=data.get("m"),
            permalink=data.get("p"),
            warned_for=data.get("w"),
            suggested=data.get("s"),
            account_id=data.get("a"),
            opinion=_opinion_of(data.get("o")),
            joined=data.get("j"),
        )


def build_intake_modal(
    draft: IntakeDraft,
    source: IntakeSource,
    caller_user_id: str,
    suggestion: tuple[str, Sequence[str]],
    severity_labels: dict[str, str],
    escalation_types: Sequence[str],
    open_for_customer: Sequence[EscalationSnapshot] = (),
    elsewhere: OpenElsewhere | None = None,
) -> dict[str, Any]:
    """The modal, prefilled from the free text (or what the form held when it changed), with the suggested
    severity and its reasons, the customer's open escalations and the same issue open for other customers
    (`elsewhere`). Fields marked `dispatch` re-suggest as they change (`handlers.escalations`)."""
    suggested, reasons = suggestion
    # The account the directory recognised: fields it prefilled take a new action_id, so Slack shows them.
    filled = f"{REFRESH}.{source.account_id or 0}"
    # Fields Claude's reading may fill (type, users affected) show it as a new value once it answered.
    read = f"{REFRESH}.claude" if source.opinion else REFRESH
    blocks: list[dict[str, Any]] = []
    if open_for_customer:
        blocks.append(_already_open_notice(draft.customer or "", open_for_customer))
    if elsewhere is not None:
        blocks += build_open_elsewhere(elsewhere)
    blocks += [
        text_input(
            "customer",
            "Customer",
            draft.customer,
            action_id=REFRESH,
            max_length=CUSTOMER_MAX,
            placeholder="Account name, e.g. Acme Corp (press Enter to look it up)",
            dispatch=True,
        ),
        text_input(
            "contact_name",
            "Customer contact",
            draft.contact_name,
            action_id=filled,
            optional=True,
            max_length=CUSTOMER_MAX,
            placeholder="Who at the customer, e.g. Dr. Amara Nwosu (drafts greet them by name)",
        ),
        text_input(
            "contact_email",
            "Contact's email",
            draft.contact_email,
            action_id=filled,
            optional=True,
            max_length=EMAIL_MAX,
            placeholder="For the Open in email button, e.g. amara@brookvale.org",
        ),
        choice_input(
            "contact_timezone",
            "Contact's time zone",
            zone_options(draft.contact_timezone),
            action_id=filled,
            initial=draft.contact_timezone,
            optional=True,
            hint="Drafts promise times in it; unknown, they use the incident commander's.",
        ),
        text_input(
            "summary",
            "Summary",
            draft.summary,
            # Enter looks for the same issue open for other customers (and re-suggests the severity).
            action_id=REFRESH,
            max_length=SUMMARY_MAX,
            placeholder="One line: what is wrong, for whom (press Enter to look for it elsewhere)",
            dispatch=True,
        ),
        text_input(
            "customer_wording",
            "In the customer's words",
            draft.customer_wording,
            action_id=f"{filled}.claude" if source.opinion else filled,
            optional=True,
            max_length=WORDING_MAX,
            placeholder="The problem as the customer would say it, e.g. your grades are disappearing",
        ),
        choice_input(
            "customer_mood",
            "How does the customer feel?",
            {mood.value: mood.label for mood in Mood},
            action_id=read,
            initial=draft.customer_mood,
            optional=True,
            hint="Drafts take their tone from it.",
        ),
        choice_input(
            "severity",
            "Severity",
            {s: f"{severity_badge(s)} · {label}" for s, label in severity_labels.items()},
            # Shown as the suggestion until the person picks one: a new suggestion needs a new action_id.
            action_id=f"severity.{source.suggested or 'none'}",
            initial=draft.severity or suggested,
            hint=truncate(_suggestion_hint(draft.severity, suggested, reasons), limits.INPUT_HINT),
        ),
        choice_input(
            "escalation_type",
            "Type",
            {t: label_of(EscalationType, t) for t in escalation_types},
            action_id=read,
            initial=draft.escalation_type if draft.escalation_type in escalation_types else None,
            dispatch=True,
        ),
        choice_input(
            "tier",
            "Customer tier",
            {tier.value: tier.label for tier in Tier},
            action_id=filled,
            initial=draft.tier,
            optional=True,
            dispatch=True,
        ),
        text_input(
            "arr",
            "ARR at risk (USD)",
            f"{draft.arr}" if draft.arr else None,
            action_id=filled,
            optional=True,
            placeholder="e.g. 180000 or $180k",
            dispatch=True,
        ),
        text_input(
            "users_affected",
            "Users affected",
            f"{draft.users_affected}" if draft.users_affected else None,
            action_id=read,
            optional=True,
            placeholder="e.g. 250",
            dispatch=True,
        ),
        choice_input(
            "workaround",
            "Is there a workaround?",
            WORKAROUND_LABELS,
            kind="radio_buttons",
            action_id=REFRESH,
            initial=_workaround_value(draft.workaround),
            optional=True,
            dispatch=True,
        ),
        text_input(
            "description",
            "What happened",
            draft.text or None,
            optional=True,
            multiline=True,
            placeholder="What exactly is happening, what the customer said",
        ),
        text_input(
            "started",
            "When did it start?",
            draft.started or None,
            optional=True,
            max_length=SHORT_ANSWER_MAX,
            placeholder="e.g. Monday 09:40 after the deploy",
        ),
        text_input(
            "affected",
            "Who is affected?",
            draft.affected or None,
            optional=True,
            max_length=SHORT_ANSWER_MAX,
            placeholder="e.g. all 9,000 staff, or the finance team only",
        ),
        text_input(
            "business_impact",
            "Business impact",
            draft.business_impact or None,
            optional=True,
            multiline=True,
            placeholder="What the customer cannot do, deadlines, money at stake",
        ),
        text_input(
            "tried",
            "What has been tried",
            draft.tried or None,
            optional=True,
            multiline=True,
            placeholder="Troubleshooting so far and its results",
        ),
        checkboxes_input(
            "flags",
            "Risk flags",
            FLAG_LABELS,
            {
                name
                for name, on in (("public_exposure", draft.public_exposure), ("regulatory", draft.regulatory))
                if on
            },
            dispatch=True,
        ),
        user_input("ic", "Incident commander", draft.ic_user_id or caller_user_id),
        {
            "type": "input",
            "block_id": "responders",
            "optional": True,
            "label": plain("Responders to invite", limits.INPUT_LABEL),
            "element": {
                "type": "multi_users_select",
                "action_id": "value",
                "placeholder": plain("Engineers, CSM, manager…", limits.PLACEHOLDER),
                **({"initial_users": list(draft.responder_user_ids)} if draft.responder_user_ids else {}),
            },
        },
        user_input(
            "csm",
            "Customer success manager",
            draft.csm_user_id,
            action_id=filled,
            optional=True,
            placeholder="From the account directory when the customer is known",
        ),
    ]
    return {
        "type": "modal",
        "callback_id": CALLBACK_ID,
        "private_metadata": source.to_metadata(),
        "title": plain("Escalate", limits.VIEW_TITLE),
        "submit": plain("Open escalation", limits.VIEW_SUBMIT),
        # Once the person joined a room instead, closing the form is the natural way out, not a cancel.
        "close": plain("Close" if elsewhere and elsewhere.joined else "Cancel", limits.VIEW_CLOSE),
        "blocks": blocks[: limits.VIEW_BLOCKS],
    }


def read_intake_form(view: dict[str, Any]) -> IntakeForm:
    """The values a person submitted (or holds while filling in), as typed; validation is
    `bot.escalations.intake.validate_intake`."""
    return IntakeForm(
        customer=text_of(view, "customer"),
        contact_name=text_of(view, "contact_name"),
        contact_email=text_of(view, "contact_email"),
        contact_timezone=selected_of(view, "contact_timezone"),
        customer_wording=text_of(view, "customer_wording"),
        customer_mood=selected_of(view, "customer_mood"),
        summary=text_of(view, "summary"),
        severity=selected_of(view, "severity"),
        escalation_type=selected_of(view, "escalation_type"),
        tier=selected_of(view, "tier"),
        arr=text_of(view, "arr"),
        users_affected=text_of(view, "users_affected"),
        description=text_of(view, "description"),
        tried=text_of(view, "tried"),
        flags=tuple(o["value"] for o in element_state(view, "flags").get("selected_options") or []),
        ic_user_id=element_state(view, "ic").get("selected_user"),
        responder_user_ids=tuple(element_state(view, "responders").get("selected_users") or []),
        started=text_of(view, "started"),
        affected=text_of(view, "affected"),
        business_impact=text_of(view, "business_impact"),
        workaround=selected_of(view, "workaround"),
        csm_user_id=element_state(view, "csm").get("selected_user"),
    )


def _suggestion_hint(chosen: str | None, suggested: str, reasons: Sequence[str]) -> str:
    why = "; ".join(reasons)
    if chosen and chosen != suggested:
        return f"You chose {chosen}; warroom suggests {suggested}: {why}"
    return f"Suggested {suggested}: {why}"


def _opinion_data(opinion: TriageOpinion | None) -> dict[str, Any] | None:
    if opinion is None:
        return None
    return {
        "s": opinion.severity,
        "t": opinion.escalation_type,
        "f": sorted(opinion.flags),
        "u": opinion.users_affected,
        "r": list(opinion.reasons),
    }


def _opinion_of(data: dict[str, Any] | None) -> TriageOpinion | None:
    if not data:
        return None
    return TriageOpinion(data["s"], data["t"], frozenset(data["f"]), data.get("u"), tuple(data["r"]))


def _flags_of(draft: IntakeDraft) -> set[str]:
    return {name for name in FLAG_LABELS if getattr(draft, name)}


def _workaround_value(answer: bool | None) -> str | None:
    return next((value for value, meaning in WORKAROUND_ANSWERS.items() if meaning is answer), None)


def _already_open_notice(customer: str, open_escalations: Sequence[EscalationSnapshot]) -> dict[str, Any]:
    listed = ", ".join(
        f"*{e.public_id}* ({e.severity}, {e.status_label.lower()})"
        + (f" in <#{e.room_channel_id}>" if e.room_channel_id else "")
        for e in open_escalations[:5]
    ) + (f" and {len(open_escalations) - 5} more" if len(open_escalations) > 5 else "")
    text = (
        f"⚠️ *{escape(customer)}* already has an open escalation: {listed}. "
        "Consider adding to it instead of opening a second one."
    )
    return {"type": "section", "block_id": "already_open", "text": mrkdwn(text, limits.SECTION_TEXT)}
