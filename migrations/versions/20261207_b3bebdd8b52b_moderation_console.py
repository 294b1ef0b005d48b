"""The moderation console: claims, risk levels and escalation on queue items, one
sanctions ladder for the whole site (the Wall's mutes move into it), ask-the-team
conversations, and a suspension's end date on accounts.

Revision ID: b3bebdd8b52b
Revises: 9d4b2f7e1a60
Create Date: 2026-12-07
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b3bebdd8b52b'
down_revision = '9d4b2f7e1a60'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('conversations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('subject', sa.String(length=120), nullable=False),
    sa.Column('started_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_message_at', sa.DateTime(), nullable=False),
    sa.Column('member_read_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['member_id'], ['users.id'], name=op.f('fk_conversations_member_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['started_by_id'], ['users.id'], name=op.f('fk_conversations_started_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_conversations'))
    )
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_conversations_member_id'), ['member_id'], unique=False)

    op.create_table('conversation_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('from_team', sa.Boolean(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_conversation_messages_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversations.id'], name=op.f('fk_conversation_messages_conversation_id_conversations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_conversation_messages'))
    )
    with op.batch_alter_table('conversation_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_conversation_messages_conversation_id'), ['conversation_id'], unique=False)

    op.create_table('sanctions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('ends_at', sa.DateTime(), nullable=True),
    sa.Column('lifted_at', sa.DateTime(), nullable=True),
    sa.Column('lifted_by_id', sa.Integer(), nullable=True),
    sa.Column('acknowledged_at', sa.DateTime(), nullable=True),
    sa.Column('item_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("kind IN ('warn','mute','suspend','remove')", name=op.f('ck_sanctions_kind_known')),
    sa.ForeignKeyConstraint(['by_id'], ['users.id'], name=op.f('fk_sanctions_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['item_id'], ['moderation_items.id'], name=op.f('fk_sanctions_item_id_moderation_items'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['lifted_by_id'], ['users.id'], name=op.f('fk_sanctions_lifted_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_sanctions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sanctions'))
    )
    with op.batch_alter_table('sanctions', schema=None) as batch_op:
        batch_op.create_index('ix_sanctions_user_kind', ['user_id', 'kind'], unique=False)

    # Every Wall mute becomes a mute on the ladder, with its reason, author and times.
    op.execute("""
        INSERT INTO sanctions (user_id, kind, reason, by_id, created_at, ends_at)
        SELECT user_id, 'mute', reason, by_id, created_at, ends_at FROM wall_mutes""")
    # Accounts suspended before the ladder: a suspension until lifted, so the team can see
    # it on the person's history and lift it.
    op.get_bind().execute(sa.text("""
        INSERT INTO sanctions (user_id, kind, reason, created_at)
        SELECT id, 'suspend', 'Suspended before sanctions were recorded', :now
        FROM users WHERE status = 'suspended'"""),
        {"now": datetime.now(UTC).replace(tzinfo=None)})
    with op.batch_alter_table('wall_mutes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_wall_mutes_user_id'))

    op.drop_table('wall_mutes')
    with op.batch_alter_table('moderation_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('risk_level', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('claimed_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('claimed_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('first_response_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('escalated_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('overdue_alerted_at', sa.DateTime(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_moderation_items_claimed_by_id_users'), 'users', ['claimed_by_id'], ['id'], ondelete='SET NULL')
        batch_op.create_check_constraint(
            op.f('ck_moderation_items_risk_level_known'),
            "risk_level IN ('low','medium','high')")
    # Risk flags raised before levels: their urgency was their level.
    op.execute("""
        UPDATE moderation_items SET risk_level = CASE level
            WHEN 'urgent' THEN 'high' WHEN 'high' THEN 'medium' ELSE 'low' END
        WHERE kind = 'risk'""")

    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('conversation_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_notifications_conversation_id_conversations'), 'conversations', ['conversation_id'], ['id'], ondelete='CASCADE')

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('suspended_until', sa.DateTime(), nullable=True))



def downgrade() -> None:
    # Team replies have nowhere to point once conversations go.
    op.execute("DELETE FROM notifications WHERE conversation_id IS NOT NULL")
    # A plain DROP COLUMN, never a batch copy of users: on SQLite, with foreign keys
    # on, dropping the old users table would cascade to every row that points at it.
    op.drop_column('users', 'suspended_until')

    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_notifications_conversation_id_conversations'), type_='foreignkey')
        batch_op.drop_column('conversation_id')

    with op.batch_alter_table('moderation_items', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_moderation_items_risk_level_known'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_moderation_items_claimed_by_id_users'), type_='foreignkey')
        batch_op.drop_column('overdue_alerted_at')
        batch_op.drop_column('escalated_at')
        batch_op.drop_column('first_response_at')
        batch_op.drop_column('claimed_at')
        batch_op.drop_column('claimed_by_id')
        batch_op.drop_column('risk_level')

    op.create_table('wall_mutes',
    sa.Column('id', sa.INTEGER(), nullable=False),
    sa.Column('user_id', sa.INTEGER(), nullable=False),
    sa.Column('by_id', sa.INTEGER(), nullable=True),
    sa.Column('reason', sa.VARCHAR(length=500), nullable=False),
    sa.Column('created_at', sa.DATETIME(), nullable=False),
    sa.Column('ends_at', sa.DATETIME(), nullable=False),
    sa.ForeignKeyConstraint(['by_id'], ['users.id'], name=op.f('fk_wall_mutes_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_wall_mutes_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wall_mutes'))
    )
    with op.batch_alter_table('wall_mutes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_wall_mutes_user_id'), ['user_id'], unique=False)

    op.execute("""
        INSERT INTO wall_mutes (user_id, by_id, reason, created_at, ends_at)
        SELECT user_id, by_id, reason, created_at,
               CASE WHEN lifted_at IS NOT NULL AND lifted_at < ends_at THEN lifted_at
                    ELSE ends_at END
        FROM sanctions WHERE kind = 'mute'""")
    with op.batch_alter_table('sanctions', schema=None) as batch_op:
        batch_op.drop_index('ix_sanctions_user_kind')

    op.drop_table('sanctions')
    with op.batch_alter_table('conversation_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_conversation_messages_conversation_id'))

    op.drop_table('conversation_messages')
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_conversations_member_id'))

    op.drop_table('conversations')
