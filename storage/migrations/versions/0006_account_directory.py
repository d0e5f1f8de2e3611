"""account directory: customers gain CSM, contacts, Slack Connect channel and in_directory; customer_aliases

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Server defaults fill the rows already there: customers created by escalations are not (yet) in
    # the directory and have no contacts.
    with op.batch_alter_table("customers") as batch:
        batch.add_column(sa.Column("csm", sa.String(length=120), nullable=True))
        batch.add_column(sa.Column("contacts", sa.JSON(), nullable=False, server_default=sa.text("'[]'")))
        batch.add_column(sa.Column("slack_connect_channel", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("in_directory", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_table(
        "customer_aliases",
        sa.Column("alias_key", sa.String(length=255), nullable=False),
        sa.Column("alias", sa.String(length=255), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"]),
        sa.PrimaryKeyConstraint("alias_key"),
    )
    op.create_index(op.f("ix_customer_aliases_customer_id"), "customer_aliases", ["customer_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_customer_aliases_customer_id"), table_name="customer_aliases")
    op.drop_table("customer_aliases")
    with op.batch_alter_table("customers") as batch:
        batch.drop_column("in_directory")
        batch.drop_column("slack_connect_channel")
        batch.drop_column("contacts")
        batch.drop_column("csm")
