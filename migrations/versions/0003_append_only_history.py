"""Enforce append-only history in the database itself: no UPDATE or DELETE on history tables.

Revision ID: 0003
Revises: 0002
"""

from migrations.append_only import create_function, drop_function, protect, unprotect

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

HISTORY_TABLES = ("status_update", "deadline_change", "audit_record")


def upgrade() -> None:
    create_function()
    protect(*HISTORY_TABLES)


def downgrade() -> None:
    unprotect(*HISTORY_TABLES)
    drop_function()
