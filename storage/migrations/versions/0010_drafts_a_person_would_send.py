"""drafts a person would send: the problem in the customer's words, how they feel, the contact's email
and time zone; the time each draft promises and its post to the customer's Slack Connect channel

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ESCALATION_COLUMNS = ("customer_wording", "customer_mood", "contact_email", "contact_timezone")
_DRAFT_COLUMNS = (
    "promised_at",
    "promised_text",
    "posted_by",
    "posting_started_at",
    "posted_channel_id",
    "posted_ts",
)


def upgrade() -> None:
    # Earlier escalations have no customer wording: drafts derive it from the summary as before.
    with op.batch_alter_table("escalations") as batch:
        batch.add_column(sa.Column("customer_wording", sa.String(length=300), nullable=True))
        batch.add_column(sa.Column("customer_mood", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("contact_email", sa.String(length=254), nullable=True))
        batch.add_column(sa.Column("contact_timezone", sa.String(length=64), nullable=True))
    with op.batch_alter_table("drafts") as batch:
        batch.add_column(sa.Column("promised_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("promised_text", sa.String(length=80), nullable=True))
        batch.add_column(sa.Column("posted_by", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("posting_started_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("posted_channel_id", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("posted_ts", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("drafts") as batch:
        for column in reversed(_DRAFT_COLUMNS):
            batch.drop_column(column)
    with op.batch_alter_table("escalations") as batch:
        for column in reversed(_ESCALATION_COLUMNS):
            batch.drop_column(column)
