"""Pattern blindness (seed 001), seed 003's "same issue reported by 3+ customers": after an escalation is
opened, the escalations opened within the policy's window whose summaries are very similar to it are
found; from `min_customers` customers or more they are recorded as ONE pattern and ONE alert is posted in
the escalations channel. A later similar report joins the pattern and the alert is edited, never posted
again.

Once across replicas and concurrent creations: the similar escalations' rows are locked in id order
before their memberships are read (PostgreSQL; SQLite serialises writers anyway), so a second detection
over an overlapping cluster waits for the first and then joins its pattern; the pattern is unique on its
anchor (the earliest report) and an escalation is in one pattern at most, so the inserts cannot double.
Only the detection that created the pattern posts the alert; whoever adds a member afterwards edits it.
A failed post is taken over by the next report that joins, once the poster's claim has lapsed, looking
for an alert posted just before a crash before posting one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from slack_sdk.errors import SlackApiError

from blocks.escalations.patterns import ALERT_BLOCK, alert_marker, build_pattern_alert
from bot.escalations.read_model import EscalationSnapshot
from bot.escalations.similarity import issue_words, similarity
from bot.policy.model import Policy
from bot.slack.gateway import SlackGateway, error_code, slack_error
from storage import patterns as store
from storage import repository as repo
from storage.db import Database

log = logging.getLogger(__name__)
# The reports around one escalation that are compared with it (newest first): far more than a window holds.
CANDIDATES = 2_000
# How long the detection that should post an alert has before another may take the post over: longer than
# a post can take with slack_sdk's retries, so a slow post is not doubled.
ALERT_CLAIM = timedelta(minutes=2)
# Members may join while the alert is being edited: it is re-read and edited again, this many times at most.
EDIT_ROUNDS = 3


# --- pure: which reports, and what to record ------------------------------------------------------------


@dataclass(frozen=True)
class Report:
    """An escalation as the detection compares it."""

    id: int
    customer_key: str
    created_at: datetime
    words: tuple[str, ...]

    @classmethod
    def of(
        cls, escalation_id: int, customer_key: str, customer: str, opened: datetime, summary: str
    ) -> Report:
        """The report of an escalation; its summary without its own customer's name."""
        return cls(escalation_id, customer_key, opened, issue_words(summary, customer))


def similar_reports(target: Report, reports: Sequence[Report], threshold: int) -> list[Report]:
    """`target` and every report whose summary is at least `threshold` alike, earliest first."""
    found = {target.id: target}
    for report in reports:
        if report.id not in found and similarity(target.words, report.words) >= threshold:
            found[report.id] = report
    return sorted(found.values(), key=lambda report: (report.created_at, report.id))


@dataclass(frozen=True)
class Plan:
    """What to record: members joining an existing pattern (none: the new report is in it already), or a
    new pattern anchored on the earliest report."""

    member_ids: tuple[int, ...]
    pattern_id: int | None = None
    anchor_id: int | None = None


def plan_pattern(
    target: Report, similar: Sequence[Report], memberships: Mapping[int, int], min_customers: int
) -> Plan | None:
    """`similar` (earliest first, `target` among them) joins the pattern `target` is in, else the one the
    earliest of them is in, or raises a new one when it spans `min_customers` customers; None: no pattern."""
    free = tuple(report.id for report in similar if report.id not in memberships)
    in_pattern = [memberships[report.id] for report in similar if report.id in memberships]
    if in_pattern:
        return Plan(free, pattern_id=memberships.get(target.id, in_pattern[0]))
    if len({report.customer_key for report in similar}) < min_customers:
        return None
    return Plan(free, anchor_id=similar[0].id)


# --- the service ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Recorded:
    """The pattern the new report is in, whether this detection created it, and how many reports it
    added (0: a repeated detection, nothing changed)."""

    pattern_id: int
    created: bool
    added: int


