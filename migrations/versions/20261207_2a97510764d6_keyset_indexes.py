"""Indexes for keyset pages (issue 17): each listing's order, ending in its id, so a
page of "Older" or "Newer" rows is one index range scan at any depth, on SQLite and
PostgreSQL alike.

- threads: (category_id, pinned, last_activity_at, id), the category page's order (the
  old index lacked the id, which PostgreSQL then had to sort by);
- notifications: (user_id, created_at, id), a person's notifications, newest first;
- resources: (publish_at, id) for the library, (updated_at, id) for the staff's list.

Revision ID: 2a97510764d6
Revises: e1a7b3c5d9f2
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = "2a97510764d6"
down_revision = "e1a7b3c5d9f2"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("threads") as batch_op:
        batch_op.drop_index("ix_threads_listing")
        batch_op.create_index("ix_threads_listing",
                              ["category_id", "pinned", "last_activity_at", "id"])
    op.create_index("ix_notifications_user_created", "notifications",
                    ["user_id", "created_at", "id"])
    op.create_index("ix_resources_published", "resources", ["publish_at", "id"])
    op.create_index("ix_resources_updated", "resources", ["updated_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_resources_updated", table_name="resources")
    op.drop_index("ix_resources_published", table_name="resources")
    op.drop_index("ix_notifications_user_created", table_name="notifications")
    with op.batch_alter_table("threads") as batch_op:
        batch_op.drop_index("ix_threads_listing")
        batch_op.create_index("ix_threads_listing",
                              ["category_id", "pinned", "last_activity_at"])
