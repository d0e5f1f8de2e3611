"""Drafting in the thread: gather the facts, write (Claude or template), check, post, audit, approve."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import IntegrityError

from blocks.drafting.drafts import (
    DraftView,
    a_kind,
    build_draft_message,
    build_drafting_placeholder,
    draft_fallback_text,
)
from bot.drafting.checks import lint_of, timing_note
from bot.drafting.claude import ClaudeDrafter, UnusableDraft
from bot.drafting.context import DraftContext
from bot.drafting.draft import Draft
from bot.drafting.grounding import build_context
from bot.drafting.lint import Finding
from bot.drafting.lint_rules import CUSTOMER_FACING
from bot.drafting.promise import promise_clock
from bot.drafting.requests import parse_mention
from bot.drafting.restyle import RESTYLERS
from bot.drafting.sending import LETTER_KINDS, DraftSending, email_link
from bot.drafting.templates import render_template
from bot.escalations.access import Permission
from bot.escalations.changes import Actor, ChangePipeline, EscalationNotFound
from bot.escalations.read_model import EscalationSnapshot
from bot.escalations.record_core import Event
from bot.escalations.service import EscalationService
from bot.settings import Settings
from bot.slack.gateway import SlackGateway, slack_error
from storage import repository as repo
from storage.db import Database
from storage.models import Draft as DraftRow
from storage.models import Escalation as EscalationRow

log = logging.getLogger(__name__)
ROOM_HISTORY = 30
_USER_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
_MARKUP = re.compile(r"<([^<>\n]{1,500})>")


def _read_markup(inside: str) -> str:
    """What Slack shows for `<inside>`: a channel's name, a link's label (else its address), @here."""
    target, _, label = inside.partition("|")
    if target.startswith("#"):
        return f"#{label or target[1:]}"
    if target.startswith("!subteam^"):
        return label or "@group"
    if target.startswith("!"):
        return f"@{target[1:].split('^')[0]}"
    return label or target


def shared_channel(esc: EscalationRow) -> str | None:
    """The account's Slack Connect channel from the directory, where drafts may be posted; never for a
    private escalation, whose words stay in its room (the shared channel holds colleagues outside it)."""
    return None if esc.is_private else esc.customer.slack_connect_channel


def claude_unavailable(exc: Exception) -> str:
    """One line saying why Claude could not write this draft."""
    import anthropic  # only reached when Claude is configured

    if isinstance(exc, anthropic.APITimeoutError):
        reason = "it did not answer in time"
    elif isinstance(exc, anthropic.APIStatusError):
        reason = f"it answered {exc.status_code}" + (" (overloaded)" if exc.status_code == 529 else "")
    elif isinstance(exc, anthropic.APIConnectionError):
        reason = "it could not be reached"
    else:
        reason = "its answer was not a usable draft"
    return f"Claude is unavailable right now ({reason}), so this is the seed template draft instead."


def revision_failed(exc: Exception) -> str:
    """One line saying Claude's first draft is shown because its revision failed."""
    reason = claude_unavailable(exc).split("(", 1)[1].rsplit("), so", 1)[0]
    return f"Claude could not revise this draft ({reason}), so this is its first draft: see the checks."


def _is_claude_failure(exc: Exception) -> bool:
    import anthropic  # only reached when Claude is configured

    return isinstance(exc, anthropic.APIError | UnusableDraft)


@dataclass
class _Throttle:
    """Calls through at most once per `interval` seconds (Slack edits while a draft streams)."""

    interval: float
    last: float = 0.0

    def ready(self) -> bool:
        now = time.monotonic()
        if now - self.last >= self.interval:
            self.last = now
            return True
        return False


