"""catalog fields and procedures, public notices, ticket idempotency key and priority check

Revision ID: 0002
Revises: 0001
Created: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "catalog_field",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["office_id"], ["office.id"], name=op.f("fk_catalog_field_office_id_office")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_field")),
        sa.UniqueConstraint("office_id", "code", name=op.f("uq_catalog_field_office_id_code")),
    )
    op.create_table(
        "procedure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("field_code", sa.String(length=20), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("time_value", sa.Float(), nullable=True),
        sa.Column("time_unit", sa.String(length=20), nullable=False),
        sa.Column("same_day_cutoff", sa.String(length=5), nullable=True),
        sa.Column("extension_max_working_days", sa.Integer(), nullable=True),
        sa.Column("fee_text", sa.Text(), nullable=False),
        sa.Column("fee_text_vi", sa.Text(), nullable=False),
        sa.Column("evidence", sa.String(length=1), nullable=False),
        sa.Column("documents", sa.JSON(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["office_id"], ["office.id"], name=op.f("fk_procedure_office_id_office")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procedure")),
        sa.UniqueConstraint("office_id", "code", name=op.f("uq_procedure_office_id_code")),
    )
    op.create_table(
        "notice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=500), nullable=False),
        sa.Column("text_en", sa.String(length=500), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["office_id"], ["office.id"], name=op.f("fk_notice_office_id_office")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notice")),
    )
    op.create_index(op.f("ix_notice_office_id"), "notice", ["office_id"], unique=False)
    with op.batch_alter_table("ticket") as batch:
        batch.add_column(sa.Column("request_key", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("priority_confirmed", sa.Boolean(), nullable=True))
        batch.create_unique_constraint(
            batch.f("uq_ticket_office_id_request_key"), ["office_id", "request_key"]
        )


def downgrade() -> None:
    with op.batch_alter_table("ticket") as batch:
        batch.drop_constraint(batch.f("uq_ticket_office_id_request_key"), type_="unique")
        batch.drop_column("priority_confirmed")
        batch.drop_column("request_key")
    op.drop_index(op.f("ix_notice_office_id"), table_name="notice")
    op.drop_table("notice")
    op.drop_table("procedure")
    op.drop_table("catalog_field")
