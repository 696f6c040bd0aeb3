"""initial schema: office, services, counters, officers, devices, tickets, events, print jobs

Revision ID: 0001
Revises:
Created: 2026-11-26 21:54:53.179854
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "office",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("event_seq", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_office")),
        sa.UniqueConstraint("code", name=op.f("uq_office_code")),
    )
    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("target", sa.String(length=200), nullable=False),
        sa.Column("data", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["office_id"], ["office.id"], name=op.f("fk_audit_event_office_id_office")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
    )
    op.create_table(
        "officer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=60), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column(
            "role",
            sa.Enum("officer", "supervisor", "admin", name="role", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["office_id"], ["office.id"], name=op.f("fk_officer_office_id_office")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_officer")),
        sa.UniqueConstraint("username", name=op.f("uq_officer_username")),
    )
    op.create_table(
        "service",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("prefix", sa.String(length=3), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("field_code", sa.String(length=20), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("is_open", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["office_id"], ["office.id"], name=op.f("fk_service_office_id_office")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service")),
        sa.UniqueConstraint("office_id", "code", name=op.f("uq_service_office_id_code")),
        sa.UniqueConstraint("office_id", "prefix", name=op.f("uq_service_office_id_prefix")),
    )
    op.create_table(
        "counter",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("is_open", sa.Boolean(), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["office_id"], ["office.id"], name=op.f("fk_counter_office_id_office")
        ),
        sa.ForeignKeyConstraint(
            ["officer_id"], ["officer.id"], name=op.f("fk_counter_officer_id_officer")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_counter")),
        sa.UniqueConstraint("office_id", "number", name=op.f("uq_counter_office_id_number")),
        sa.UniqueConstraint("officer_id", name=op.f("uq_counter_officer_id")),
    )
    op.create_table(
        "staff_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["officer_id"], ["officer.id"], name=op.f("fk_staff_token_officer_id_officer")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_staff_token_token_hash")),
    )
    with op.batch_alter_table("staff_token", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_staff_token_officer_id"), ["officer_id"], unique=False)

    op.create_table(
        "ticket_sequence",
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["office_id"], ["office.id"], name=op.f("fk_ticket_sequence_office_id_office")
        ),
        sa.ForeignKeyConstraint(
            ["service_id"], ["service.id"], name=op.f("fk_ticket_sequence_service_id_service")
        ),
        sa.PrimaryKeyConstraint("office_id", "service_id", "day", name=op.f("pk_ticket_sequence")),
    )
    op.create_table(
        "counter_service",
        sa.Column("counter_id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["counter_id"], ["counter.id"], name=op.f("fk_counter_service_counter_id_counter")
        ),
        sa.ForeignKeyConstraint(
            ["service_id"], ["service.id"], name=op.f("fk_counter_service_service_id_service")
        ),
        sa.PrimaryKeyConstraint("counter_id", "service_id", name=op.f("pk_counter_service")),
    )
    op.create_table(
        "device",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("kiosk", "display", "rating", name="device_kind", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("counter_id", sa.Integer(), nullable=True),
        sa.Column("printer", sa.String(length=60), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["counter_id"], ["counter.id"], name=op.f("fk_device_counter_id_counter")
        ),
        sa.ForeignKeyConstraint(
            ["office_id"], ["office.id"], name=op.f("fk_device_office_id_office")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_device")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_device_key_hash")),
        sa.UniqueConstraint("office_id", "name", name=op.f("uq_device_office_id_name")),
    )
    op.create_table(
        "officer_counter",
        sa.Column("officer_id", sa.Integer(), nullable=False),
        sa.Column("counter_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["counter_id"], ["counter.id"], name=op.f("fk_officer_counter_counter_id_counter")
        ),
        sa.ForeignKeyConstraint(
            ["officer_id"], ["officer.id"], name=op.f("fk_officer_counter_officer_id_officer")
        ),
        sa.PrimaryKeyConstraint("officer_id", "counter_id", name=op.f("pk_officer_counter")),
    )
    op.create_table(
        "ticket",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("seq_no", sa.Integer(), nullable=True),
        sa.Column("number", sa.String(length=12), nullable=False),
        sa.Column("token", sa.String(length=40), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "waiting",
                "called",
                "serving",
                "done",
                "no_show",
                "transferred",
                "cancelled",
                name="ticket_state",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("priority", sa.String(length=40), nullable=True),
        sa.Column("priority_rank", sa.Integer(), nullable=False),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("called_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("first_called_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("recall_count", sa.Integer(), nullable=False),
        sa.Column("counter_id", sa.Integer(), nullable=True),
        sa.Column("officer_id", sa.Integer(), nullable=True),
        sa.Column("target_counter_id", sa.Integer(), nullable=True),
        sa.Column("previous_id", sa.Integer(), nullable=True),
        sa.Column("next_id", sa.Integer(), nullable=True),
        sa.Column("device_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["counter_id"], ["counter.id"], name=op.f("fk_ticket_counter_id_counter")
        ),
        sa.ForeignKeyConstraint(
            ["device_id"], ["device.id"], name=op.f("fk_ticket_device_id_device")
        ),
        sa.ForeignKeyConstraint(["next_id"], ["ticket.id"], name=op.f("fk_ticket_next_id_ticket")),
        sa.ForeignKeyConstraint(
            ["office_id"], ["office.id"], name=op.f("fk_ticket_office_id_office")
        ),
        sa.ForeignKeyConstraint(
            ["officer_id"], ["officer.id"], name=op.f("fk_ticket_officer_id_officer")
        ),
        sa.ForeignKeyConstraint(
            ["previous_id"], ["ticket.id"], name=op.f("fk_ticket_previous_id_ticket")
        ),
        sa.ForeignKeyConstraint(
            ["service_id"], ["service.id"], name=op.f("fk_ticket_service_id_service")
        ),
        sa.ForeignKeyConstraint(
            ["target_counter_id"], ["counter.id"], name=op.f("fk_ticket_target_counter_id_counter")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket")),
        sa.UniqueConstraint(
            "office_id",
            "service_id",
            "day",
            "seq_no",
            name=op.f("uq_ticket_office_id_service_id_day_seq_no"),
        ),
        sa.UniqueConstraint("token", name=op.f("uq_ticket_token")),
    )
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.create_index("ix_ticket_queue", ["office_id", "state", "day"], unique=False)

    op.create_table(
        "print_job",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("printer", sa.String(length=60), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "queued", "printed", "failed", name="print_status", native_enum=False, length=20
            ),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("not_before", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["ticket.id"], name=op.f("fk_print_job_ticket_id_ticket")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_print_job")),
    )
    with op.batch_alter_table("print_job", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_print_job_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_print_job_ticket_id"), ["ticket_id"], unique=False)

    op.create_table(
        "ticket_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("from_state", sa.String(length=20), nullable=True),
        sa.Column("to_state", sa.String(length=20), nullable=False),
        sa.Column("counter_id", sa.Integer(), nullable=True),
        sa.Column("officer_id", sa.Integer(), nullable=True),
        sa.Column("device_id", sa.Integer(), nullable=True),
        sa.Column("data", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["counter_id"], ["counter.id"], name=op.f("fk_ticket_event_counter_id_counter")
        ),
        sa.ForeignKeyConstraint(
            ["device_id"], ["device.id"], name=op.f("fk_ticket_event_device_id_device")
        ),
        sa.ForeignKeyConstraint(
            ["office_id"], ["office.id"], name=op.f("fk_ticket_event_office_id_office")
        ),
        sa.ForeignKeyConstraint(
            ["officer_id"], ["officer.id"], name=op.f("fk_ticket_event_officer_id_officer")
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["ticket.id"], name=op.f("fk_ticket_event_ticket_id_ticket")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_event")),
    )
    with op.batch_alter_table("ticket_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ticket_event_ticket_id"), ["ticket_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("ticket_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ticket_event_ticket_id"))

    op.drop_table("ticket_event")
    with op.batch_alter_table("print_job", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_print_job_ticket_id"))
        batch_op.drop_index(batch_op.f("ix_print_job_status"))

    op.drop_table("print_job")
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.drop_index("ix_ticket_queue")

    op.drop_table("ticket")
    op.drop_table("officer_counter")
    op.drop_table("device")
    op.drop_table("counter_service")
    op.drop_table("ticket_sequence")
    with op.batch_alter_table("staff_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_token_officer_id"))

    op.drop_table("staff_token")
    op.drop_table("counter")
    op.drop_table("service")
    op.drop_table("officer")
    op.drop_table("audit_event")
    op.drop_table("office")
