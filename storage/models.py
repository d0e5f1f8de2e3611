"""Tables: customers (and their directory aliases), escalations, their timeline, and the Slack side effects
already done."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.core.vocabulary import OPEN_STATUSES, Status
from storage.db import Base, UTCDateTime, utcnow


class IdSequence(Base):
    """The last number handed out per year, so `ESC-YYYY-NNN` is gap-free and unique."""

    __tablename__ = "id_sequences"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_value: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class Customer(Base):
    """An account. `name_key` folds case and spacing so 'Acme  corp' and 'ACME Corp' are one."""

    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(255), nullable=False)
    name_key: Mapped[str] = mapped_column(String(255), nullable=False, unique=True)
    tier: Mapped[str | None] = mapped_column(String(40))
    arr: Mapped[int | None] = mapped_column(BigInteger)
    # The account directory (bot/accounts): a Slack user id or a name/email, contacts as
    # [{"name", "email", "timezone"}], and the shared channel with the customer, if any.
    csm: Mapped[str | None] = mapped_column(String(120))
    contacts: Mapped[list[dict[str, str]]] = mapped_column(JSON, nullable=False, default=list)
    slack_connect_channel: Mapped[str | None] = mapped_column(String(32))
    # True once an import listed it; customers typed into an escalation and never imported stay False.
    in_directory: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)

    escalations: Mapped[list[Escalation]] = relationship(back_populates="customer")


class Escalation(Base):
    """One customer escalation and where it lives in Slack."""

    __tablename__ = "escalations"
    __table_args__ = (UniqueConstraint("year", "number", name="uq_escalations_year_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), nullable=False, unique=True)
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    number: Mapped[int] = mapped_column(Integer, nullable=False)
    # The modal's idempotency key: a resubmitted or retried intake finds this row instead of a new one.
    intake_key: Mapped[str | None] = mapped_column(String(64), unique=True)

    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), nullable=False, index=True)
    contact_name: Mapped[str | None] = mapped_column(String(120))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    contact_timezone: Mapped[str | None] = mapped_column(String(64))  # an IANA zone, checked at intake
    # What customer-facing drafts call the problem (the title is the internal summary), and how the
    # customer feels (calm, disappointed, angry, threatening): the tone of every draft follows it.
    customer_wording: Mapped[str | None] = mapped_column(String(300))
    customer_mood: Mapped[str | None] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    tried: Mapped[str] = mapped_column(Text, nullable=False, default="")
    # Seed 001's triage questions, as answered on the form.
    started: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    affected: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    business_impact: Mapped[str] = mapped_column(Text, nullable=False, default="")
    workaround: Mapped[str | None] = mapped_column(String(8))
    csm_user_id: Mapped[str | None] = mapped_column(String(32))
    escalation_type: Mapped[str] = mapped_column(String(40), nullable=False)
    severity: Mapped[str] = mapped_column(String(8), nullable=False)
    suggested_severity: Mapped[str] = mapped_column(String(8), nullable=False)
    severity_reasons: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    status: Mapped[str] = mapped_column(
        String(24), nullable=False, default=Status.INVESTIGATING.value, index=True
    )
    tier: Mapped[str | None] = mapped_column(String(40))
    arr_at_risk: Mapped[int | None] = mapped_column(BigInteger)
    users_affected: Mapped[int | None] = mapped_column(Integer)
    public_exposure: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    regulatory: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # Private escalations (security, compliance, or made private) are seen only by their room and managers.
    is_private: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)

    caller_user_id: Mapped[str] = mapped_column(String(32), nullable=False)
    # The roles (bot.core.vocabulary.Role): IC, customer liaison, engineering owner and CSM (above).
    ic_user_id: Mapped[str] = mapped_column(String(32), nullable=False)
    liaison_user_id: Mapped[str | None] = mapped_column(String(32))
    engineering_user_id: Mapped[str | None] = mapped_column(String(32))
    responder_user_ids: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)

    source_channel_id: Mapped[str | None] = mapped_column(String(32))
    source_message_ts: Mapped[str | None] = mapped_column(String(32))
    source_permalink: Mapped[str | None] = mapped_column(String(500))

    room_kind: Mapped[str] = mapped_column(String(16), nullable=False)
    room_channel_id: Mapped[str | None] = mapped_column(String(32))
    room_channel_name: Mapped[str | None] = mapped_column(String(80))
    # A reopened escalation whose room was archived gets a new one (Slack does not let apps unarchive).
    previous_room_channel_id: Mapped[str | None] = mapped_column(String(32))
    card_channel_id: Mapped[str | None] = mapped_column(String(32))
    card_ts: Mapped[str | None] = mapped_column(String(32))

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)
    first_response_due_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by: Mapped[str | None] = mapped_column(String(32))

    # The clocks (bot/clocks.py): what they depend on, when each is due, and when the sweep must next
    # look at this escalation (indexed, so a sweep reads only what is due).
    last_internal_update_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_internal_update_by: Mapped[str | None] = mapped_column(String(32))
    last_internal_update_text: Mapped[str | None] = mapped_column(Text)
    last_customer_update_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_customer_update_by: Mapped[str | None] = mapped_column(String(32))
    customer_update_promised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    internal_update_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    customer_update_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolution_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    internal_snoozed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    customer_snoozed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_reminder_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by: Mapped[str | None] = mapped_column(String(32))
    resolution_summary: Mapped[str | None] = mapped_column(Text)
    # Closing the loop: the customer's confirmation (reminded to the liaison until given), the close,
    # a close without confirmation (seed 001's "premature closure" flag), a reopen, and the archiving.
    confirmation_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed_by: Mapped[str | None] = mapped_column(String(32))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by: Mapped[str | None] = mapped_column(String(32))
    close_reason: Mapped[str | None] = mapped_column(Text)
    closed_without_confirmation: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    reopened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # What the metrics read without walking timelines: the first customer update, and the next-update
    # promises made to the customer and kept (an update by the promised time).
    first_customer_update_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    promises_made: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    promises_kept: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    # The post-incident review (seed 001, seed 004): root cause, what contributed, what was learnt, and
    # where the report lives once posted.
    root_cause_category: Mapped[str | None] = mapped_column(String(20))
    root_cause: Mapped[str | None] = mapped_column(Text)
    contributing_factors: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    lessons: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    customer_satisfaction: Mapped[str | None] = mapped_column(String(40))
    report_link: Mapped[str | None] = mapped_column(String(500))
    first_response_breached: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    resolution_breached: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)

    # Room set-up is claimed with a lease so two workers never build the same room at once, and a
    # worker that died mid-way is replaced once its lease runs out.
    provisioning_owner: Mapped[str | None] = mapped_column(String(64))
    provisioning_lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    provisioned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    customer: Mapped[Customer] = relationship(back_populates="escalations", lazy="joined")
    events: Mapped[list[TimelineEvent]] = relationship(
        back_populates="escalation", order_by="TimelineEvent.id", cascade="all, delete-orphan"
    )
    slack_steps: Mapped[list[SlackStep]] = relationship(
        back_populates="escalation", cascade="all, delete-orphan"
    )

    @property
    def is_open(self) -> bool:
        """True until the escalation is resolved or closed."""
        return self.status in OPEN_STATUSES


class TimelineEvent(Base):
    """Something that happened to an escalation, by whom, when. A Slack message people added to the
    timeline (a 📌 reaction, "Add to timeline") carries its channel and ts: once per message, and its later
    edits and deletion are followed."""

    __tablename__ = "timeline_events"
    __table_args__ = (
        UniqueConstraint("escalation_id", "message_ts", name="uq_timeline_events_escalation_message"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    escalation_id: Mapped[int] = mapped_column(ForeignKey("escalations.id"), nullable=False, index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    kind: Mapped[str] = mapped_column(String(40), nullable=False)
    actor_user_id: Mapped[str | None] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text, nullable=False, default="")
    data: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    message_channel_id: Mapped[str | None] = mapped_column(String(32))
    message_ts: Mapped[str | None] = mapped_column(String(32), index=True)

    escalation: Mapped[Escalation] = relationship(back_populates="events")


class SlackStep(Base):
    """A Slack side effect for an escalation: started (intent) and done (with its result).

    Creation resumes from these rows after a crash or a retry, so no step happens twice.
    """

    __tablename__ = "slack_steps"
    __table_args__ = (UniqueConstraint("escalation_id", "step", name="uq_slack_steps_escalation_step"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    escalation_id: Mapped[int] = mapped_column(ForeignKey("escalations.id"), nullable=False, index=True)
    step: Mapped[str] = mapped_column(String(40), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="started")
    result: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    escalation: Mapped[Escalation] = relationship(back_populates="slack_steps")


class Reminder(Base):
    """A reminder claimed by a sweep. The unique key makes "claim, then post" happen once across replicas."""

    __tablename__ = "reminders"
    __table_args__ = (
        UniqueConstraint(
            "escalation_id", "clock", "due_at", "stage", name="uq_reminders_escalation_clock_due_stage"
        ),
        # Claims in flight (or left by a sweep that died): every sweep looks for stale ones.
        Index(
            "ix_reminders_unposted_claimed_at",
            "claimed_at",
            postgresql_where=text("posted_at IS NULL"),
            sqlite_where=text("posted_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    escalation_id: Mapped[int] = mapped_column(ForeignKey("escalations.id"), nullable=False, index=True)
    clock: Mapped[str] = mapped_column(String(20), nullable=False)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    stage: Mapped[str] = mapped_column(String(20), nullable=False)
    fire_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    claimed_by: Mapped[str] = mapped_column(String(80), nullable=False)
    posted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    channel_id: Mapped[str | None] = mapped_column(String(32))
    message_ts: Mapped[str | None] = mapped_column(String(32))


class Draft(Base):
    """Every draft shown in Slack, for the audit: what, for whom, by which writer, checked how, sent when."""

    __tablename__ = "drafts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # The Slack event that asked for it: a retried event finds this row instead of drafting twice.
    request_key: Mapped[str | None] = mapped_column(String(80), unique=True)
    escalation_id: Mapped[int] = mapped_column(ForeignKey("escalations.id"), nullable=False, index=True)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    style: Mapped[str | None] = mapped_column(String(20))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("drafts.id"))
    requested_by: Mapped[str] = mapped_column(String(32), nullable=False)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    writer: Mapped[str] = mapped_column(String(80), nullable=False)  # "template" or the model name
    note: Mapped[str | None] = mapped_column(String(500))
    subject: Mapped[str | None] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, nullable=False, default="")
    coaching: Mapped[str | None] = mapped_column(Text)
    options: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    recommendation: Mapped[str | None] = mapped_column(Text)
    findings: Mapped[list[dict[str, str]]] = mapped_column(JSON, nullable=False, default=list)
    revised: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    channel_id: Mapped[str | None] = mapped_column(String(32))
    thread_ts: Mapped[str | None] = mapped_column(String(32))
    message_ts: Mapped[str | None] = mapped_column(String(32))
    sent_by: Mapped[str | None] = mapped_column(String(32))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The next update the draft promises the customer: once sent, the customer clock holds us to it.
    promised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    promised_text: Mapped[str | None] = mapped_column(String(80))  # as written: "6:00 PM Berlin time"
    # Posting to the customer's Slack Connect channel: claimed once (posted_by, posting_started_at),
    # then where it went; a claim without a ts is looked for in the channel before posting again.
    posted_by: Mapped[str | None] = mapped_column(String(32))
    posting_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    posted_channel_id: Mapped[str | None] = mapped_column(String(32))
    posted_ts: Mapped[str | None] = mapped_column(String(32))


class SlackEvent(Base):
    """A Slack event already taken in: a retried delivery, or one reaching a second replica, is dropped."""

    __tablename__ = "slack_events"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow, index=True)


class CustomerAlias(Base):
    """A name a directory account is known by (its own name included), keyed by `account_key`, so any
    spelling of it ('ACME, Corp.', 'acme corp') finds the account, and no two accounts share a name."""

    __tablename__ = "customer_aliases"

    alias_key: Mapped[str] = mapped_column(String(255), primary_key=True)
    # The name as the directory spells it, for showing; the key alone would read 'acme corp'.
    alias: Mapped[str] = mapped_column(String(255), nullable=False)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), nullable=False, index=True)


class Pattern(Base):
    """The same issue reported by several customers within the policy's window (seed 001 "pattern
    blindness"): one alert in the escalations channel. `anchor_escalation_id` (the earliest of them) is
    unique, so two replicas seeing the third report at once raise one pattern, not two."""

    __tablename__ = "patterns"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    anchor_escalation_id: Mapped[int] = mapped_column(
        ForeignKey("escalations.id"), nullable=False, unique=True
    )
    alert_channel_id: Mapped[str | None] = mapped_column(String(32))
    alert_ts: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)


class PatternMember(Base):
    """An escalation in a pattern; an escalation is in one pattern at most."""

    __tablename__ = "pattern_members"

    escalation_id: Mapped[int] = mapped_column(ForeignKey("escalations.id"), primary_key=True)
    pattern_id: Mapped[int] = mapped_column(ForeignKey("patterns.id"), nullable=False, index=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)


class FollowUp(Base):
    """Something a person committed to after the fix: a prevention action (seed 001), a recovery gesture
    the customer was offered and a person accepted, or an increased check-in with the customer. Its owner
    is reminded before it is due, through the clocks (once across replicas)."""

    __tablename__ = "follow_ups"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    escalation_id: Mapped[int] = mapped_column(ForeignKey("escalations.id"), nullable=False, index=True)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)  # prevention, recovery, check_in
    horizon: Mapped[str | None] = mapped_column(String(16))  # prevention: immediate or long_term
    text: Mapped[str] = mapped_column(Text, nullable=False)
    owner_user_id: Mapped[str | None] = mapped_column(String(32))
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="open", index=True)
    created_by: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_by: Mapped[str | None] = mapped_column(String(32))


class Digest(Base):
    """A weekly digest posted (or being posted): one row per week, so replicas post it once."""

    __tablename__ = "digests"

    week: Mapped[str] = mapped_column(String(10), primary_key=True)  # ISO week, "2026-W49"
    claimed_by: Mapped[str] = mapped_column(String(80), nullable=False)
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    channel_id: Mapped[str | None] = mapped_column(String(32))
    message_ts: Mapped[str | None] = mapped_column(String(32))
