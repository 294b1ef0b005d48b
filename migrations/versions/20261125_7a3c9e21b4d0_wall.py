"""The Wall: weekly office hours (seeded Monday to Friday 09:00-17:00), closures, extra
sessions, messages, mutes and duty.

Revision ID: 7a3c9e21b4d0
Revises: 24f39e0fbd04
Create Date: 2026-11-25 21:00:00

"""
from datetime import time

import sqlalchemy as sa
from alembic import op

revision = '7a3c9e21b4d0'
down_revision = '24f39e0fbd04'
branch_labels = None
depends_on = None


def upgrade():
    hours = op.create_table(
        'wall_hours',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('weekday', sa.Integer(), nullable=False),
        sa.Column('opens', sa.Time(), nullable=False),
        sa.Column('closes', sa.Time(), nullable=False),
        sa.CheckConstraint('weekday BETWEEN 0 AND 6', name=op.f('ck_wall_hours_weekday_known')),
        sa.CheckConstraint('opens < closes', name=op.f('ck_wall_hours_opens_before_closes')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_wall_hours')),
    )
    op.create_table(
        'wall_closures',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('starts_on', sa.Date(), nullable=False),
        sa.Column('ends_on', sa.Date(), nullable=False),
        sa.Column('reason', sa.String(length=200), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint('starts_on <= ends_on',
                           name=op.f('ck_wall_closures_starts_before_ends')),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'],
                                name=op.f('fk_wall_closures_created_by_id_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_wall_closures')),
    )
    op.create_table(
        'wall_sessions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('starts_at', sa.DateTime(), nullable=False),
        sa.Column('ends_at', sa.DateTime(), nullable=False),
        sa.Column('note', sa.String(length=200), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint('starts_at < ends_at',
                           name=op.f('ck_wall_sessions_starts_before_ends')),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'],
                                name=op.f('fk_wall_sessions_created_by_id_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_wall_sessions')),
    )
    with op.batch_alter_table('wall_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_wall_sessions_starts_at'), ['starts_at'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_wall_sessions_ends_at'), ['ends_at'], unique=False)

    op.create_table(
        'wall_messages',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=True),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('body_html', sa.Text(), nullable=False),
        sa.Column('reply_to_id', sa.Integer(), nullable=True),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('held_reason', sa.String(length=20), nullable=False),
        sa.Column('pinned', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('moderated_at', sa.DateTime(), nullable=True),
        sa.CheckConstraint("status IN ('visible','held','hidden','rejected')",
                           name=op.f('ck_wall_messages_status_known')),
        sa.ForeignKeyConstraint(['author_id'], ['users.id'],
                                name=op.f('fk_wall_messages_author_id_users'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['reply_to_id'], ['wall_messages.id'],
                                name=op.f('fk_wall_messages_reply_to_id_wall_messages'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_wall_messages')),
    )
    with op.batch_alter_table('wall_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_wall_messages_author_id'), ['author_id'],
                              unique=False)
        batch_op.create_index('ix_wall_messages_status_id', ['status', 'id'], unique=False)
        batch_op.create_index('ix_wall_messages_author_created', ['author_id', 'created_at'],
                              unique=False)

    op.create_table(
        'wall_mutes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('by_id', sa.Integer(), nullable=True),
        sa.Column('reason', sa.String(length=500), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('ends_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['by_id'], ['users.id'], name=op.f('fk_wall_mutes_by_id_users'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_wall_mutes_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_wall_mutes')),
    )
    with op.batch_alter_table('wall_mutes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_wall_mutes_user_id'), ['user_id'], unique=False)

    op.create_table(
        'wall_duty',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('since', sa.DateTime(), nullable=False),
        sa.Column('until', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_wall_duty_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id', name=op.f('pk_wall_duty')),
    )

    # The default weekly schedule: Monday to Friday, 09:00 to 17:00 London time.
    op.bulk_insert(hours, [{'weekday': day, 'opens': time(9, 0), 'closes': time(17, 0)}
                           for day in range(5)])


def downgrade():
    op.drop_table('wall_duty')
    with op.batch_alter_table('wall_mutes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_wall_mutes_user_id'))
    op.drop_table('wall_mutes')
    with op.batch_alter_table('wall_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_wall_messages_author_created')
        batch_op.drop_index('ix_wall_messages_status_id')
        batch_op.drop_index(batch_op.f('ix_wall_messages_author_id'))
    op.drop_table('wall_messages')
    with op.batch_alter_table('wall_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_wall_sessions_ends_at'))
        batch_op.drop_index(batch_op.f('ix_wall_sessions_starts_at'))
    op.drop_table('wall_sessions')
    op.drop_table('wall_closures')
    op.drop_table('wall_hours')
