"""One click from sent: a draft as an email to open (a `mailto:` link), or posted to the customer's Slack
Connect channel after a person clicks, and the record told either way.

The bot never sends to a customer by itself: *Open in email* only opens the person's mail program, and
*Post to #ext-…* posts only what a person confirmed in the form it opens, as that person's update.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import quote
from zoneinfo import ZoneInfo

from slack_sdk.errors import SlackApiError
from sqlalchemy import update

from blocks.drafting.drafts import DraftView, kind_label
from blocks.drafting.sending import POST_TEXT_MAX, build_customer_post, posted_marker
from blocks.text import escape_within
from bot.core.vocabulary import DraftKind
from bot.core.zones import known_zone
from bot.drafting.lint_reader import check_promised_time
from bot.escalations.access import Permission
from bot.escalations.changes import Actor
from bot.escalations.record_core import InvalidChange
from bot.slack.gateway import error_code
from storage.models import Draft as DraftRow

if TYPE_CHECKING:
    from bot.drafting.service import DraftService

log = logging.getLogger(__name__)

URL_MAX = 3_000  # a Block Kit button's url
# Kinds written as a letter to the customer: an email or a post in their channel. A phone guide is a
# call, a social draft a public reply elsewhere.
LETTER_KINDS = frozenset(
    {DraftKind.ACK, DraftKind.UPDATE, DraftKind.RESOLUTION, DraftKind.APOLOGY, DraftKind.RESPONSE}
)
# A post claimed this long ago without a ts died between claiming and posting: look, then post.
POSTING_STALE = timedelta(minutes=2)  # longer than one Slack call with its retries
PLACEHOLDER = re.compile(r"\[[^\[\]\n]{1,80}\]")


def placeholders_in(text: str) -> list[str]:
    """The `[your name]`-style gaps still in `text`, each once, in order."""
    return list(dict.fromkeys(PLACEHOLDER.findall(text)))


def email_link(to: str | None, subject: str | None, body: str) -> str | None:
    """A `mailto:` link that opens the draft in the person's mail program (RFC 6068), or None when it
    would not fit in a button (Slack allows 3,000 characters)."""
    query = [f"subject={quote(subject, safe='')}"] if subject else []
    query.append(f"body={quote(body.replace(chr(10), chr(13) + chr(10)), safe='')}")
    link = f"mailto:{quote(to or '', safe='@')}?{'&'.join(query)}"
    return link if len(link) <= URL_MAX else None


class AlreadySent(InvalidChange):
    """The draft went out already (a double click, a second form): nothing of the person's is lost."""


@dataclass(frozen=True)
class Letter:
    """A draft as an email: to whom (when the record knows), the subject and the body."""

    to: str | None
    subject: str | None
    body: str


@dataclass(frozen=True)
class Posting:
    """A draft posted to the customer's channel; `earlier`: an earlier try had posted it already (the
    text it posted stands, not the one confirmed this time)."""

    view: DraftView
    channel: str
    earlier: bool


