"""the day's waiting count and mean service time per service, kept up to date

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
        table.add_column(sa.Column("waiting", sa.Integer(), nullable=False, server_default="0"))
        table.add_column(
            sa.Column("served_count", sa.Integer(), nullable=False, server_default="0")
        )
        table.add_column(sa.Column("mean_service_seconds", sa.Float(), nullable=True))
    # The tickets waiting now: a row for each service and day that has some (a transfer leg's
    # service may have none yet), then the count.
    op.execute(
        """
        INSERT INTO ticket_sequence (office_id, service_id, day, last_number)
        SELECT DISTINCT t.office_id, t.service_id, t.day, 0 FROM ticket t
        WHERE t.state = 'waiting' AND NOT EXISTS (
            SELECT 1 FROM ticket_sequence s WHERE s.office_id = t.office_id
            AND s.service_id = t.service_id AND s.day = t.day)
        """
    )
    op.execute(
        """
        UPDATE ticket_sequence SET waiting = (
            SELECT count(*) FROM ticket t WHERE t.office_id = ticket_sequence.office_id
            AND t.service_id = ticket_sequence.service_id AND t.day = ticket_sequence.day
            AND t.state = 'waiting')
        """
    )


def downgrade() -> None:
    with op.batch_alter_table("ticket_sequence") as table:
        table.drop_column("mean_service_seconds")
        table.drop_column("served_count")
        table.drop_column("waiting")
