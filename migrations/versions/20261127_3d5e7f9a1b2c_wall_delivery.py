"""The Wall's delivery promise: a sequence in commit order, duty by heartbeat, and
messages that outlive their author's account.

- `wall_stream`: one row whose counter every change to the public conversation takes
  in its own transaction, so numbers follow commit order and have no gaps.
- `wall_messages.seq`: the number of the message's latest public change.
- `wall_duty.heartbeat_at`: duty counts only while a live socket renews it.
- `wall_messages.author_id`: SET NULL instead of CASCADE ("former member").

Revision ID: 3d5e7f9a1b2c
Revises: c4f1d2e3a5b6
Create Date: 2026-11-27 10:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = "3d5e7f9a1b2c"
down_revision = "c4f1d2e3a5b6"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "wall_stream",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_wall_stream_one_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wall_stream")),
    )
    with op.batch_alter_table("wall_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seq", sa.BigInteger(), nullable=True))
        batch_op.drop_constraint("fk_wall_messages_author_id_users", type_="foreignkey")
        batch_op.create_foreign_key("fk_wall_messages_author_id_users", "users",
                                    ["author_id"], ["id"], ondelete="SET NULL")
        batch_op.create_index("ix_wall_messages_seq", ["seq"], unique=True)
    # What is already public gets numbers in id order; the counter starts after them.
    op.execute("UPDATE wall_messages SET seq = id WHERE status IN ('visible', 'hidden')")
    op.execute("INSERT INTO wall_stream (id, seq) "
               "SELECT 1, COALESCE(MAX(seq), 0) FROM wall_messages")
    with op.batch_alter_table("wall_duty", schema=None) as batch_op:
        batch_op.add_column(sa.Column("heartbeat_at", sa.DateTime(), nullable=True))
    op.execute("UPDATE wall_duty SET heartbeat_at = since")


def downgrade():
    with op.batch_alter_table("wall_duty", schema=None) as batch_op:
        batch_op.drop_column("heartbeat_at")
    with op.batch_alter_table("wall_messages", schema=None) as batch_op:
        batch_op.drop_index("ix_wall_messages_seq")
        batch_op.drop_constraint("fk_wall_messages_author_id_users", type_="foreignkey")
        batch_op.create_foreign_key("fk_wall_messages_author_id_users", "users",
                                    ["author_id"], ["id"], ondelete="CASCADE")
        batch_op.drop_column("seq")
    op.drop_table("wall_stream")
