"""triage answers: escalations keep seed 001's triage questions (started, affected, business impact,
workaround) and the CSM picked on the form

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Escalations opened before this release answered none of the questions: empty, not unknown rows.
    with op.batch_alter_table("escalations") as batch:
        batch.add_column(sa.Column("started", sa.String(length=200), nullable=False, server_default=""))
        batch.add_column(sa.Column("affected", sa.String(length=200), nullable=False, server_default=""))
        batch.add_column(sa.Column("business_impact", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("workaround", sa.String(length=8), nullable=True))
        batch.add_column(sa.Column("csm_user_id", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("escalations") as batch:
        for column in ("csm_user_id", "workaround", "business_impact", "affected", "started"):
            batch.drop_column(column)
