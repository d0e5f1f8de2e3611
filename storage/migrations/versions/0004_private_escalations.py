"""escalations.is_private: privacy is a fact of the escalation, not re-derived from today's policy

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("escalations") as batch:
        batch.add_column(sa.Column("is_private", sa.Boolean(), nullable=False, server_default=sa.false()))
    # Escalations made before this column were private exactly when the built-in policy said so.
    op.execute("UPDATE escalations SET is_private = TRUE WHERE escalation_type IN ('security', 'compliance')")


def downgrade() -> None:
    with op.batch_alter_table("escalations") as batch:
        batch.drop_column("is_private")
