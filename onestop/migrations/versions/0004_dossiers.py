"""dossiers, their events and numbering; the office calendar's overrides

Revision ID: 0004
Revises: 0003
Created: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("procedure") as batch:
        batch.add_column(sa.Column("internal_time_value", sa.Float(), nullable=True))
        batch.add_column(
            sa.Column("on_the_spot", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("effective_from", sa.Date(), nullable=True))
    with op.batch_alter_table("procedure") as batch:
        batch.alter_column("on_the_spot", server_default=None)
    op.create_table(
        "calendar_override",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("working", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("created_by", sa.String(length=60), nullable=False),
        sa.ForeignKeyConstraint(
            ["office_id"], ["office.id"], name=op.f("fk_calendar_override_office_id_office")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_override")),
        sa.UniqueConstraint("office_id", "day", name=op.f("uq_calendar_override_office_id_day")),
    )
    op.create_table(
        "dossier_sequence",
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["office_id"], ["office.id"], name=op.f("fk_dossier_sequence_office_id_office")
        ),
        sa.PrimaryKeyConstraint("office_id", "day", name=op.f("pk_dossier_sequence")),
    )
    op.create_table(
        "dossier",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=60), nullable=False),
        sa.Column("token", sa.String(length=40), nullable=False),
        sa.Column("procedure_id", sa.Integer(), nullable=False),
        sa.Column("procedure_code", sa.String(length=40), nullable=False),
        sa.Column("procedure_name", sa.Text(), nullable=False),
        sa.Column("rule", sa.JSON(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("applicant", sa.JSON(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("delivery", sa.String(length=20), nullable=False),
        sa.Column("documents", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("received_at", WHEN, nullable=False),
        sa.Column("due_at", WHEN, nullable=True),
        sa.Column("due_at_original", WHEN, nullable=True),
        sa.Column("extended_count", sa.Integer(), nullable=False),
        sa.Column("supplement_count", sa.Integer(), nullable=False),
        sa.Column("paused_at", WHEN, nullable=True),
        sa.Column("resolved_at", WHEN, nullable=True),
        sa.Column("returned_at", WHEN, nullable=True),
        sa.Column("closed_at", WHEN, nullable=True),
        sa.Column("received_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["office_id"], ["office.id"], name=op.f("fk_dossier_office_id_office")
        ),
        sa.ForeignKeyConstraint(
            ["procedure_id"], ["procedure.id"], name=op.f("fk_dossier_procedure_id_procedure")
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["ticket.id"], name=op.f("fk_dossier_ticket_id_ticket")
        ),
        sa.ForeignKeyConstraint(
            ["received_by"], ["officer.id"], name=op.f("fk_dossier_received_by_officer")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dossier")),
        sa.UniqueConstraint("office_id", "code", name=op.f("uq_dossier_office_id_code")),
        sa.UniqueConstraint("token", name=op.f("uq_dossier_token")),
    )
    op.create_index(op.f("ix_dossier_office_id"), "dossier", ["office_id"], unique=False)
    op.create_index(op.f("ix_dossier_state"), "dossier", ["state"], unique=False)
    op.create_index(op.f("ix_dossier_ticket_id"), "dossier", ["ticket_id"], unique=False)
    op.create_table(
        "dossier_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dossier_id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("at", WHEN, nullable=False),
        sa.Column("action", sa.String(length=30), nullable=False),
        sa.Column("from_state", sa.String(length=20), nullable=True),
        sa.Column("to_state", sa.String(length=20), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=True),
        sa.Column("unit", sa.String(length=200), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["dossier_id"], ["dossier.id"], name=op.f("fk_dossier_event_dossier_id_dossier")
        ),
        sa.ForeignKeyConstraint(
            ["office_id"], ["office.id"], name=op.f("fk_dossier_event_office_id_office")
        ),
        sa.ForeignKeyConstraint(
            ["officer_id"], ["officer.id"], name=op.f("fk_dossier_event_officer_id_officer")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dossier_event")),
    )
    op.create_index(
        op.f("ix_dossier_event_dossier_id"), "dossier_event", ["dossier_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_dossier_event_dossier_id"), table_name="dossier_event")
    op.drop_table("dossier_event")
    op.drop_index(op.f("ix_dossier_ticket_id"), table_name="dossier")
    op.drop_index(op.f("ix_dossier_state"), table_name="dossier")
    op.drop_index(op.f("ix_dossier_office_id"), table_name="dossier")
    op.drop_table("dossier")
    op.drop_table("dossier_sequence")
    op.drop_table("calendar_override")
    with op.batch_alter_table("procedure") as batch:
        batch.drop_column("effective_from")
        batch.drop_column("on_the_spot")
        batch.drop_column("internal_time_value")
