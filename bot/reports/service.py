"""Closing the loop over the record and Slack: the recovery plan (shown, then accepted by a person), the
review and the post-incident report (a channel canvas where the workspace allows it, else a Markdown file),
the seed 004 export, and the metrics.

The pure parts live beside this module (recovery, report, export, metrics); this one reads the record once
per request, asks Slack for names, and posts. Red flags are read in `flagging` (the card, the digest).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Protocol

from slack_sdk.errors import SlackApiError

from blocks.reports.recovery import build_recovery_plan
from blocks.reports.report_modal import ReportSubmission
from blocks.text import escape
from bot.core.vocabulary import FollowUpKind
from bot.escalations.access import Permission
from bot.escalations.changes import Actor, ChangePipeline
from bot.escalations.read_model import EscalationSnapshot, TimelineEntry
from bot.escalations.record import InvalidChange, Record
from bot.followups.model import FollowUpView
from bot.followups.service import FollowUpService
from bot.reports.export import escalation_report, export_csv, export_yaml
from bot.reports.metrics import Metrics, parse_period
from bot.reports.recovery import RecoveryPlan, implied, recovery_plan
from bot.reports.report import build_report, report_filename, report_title
from bot.slack.gateway import SlackGateway, error_code, slack_error
from storage import claims
from storage import repository as repo
from storage.metrics import metrics_for

log = logging.getLogger(__name__)
END_OF_DAY = time(17, 0)
LATE_TODAY = timedelta(hours=1)
# Slack refuses a channel canvas on free workspaces and where the channel has one: the report is a file.
CANVAS_REFUSALS = ("team_tier_cannot_create_channel_canvases", "channel_canvas_already_exists")
# The room can no longer be posted in (archived by hand, or gone): what was meant for it goes to the person.
GONE_ROOM = ("is_archived", "channel_not_found", "not_in_channel")
EXPORT_ALL_LIMIT = 100_000
_MENTION = re.compile(r"<@([UW][A-Z0-9]+)")


class Narrator(Protocol):
    """Writes a draft narrative of the incident from the report's facts (Claude, when configured)."""

    def narrate(self, facts_markdown: str) -> str | None: ...


@dataclass(frozen=True)
class RecordBundle:
    """One escalation with everything the closing-the-loop views read."""

    escalation: EscalationSnapshot
    timeline: list[TimelineEntry]
    follow_ups: list[FollowUpView]
    names: dict[str, str]


