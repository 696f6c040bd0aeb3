"""ratings at the counter and satisfaction surveys

Revision ID: 0005
Revises: 0004
Created: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)


def _visit_columns(table: str) -> list[sa.Column]:
    """What both tables share: the office, the visit (ticket leg or dossier) and who served."""
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("dossier_id", sa.Integer(), nullable=True),
        sa.Column("counter_id", sa.Integer(), nullable=True),
        sa.Column("officer_id", sa.Integer(), nullable=True),
        sa.Column("service_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["office_id"], ["office.id"], name=f"fk_{table}_office_id_office"),
        sa.ForeignKeyConstraint(["ticket_id"], ["ticket.id"], name=f"fk_{table}_ticket_id_ticket"),
        sa.ForeignKeyConstraint(
            ["dossier_id"], ["dossier.id"], name=f"fk_{table}_dossier_id_dossier"
        ),
        sa.ForeignKeyConstraint(
            ["counter_id"], ["counter.id"], name=f"fk_{table}_counter_id_counter"
        ),
        sa.ForeignKeyConstraint(
            ["officer_id"], ["officer.id"], name=f"fk_{table}_officer_id_officer"
        ),
        sa.ForeignKeyConstraint(
            ["service_id"], ["service.id"], name=f"fk_{table}_service_id_service"
        ),
        sa.PrimaryKeyConstraint("id", name=f"pk_{table}"),
        sa.UniqueConstraint("ticket_id", name=f"uq_{table}_ticket_id"),
        sa.UniqueConstraint("dossier_id", name=f"uq_{table}_dossier_id"),
    ]


def upgrade() -> None:
    op.create_table(
        "rating",
        *_visit_columns("rating"),
        sa.Column(
            "score",
            sa.Enum(
                "very_satisfied",
                "satisfied",
                "unsatisfied",
                "no_answer",
                name="rating_score",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("device_id", sa.Integer(), nullable=True),
        sa.Column("served_at", WHEN, nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(["device_id"], ["device.id"], name="fk_rating_device_id_device"),
    )
    op.create_table(
        "survey_response",
        *_visit_columns("survey_response"),
        sa.Column("form", sa.String(20), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("contact", sa.String(200), nullable=True),
        sa.Column("language", sa.String(5), nullable=False),
        sa.Column("served_at", WHEN, nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
        sa.Column("edit_until", WHEN, nullable=False),
        sa.Column("edits", sa.Integer(), nullable=False),
    )
    for table in ("rating", "survey_response"):
        op.create_index(f"ix_{table}_office_id", table, ["office_id"])
        op.create_index(f"ix_{table}_officer_id", table, ["officer_id"])


def downgrade() -> None:
    for table in ("survey_response", "rating"):
        op.drop_index(f"ix_{table}_officer_id", table_name=table)
        op.drop_index(f"ix_{table}_office_id", table_name=table)
        op.drop_table(table)
