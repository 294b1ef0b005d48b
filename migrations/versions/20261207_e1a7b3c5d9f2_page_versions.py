"""Page versions for ETags: a version on each thread and each category, and site-wide
counters for people and the library, all bumped by triggers, so that every change a page
shows changes its ETag whatever route the SQL comes by (services, bulk updates, cascades,
SQL by hand).

- threads.version: any insert, update or delete of the thread's posts or their
  reactions, and any update of the thread itself;
- categories.version: any change to one of its threads (so a new post too), and any
  update of the category itself;
- page_versions 'people': a username, role or status changing, or an account deleted
  (authors' names and labels are on every page);
- page_versions 'networks': a person joining or leaving a network (what the library
  shows them);
- page_versions 'library': any change to resources, their tags or their networks.

Revision ID: e1a7b3c5d9f2
Revises: 5f2a8c1d7e93
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "e1a7b3c5d9f2"
down_revision = "5f2a8c1d7e93"
branch_labels = None
depends_on = None

NETWORK_TABLES = ("user_networks",)
LIBRARY_TABLES = ("resources", "resource_tags", "resource_tag_names", "resource_networks")
PEOPLE_CHANGED = "username", "role", "status"


# PostgreSQL: once per statement, over its transition tables, not once per row: a row
# trigger that updates the thread and category for each of 5,000 posts inserted (or a
# deleted account's posts set to no author) in one transaction makes a new version of
# the same row each time, and each update walks the chain of the ones before.
BUMPS = {
    # table: (what it bumps, the ids of its rows' parents in a transition table)
    "posts": ("threads", "SELECT thread_id FROM {}"),
    "reactions": ("threads", "SELECT p.thread_id FROM posts p JOIN {} r ON p.id = r.post_id"),
    "threads": ("categories", "SELECT category_id FROM {}"),
}


def _pg() -> None:
    for table, (parent, ids) in BUMPS.items():
        op.execute(f"""
            CREATE FUNCTION sharon_{table}_bump_{parent}() RETURNS trigger AS $$
            BEGIN
                IF TG_OP = 'INSERT' THEN
                    UPDATE {parent} SET version = version + 1
                    WHERE id IN ({ids.format('new_rows')});
                ELSIF TG_OP = 'DELETE' THEN
                    UPDATE {parent} SET version = version + 1
                    WHERE id IN ({ids.format('old_rows')});
                ELSE  -- one UPDATE, so a row moved within one parent is bumped once
                    UPDATE {parent} SET version = version + 1
                    WHERE id IN ({ids.format('old_rows')})
                       OR id IN ({ids.format('new_rows')});
                END IF;
                RETURN NULL;
            END $$ LANGUAGE plpgsql""")
        for event, tables in (("INSERT", "NEW TABLE AS new_rows"),
                              ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
                              ("DELETE", "OLD TABLE AS old_rows")):
            op.execute(f"""CREATE TRIGGER {table}_bump_{parent}_{event.lower()}
                           AFTER {event} ON {table} REFERENCING {tables}
                           FOR EACH STATEMENT EXECUTE FUNCTION sharon_{table}_bump_{parent}()""")
    op.execute("""
        CREATE FUNCTION sharon_next_version() RETURNS trigger AS $$
        BEGIN
            NEW.version := OLD.version + 1;
            RETURN NEW;
        END $$ LANGUAGE plpgsql""")
    for table in ("threads", "categories"):
        op.execute(f"""CREATE TRIGGER {table}_next_version BEFORE UPDATE ON {table}
                       FOR EACH ROW EXECUTE FUNCTION sharon_next_version()""")
    op.execute("""
        CREATE FUNCTION sharon_bump_page_version() RETURNS trigger AS $$
        BEGIN
            UPDATE page_versions SET version = version + 1 WHERE name = TG_ARGV[0];
            RETURN NULL;
        END $$ LANGUAGE plpgsql""")
    changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in PEOPLE_CHANGED)
    op.execute(f"""CREATE TRIGGER users_bump_people AFTER UPDATE ON users FOR EACH ROW
                   WHEN ({changed}) EXECUTE FUNCTION sharon_bump_page_version('people')""")
    op.execute("""CREATE TRIGGER users_deleted_bump_people AFTER DELETE ON users
                  FOR EACH STATEMENT EXECUTE FUNCTION sharon_bump_page_version('people')""")
    for scope, tables in (("networks", NETWORK_TABLES), ("library", LIBRARY_TABLES)):
        for table in tables:
            op.execute(f"""CREATE TRIGGER {table}_bump_{scope}
                           AFTER INSERT OR UPDATE OR DELETE ON {table} FOR EACH STATEMENT
                           EXECUTE FUNCTION sharon_bump_page_version('{scope}')""")


def _sqlite() -> None:
    # SQLite cannot change NEW in a trigger: a row updated without a new version is
    # updated once more (recursive triggers are off, and the WHEN stops it anyway).
    bump_thread = "UPDATE threads SET version = version + 1 WHERE id = {}.thread_id;"
    bump_by_post = ("UPDATE threads SET version = version + 1 WHERE id = "
                    "(SELECT thread_id FROM posts WHERE id = {}.post_id);")
    bump_category = "UPDATE categories SET version = version + 1 WHERE id = {}.category_id;"
    for table, bump in (("posts", bump_thread), ("reactions", bump_by_post),
                        ("threads", bump_category)):
        target = "category" if table == "threads" else "thread"
        op.execute(f"CREATE TRIGGER {table}_bump_{target}_insert AFTER INSERT ON {table} "
                   f"BEGIN {bump.format('NEW')} END")
        op.execute(f"CREATE TRIGGER {table}_bump_{target}_update AFTER UPDATE ON {table} "
                   f"BEGIN {bump.format('OLD')} {bump.format('NEW')} END")
        op.execute(f"CREATE TRIGGER {table}_bump_{target}_delete AFTER DELETE ON {table} "
                   f"BEGIN {bump.format('OLD')} END")
    for table in ("threads", "categories"):
        op.execute(f"CREATE TRIGGER {table}_next_version AFTER UPDATE ON {table} "
                   "WHEN NEW.version = OLD.version "
                   f"BEGIN UPDATE {table} SET version = OLD.version + 1 WHERE id = NEW.id; END")
    bump = "BEGIN UPDATE page_versions SET version = version + 1 WHERE name = '{}'; END"
    changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in PEOPLE_CHANGED)
    op.execute(f"CREATE TRIGGER users_bump_people AFTER UPDATE ON users WHEN {changed} "
               + bump.format("people"))
    op.execute("CREATE TRIGGER users_deleted_bump_people AFTER DELETE ON users "
               + bump.format("people"))
    for scope, tables in (("networks", NETWORK_TABLES), ("library", LIBRARY_TABLES)):
        for table in tables:
            for event in ("INSERT", "UPDATE", "DELETE"):
                op.execute(f"CREATE TRIGGER {table}_bump_{scope}_{event.lower()} "
                           f"AFTER {event} ON {table} " + bump.format(scope))


def upgrade() -> None:
    op.create_table(
        "page_versions",
        sa.Column("name", sa.String(length=20), nullable=False),
        sa.Column("version", sa.Integer(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_page_versions")))
    op.bulk_insert(sa.table("page_versions", sa.column("name"), sa.column("version")),
                   [{"name": name, "version": 0} for name in ("people", "networks", "library")])
    op.add_column("threads", sa.Column("version", sa.Integer(), server_default="0",
                                       nullable=False))
    op.add_column("categories", sa.Column("version", sa.Integer(), server_default="0",
                                          nullable=False))
    if op.get_bind().dialect.name == "postgresql":
        _pg()
    else:
        _sqlite()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        triggers = [(f"{t}_bump_{parent}_{e}", t) for t, (parent, _) in BUMPS.items()
                    for e in ("insert", "update", "delete")]
        triggers += [("threads_next_version", "threads"),
                     ("categories_next_version", "categories"),
                     ("users_bump_people", "users"), ("users_deleted_bump_people", "users"),
                     *((f"{t}_bump_networks", t) for t in NETWORK_TABLES),
                     *((f"{t}_bump_library", t) for t in LIBRARY_TABLES)]
        for trigger, table in triggers:
            op.execute(f"DROP TRIGGER {trigger} ON {table}")
        functions = [f"sharon_{t}_bump_{parent}" for t, (parent, _) in BUMPS.items()]
        for function in (*functions, "sharon_next_version", "sharon_bump_page_version"):
            op.execute(f"DROP FUNCTION {function}()")
    else:
        names = [f"{t}_bump_{target}_{e}" for t, target in (
            ("posts", "thread"), ("reactions", "thread"), ("threads", "category"))
            for e in ("insert", "update", "delete")]
        names += ["threads_next_version", "categories_next_version", "users_bump_people",
                  "users_deleted_bump_people"]
        names += [f"{t}_bump_{scope}_{e}"
                  for scope, tables in (("networks", NETWORK_TABLES),
                                         ("library", LIBRARY_TABLES))
                  for t in tables for e in ("insert", "update", "delete")]
        for name in names:
            op.execute(f"DROP TRIGGER {name}")
    with op.batch_alter_table("categories") as batch_op:
        batch_op.drop_column("version")
    with op.batch_alter_table("threads") as batch_op:
        batch_op.drop_column("version")
    op.drop_table("page_versions")
