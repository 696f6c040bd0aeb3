"""the day's mean service time per service, kept up to date as tickets finish

Revision ID: 0006
Revises: 0005
Created: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ticket_sequence") as table:
        table.add_column(
            sa.Column("served_count", sa.Integer(), nullable=False, server_default="0")
        )
        table.add_column(sa.Column("mean_service_seconds", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("ticket_sequence") as table:
        table.drop_column("mean_service_seconds")
        table.drop_column("served_count")
