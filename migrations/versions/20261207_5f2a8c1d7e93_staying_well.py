"""Staying well: a person's own plan (one row per line), whether they check in weekly
and on which day, and their check-ins (one per London week).

Revision ID: 5f2a8c1d7e93
Revises: c41e5a7d9b02
Create Date: 2026-12-07
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '5f2a8c1d7e93'
down_revision = 'c41e5a7d9b02'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('plan_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('text', sa.String(length=200), nullable=False),
    sa.Column('detail', sa.String(length=120), server_default='', nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('warning_sign','trigger','helps','person','reason')",
                       name=op.f('ck_plan_items_kind_known')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                            name=op.f('fk_plan_items_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_items'))
    )
    with op.batch_alter_table('plan_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_items_user_id'), ['user_id'], unique=False)

    op.create_table('check_in_settings',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('weekday', sa.SmallInteger(), nullable=False),
    sa.Column('email_reminder', sa.Boolean(), nullable=False),
    sa.Column('reminded_week', sa.Date(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('weekday BETWEEN 0 AND 6', name=op.f('ck_check_in_settings_weekday_known')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                            name=op.f('fk_check_in_settings_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_check_in_settings'))
    )

    op.create_table('check_ins',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('week', sa.Date(), nullable=False),
    sa.Column('interest', sa.SmallInteger(), nullable=False),
    sa.Column('low', sa.SmallInteger(), nullable=False),
    sa.Column('nervous', sa.SmallInteger(), nullable=False),
    sa.Column('worrying', sa.SmallInteger(), nullable=False),
    sa.Column('mood', sa.SmallInteger(), nullable=False),
    sa.Column('note', sa.String(length=500), server_default='', nullable=False),
    sa.Column('signs', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('interest BETWEEN 0 AND 3 AND low BETWEEN 0 AND 3 AND '
                       'nervous BETWEEN 0 AND 3 AND worrying BETWEEN 0 AND 3',
                       name=op.f('ck_check_ins_answers_in_range')),
    sa.CheckConstraint('mood BETWEEN 0 AND 10', name=op.f('ck_check_ins_mood_in_range')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                            name=op.f('fk_check_ins_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_check_ins')),
    sa.UniqueConstraint('user_id', 'week', name='uq_check_ins_user_id_week')
    )
    with op.batch_alter_table('check_ins', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_check_ins_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('check_ins', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_check_ins_user_id'))
    op.drop_table('check_ins')
    op.drop_table('check_in_settings')
    with op.batch_alter_table('plan_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_items_user_id'))
    op.drop_table('plan_items')
