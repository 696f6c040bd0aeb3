"""an index for a counter's current ticket (every counter action asks for it; it scanned the
whole ticket table, which only grows)

Revision ID: 0009
Revises: 0008
Created: 2026-12-02
"""

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_ticket_counter", "ticket", ["counter_id", "state"])


def downgrade() -> None:
    op.drop_index("ix_ticket_counter", table_name="ticket")
