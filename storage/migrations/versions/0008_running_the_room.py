"""running the room: roles, resolution with the customer's confirmation, close, reopen and archive;
messages captured on the timeline; patterns of the same issue across customers

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_MOMENTS = (
    "confirmation_due_at",
    "confirmed_at",
    "closed_at",
    "reopened_at",
    "archived_at",
)
_IDS = (
    "liaison_user_id",
    "engineering_user_id",
    "resolved_by",
    "confirmed_by",
    "closed_by",
    "previous_room_channel_id",
)


def upgrade() -> None:
    # Escalations from earlier releases have no liaison or engineering owner and were never confirmed,
    # closed without confirmation, reopened or archived: empty values, and the flag false.
    with op.batch_alter_table("escalations") as batch:
        for column in _IDS:
            batch.add_column(sa.Column(column, sa.String(length=32), nullable=True))
        for column in _MOMENTS:
            batch.add_column(sa.Column(column, sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("resolution_summary", sa.Text(), nullable=True))
        batch.add_column(sa.Column("close_reason", sa.Text(), nullable=True))
        batch.add_column(
            sa.Column("closed_without_confirmation", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("timeline_events") as batch:
        batch.add_column(sa.Column("message_channel_id", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("message_ts", sa.String(length=32), nullable=True))
        batch.create_index(batch.f("ix_timeline_events_message_ts"), ["message_ts"], unique=False)
        batch.create_unique_constraint(
            "uq_timeline_events_escalation_message", ["escalation_id", "message_ts"]
        )
    op.create_table(
        "patterns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("anchor_escalation_id", sa.Integer(), nullable=False),
        sa.Column("alert_channel_id", sa.String(length=32), nullable=True),
        sa.Column("alert_ts", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["anchor_escalation_id"], ["escalations.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("anchor_escalation_id"),
    )
    op.create_table(
        "pattern_members",
        sa.Column("escalation_id", sa.Integer(), nullable=False),
        sa.Column("pattern_id", sa.Integer(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["escalation_id"], ["escalations.id"]),
        sa.ForeignKeyConstraint(["pattern_id"], ["patterns.id"]),
        sa.PrimaryKeyConstraint("escalation_id"),
    )
    op.create_index(op.f("ix_pattern_members_pattern_id"), "pattern_members", ["pattern_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_pattern_members_pattern_id"), table_name="pattern_members")
    op.drop_table("pattern_members")
    op.drop_table("patterns")
    with op.batch_alter_table("timeline_events") as batch:
        batch.drop_constraint("uq_timeline_events_escalation_message", type_="unique")
        batch.drop_index(batch.f("ix_timeline_events_message_ts"))
        batch.drop_column("message_ts")
        batch.drop_column("message_channel_id")
    with op.batch_alter_table("escalations") as batch:
        for column in (
            "closed_without_confirmation",
            "close_reason",
            "resolution_summary",
            *_MOMENTS,
            *_IDS,
        ):
            batch.drop_column(column)