@dataclass
class ReportService:
    """Recovery, the report, the export, metrics and red flags."""

    changes: ChangePipeline
    follow_ups: FollowUpService
    gateway: SlackGateway
    timeline_of: Callable[[int], list[TimelineEntry]]  # the escalation service's timeline
    narrator: Narrator | None = None

    def clock(self) -> datetime:
        """The service clock."""
        return self.changes.clock()

    # --- reading the record -----------------------------------------------------------------------------

    def bundle(self, escalation_id: int, *, with_names: bool = True) -> RecordBundle:
        """The escalation, its timeline (oldest first), its follow-ups and the names of the people in them."""
        esc = self.changes.get(escalation_id)
        timeline = self.timeline_of(escalation_id)
        follow_ups = self.follow_ups.of_escalation(escalation_id)
        names = self._names(esc, timeline, follow_ups) if with_names else {}
        return RecordBundle(esc, timeline, follow_ups, names)

    def _names(
        self, esc: EscalationSnapshot, timeline: Sequence[TimelineEntry], follow_ups: Sequence[FollowUpView]
    ) -> dict[str, str]:
        ids = {*esc.people, *(e.actor_user_id for e in timeline), esc.resolved_by, esc.confirmed_by}
        ids |= {f.owner_user_id for f in follow_ups} | {f.created_by for f in follow_ups}
        for entry in timeline:
            ids |= set(_mentioned(entry.text))
        wanted = sorted(i for i in ids if i)
        found = self.gateway.in_parallel({u: (lambda u=u: self.gateway.person(u).name) for u in wanted})
        return {u: name for u, name in found.items() if isinstance(name, str)}

    # --- recovery ------------------------------------------------------------------------------------

    def recovery_plan(self, escalation_id: int, actor: Actor) -> tuple[EscalationSnapshot, RecoveryPlan]:
        """The suggested recovery plan, for someone who may see the escalation."""
        esc = self.changes.get(escalation_id)
        self.changes.check(actor, esc, Permission.VIEW)
        return esc, recovery_plan(esc, self.changes.policy, self.clock())

    def post_recovery_plan(self, escalation_id: int, actor: Actor) -> None:
        """Post the plan where the escalation is worked, for the room to pick from (suggestions only)."""
        esc, plan = self.recovery_plan(escalation_id, actor)
        self.changes.check(actor, esc, Permission.CHANGE)
        channel, thread_ts = esc.worked_in
        if esc.archived_at or channel is None:
            channel, thread_ts = actor.user_id, None  # the room is archived: the plan goes to the person
        text, blocks = build_recovery_plan(esc, plan)
        try:
            self.gateway.post_message(channel, text, blocks=blocks, thread_ts=thread_ts)
        except SlackApiError as exc:
            if error_code(exc) not in GONE_ROOM:
                raise
            self.gateway.post_message(actor.user_id, text, blocks=blocks)

    def accept_recovery(
        self, escalation_id: int, actor: Actor, gesture_indexes: Sequence[int] | None
    ) -> RecoveryPlan:
        """A person accepted the plan: the chosen gestures (None: the suggested ones) and the check-ins become
        follow-ups for the plan's check-in owner (once per escalation)."""
        esc, plan = self.recovery_plan(escalation_id, actor)
        by_index = {g.index: g.text for g in plan.gestures}
        chosen = (
            [g.text for g in plan.preselected]
            if gesture_indexes is None
            else [by_index[i] for i in gesture_indexes if i in by_index]
        )
        # The level's own actions (an apology, an executive call…) are followed up too, unless a chosen
        # gesture is one of them ("Service credit" is "Service credit (1-3 months)").
        chosen = [a for a in plan.actions if not any(implied(g, [a]) for g in chosen)] + chosen
        self.changes.change(
            esc.id,
            actor,
            lambda record: record.accept_recovery(
                plan.level.value, chosen, plan.check_ins, plan.check_in_owner
            ),
        )
        return plan

    # --- the post-incident report ---------------------------------------------------------------------

    def first_submission(self, key: str) -> bool:
        """True the first time a form's submission `key` is seen (Slack may deliver it twice; so may a
        double click), on any replica."""
        with self.changes.db.session() as session:
            return claims.first_delivery(session, key, self.clock())

    def record_review(
        self, escalation_id: int, actor: Actor, review: ReportSubmission, utc_offset_seconds: int
    ) -> list[str]:
        """The review modal's root cause, factors, lessons and new prevention actions, in one change (all
        or nothing). An owner who cannot own an action (a bot, a deactivated account) gives it to the
        person submitting; what was changed so is said back."""
        now, notes, actions = self.clock(), [], []
        for action in review.actions:
            owner = action.owner_user_id
            person = self.gateway.find_person(owner) if owner else None
            if owner and (person is None or person.is_bot or person.deleted):
                notes.append(f"<@{owner}> can't own “{escape(action.text)}”: it is yours for now.")
                owner = None
            actions.append((action, owner, _due_from_date(action.due, utc_offset_seconds, now)))

        def apply(record: Record) -> None:
            record.record_review(
                review.category, review.root_cause, review.contributing_factors, review.lessons
            )
            for action, owner, due in actions:
                record.add_follow_up(FollowUpKind.PREVENTION, action.text, owner, due, horizon=action.horizon)

        self.changes.change(escalation_id, actor, apply)
        return notes

    def post_report(self, escalation_id: int, actor: Actor) -> str | None:
        """Write the report from the record and post it in the room: the channel's canvas where Slack allows
        one, else a Markdown file (in the card's thread for a SEV-3/4, to the person if the room is
        archived). Its link, recorded on the escalation."""
        bundle = self.bundle(escalation_id)
        esc = bundle.escalation
        self.changes.check(actor, esc, Permission.CHANGE)
        now = self.clock()
        markdown = build_report(esc, bundle.timeline, bundle.follow_ups, bundle.names, now=now)
        narrative = self._narrative(markdown)
        if narrative:
            markdown = build_report(
                esc, bundle.timeline, bundle.follow_ups, bundle.names, now=now, narrative=narrative
            )
        link, where = self._publish(esc, actor, markdown)
        self.changes.change(esc.id, actor, lambda record: record.report_posted(link or "", where))
        return link

    def _narrative(self, facts: str) -> str | None:
        if self.narrator is None:
            return None
        try:
            return self.narrator.narrate(facts)
        except Exception:  # the report is worth posting without the draft narrative
            log.exception("the draft narrative failed; posting the report without it")
            return None

    def _publish(self, esc: EscalationSnapshot, actor: Actor, markdown: str) -> tuple[str | None, str]:
        title = report_title(esc)
        if esc.room_channel_id and not esc.archived_at and not esc.report_link:
            link = self._canvas(esc, title, markdown)
            if link:
                return link, "canvas"
        # Numbered, so a lost answer finds this upload, never an earlier report's.
        version = 1 + sum(1 for e in self.timeline_of(esc.id) if e.kind == "report_posted")
        comment = f"📝 Post-incident report of {esc.public_id} (Markdown, version {version})."
        channel, thread_ts = esc.worked_in
        if not esc.archived_at and channel is not None:
            try:
                return self._upload(
                    channel, thread_ts, report_filename(esc), markdown, title, comment
                ), "file"
            except SlackApiError as exc:
                if error_code(exc) not in GONE_ROOM:
                    raise
                log.info("the room of %s is gone (%s); the report goes to the person", esc.public_id, exc)
        dm = self._dm_channel(actor.user_id, f"📝 The report of {esc.public_id}:")
        return self._upload(dm, None, report_filename(esc), markdown, title, comment), "file"

    def _canvas(self, esc: EscalationSnapshot, title: str, markdown: str) -> str | None:
        """The room's canvas with the report, its link; None when Slack will not make one here. An answer
        lost after Slack acted is asked again: "already exists" then means it is ours."""
        room = esc.room_channel_id or ""
        try:
            link = self._canvas_link(self.gateway.create_channel_canvas(room, title, markdown))
        except SlackApiError as exc:
            if error_code(exc) not in CANVAS_REFUSALS + GONE_ROOM:
                log.warning("canvas for %s refused (%s); posting a file", esc.public_id, slack_error(exc))
            return None
        except Exception:
            log.warning("no answer creating the canvas of %s; asking again", esc.public_id)
            try:
                link = self._canvas_link(self.gateway.create_channel_canvas(room, title, markdown))
            except SlackApiError as exc:
                if error_code(exc) != "channel_canvas_already_exists":
                    return None
                link = self.gateway.channel_link(room)  # the one just made: the channel's canvas tab
        try:
            self.gateway.post_message(
                room,
                f"📝 The post-incident report of {esc.public_id} is this channel's canvas: <{link}|open it>.",
            )
        except Exception as exc:  # the canvas is there and recorded; the room finds it in its tab
            log.warning("announcing the canvas of %s failed: %s", esc.public_id, slack_error(exc))
        return link

    def _canvas_link(self, canvas_id: str) -> str:
        return f"{self.gateway.team_url}docs/{self.gateway.team_id}/{canvas_id}"

    def _upload(
        self, channel: str, thread_ts: str | None, filename: str, text: str, title: str, comment: str
    ) -> str | None:
        """Share a file; an answer lost after Slack acted is looked for (the comment names it), not
        uploaded twice."""
        try:
            return self.gateway.upload_file(
                channel, filename, text.encode(), title=title, comment=comment, thread_ts=thread_ts
            )
        except SlackApiError:
            raise
        except Exception:
            ts = self.gateway.find_own_message(channel, comment, thread_ts=thread_ts)
            if ts is None:
                raise
            log.info("the upload of %s was shared after all; adopted", filename)
            return self.gateway.permalink(channel, ts)

    def _dm_channel(self, user_id: str, opener: str) -> str:
        # A file is shared in a channel id; posting to a user id opens the DM and says which it is.
        return self.gateway.post_message(user_id, opener).channel

    # --- export ------------------------------------------------------------------------------------------

    def export(self, escalation_id: int, *, with_names: bool = True) -> str:
        """Seed 004's escalation report of one escalation, as YAML (no permission check: the caller's);
        without names, people are their Slack ids (offline)."""
        return export_yaml(self._report(self.bundle(escalation_id, with_names=with_names)))

    def attach_export(self, escalation_id: int, actor: Actor) -> str | None:
        """`/escalate export`: the YAML shared as a file where the escalation is worked (or to the person)."""
        esc = self.changes.get(escalation_id)
        self.changes.check(actor, esc, Permission.VIEW)
        channel, thread_ts = esc.worked_in
        if esc.archived_at or channel is None or actor.channel_id != channel:
            channel, thread_ts = (
                self._dm_channel(actor.user_id, f"🗂 The escalation report of {esc.public_id}:"),
                None,
            )
        title = f"Escalation report {esc.public_id} (seed 004)"
        return self._upload(
            channel,
            thread_ts,
            f"{esc.public_id}-escalation-report.yaml",
            self.export(escalation_id),
            title,
            f"🗂 {title}, as of {self.clock():%Y-%m-%d %H:%M:%S} UTC.",
        )

    def export_all_csv(self) -> str:
        """Every escalation as one CSV row, private ones included (the CLI's, for analysis: an operator's
        terminal, never a Slack channel, so no names asked of Slack either)."""
        return export_csv(self._all_reports())

    def export_all_yaml(self) -> str:
        """Every escalation's seed 004 report, as one YAML document each (the CLI's)."""
        return "---\n".join(export_yaml(report) for report in self._all_reports())

    def _all_reports(self) -> Iterator[dict]:
        with self.changes.db.session() as session:
            ids = repo.all_escalation_ids(session, EXPORT_ALL_LIMIT)
        return (self._report(self.bundle(i, with_names=False)) for i in ids)

    def _report(self, bundle: RecordBundle) -> dict:
        return escalation_report(
            bundle.escalation, bundle.timeline, bundle.follow_ups, bundle.names, now=self.clock()
        )

    # --- metrics ------------------------------------------------------------------------------------------

    def metrics(self, period_text: str | None) -> Metrics:
        """The metrics over `period_text` (7d, 30d, 90d, quarter; the policy's default when empty);
        `InvalidChange` saying the choices for anything else."""
        now = self.clock()
        try:
            period = parse_period(period_text, now, self.changes.policy)
        except ValueError as problem:
            raise InvalidChange(str(problem)) from None
        with self.changes.db.session() as session:
            return metrics_for(session, period, self.changes.policy, now)


def _due_from_date(day: date | None, utc_offset_seconds: int, now: datetime) -> datetime | None:
    """A date picked in a form, due at the end of that working day on the picker's clock; a day whose end
    has passed (today, late) is due within the hour rather than refused after the form has closed."""
    if day is None:
        return None
    zone = timezone(timedelta(seconds=utc_offset_seconds))
    return max(datetime.combine(day, END_OF_DAY, zone).astimezone(UTC), now + LATE_TODAY)


def _mentioned(text: str) -> list[str]:
    return _MENTION.findall(text)
