"""secondary source documents: consulted or known via another, date precision, citation

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 00:55:00

A document the fact sheet cites, but whose text is not available here, becomes a source document
of its own, marked as not consulted and linked to the fact sheet it is known through. Evidence
from it is cited with that chain. Existing documents were all consulted; their citation is their
reference.
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel.sql.sqltypes


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('source_document', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('date_precision', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False, server_default='dag')
        )
        batch_op.add_column(sa.Column('consulted', sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.add_column(sa.Column('via_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('address', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True))
        batch_op.add_column(
            sa.Column('citation', sqlmodel.sql.sqltypes.AutoString(length=400), nullable=False, server_default='')
        )
        batch_op.create_foreign_key('fk_source_document_via_id', 'source_document', ['via_id'], ['id'])
    document = sa.table('source_document', sa.column('citation', sa.String), sa.column('reference', sa.String))
    op.execute(document.update().values(citation=document.c.reference))


def downgrade() -> None:
    with op.batch_alter_table('source_document', schema=None) as batch_op:
        batch_op.drop_constraint('fk_source_document_via_id', type_='foreignkey')
        batch_op.drop_column('citation')
        batch_op.drop_column('address')
        batch_op.drop_column('via_id')
        batch_op.drop_column('consulted')
        batch_op.drop_column('date_precision')
