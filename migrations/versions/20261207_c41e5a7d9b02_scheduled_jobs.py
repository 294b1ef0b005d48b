"""One scheduler for timed work: a lease row per job, so only one worker runs each; and
the marks its jobs keep (a sanction's end told once, in a notification).

Revision ID: c41e5a7d9b02
Revises: 0679241a1e85
Create Date: 2026-12-07
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = 'c41e5a7d9b02'
down_revision = '0679241a1e85'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('scheduled_jobs',
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('leased_by', sa.String(length=80), nullable=True),
    sa.Column('leased_until', sa.DateTime(), nullable=True),
    sa.Column('next_run_at', sa.DateTime(), nullable=True),
    sa.Column('last_started_at', sa.DateTime(), nullable=True),
    sa.Column('last_finished_at', sa.DateTime(), nullable=True),
    sa.Column('last_error', sa.String(length=500), nullable=True),
    sa.Column('runs', sa.Integer(), server_default='0', nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_scheduled_jobs'))
    )
    with op.batch_alter_table('sanctions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('end_told_at', sa.DateTime(), nullable=True))
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sanction_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_notifications_sanction_id_sanctions'),
                                    'sanctions', ['sanction_id'], ['id'], ondelete='CASCADE')


def downgrade() -> None:
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_notifications_sanction_id_sanctions'),
                                 type_='foreignkey')
        batch_op.drop_column('sanction_id')
    with op.batch_alter_table('sanctions', schema=None) as batch_op:
        batch_op.drop_column('end_told_at')
    op.drop_table('scheduled_jobs')
