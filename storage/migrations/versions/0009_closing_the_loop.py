"""closing the loop: follow-ups (prevention actions, recovery gestures, check-ins), the post-incident
review's fields, what the metrics read (first customer update, promises made and kept), weekly digests

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Escalations from earlier releases made no recorded promises and have no review yet: zero and empty.
    with op.batch_alter_table("escalations") as batch:
        batch.add_column(sa.Column("first_customer_update_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("promises_made", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("promises_kept", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("root_cause_category", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("root_cause", sa.Text(), nullable=True))
        batch.add_column(
            sa.Column("contributing_factors", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )
        batch.add_column(sa.Column("lessons", sa.JSON(), nullable=False, server_default=sa.text("'[]'")))
        batch.add_column(sa.Column("customer_satisfaction", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("report_link", sa.String(length=500), nullable=True))
    # Earlier escalations' first customer update is the earliest one on their timeline.
    op.execute(
        "UPDATE escalations SET first_customer_update_at = (SELECT MIN(t.at) FROM timeline_events t "
        "WHERE t.escalation_id = escalations.id AND t.kind = 'customer_update')"
    )
    op.create_table(
        "follow_ups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("escalation_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("horizon", sa.String(length=16), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("owner_user_id", sa.String(length=32), nullable=True),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_by", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_by", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(["escalation_id"], ["escalations.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_follow_ups_escalation_id"), "follow_ups", ["escalation_id"])
    op.create_index(op.f("ix_follow_ups_status"), "follow_ups", ["status"])
    op.create_table(
        "digests",
        sa.Column("week", sa.String(length=10), nullable=False),
        sa.Column("claimed_by", sa.String(length=80), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=True),
        sa.Column("message_ts", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("week"),
    )


def downgrade() -> None:
    op.drop_table("digests")
    op.drop_index(op.f("ix_follow_ups_status"), table_name="follow_ups")
    op.drop_index(op.f("ix_follow_ups_escalation_id"), table_name="follow_ups")
    op.drop_table("follow_ups")
    with op.batch_alter_table("escalations") as batch:
        for column in (
            "report_link",
            "customer_satisfaction",
            "lessons",
            "contributing_factors",
            "root_cause",
            "root_cause_category",
            "promises_kept",
            "promises_made",
            "first_customer_update_at",
        ):
            batch.drop_column(column)
