"""clocks

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("escalation_id", sa.Integer(), nullable=False),
        sa.Column("clock", sa.String(length=20), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("stage", sa.String(length=20), nullable=False),
        sa.Column("fire_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_by", sa.String(length=80), nullable=False),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("channel_id", sa.String(length=32), nullable=True),
        sa.Column("message_ts", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["escalation_id"],
            ["escalations.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "escalation_id", "clock", "due_at", "stage", name="uq_reminders_escalation_clock_due_stage"
        ),
    )
    with op.batch_alter_table("reminders", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reminders_escalation_id"), ["escalation_id"], unique=False)

    with op.batch_alter_table("escalations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_internal_update_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("last_internal_update_by", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("last_internal_update_text", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("last_customer_update_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("last_customer_update_by", sa.String(length=32), nullable=True))
        batch_op.add_column(
            sa.Column("customer_update_promised_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("internal_update_due_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("customer_update_due_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("resolution_due_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("internal_snoozed_until", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("customer_snoozed_until", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("next_reminder_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("first_response_breached", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("resolution_breached", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.create_index(
            batch_op.f("ix_escalations_next_reminder_at"), ["next_reminder_at"], unique=False
        )
    # Escalations opened before the clocks existed: the first sweep computes their due times.
    op.execute(
        "UPDATE escalations SET next_reminder_at = CURRENT_TIMESTAMP "
        "WHERE status IN ('investigating', 'identified', 'monitoring')"
    )


def downgrade() -> None:
    with op.batch_alter_table("escalations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_escalations_next_reminder_at"))
        batch_op.drop_column("resolution_breached")
        batch_op.drop_column("first_response_breached")
        batch_op.drop_column("resolved_at")
        batch_op.drop_column("next_reminder_at")
        batch_op.drop_column("customer_snoozed_until")
        batch_op.drop_column("internal_snoozed_until")
        batch_op.drop_column("resolution_due_at")
        batch_op.drop_column("customer_update_due_at")
        batch_op.drop_column("internal_update_due_at")
        batch_op.drop_column("customer_update_promised_at")
        batch_op.drop_column("last_customer_update_by")
        batch_op.drop_column("last_customer_update_at")
        batch_op.drop_column("last_internal_update_text")
        batch_op.drop_column("last_internal_update_by")
        batch_op.drop_column("last_internal_update_at")

    with op.batch_alter_table("reminders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reminders_escalation_id"))

    op.drop_table("reminders")
