"""After the fix (seed 001 workflows 4 and 5): follow-ups people commit to, the recovery plan a person
accepted, the post-incident review's findings, and the report once posted.

`FollowThrough` holds the domain methods; `Record` (bot.escalations.record) is built from it. They work
whatever the escalation's status: the loop is closed after the fix, often after the room is archived.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from blocks.text import escape, slack_date
from bot.core.durations import humanize_duration
from bot.core.vocabulary import FollowUpKind, RootCause
from bot.escalations.record_core import InvalidChange, RecordCore
from storage import follow_ups as store
from storage import repository as repo
from storage.models import FollowUp

# Long enough for a real action ("Add an alert when the nightly sync deletes more than 1% of rows"), short
# enough to read on a card, in a DM and in a table cell.
FOLLOW_UP_TEXT_LIMIT = 300
REVIEW_TEXT_LIMIT = 3_000
REVIEW_LIST_LIMIT = 10
HORIZONS = ("immediate", "long_term")
# Further out than this is a typo (`in 999 weeks`, `9999-12-31`), not a plan.
MAX_DUE_YEARS = 2


class FollowThrough(RecordCore):
    """Follow-ups, the accepted recovery plan, the review and the report."""

    def add_follow_up(
        self,
        kind: FollowUpKind,
        text: str,
        owner_user_id: str | None,
        due_at: datetime | None,
        *,
        horizon: str | None = None,
        announce: bool = True,
    ) -> FollowUp:
        """A follow-up with an owner (the person adding it, unless named) and a due date (the policy's
        default, unless given); the owner is reminded before it is due and invited to the room."""
        text = " ".join(text.split())
        if not text:
            raise InvalidChange("Say what the action is: `/escalate action <what> @owner <date>`.")
        if len(text) > FOLLOW_UP_TEXT_LIMIT:
            raise InvalidChange(
                f"Keep an action under {FOLLOW_UP_TEXT_LIMIT} characters (this one has {len(text)}); "
                "put the detail in the report."
            )
        if due_at is not None and due_at <= self.now:
            raise InvalidChange(f"That due date ({slack_date(due_at)}) has passed: pick a later one.")
        if due_at is not None and due_at > self.now + timedelta(days=365 * MAX_DUE_YEARS):
            raise InvalidChange(f"Pick a due date within {MAX_DUE_YEARS} years.")
        if horizon is not None and horizon not in HORIZONS:
            raise InvalidChange(f"A prevention action is {' or '.join(HORIZONS)}, not {horizon!r}.")
        owner = owner_user_id or self.actor
        due = due_at or self.now + self.policy.follow_ups.default_due
        row = store.add(
            self.session,
            self.row.id,
            kind=kind.value,
            text=text,
            owner_user_id=owner,
            due_at=due,
            created_by=self.actor,
            created_at=self.now,
            horizon=horizon,
        )
        self.record(
            "follow_up_added",
            f"{kind.label}: {text} (owner <@{owner}>, due {due.date().isoformat()})",
            follow_up_id=row.id,
            follow_up_kind=kind.value,
            owner=owner,
            due_at=due.isoformat(),
        )
        self._after_follow_up_change()
        if owner and owner != self.actor:
            self.invite(owner)
        if announce:
            self._tell(
                f"📋 {kind.label} added by <@{self.actor}>: {escape(text)}\n"
                f"Owner <@{owner}>, due {slack_date(due, '{date_short_pretty}')}; they will be reminded "
                f"{_lead(self)} before."
            )
        return row

    def complete_follow_up(self, follow_up_id: int) -> bool:
        """Mark a follow-up of this escalation done: once, however many clicks."""
        row = store.get(self.session, follow_up_id)
        if row is None or row.escalation_id != self.row.id:
            raise InvalidChange("That follow-up is not part of this escalation (any more).")
        if not store.mark_done_once(self.session, follow_up_id, self.actor, self.now):
            return False
        kind = FollowUpKind(row.kind)
        self.record(
            "follow_up_done",
            f"{kind.label} done: {row.text}",
            follow_up_id=follow_up_id,
            follow_up_kind=kind.value,
        )
        self._after_follow_up_change()
        self._tell(f"✅ <@{self.actor}> marked done: {escape(row.text)}")
        return True

    def accept_recovery(
        self, level: str, gestures: Sequence[str], check_ins: Sequence[datetime], owner_user_id: str
    ) -> list[FollowUp]:
        """A person accepted the recovery plan: each chosen gesture becomes a follow-up for `owner_user_id`
        (to offer and deliver), and each check-in one too. Once per escalation: a second acceptance (a
        double click) changes nothing."""
        if any(event.kind == "recovery_planned" for event in repo.timeline(self.session, self.row.id)):
            raise InvalidChange(
                f"The recovery plan of *{self.row.public_id}* was already accepted; "
                "`/escalate actions` lists what it scheduled."
            )
        added = [
            self.add_follow_up(FollowUpKind.RECOVERY, gesture, owner_user_id, None, announce=False)
            for gesture in gestures
        ]
        added += [
            self.add_follow_up(
                FollowUpKind.CHECK_IN,
                f"Check in with {self.row.customer.name} ({n} of {len(check_ins)})",
                owner_user_id,
                at,
                announce=False,
            )
            for n, at in enumerate(sorted(check_ins), start=1)
        ]
        chosen = ", ".join(gestures) or "nothing to offer"
        self.record("recovery_planned", f"Recovery plan accepted ({level}): {chosen}", level=level)
        dates = ", ".join(slack_date(at, "{date_short_pretty}") for at in sorted(check_ins)) or "none"
        self._tell(
            f"🤝 <@{self.actor}> accepted the *{level}* recovery plan. To do and offer: "
            f"{escape(chosen)}. Check-ins with the customer: {dates}. <@{owner_user_id}> will be reminded "
            "of each; nothing is sent to the customer by warroom."
        )
        return added

    def record_review(
        self,
        category: str | None,
        root_cause: str,
        contributing_factors: Sequence[str] = (),
        lessons: Sequence[str] = (),
    ) -> None:
        """The post-incident review's findings: the root cause (seed 004 category and description), what
        contributed and what was learnt."""
        cause = RootCause.parse(category) if category else None
        if category and cause is None:
            choices = ", ".join(c.value for c in RootCause)
            raise InvalidChange(f"The root-cause category is one of {choices}, not {category!r}.")
        root_cause = root_cause.strip()
        if len(root_cause) > REVIEW_TEXT_LIMIT:
            raise InvalidChange(f"Keep the root cause under {REVIEW_TEXT_LIMIT} characters.")
        row = self.row
        factors = _items(contributing_factors)
        learnt = _items(lessons)
        new = (cause.value if cause else None, root_cause or None, factors, learnt)
        if new == (row.root_cause_category, row.root_cause, row.contributing_factors, row.lessons):
            return
        row.root_cause_category, row.root_cause, row.contributing_factors, row.lessons = new
        label = cause.label if cause else "Uncategorised"
        self.record("root_cause_recorded", f"Root cause ({label}): {root_cause or 'not recorded'}")

    def report_posted(self, link: str, where: str) -> None:
        """The post-incident report is in the room (`where`: canvas or file)."""
        self.row.report_link = link
        self.record("report_posted", f"Post-incident report posted as a {where}", link=link, where=where)
        self._after_follow_up_change()

    # --- helpers ---------------------------------------------------------------------------------------

    def _after_follow_up_change(self) -> None:
        # An archived room's card can no longer be edited; the record and `/escalate actions` still show it.
        self.shows_on_card = self.row.archived_at is None

    def _tell(self, text: str) -> None:
        if self.row.archived_at is None:  # nobody reads an archived room; the reply says it instead
            self.say(text)


def _items(values: Sequence[str]) -> list[str]:
    cleaned = [" ".join(v.split()) for v in values if v and v.strip()]
    return [v[:FOLLOW_UP_TEXT_LIMIT] for v in cleaned][:REVIEW_LIST_LIMIT]


def _lead(record: RecordCore) -> str:
    return humanize_duration(record.policy.follow_ups.reminder_lead)
