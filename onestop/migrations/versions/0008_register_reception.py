"""the Sổ theo dõi hồ sơ (a register number per office and year), the desk's search key, and
what the counter gave without receiving (guidance, refusal at reception)

Revision ID: 0008
Revises: 0007
Created: 2026-12-01
"""

from datetime import UTC
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "register_sequence",
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["office_id"], ["office.id"], name=op.f("fk_register_sequence_office_id_office")
        ),
        sa.PrimaryKeyConstraint("office_id", "year", name=op.f("pk_register_sequence")),
    )
    with op.batch_alter_table("dossier") as batch:
        batch.add_column(sa.Column("register_year", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("register_number", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("search_key", sa.Text(), nullable=False, server_default=""))
        batch.create_unique_constraint(
            batch.f("uq_dossier_office_id_register_year_register_number"),
            ["office_id", "register_year", "register_number"],
        )
    op.create_table(
        "reception_note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("at", WHEN, nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=True),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("procedure_code", sa.String(length=40), nullable=False),
        sa.Column("procedure_name", sa.Text(), nullable=False),
        sa.Column("applicant", sa.JSON(), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["office_id"], ["office.id"], name=op.f("fk_reception_note_office_id_office")
        ),
        sa.ForeignKeyConstraint(
            ["officer_id"], ["officer.id"], name=op.f("fk_reception_note_officer_id_officer")
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["ticket.id"], name=op.f("fk_reception_note_ticket_id_ticket")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reception_note")),
    )
    op.create_index(op.f("ix_reception_note_office_id"), "reception_note", ["office_id"])
    op.create_index(op.f("ix_reception_note_ticket_id"), "reception_note", ["ticket_id"])
    _backfill()


def _backfill() -> None:
    """Dossiers received before: their register entries in the order received, per office and
    local year, and their search keys (a plain loop: a commune's dossiers, once)."""
    from onestop.searchkeys import search_key  # the one definition the desk uses

    bind = op.get_bind()
    dossier = sa.table(
        "dossier",
        sa.column("id", sa.Integer),
        sa.column("office_id", sa.Integer),
        sa.column("code", sa.String),
        sa.column("applicant", sa.JSON),
        sa.column("received_at", WHEN),
        sa.column("register_year", sa.Integer),
        sa.column("register_number", sa.Integer),
        sa.column("search_key", sa.Text),
    )
    sequence = sa.table(
        "register_sequence",
        sa.column("office_id", sa.Integer),
        sa.column("year", sa.Integer),
        sa.column("last_number", sa.Integer),
    )
    office = sa.table("office", sa.column("id", sa.Integer), sa.column("timezone", sa.String))
    zones = {row.id: ZoneInfo(row.timezone) for row in bind.execute(sa.select(office))}
    last: dict[tuple[int, int], int] = {}
    rows = bind.execute(
        sa.select(dossier.c.id, dossier.c.office_id, dossier.c.code, dossier.c.applicant,
                  dossier.c.received_at).order_by(dossier.c.received_at, dossier.c.id)
    )  # fmt: skip
    for row in rows.all():
        # The year of receipt in the office's zone (SQLite hands back naive UTC).
        received = row.received_at
        if received.tzinfo is None:
            received = received.replace(tzinfo=UTC)
        year = received.astimezone(zones[row.office_id]).year
        number = last[(row.office_id, year)] = last.get((row.office_id, year), 0) + 1
        bind.execute(
            dossier.update()
            .where(dossier.c.id == row.id)
            .values(
                register_year=year,
                register_number=number,
                search_key=search_key(row.code, row.applicant or {}),
            )
        )
    for (office_id, year), number in last.items():
        bind.execute(sequence.insert().values(office_id=office_id, year=year, last_number=number))


def downgrade() -> None:
    op.drop_index(op.f("ix_reception_note_ticket_id"), table_name="reception_note")
    op.drop_index(op.f("ix_reception_note_office_id"), table_name="reception_note")
    op.drop_table("reception_note")
    with op.batch_alter_table("dossier") as batch:
        batch.drop_constraint(
            batch.f("uq_dossier_office_id_register_year_register_number"), type_="unique"
        )
        batch.drop_column("search_key")
        batch.drop_column("register_number")
        batch.drop_column("register_year")
    op.drop_table("register_sequence")
