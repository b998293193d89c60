"""the text of source documents, in numbered paragraphs

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02 18:30:00

A document's text as it was read in (its format, checksum and pages) and its paragraphs, numbered
from 1. Quotes are checked against them, so both are append-only, like the histories.
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel.sql.sqltypes

from migrations.append_only import protect, unprotect


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'document_text',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('document_id', sa.Integer(), nullable=False),
        sa.Column('format', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('pages', sa.Integer(), nullable=True),
        sa.Column('paragraphs', sa.Integer(), nullable=False),
        sa.Column('chars', sa.Integer(), nullable=False),
        sa.Column('ingested_at', sa.DateTime(), nullable=False),
        sa.Column('ingested_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.ForeignKeyConstraint(['document_id'], ['source_document.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(op.f('ix_document_text_document_id'), 'document_text', ['document_id'], unique=True)
    op.create_table(
        'document_paragraph',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('document_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['document_id'], ['source_document.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('document_id', 'number', name='uq_document_paragraph_number'),
    )
    op.create_index(op.f('ix_document_paragraph_document_id'), 'document_paragraph', ['document_id'], unique=False)
    protect('document_text', 'document_paragraph')


def downgrade() -> None:
    unprotect('document_text', 'document_paragraph')
    op.drop_index(op.f('ix_document_paragraph_document_id'), table_name='document_paragraph')
    op.drop_table('document_paragraph')
    op.drop_index(op.f('ix_document_text_document_id'), table_name='document_text')
    op.drop_table('document_text')
