"""Database triggers that refuse UPDATE and DELETE on history tables (used by the migrations).

A migration that rebuilds one of these tables (SQLite batch mode) must create its triggers again;
tests/test_history.py fails when it does not.
"""

from alembic import op


def _postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def create_function() -> None:
    if _postgres():
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


def drop_function() -> None:
    if _postgres():
        op.execute("DROP FUNCTION refuse_history_change()")


def protect(*tables: str) -> None:
    for table in tables:
        if _postgres():
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION refuse_history_change()"
            )
        else:
            for action in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, 'history is append-only: {action} on {table} refused'); END"
                )


def unprotect(*tables: str) -> None:
    for table in tables:
        if _postgres():
            op.execute(f"DROP TRIGGER {table}_append_only ON {table}")
        else:
            for action in ("update", "delete"):
                op.execute(f"DROP TRIGGER {table}_no_{action}")