@dataclass
class DraftSending:
    """Marks drafts sent and posts them to the customer's channel, through the drafts' service."""

    drafts: DraftService

    def mark_sent(
        self, draft_id: int, actor: Actor, *, channel: str | None = None, as_sent: str | None = None
    ) -> DraftView:
        """A person sent it: who and when are recorded once, however many clicks on however many replicas;
        a customer-facing draft is a customer update, and the next update it promised (still ahead, and
        still in `as_sent`, the text as it went, when known) becomes the customer clock."""
        service = self.drafts
        with service.db.session() as session:
            row = service.draft_row(session, draft_id)
            escalation_id, kind, subject, promised = row.escalation_id, row.kind, row.subject, row.promised_at
            if as_sent is not None and (row.promised_text is None or row.promised_text not in as_sent):
                promised = None  # the person changed the time: the clock follows the cadence instead
        verb = "Called the customer, with the" if kind == DraftKind.PHONE else "Sent the"
        summary = f"{verb} {kind_label(kind)}" + (f": {subject}" if subject else "")
        ahead = promised if promised and promised > service.clock() else None
        service.changes.change(
            escalation_id,
            actor,
            lambda record: record.draft_sent(draft_id, summary, kind, promised_at=ahead, channel=channel),
        )
        return service.refresh(draft_id)

    def letter(self, draft_id: int, actor: Actor) -> Letter:
        """The draft as an email to copy, for someone who may see its escalation."""
        service = self.drafts
        with service.db.session() as session:
            row = service.draft_row(session, draft_id)
            escalation_id, subject, body = row.escalation_id, row.subject, row.body
        esc = service.changes.get(escalation_id)
        service.changes.check(actor, esc, Permission.VIEW)
        return Letter(esc.contact_email, subject, body)

    def check_post(self, draft_id: int, actor: Actor) -> tuple[DraftRow, str]:
        """The draft and the customer channel it may be posted to by `actor`; InvalidChange says why not."""
        service = self.drafts
        with service.db.session() as session:
            row = service.draft_row(session, draft_id)
            session.expunge(row)
        esc = service.changes.get(row.escalation_id)
        service.changes.check(actor, esc, Permission.CHANGE)
        channel = service.customer_channel(esc.id)
        if channel is None:
            raise InvalidChange(f"{esc.customer} has no Slack Connect channel in the account directory.")
        if row.kind not in LETTER_KINDS:
            raise InvalidChange(f"A {kind_label(row.kind)} is not posted to the customer.")
        if row.sent_at is not None:
            raise AlreadySent(f"<@{row.sent_by}> already sent this draft.")
        if not (esc.is_open or esc.awaiting_confirmation):
            raise InvalidChange(f"*{esc.public_id}* is closed: reopen it before you update the customer.")
        return row, channel

    def post_problems(self, draft_id: int, text: str) -> str | None:
        """What stops `text` from going to the customer, for the form to show; None when it may go."""
        if len(text) > POST_TEXT_MAX:
            return f"Keep it under {POST_TEXT_MAX:,} characters: this is {len(text):,}."
        gaps = placeholders_in(text)
        if gaps:
            return f"Fill in {', '.join(gaps[:4])} first: the customer would read them as written."
        service = self.drafts
        with service.db.session() as session:
            escalation_id = service.draft_row(session, draft_id).escalation_id
        zone = known_zone(service.changes.get(escalation_id).contact_timezone) or "UTC"
        past = check_promised_time(text, service.clock(), ZoneInfo(zone))
        if past:
            return f"{past[0].message}: the customer would be promised a time already behind us."
        return None

    def post_to_customer(self, draft_id: int, actor: Actor, text: str) -> Posting:
        """Post what the person confirmed to the customer's channel, once: a double click, a second replica
        or a retry after a lost answer finds the claim or the post instead of posting again."""
        service = self.drafts
        row, channel = self.check_post(draft_id, actor)
        # Who signs it is asked before the claim: nothing slow stands between claiming and posting.
        sender = service.gateway.person(actor.user_id).name
        claimed = None
        if row.posted_ts is None:
            claimed = self._claim(draft_id, actor.user_id, row.posting_started_at)
            if claimed is None:
                raise InvalidChange(
                    f"This draft is being posted to <#{channel}> already, or Slack has not confirmed an "
                    "earlier try: look there, and if it is not there in two minutes, press the button again."
                )
        ts = row.posted_ts
        if ts is None and row.posting_started_at is not None:
            ts = self._look_for_post(channel, draft_id)  # a claim nobody finished: it may have gone out
        earlier = ts is not None
        if not ts:
            ts = self._post(channel, draft_id, claimed, sender, text)
        with service.db.session() as session:
            stored = service.draft_row(session, draft_id)
            stored.posted_channel_id, stored.posted_ts = channel, stored.posted_ts or ts
        view = self.mark_sent(draft_id, actor, channel="slack_connect", as_sent=None if earlier else text)
        return Posting(view, channel, earlier)

    def _claim(self, draft_id: int, user_id: str, seen: datetime | None) -> datetime | None:
        """Take the post: unclaimed, or claimed longer than POSTING_STALE ago by someone who never posted;
        the claim's time, or None when someone else holds it."""
        service, now = self.drafts, self.drafts.clock()
        claimable = (
            DraftRow.posting_started_at.is_(None) if seen is None else DraftRow.posting_started_at == seen
        )
        if seen is not None and now - seen < POSTING_STALE:
            return None
        with service.db.session() as session:
            taken = session.execute(
                update(DraftRow)
                .where(DraftRow.id == draft_id, DraftRow.posted_ts.is_(None), claimable)
                .values(posted_by=user_id, posting_started_at=now)
            )
            return now if taken.rowcount == 1 else None

    def _still_ours(self, draft_id: int, claimed: datetime | None) -> bool:
        with self.drafts.db.session() as session:
            stored = self.drafts.draft_row(session, draft_id)
            return stored.posted_ts is None and stored.posting_started_at == claimed

    def _post(self, channel: str, draft_id: int, claimed: datetime | None, sender: str, text: str) -> str:
        if not self._still_ours(draft_id, claimed):  # taken over while this one stalled: theirs goes out
            raise InvalidChange(f"Someone else posted this draft to <#{channel}> meanwhile; look there.")
        blocks = build_customer_post(draft_id, text, sender)
        try:
            # The notification text is escaped like the blocks: a pasted <!channel> notifies nobody.
            return self.drafts.gateway.post_message(channel, escape_within(text, 300), blocks=blocks).ts
        except SlackApiError as exc:  # Slack refused: nothing was posted, so the claim goes back
            self._release(draft_id)
            if error_code(exc) in ("not_in_channel", "channel_not_found"):
                invite = f"Invite warroom to <#{channel}> first, then press the button again."
                raise InvalidChange(invite) from exc
            raise
        except Exception as exc:
            # The answer may be lost after Slack posted: look before anyone posts it again. The claim
            # stays until the look finds it or POSTING_STALE passes: a retry then looks again first.
            try:
                found = self._look_for_post(channel, draft_id)
            except InvalidChange:
                found = None
            if found:
                return found
            raise InvalidChange(
                f"Slack did not confirm whether it went out. Look in <#{channel}> before you send anything "
                "by hand; if it is not there in two minutes, press the button again and I will check first."
            ) from exc

    def _look_for_post(self, channel: str, draft_id: int) -> str | None:
        """The ts of this draft's post in `channel`, or None when the bot's recent messages hold none.
        InvalidChange when Slack will not show them: not knowing is never taken as "not posted"."""
        try:
            return self.drafts.gateway.own_message(channel, "", block_id=posted_marker(draft_id))
        except (SlackApiError, OSError) as exc:
            raise InvalidChange(
                f"I could not check <#{channel}> for an earlier post of this draft, so I did not post it "
                "again. Try again in a minute."
            ) from exc

    def _release(self, draft_id: int) -> None:
        with self.drafts.db.session() as session:
            session.execute(
                update(DraftRow)
                .where(DraftRow.id == draft_id, DraftRow.posted_ts.is_(None))
                .values(posted_by=None, posting_started_at=None)
            )
