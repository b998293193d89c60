"""report queue: one rendering job at a time across workers

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 11:00:00

`report_job.running` is True for the one job that renders and NULL for every other; its unique
constraint makes the claim atomic in the database. Jobs left "bezig" by a killed worker are
failed by the queue after a timeout.
"""

from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('report_job', schema=None) as batch_op:
        batch_op.add_column(sa.Column('running', sa.Boolean(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_report_job_running'), ['running'])


def downgrade() -> None:
    with op.batch_alter_table('report_job', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_report_job_running'), type_='unique')
        batch_op.drop_column('running')
