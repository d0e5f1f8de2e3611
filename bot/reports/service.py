"""Closing the loop over the record and Slack: the recovery plan (shown, then accepted by a person), the
post-incident report (a channel canvas where the workspace allows it, else a Markdown file), the seed 004
export, the metrics with their chart, and red flags.

The pure parts live beside this module (recovery, report, export, metrics, red_flags); this one reads the
record once per request, asks Slack for names, and posts.
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
from bot.escalations.access import Permission
from bot.escalations.changes import Actor, ChangePipeline
from bot.escalations.read_model import EscalationSnapshot, TimelineEntry
from bot.escalations.record import InvalidChange
from bot.followups.model import FollowUpView
from bot.followups.service import FollowUpService
from bot.reports.export import escalation_report, export_csv, export_yaml
from bot.reports.metrics import Metrics, parse_period
from bot.reports.recovery import RecoveryPlan, recovery_plan
from bot.reports.red_flags import RedFlag, detect_red_flags
from bot.reports.report import build_report, report_filename, report_title
from bot.slack.gateway import SlackGateway, error_code, slack_error
from storage import patterns as pattern_store
from storage import repository as repo
from storage.metrics import metrics_for

log = logging.getLogger(__name__)
END_OF_DAY = time(17, 0)
# Slack refuses a channel canvas on free workspaces and where the channel has one: the report is a file.
CANVAS_REFUSALS = ("team_tier_cannot_create_channel_canvases", "channel_canvas_already_exists")
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

    def red_flags(self, bundle: RecordBundle) -> tuple[RedFlag, ...]:
        """Seed 001's red flags raised by this escalation now."""
        with self.changes.db.session() as session:
            in_pattern = bundle.escalation.id in pattern_store.memberships(session, [bundle.escalation.id])
        return detect_red_flags(
            bundle.escalation,
            bundle.timeline,
            bundle.follow_ups,
            self.changes.policy,
            self.clock(),
            in_pattern=in_pattern,
        )

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
        self.gateway.post_message(channel, text, blocks=blocks, thread_ts=thread_ts)

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
        self.changes.change(
            esc.id,
            actor,
            lambda record: record.accept_recovery(
                plan.level.value, chosen, plan.check_ins, plan.check_in_owner
            ),
        )
        return plan

    # --- the post-incident report ---------------------------------------------------------------------

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
        if esc.room_channel_id and not esc.archived_at:
            try:
                canvas_id = self.gateway.create_channel_canvas(esc.room_channel_id, title, markdown)
                link = f"{self.gateway.team_url}docs/{self.gateway.team_id}/{canvas_id}"
                self.gateway.post_message(
                    esc.room_channel_id,
                    f"📝 The post-incident report of {esc.public_id} is this channel's canvas: "
                    f"<{link}|open it>.",
                )
                return link, "canvas"
            except SlackApiError as exc:
                if error_code(exc) not in CANVAS_REFUSALS:
                    log.warning("canvas for %s refused (%s); posting a file", esc.public_id, slack_error(exc))
        channel, thread_ts = esc.worked_in
        if esc.archived_at or channel is None:
            channel, thread_ts = self._dm_channel(actor.user_id, f"📝 The report of {esc.public_id}:"), None
        link = self.gateway.upload_file(
            channel,
            report_filename(esc),
            markdown.encode(),
            title=title,
            comment=f"📝 Post-incident report of {esc.public_id} (Markdown).",
            thread_ts=thread_ts,
        )
        return link, "file"

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
        return self.gateway.upload_file(
            channel,
            f"{esc.public_id}-escalation-report.yaml",
            self.export(escalation_id).encode(),
            title=f"Escalation report {esc.public_id} (seed 004)",
            thread_ts=thread_ts,
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


def due_at_end_of_day(day: date, utc_offset_seconds: int) -> datetime:
    """A date picked in a form, due at the end of that working day on the picker's clock (UTC-aware)."""
    zone = timezone(timedelta(seconds=utc_offset_seconds))
    return datetime.combine(day, END_OF_DAY, zone).astimezone(UTC)


def _mentioned(text: str) -> list[str]:
    return _MENTION.findall(text)
