"""unrecorded reminder claims: an index on the claims neither posted nor given back, which every sweep
reads to take over those of a sweep that died (a partial index: it stays as small as the claims in flight)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UNPOSTED = sa.text("posted_at IS NULL")


def upgrade() -> None:
    op.create_index(
        "ix_reminders_unposted_claimed_at",
        "reminders",
        ["claimed_at"],
        postgresql_where=UNPOSTED,
        sqlite_where=UNPOSTED,
    )


def downgrade() -> None:
    op.drop_index("ix_reminders_unposted_claimed_at", table_name="reminders")
