"""indicators per measure and their dated measurements

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-02 21:30:00

A measure's measurable targets (name, unit, baseline, target, direction, basis) and the values
measured over time, each with its evidence. Both tables are append-only.
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel.sql.sqltypes

from migrations.append_only import protect, unprotect


revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    text = sqlmodel.sql.sqltypes.AutoString
    op.create_table(
        'indicator',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code', text(length=60), nullable=False),
        sa.Column('measure_id', sa.Integer(), nullable=False),
        sa.Column('name', text(length=200), nullable=False),
        sa.Column('unit', text(length=60), nullable=False),
        sa.Column('direction', text(length=10), nullable=False),
        sa.Column('baseline_value', sa.Numeric(14, 2), nullable=True),
        sa.Column('baseline_on', sa.Date(), nullable=True),
        sa.Column('baseline_precision', text(length=10), nullable=False),
        sa.Column('baseline_basis', sa.Text(), nullable=False),
        sa.Column('baseline_document_id', sa.Integer(), nullable=True),
        sa.Column('target_value', sa.Numeric(14, 2), nullable=False),
        sa.Column('target_on', sa.Date(), nullable=True),
        sa.Column('target_precision', text(length=10), nullable=False),
        sa.Column('basis', sa.Text(), nullable=False),
        sa.Column('basis_document_id', sa.Integer(), nullable=True),
        sa.Column('stated_on', sa.Date(), nullable=False),
        sa.Column('recorded_by', text(length=200), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=True),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('measure_version', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['measure_id'], ['measure.id']),
        sa.ForeignKeyConstraint(['baseline_document_id'], ['source_document.id']),
        sa.ForeignKeyConstraint(['basis_document_id'], ['source_document.id']),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['app_user.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('measure_id', 'name', name='uq_indicator_measure_name'),
    )
    op.create_index(op.f('ix_indicator_code'), 'indicator', ['code'], unique=True)
    op.create_index(op.f('ix_indicator_measure_id'), 'indicator', ['measure_id'], unique=False)
    op.create_table(
        'indicator_measurement',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('indicator_id', sa.Integer(), nullable=False),
        sa.Column('measure_id', sa.Integer(), nullable=False),
        sa.Column('value', sa.Numeric(14, 2), nullable=False),
        sa.Column('measured_on', sa.Date(), nullable=False),
        sa.Column('measured_precision', text(length=10), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('evidence_document_id', sa.Integer(), nullable=True),
        sa.Column('evidence_url', text(length=500), nullable=True),
        sa.Column('evidence_quote', sa.Text(), nullable=True),
        sa.Column('recorded_by', text(length=200), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=True),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('measure_version', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['indicator_id'], ['indicator.id']),
        sa.ForeignKeyConstraint(['measure_id'], ['measure.id']),
        sa.ForeignKeyConstraint(['evidence_document_id'], ['source_document.id']),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['app_user.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(op.f('ix_indicator_measurement_indicator_id'), 'indicator_measurement', ['indicator_id'], unique=False)
    op.create_index(op.f('ix_indicator_measurement_measure_id'), 'indicator_measurement', ['measure_id'], unique=False)
    op.create_index(op.f('ix_indicator_measurement_measured_on'), 'indicator_measurement', ['measured_on'], unique=False)
    op.create_index(
        'ix_indicator_measurement_indicator_on', 'indicator_measurement', ['indicator_id', 'measured_on', 'id'], unique=False
    )
    protect('indicator', 'indicator_measurement')


def downgrade() -> None:
    unprotect('indicator', 'indicator_measurement')
    op.drop_table('indicator_measurement')
    op.drop_table('indicator')
