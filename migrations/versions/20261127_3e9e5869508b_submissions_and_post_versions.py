"""A form sent twice makes one thing; a post's edits are numbered.

- `submissions`: each used one-time form token once (primary key), with where to find
  what it made, so a second submission of the same form makes nothing.
- `posts.version`: 1, then one more for each edit; an edit based on an older version
  is refused.
- `post_revisions.version`: the version each earlier text was, unique per post, so the
  history keeps every version once. Existing revisions are numbered in the order they
  were made.

Revision ID: 3e9e5869508b
Revises: 3d5e7f9a1b2c
Create Date: 2026-11-27 16:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = "3e9e5869508b"
down_revision = "3d5e7f9a1b2c"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "submissions",
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("location", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_submissions_user_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("token", name=op.f("pk_submissions")),
    )
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_submissions_user_id"), ["user_id"], unique=False)

    # A plain ADD COLUMN on both databases (the posts table keeps its search triggers).
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1",
                                      nullable=False))
    with op.batch_alter_table("post_revisions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), nullable=True))
    op.execute("UPDATE post_revisions SET version = (SELECT COUNT(*) FROM post_revisions AS e "
               "WHERE e.post_id = post_revisions.post_id AND e.id <= post_revisions.id)")
    op.execute("UPDATE posts SET version = 1 + (SELECT COUNT(*) FROM post_revisions AS r "
               "WHERE r.post_id = posts.id) "
               "WHERE id IN (SELECT post_id FROM post_revisions)")
    with op.batch_alter_table("post_revisions", schema=None) as batch_op:
        batch_op.alter_column("version", existing_type=sa.Integer(), nullable=False)
        batch_op.create_unique_constraint("uq_post_revisions_post_version",
                                          ["post_id", "version"])


def downgrade():
    with op.batch_alter_table("post_revisions", schema=None) as batch_op:
        batch_op.drop_constraint("uq_post_revisions_post_version", type_="unique")
        batch_op.drop_column("version")
    # Not batch mode: SQLite would copy the table and lose its search triggers.
    op.drop_column("posts", "version")
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_submissions_user_id"))
    op.drop_table("submissions")
