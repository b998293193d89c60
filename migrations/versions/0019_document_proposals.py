"""what a document says about each measure: proposals, and the decisions on them

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-02 19:00:00

When a document is read in, its passages are ranked for every measure and recommendation and the
best are stored as proposals; a person accepts one (it becomes a status update) or rejects it (it is
not proposed again). Both tables are append-only.
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel.sql.sqltypes

from migrations.append_only import protect, unprotect


revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'document_proposal',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('document_id', sa.Integer(), nullable=False),
        sa.Column('measure_id', sa.Integer(), nullable=True),
        sa.Column('recommendation_id', sa.Integer(), nullable=True),
        sa.Column('rank', sa.Integer(), nullable=False),
        sa.Column('paragraph', sa.Integer(), nullable=False),
        sa.Column('passage', sa.Text(), nullable=False),
        sa.Column('score', sa.Float(), nullable=False),
        sa.Column('terms', sa.Text(), nullable=False),
        sa.Column('suggested_status', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column('status_wording', sa.Text(), nullable=True),
        sa.Column('reports_problem', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['document_id'], ['source_document.id']),
        sa.ForeignKeyConstraint(['measure_id'], ['measure.id']),
        sa.ForeignKeyConstraint(['recommendation_id'], ['recommendation.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(op.f('ix_document_proposal_document_id'), 'document_proposal', ['document_id'], unique=False)
    op.create_index(op.f('ix_document_proposal_measure_id'), 'document_proposal', ['measure_id'], unique=False)
    op.create_table(
        'proposal_decision',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('proposal_id', sa.Integer(), nullable=False),
        sa.Column('decision', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column('status_update_id', sa.Integer(), nullable=True),
        sa.Column('decided_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('decided_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['proposal_id'], ['document_proposal.id']),
        sa.ForeignKeyConstraint(['status_update_id'], ['status_update.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(op.f('ix_proposal_decision_proposal_id'), 'proposal_decision', ['proposal_id'], unique=True)
    protect('document_proposal', 'proposal_decision')


def downgrade() -> None:
    unprotect('document_proposal', 'proposal_decision')
    op.drop_index(op.f('ix_proposal_decision_proposal_id'), table_name='proposal_decision')
    op.drop_table('proposal_decision')
    op.drop_index(op.f('ix_document_proposal_measure_id'), table_name='document_proposal')
    op.drop_index(op.f('ix_document_proposal_document_id'), table_name='document_proposal')
    op.drop_table('document_proposal')
