"""status updates keep the precision of their date

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 01:00:00

A state known only to a month or a year is stored on the last day of that period, with its
precision, and shown as "juni 2020" or "2023". Existing rows were entered to the day.
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel.sql.sqltypes

from migrations.append_only import protect, unprotect


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The history table is append-only: its triggers are lifted for the schema change and set again.
    unprotect('status_update')
    with op.batch_alter_table('status_update', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('as_of_precision', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False, server_default='dag')
        )
    protect('status_update')


def downgrade() -> None:
    unprotect('status_update')
    with op.batch_alter_table('status_update', schema=None) as batch_op:
        batch_op.drop_column('as_of_precision')
    protect('status_update')
