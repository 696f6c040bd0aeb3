"""print jobs for slips and print agents; printer health

Revision ID: 0003
Revises: 0002
Created: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("print_job") as batch:
        batch.add_column(sa.Column("office_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("kind", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("claimed_by", sa.String(length=60), nullable=True))
    # Jobs so far were all tickets: their office is the ticket's.
    op.execute(
        "UPDATE print_job SET kind = 'ticket', office_id = "
        "(SELECT ticket.office_id FROM ticket WHERE ticket.id = print_job.ticket_id)"
    )
    with op.batch_alter_table("print_job") as batch:
        batch.alter_column("office_id", existing_type=sa.Integer(), nullable=False)
        batch.alter_column("kind", existing_type=sa.String(length=20), nullable=False)
        batch.alter_column("ticket_id", existing_type=sa.Integer(), nullable=True)
        batch.create_foreign_key(
            batch.f("fk_print_job_office_id_office"), "office", ["office_id"], ["id"]
        )
        batch.create_index(batch.f("ix_print_job_office_id"), ["office_id"], unique=False)
    op.create_table(
        "printer_state",
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reported_by", sa.String(length=60), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_printer_state")),
    )


def downgrade() -> None:
    op.drop_table("printer_state")
    op.execute("DELETE FROM print_job WHERE ticket_id IS NULL")
    with op.batch_alter_table("print_job") as batch:
        batch.drop_index(batch.f("ix_print_job_office_id"))
        batch.drop_constraint(batch.f("fk_print_job_office_id_office"), type_="foreignkey")
        batch.alter_column("ticket_id", existing_type=sa.Integer(), nullable=False)
        batch.drop_column("claimed_by")
        batch.drop_column("kind")
        batch.drop_column("office_id")
