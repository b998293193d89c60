"""an index on the day a flag was first seen

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02 15:00:00

The comparison between two dates counts the flags opened in between; at 10,000 measures and a
year of daily checks that is a scan of tens of thousands of flags without it.
"""

from alembic import op


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_flag_first_seen_on', 'flag', ['first_seen_on'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_flag_first_seen_on', table_name='flag')
