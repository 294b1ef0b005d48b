"""The audit log is append-only in the database itself: a trigger refuses UPDATE and
DELETE on moderation_actions, whatever route the SQL comes by.

One change is let through: a line's actor set to NULL and nothing else, which is what the
foreign key's ON DELETE SET NULL does when a staff account is deleted (the line stays,
without the name).

Revision ID: 9d4b2f7e1a60
Revises: 8c2e4a6b1d3f
Create Date: 2026-11-27
"""

from __future__ import annotations

from alembic import op

revision = "9d4b2f7e1a60"
down_revision = "8c2e4a6b1d3f"
branch_labels = None
depends_on = None

MESSAGE = "the audit log is append-only"
# SQLite: every column but actor_id unchanged (the one update allowed forgets the actor).
SAME = " AND ".join(
    f"((NEW.{column} = OLD.{column}) OR (NEW.{column} IS NULL AND OLD.{column} IS NULL))"
    for column in ("id", "action", "subject_type", "subject_id", "reason", "detail",
                   "created_at"))


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""
            CREATE FUNCTION moderation_actions_append_only() RETURNS trigger AS $$
            BEGIN
                IF TG_OP = 'UPDATE' AND NEW.actor_id IS NULL
                   AND NEW.id = OLD.id AND NEW.action = OLD.action
                   AND NEW.subject_type = OLD.subject_type
                   AND NEW.subject_id = OLD.subject_id AND NEW.reason = OLD.reason
                   AND NEW.detail::text = OLD.detail::text
                   AND NEW.created_at = OLD.created_at THEN
                    RETURN NEW;
                END IF;
                RAISE EXCEPTION '{MESSAGE}';
            END;
            $$ LANGUAGE plpgsql""")
        op.execute("""
            CREATE TRIGGER moderation_actions_append_only
            BEFORE UPDATE OR DELETE ON moderation_actions
            FOR EACH ROW EXECUTE FUNCTION moderation_actions_append_only()""")
    else:
        op.execute(f"""
            CREATE TRIGGER moderation_actions_no_update
            BEFORE UPDATE ON moderation_actions
            WHEN NOT (NEW.actor_id IS NULL AND {SAME})
            BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""")
        op.execute(f"""
            CREATE TRIGGER moderation_actions_no_delete
            BEFORE DELETE ON moderation_actions
            BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER moderation_actions_append_only ON moderation_actions")
        op.execute("DROP FUNCTION moderation_actions_append_only()")
    else:
        op.execute("DROP TRIGGER moderation_actions_no_update")
        op.execute("DROP TRIGGER moderation_actions_no_delete")
