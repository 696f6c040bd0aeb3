"""lawful extensions: how the law words a procedure's extension, and a dossier's use of it

Revision ID: 0007
Revises: 0006
Created: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("procedure") as batch:
        # "added" (thêm không quá N ngày) or "in_total" (tổng cộng không quá N ngày)
        batch.add_column(
            sa.Column("extension_counts", sa.String(10), nullable=False, server_default="added")
        )
        batch.add_column(
            sa.Column("extension_unit", sa.String(20), nullable=False, server_default="working_day")
        )
    with op.batch_alter_table("dossier") as batch:
        batch.add_column(
            sa.Column("extended_by_law", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("dossier") as batch:
        batch.drop_column("extended_by_law")
    with op.batch_alter_table("procedure") as batch:
        batch.drop_column("extension_unit")
        batch.drop_column("extension_counts")
