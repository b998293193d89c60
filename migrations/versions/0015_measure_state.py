"""the programme in time: a projection of each measure's state over intervals

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 12:00:00

One row per measure per interval in which nothing that a page shows changed (SQL:2011
application time: valid_from inclusive, valid_to exclusive, NULL open). It is derived from the
append-only histories, so the migration builds it for an existing database from them.
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel.sql.sqltypes


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'measure_state',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('measure_id', sa.Integer(), nullable=False),
        sa.Column('valid_from', sa.Date(), nullable=False),
        sa.Column('valid_to', sa.Date(), nullable=True),
        sa.Column('title', sa.Text(), nullable=False),
        sa.Column('lead', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True),
        sa.Column('co_owners', sa.Text(), nullable=False),
        sa.Column('themes', sa.Text(), nullable=False),
        sa.Column('budget', sa.Text(), nullable=False),
        sa.Column('status_code', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column('latest_update_id', sa.Integer(), nullable=True),
        sa.Column('latest_evidenced_id', sa.Integer(), nullable=True),
        sa.Column('deadline', sa.Date(), nullable=True),
        sa.Column('deadline_basis', sa.Text(), nullable=False),
        sa.Column('deadline_precision', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column('postponements', sa.Integer(), nullable=False),
        sa.Column('assessment_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['measure_id'], ['measure.id']),
        sa.ForeignKeyConstraint(['latest_update_id'], ['status_update.id']),
        sa.ForeignKeyConstraint(['latest_evidenced_id'], ['status_update.id']),
        sa.ForeignKeyConstraint(['assessment_id'], ['assessment.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('measure_id', 'valid_from', name='uq_measure_state_from'),
    )
    op.create_index(op.f('ix_measure_state_measure_id'), 'measure_state', ['measure_id'], unique=False)
    op.create_index('ix_measure_state_valid', 'measure_state', ['valid_from', 'valid_to'], unique=False)
    # 0016 builds it for the measures already there, from their histories, with the columns of
    # the code that builds it.


def downgrade() -> None:
    op.drop_index('ix_measure_state_valid', table_name='measure_state')
    op.drop_index(op.f('ix_measure_state_measure_id'), table_name='measure_state')
    op.drop_table('measure_state')
