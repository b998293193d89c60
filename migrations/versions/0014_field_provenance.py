"""provenance for every asserted field, deadlines keep their precision, merged codes redirect

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 03:00:00

Lead and co-owners get the sentence that names them and its document; a theme says whether the
register chose it; a budget line says which document its quote is from; a deadline known only to
a month or a year keeps that precision (stored on the period's last day, as status dates are).
A code merged into another measure becomes an alias that redirects.
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel.sql.sqltypes

from migrations.append_only import protect, unprotect


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('measure', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('deadline_precision', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False, server_default='dag')
        )
        batch_op.add_column(sa.Column('lead_basis', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('lead_basis_document_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('co_owners_basis', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('co_owners_basis_document_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_measure_lead_basis_document', 'source_document', ['lead_basis_document_id'], ['id'])
        batch_op.create_foreign_key(
            'fk_measure_co_owners_basis_document', 'source_document', ['co_owners_basis_document_id'], ['id']
        )
    with op.batch_alter_table('measure_theme', schema=None) as batch_op:
        batch_op.add_column(sa.Column('basis_document_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('by_register', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.create_foreign_key('fk_measure_theme_basis_document', 'source_document', ['basis_document_id'], ['id'])
    with op.batch_alter_table('budget_line', schema=None) as batch_op:
        batch_op.add_column(sa.Column('document_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_budget_line_document', 'source_document', ['document_id'], ['id'])
    # The deadline history is append-only: its triggers are lifted for the schema change and set again.
    unprotect('deadline_change')
    with op.batch_alter_table('deadline_change', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                'new_deadline_precision', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False, server_default='dag'
            )
        )
    protect('deadline_change')
    op.create_table(
        'measure_alias',
        sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column('measure_id', sa.Integer(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['measure_id'], ['measure.id']),
        sa.PrimaryKeyConstraint('code'),
    )
    op.create_index(op.f('ix_measure_alias_measure_id'), 'measure_alias', ['measure_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_measure_alias_measure_id'), table_name='measure_alias')
    op.drop_table('measure_alias')
    unprotect('deadline_change')
    with op.batch_alter_table('deadline_change', schema=None) as batch_op:
        batch_op.drop_column('new_deadline_precision')
    protect('deadline_change')
    with op.batch_alter_table('budget_line', schema=None) as batch_op:
        batch_op.drop_constraint('fk_budget_line_document', type_='foreignkey')
        batch_op.drop_column('document_id')
    with op.batch_alter_table('measure_theme', schema=None) as batch_op:
        batch_op.drop_constraint('fk_measure_theme_basis_document', type_='foreignkey')
        batch_op.drop_column('by_register')
        batch_op.drop_column('basis_document_id')
    with op.batch_alter_table('measure', schema=None) as batch_op:
        batch_op.drop_constraint('fk_measure_co_owners_basis_document', type_='foreignkey')
        batch_op.drop_constraint('fk_measure_lead_basis_document', type_='foreignkey')
        batch_op.drop_column('co_owners_basis_document_id')
        batch_op.drop_column('co_owners_basis')
        batch_op.drop_column('lead_basis_document_id')
        batch_op.drop_column('lead_basis')
        batch_op.drop_column('deadline_precision')

