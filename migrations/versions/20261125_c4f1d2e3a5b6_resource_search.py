"""Full-text search over library resources (SQLite FTS5 or PostgreSQL tsvector + GIN).

Revision ID: c4f1d2e3a5b6
Revises: 7b1c0a5d2e91
Create Date: 2026-11-25 20:40:00

"""
from alembic import op

revision = "c4f1d2e3a5b6"
down_revision = "7b1c0a5d2e91"
branch_labels = None
depends_on = None

COLUMNS = "title, summary, body_source, transcript"


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "ALTER TABLE resources ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
            "setweight(to_tsvector('english', coalesce(title, '')), 'A') || "
            "setweight(to_tsvector('english', coalesce(summary, '')), 'B') || "
            "setweight(to_tsvector('english', coalesce(body_source, '') || ' ' || "
            "coalesce(transcript, '')), 'C')) STORED"
        )
        op.execute("CREATE INDEX ix_resources_search_vector ON resources "
                   "USING gin (search_vector)")
        return
    op.execute(
        f"CREATE VIRTUAL TABLE resources_fts USING fts5({COLUMNS}, content='resources', "
        "content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')"
    )
    new = ", ".join(f"new.{c}" for c in COLUMNS.split(", "))
    old = ", ".join(f"old.{c}" for c in COLUMNS.split(", "))
    op.execute(f"CREATE TRIGGER resources_fts_insert AFTER INSERT ON resources BEGIN "
               f"INSERT INTO resources_fts(rowid, {COLUMNS}) VALUES (new.id, {new}); END")
    op.execute(f"CREATE TRIGGER resources_fts_delete AFTER DELETE ON resources BEGIN "
               f"INSERT INTO resources_fts(resources_fts, rowid, {COLUMNS}) "
               f"VALUES ('delete', old.id, {old}); END")
    op.execute(f"CREATE TRIGGER resources_fts_update AFTER UPDATE OF {COLUMNS} ON resources "
               f"BEGIN INSERT INTO resources_fts(resources_fts, rowid, {COLUMNS}) "
               f"VALUES ('delete', old.id, {old}); "
               f"INSERT INTO resources_fts(rowid, {COLUMNS}) VALUES (new.id, {new}); END")
    op.execute("INSERT INTO resources_fts(resources_fts) VALUES ('rebuild')")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_resources_search_vector")
        op.execute("ALTER TABLE resources DROP COLUMN IF EXISTS search_vector")
        return
    for trigger in ("resources_fts_insert", "resources_fts_delete", "resources_fts_update"):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS resources_fts")
