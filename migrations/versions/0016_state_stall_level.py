"""the checks' stall level in the projection; the projection (re)built

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02 14:30:00

Each interval holds the stall level the checks would have given the measure on its days, so the
list as of any date filters and shows it. The projection is derived from the append-only
histories, so it is built again here, for every existing database.
"""

from alembic import op
import sqlalchemy as sa
from sqlmodel import Session


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('measure_state') as batch:
        batch.add_column(sa.Column('stall_level', sa.Integer(), nullable=False, server_default='0'))
    from measures.register import states

    session = Session(bind=op.get_bind())
    states.rebuild(session, with_indicators=False)  # the indicator tables come with 0020
    session.flush()


def downgrade() -> None:
    with op.batch_alter_table('measure_state') as batch:
        batch.drop_column('stall_level')