@dataclass
class DraftService:
    """Writes drafts into escalation threads and records what people do with them."""

    gateway: SlackGateway
    escalations: EscalationService
    settings: Settings
    drafter: ClaudeDrafter | None = None
    edit_interval: float = 1.0

    @property
    def changes(self) -> ChangePipeline:
        """The one door for changes (marking a draft as sent is one)."""
        return self.escalations.changes

    @property
    def db(self) -> Database:
        """The database drafts are audited in."""
        return self.changes.db

    def clock(self) -> datetime:
        """The service clock."""
        return self.changes.clock()

    def write(
        self,
        esc: EscalationSnapshot,
        kind: str,
        requested_by: str,
        *,
        channel_id: str,
        thread_ts: str | None,
        brief_target: str = "engineering",
        style: str | None = None,
        parent_id: int | None = None,
        request_key: str | None = None,
    ) -> DraftView | None:
        """Post a placeholder, write the draft into it (streamed when Claude writes), check, store, show.

        None when `request_key` was already handled (a retried Slack event).
        """
        try:
            with self.db.session() as session:
                row = DraftRow(
                    request_key=request_key,
                    escalation_id=esc.id,
                    kind=kind,
                    style=style,
                    parent_id=parent_id,
                    requested_by=requested_by,
                    requested_at=self.clock(),
                    writer="pending",
                    channel_id=channel_id,
                    thread_ts=thread_ts,
                )
                session.add(row)
                session.flush()
                draft_id = row.id
        except IntegrityError:
            log.info("draft request %s already handled", request_key)
            return None
        ctx = self._context(esc, brief_target)
        writer = f"Claude ({self.drafter.model})" if self.drafter else "warroom"
        placeholder = self.gateway.post_message(
            channel_id,
            f"Drafting {a_kind(kind)}…",
            blocks=build_drafting_placeholder(esc.public_id, kind, writer),
            thread_ts=thread_ts,
        )
        where = (placeholder.channel, placeholder.ts)

        def show_progress(text: str) -> None:
            self._stream_to(where, esc, kind, writer, text)

        draft, findings, note, revised = self._compose(kind, ctx, style, show_progress)
        customer_facing = kind in CUSTOMER_FACING
        note = (
            " ".join(part for part in (note, timing_note(ctx) if customer_facing else None) if part) or None
        )
        promise = ctx.promise if customer_facing else None
        # The promise the clock will hold us to is the one the draft says (Claude may write another).
        said = promise_clock(promise.at, promise.zone) if promise else None
        if said and said not in draft.body:
            promise, said = None, None
        with self.db.session() as session:
            row = self.draft_row(session, draft_id)
            row.writer, row.note, row.revised = draft.source, note, revised
            row.promised_at, row.promised_text = (promise.at if promise else None), said
            row.subject, row.body, row.coaching = draft.subject, draft.body, draft.coaching
            row.options, row.recommendation = list(draft.options), draft.recommendation
            row.findings = [{"rule": f.rule, "message": f.message, "excerpt": f.excerpt} for f in findings]
            row.channel_id, row.message_ts = where
            said = f"Drafted {a_kind(kind)} ({draft.source})"
            event = Event("draft", said, {"draft_id": draft_id})
            repo.add_event(session, esc.id, event, requested_by, at=self.clock())
        with self.db.session() as session:
            view = self._view(session, self.draft_row(session, draft_id))
        self.gateway.update_message(
            where[0], where[1], draft_fallback_text(view), blocks=build_draft_message(view)
        )
        return view

    def _compose(
        self, kind: str, ctx: DraftContext, style: str | None, on_text: Callable[[str], None]
    ) -> tuple[Draft, list[Finding], str | None, bool]:
        note = None
        if self.drafter is not None:
            throttle = _Throttle(self.edit_interval)

            def stream(text: str) -> None:
                if throttle.ready():
                    on_text(text)

            try:
                draft = self.drafter.draft(kind, ctx, stream, style=style)
            except Exception as exc:
                if not _is_claude_failure(exc):
                    raise
                log.warning("Claude draft failed: %s", type(exc).__name__)
                note = claude_unavailable(exc)
            else:
                findings = lint_of(draft, ctx)
                if not findings:
                    return draft, findings, None, False
                try:
                    revised = self.drafter.draft(kind, ctx, stream, style=style, revise=(draft, findings))
                except Exception as exc:
                    if not _is_claude_failure(exc):
                        raise
                    # Claude's first draft stands, with what the checks found: better than the template.
                    log.warning("Claude revision failed: %s", type(exc).__name__)
                    return draft, findings, revision_failed(exc), False
                return revised, lint_of(revised, ctx), None, True
        draft = render_template(kind, ctx)
        if style in RESTYLERS:
            draft = RESTYLERS[style](draft)
        return draft, lint_of(draft, ctx), note, False

    def _stream_to(
        self, where: tuple[str, str], esc: EscalationSnapshot, kind: str, writer: str, text: str
    ) -> None:
        try:
            self.gateway.update_message(
                where[0],
                where[1],
                f"Drafting {a_kind(kind)}…",
                blocks=build_drafting_placeholder(esc.public_id, kind, writer, text),
            )
        except SlackApiError as exc:  # a missed intermediate edit is harmless; the final one matters
            log.info("streaming edit failed: %s", slack_error(exc))

    @property
    def sending(self) -> DraftSending:
        """Marking drafts sent and posting them to the customer."""
        return DraftSending(self)

    def mark_sent(self, draft_id: int, actor: Actor) -> DraftView:
        """A person sent it (see `DraftSending.mark_sent`)."""
        return self.sending.mark_sent(draft_id, actor)

    def refresh(self, draft_id: int) -> DraftView:
        """The stored draft, shown again where it was posted (sent, posted: its buttons change)."""
        with self.db.session() as session:
            row = self.draft_row(session, draft_id)
            view, channel, ts = self._view(session, row), row.channel_id, row.message_ts
        if channel and ts:
            self.gateway.update_message(
                channel, ts, draft_fallback_text(view), blocks=build_draft_message(view)
            )
        return view

    def customer_channel(self, escalation_id: int) -> str | None:
        """The Slack Connect channel a draft of this escalation may be posted to, or None."""
        with self.db.session() as session:
            esc = repo.get_escalation(session, escalation_id)
            return shared_channel(esc) if esc else None

    def redo(self, draft_id: int, actor: Actor, style: str | None = None) -> DraftView | None:
        """Regenerate a draft (optionally shorter or more formal) in its thread: the one it was drafted in,
        or the draft's own thread when it stood at the room's top level."""
        with self.db.session() as session:
            row = self.draft_row(session, draft_id)
            escalation_id, kind, channel = row.escalation_id, row.kind, row.channel_id
            thread = row.thread_ts or row.message_ts
        esc = self.changes.get(escalation_id)
        self.changes.check(actor, esc, Permission.CHANGE)
        return self.write(
            esc,
            kind,
            actor.user_id,
            channel_id=channel or "",
            thread_ts=thread,
            style=style,
            parent_id=draft_id,
        )

    def draft_row(self, session: Any, draft_id: int) -> DraftRow:
        row = session.get(DraftRow, draft_id)
        if row is None:
            raise EscalationNotFound(draft_id)  # a draft outlives nothing but its escalation
        return row

    def _view(self, session: Any, row: DraftRow) -> DraftView:
        esc = repo.get_escalation(session, row.escalation_id)
        draft = Draft(
            kind=row.kind,
            subject=row.subject,
            body=row.body,
            coaching=row.coaching,
            options=tuple(row.options),
            recommendation=row.recommendation,
            source=row.writer,
        )
        findings = tuple(Finding(f["rule"], f["message"], f.get("excerpt", "")) for f in row.findings)
        letter = row.kind in LETTER_KINDS and row.writer != "pending"
        shared = shared_channel(esc) if esc and letter else None
        return DraftView(
            row.id,
            esc.public_id if esc else "?",
            draft,
            findings,
            row.requested_by,
            row.note,
            row.sent_by,
            row.sent_at,
            email_link=email_link(esc.contact_email, row.subject, row.body) if esc and letter else None,
            letter=letter,
            customer_channel=shared,
            customer_channel_name=self.gateway.channel_name(shared) if shared else None,
            posted_channel=row.posted_channel_id if row.posted_ts else None,
        )

    def _context(self, esc: EscalationSnapshot, brief_target: str) -> DraftContext:
        ic = self.gateway.person(esc.ic_user_id) if esc.ic_user_id else None
        timeline = [replace(e, text=self._readable(e.text)) for e in self.escalations.timeline(esc.id)]
        return build_context(
            esc,
            timeline,
            self._room_messages(esc),
            self.changes.policy,
            self.clock(),
            ic_name=ic.name if ic else "someone",
            ic_zone=ic.tz if ic else None,
            reported_by_name=self._name(esc.caller_user_id),
            company_name=self.settings.company_name,
            brief_target=brief_target,
        )

    def _room_messages(self, esc: EscalationSnapshot) -> list[str]:
        channel, thread_ts = esc.worked_in
        if channel is None:
            return []
        try:
            if thread_ts:
                messages = self.gateway.thread_latest(channel, thread_ts, limit=ROOM_HISTORY)
            else:
                messages = list(reversed(self.gateway.history(channel, limit=ROOM_HISTORY)))
        except SlackApiError as exc:
            log.info("cannot read the room of %s: %s", esc.public_id, slack_error(exc))
            return []
        bot = f"<@{self.gateway.bot_user_id}>"
        # People's messages, not the bot's, nor the mentions asking it for a draft (this one among them).
        people = [
            m
            for m in messages
            if not m.get("bot_id") and m.get("text") and not (bot in m["text"] and parse_mention(m["text"]))
        ]
        return [f"{self._name(m.get('user') or '')}: {self._readable(m['text'])}" for m in people]

    def _readable(self, text: str) -> str:
        """`text` as a person reads it in Slack: `<@U…>` as the name, `<#C…|support>` as #support, a link
        as its label, `<!here>` as @here (drafts are shown as text, where markup shows as raw code)."""
        text = _USER_MENTION.sub(lambda match: self._name(match.group(1)), text)
        return _MARKUP.sub(lambda match: _read_markup(match.group(1)), text)

    def _name(self, user_id: str) -> str:
        return self.gateway.person(user_id).name if user_id else "someone"