@dataclass
class PatternService:
    """Detects patterns after an escalation is opened and keeps their alert current."""

    db: Database
    gateway: SlackGateway
    policy: Policy
    alert_channel: str | None
    clock: Callable[[], datetime]

    def after_opened(self, escalation_id: int) -> int | None:
        """Record the pattern the escalation belongs to, if any, and post or edit its alert; the pattern's
        id. A Slack failure is logged, never raised: the escalation and the pattern are saved."""
        recorded = self.record(escalation_id)
        if recorded is None:
            return None
        try:
            self._alert(recorded)
        except (SlackApiError, OSError) as exc:  # OSError: no answer from Slack (a reset, a timeout)
            # An alert someone deleted (or its channel) is gone on purpose: said quietly, not every time.
            gone = error_code(exc) in ("message_not_found", "channel_not_found", "is_archived")
            log.log(
                logging.INFO if gone else logging.WARNING,
                "the alert of pattern %s is not current: %s",
                recorded.pattern_id,
                slack_error(exc),
            )
        return recorded.pattern_id

    def record(self, escalation_id: int) -> Recorded | None:
        """Put the escalation (and the similar reports not in a pattern yet) in its pattern; None if the
        reports do not make one."""
        rules = self.policy.patterns
        # Comparing summaries takes a while with a busy window: done on a read, which holds no write lock.
        with self.db.reading() as session:
            row = repo.get_escalation(session, escalation_id)
            if row is None:
                return None
            target = Report.of(row.id, row.customer.name_key, row.customer.name, row.created_at, row.title)
            around = store.reported_between(
                session, row.created_at - rules.window, row.created_at + rules.window, CANDIDATES
            )
            reports = [Report.of(*columns) for columns in around]
        similar = similar_reports(target, reports, rules.similarity)
        if len(similar) < 2:
            return None
        ids = [report.id for report in similar]
        now = self.clock()
        with self.db.session() as session:
            store.lock_escalations(session, ids)  # memberships are read after the lock: see the module
            plan = plan_pattern(target, similar, store.memberships(session, ids), rules.min_customers)
            if plan is None:
                return None
            created = False
            pattern_id = plan.pattern_id
            if plan.anchor_id is not None:
                pattern_id, created = store.raise_pattern(session, plan.anchor_id, self.alert_channel, now)
            assert pattern_id is not None
            store.add_members(session, pattern_id, plan.member_ids, now)
        if plan.member_ids:
            log.info("escalation %s is in pattern %s%s", target.id, pattern_id, " (new)" if created else "")
        return Recorded(pattern_id, created, len(plan.member_ids))

    # --- the alert --------------------------------------------------------------------------------------

    def _alert(self, recorded: Recorded) -> None:
        with self.db.session() as session:
            pattern = store.get_pattern(session, recorded.pattern_id)
            if pattern is None or not pattern.alert_channel_id:
                return  # no escalations channel when it was raised: recorded, not announced
            channel, ts = pattern.alert_channel_id, pattern.alert_ts
            taken_over = (
                not recorded.created
                and ts is None
                and store.claim_alert(session, pattern.id, self.clock(), self.clock() - ALERT_CLAIM)
            )
        if ts is not None:
            if recorded.added:
                self._keep_current(recorded.pattern_id, channel, ts, shown=None)
        elif recorded.created or taken_over:
            self._post(recorded.pattern_id, channel, look_first=taken_over)
        # else: the detection that raised it is posting now, and re-reads the members once it has

    def _post(self, pattern_id: int, channel: str, *, look_first: bool) -> None:
        members = self._members(pattern_id)
        earlier = None
        if look_first:  # the last poster may have crashed after Slack posted, before the ts was recorded
            earlier = self.gateway.find_own_message(channel, alert_marker(pattern_id), block_id=ALERT_BLOCK)
        ts = earlier or self._post_in(channel, *self._built(pattern_id, members))
        with self.db.session() as session:
            if not store.record_alert(session, pattern_id, channel, ts, self.clock()):
                log.warning("pattern %s had an alert recorded meanwhile; %s is a second one", pattern_id, ts)
                return
        shown = tuple(esc.id for esc in members) if earlier is None else None
        self._keep_current(pattern_id, channel, ts, shown=shown)

    def _post_in(self, channel: str, text: str, blocks: list[dict]) -> str:
        try:
            return self.gateway.post_message(channel, text, blocks=blocks).ts
        except SlackApiError as exc:  # a public escalations channel the bot was never invited to: it joins
            if error_code(exc) != "not_in_channel" or not self.gateway.join(channel):
                raise
            return self.gateway.post_message(channel, text, blocks=blocks).ts

    def _keep_current(self, pattern_id: int, channel: str, ts: str, shown: tuple[int, ...] | None) -> None:
        """Edit the alert until it lists every member (`shown`: who it lists now; None: not known)."""
        for _ in range(EDIT_ROUNDS):
            members = self._members(pattern_id)
            if tuple(esc.id for esc in members) == shown:
                return
            text, blocks = self._built(pattern_id, members)
            self.gateway.update_message(channel, ts, text, blocks=blocks)
            shown = tuple(esc.id for esc in members)

    def _members(self, pattern_id: int) -> list[EscalationSnapshot]:
        with self.db.reading() as session:
            return [EscalationSnapshot.of(row, self.policy) for row in store.members_of(session, pattern_id)]

    def _built(self, pattern_id: int, members: Sequence[EscalationSnapshot]) -> tuple[str, list[dict]]:
        return build_pattern_alert(
            pattern_id, members, self.policy.patterns.window, self._card_links(members)
        )

    def _card_links(self, members: Sequence[EscalationSnapshot]) -> dict[int, str]:
        """Links to the cards of the public members worked in a thread (SEV-3/4), asked of Slack at once."""
        cards = {
            esc.id: (esc.card_channel_id, esc.card_ts)
            for esc in members
            if not esc.is_private and not esc.room_channel_id and esc.card_channel_id and esc.card_ts
        }
        found = self.gateway.in_parallel(
            {
                str(esc_id): (lambda where=where: self.gateway.permalink(*where))
                for esc_id, where in cards.items()
            }
        )
        return {int(key): link for key, link in found.items() if isinstance(link, str)}
