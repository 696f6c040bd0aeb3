"""indexes for the reports: a period's tickets, issue events, dossiers, dossier steps, ratings
and survey answers are selected by office and instant (a busy office's year is 150,000 tickets
and 60,000 dossiers; without these each report scanned them all)

Revision ID: 0010
Revises: 0009
Created: 2026-12-02
"""

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

INDEXES = [
    ("ix_ticket_day", "ticket", ["office_id", "day"]),
    ("ix_ticket_event_kind_at", "ticket_event", ["office_id", "kind", "at"]),
    ("ix_dossier_received", "dossier", ["office_id", "received_at"]),
    ("ix_dossier_resolved", "dossier", ["office_id", "resolved_at"]),
    ("ix_dossier_event_action_at", "dossier_event", ["office_id", "action", "at"]),
    ("ix_rating_served", "rating", ["office_id", "served_at"]),
    ("ix_survey_response_served", "survey_response", ["office_id", "served_at"]),
]


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
