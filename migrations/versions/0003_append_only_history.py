"""Enforce append-only history in the database itself: no UPDATE or DELETE on history tables.

Revision ID: 0003
Revises: 0002
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# A later migration that rebuilds one of these tables (SQLite batch mode) must create the triggers
# again; tests/test_history.py fails when it does not.
HISTORY_TABLES = ("status_update", "deadline_change", "audit_record")


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(
            """
            CREATE FUNCTION refuse_history_change() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION 'history is append-only: % on % refused', TG_OP, TG_TABLE_NAME
                    USING ERRCODE = 'integrity_constraint_violation';
            END;
            $$ LANGUAGE plpgsql
            """
        )
        for table in HISTORY_TABLES:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION refuse_history_change()"
            )
    else:
        for table in HISTORY_TABLES:
            for action in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, 'history is append-only: {action} on {table} refused'); END"
                )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        for table in HISTORY_TABLES:
            op.execute(f"DROP TRIGGER {table}_append_only ON {table}")
        op.execute("DROP FUNCTION refuse_history_change()")
    else:
        for table in HISTORY_TABLES:
            for action in ("update", "delete"):
                op.execute(f"DROP TRIGGER {table}_no_{action}")
