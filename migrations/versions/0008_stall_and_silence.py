"""stall and silence: flags say which question they answer

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 23:59:00

Every flag gets a kind: "stall" (evidence that the measure is stuck) or "silence" (the register
does not know). A measure's level (`severity`) now counts stall evidence only; silence has no
level of its own. The open flags and their acknowledgements are carried over in place: the rows
keep their ids, so every acknowledgement still points at its flag.
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel.sql.sqltypes


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

SILENCE_RULES = ("geen_update", "lang_lopend", "monitoringgat")


def upgrade() -> None:
    with op.batch_alter_table('flag', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False, server_default='stall')
        )
        batch_op.add_column(sa.Column('evidence_on', sa.Date(), nullable=True))
        batch_op.create_index(batch_op.f('ix_flag_kind'), ['kind'], unique=False)
    with op.batch_alter_table('check_run', schema=None) as batch_op:
        batch_op.add_column(sa.Column('measures_stalled', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('measures_silent', sa.Integer(), nullable=False, server_default='0'))

    flag = sa.table(
        'flag',
        sa.column('id', sa.Integer),
        sa.column('measure_id', sa.Integer),
        sa.column('kind', sa.String),
        sa.column('rule', sa.String),
        sa.column('rule_severity', sa.Integer),
        sa.column('severity', sa.Integer),
        sa.column('score', sa.Integer),
        sa.column('first_seen_on', sa.Date),
        sa.column('evidence_on', sa.Date),
        sa.column('resolved_on', sa.Date),
    )
    op.execute(flag.update().where(flag.c.rule.in_(SILENCE_RULES)).values(kind='silence', rule_severity=0))
    op.execute(flag.update().where(flag.c.kind == 'stall').values(evidence_on=flag.c.first_seen_on))
    # A measure's level and score now come from its open stall flags alone; the next check run
    # refines them (escalation across kinds of evidence), this is the conservative carry-over.
    conn = op.get_bind()
    open_stall = conn.execute(
        sa.select(flag.c.measure_id, sa.func.max(flag.c.rule_severity), sa.func.sum(flag.c.rule_severity))
        .where(flag.c.resolved_on.is_(None), flag.c.kind == 'stall')
        .group_by(flag.c.measure_id)
    ).all()
    levels = {measure_id: (int(level), int(score)) for measure_id, level, score in open_stall}
    open_measures = conn.execute(
        sa.select(flag.c.measure_id).where(flag.c.resolved_on.is_(None)).distinct()
    ).scalars().all()
    for measure_id in open_measures:
        level, score = levels.get(measure_id, (0, 0))
        conn.execute(
            flag.update()
            .where(flag.c.measure_id == measure_id, flag.c.resolved_on.is_(None))
            .values(severity=level, score=score)
        )


def downgrade() -> None:
    with op.batch_alter_table('check_run', schema=None) as batch_op:
        batch_op.drop_column('measures_silent')
        batch_op.drop_column('measures_stalled')
    with op.batch_alter_table('flag', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_flag_kind'))
        batch_op.drop_column('evidence_on')
        batch_op.drop_column('kind')
