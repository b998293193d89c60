"""an indicator withdrawn from a date on, with its reason

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-02 22:30:00

Indicators are append-only, so a target stated wrongly is corrected by withdrawing the indicator
(and adding the right one): the withdrawal is a row of its own, append-only too.
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel.sql.sqltypes

from migrations.append_only import protect, unprotect


revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'indicator_retirement',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('indicator_id', sa.Integer(), nullable=False),
        sa.Column('measure_id', sa.Integer(), nullable=False),
        sa.Column('retired_on', sa.Date(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('recorded_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=True),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('measure_version', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['indicator_id'], ['indicator.id']),
        sa.ForeignKeyConstraint(['measure_id'], ['measure.id']),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['app_user.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(op.f('ix_indicator_retirement_indicator_id'), 'indicator_retirement', ['indicator_id'], unique=True)
    op.create_index(op.f('ix_indicator_retirement_measure_id'), 'indicator_retirement', ['measure_id'], unique=False)
    protect('indicator_retirement')


def downgrade() -> None:
    unprotect('indicator_retirement')
    op.drop_table('indicator_retirement')
