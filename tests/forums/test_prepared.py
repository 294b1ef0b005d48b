"""Prepared statements on PostgreSQL (sharon/infra/prepared.py): the thread page's two
statements are planned once per database connection, and give exactly the rows the
plain statements give. These tests run against PostgreSQL with a real pool (the rest of
the suite uses NullPool there, so there every request prepares afresh)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from sharon.extensions import db
from sharon.forums import queries
from sharon.infra import prepared
from sharon.models import MutedWord, Post, Reaction, Role, User
from tests.databases import PG_URL
from tests.forums.conftest import add_reply, start_thread
from tests.forums.test_reading import count_statements
from tests.helpers import sign_in

pytestmark = pytest.mark.skipif(not PG_URL, reason="PostgreSQL only: SQLite plans are its own")


@pytest.fixture
def app_config() -> dict[str, object]:
    # SHaRON's own pool, with its production options (sharon/config.py).
    return {"SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "hide_parameters": True}}


def sent():
    """Every statement sent to the database meanwhile, PREPAREs included."""
    return count_statements(prepares=True)


def prepares(statements: list[str]) -> list[str]:
    return [s for s in statements if s.startswith("PREPARE ")]


@pytest.fixture
def scene(make_user, general):
    river = make_user(username="river")
    ash = make_user(username="ash")
    thread = start_thread(river, general, title="Evening routines", body="Tea and a book")
    for i in range(4):
        reply = add_reply(ash, thread, f"A walk helps me, day {i}")
        db.session.add(Reaction(post_id=reply.id, user_id=river.id, kind="support"))
    db.session.add(MutedWord(user_id=river.id, term="walk"))
    db.session.commit()
    return {"thread": thread, "river": river, "ash": ash}


def test_a_connection_prepares_once_and_the_page_is_the_same(client, scene):
    sign_in(client, "river")
    url = f"/forums/t/{scene['thread'].id}"
    client.get(url)  # warm: the read marker moves
    assert db.engine.pool.__class__.__name__ == "FairQueuePool"
    db.engine.dispose()  # a fresh connection: it prepares
    with sent() as first:
        one = client.get(url)
    with sent() as second:
        two = client.get(url)
    assert one.status_code == two.status_code == 200
    assert len(prepares(first)) == 2
    assert prepares(second) == []
    assert any(s.startswith("EXECUTE sharon_") for s in second)
    page = two.get_data(as_text=True)
    assert "Tea and a book" in page and page.count('<li class="post ') == 5
    assert page.count("which you muted") == 4  # river muted "walk": each reply folded
    assert one.get_data(as_text=True).count('<li class="post ') == 5


@pytest.mark.parametrize("role", [Role.MEMBER, Role.PEER_SUPPORTER])
def test_prepared_rows_are_the_plain_rows(scene, make_user, role):
    """Every column, typed the same (dates, names, counts), for a member and the team,
    with a held post only its author and the team see."""
    reader = scene["river"] if role is Role.MEMBER else make_user(username="mo", role=role)
    held = add_reply(scene["ash"], scene["thread"], "Waiting for a look")
    held.status = "held"
    db.session.commit()
    conn = db.session.connection()
    for statement, params in (
        (queries._thread_statement(role is Role.PEER_SUPPORTER, "postgresql"),
         {"user_id": reader.id, "thread_id": scene["thread"].id, "page": 1}),
        (queries._thread_page_statement(queries.visibility.reader(reader),
                                        tuple(queries.visibility.audiences_for(reader)),
                                        "postgresql"),
         {"user_id": reader.id, "thread_id": scene["thread"].id}),
    ):
        plain = conn.execute(statement, params).all()
        ready = prepared.execute(conn, statement, params).all()
        assert ready == plain and len(plain) >= 1
        assert [type(v) for v in ready[0]] == [type(v) for v in plain[0]]
        assert ready[0]._fields == plain[0]._fields
    rows = prepared.execute(conn, queries._thread_statement(role is Role.PEER_SUPPORTER,
                                                            "postgresql"),
                            {"user_id": reader.id, "thread_id": scene["thread"].id,
                             "page": 1}).all()
    shown = {row.id for row in rows}
    assert (held.id in shown) is (role is Role.PEER_SUPPORTER)


def test_a_rolled_back_transaction_keeps_what_was_prepared(scene):
    statement = queries._thread_statement(False, "postgresql")
    params = {"user_id": scene["river"].id, "thread_id": scene["thread"].id, "page": 1}
    with sent() as statements, db.engine.connect() as conn:  # one database session
        with conn.begin() as transaction:
            prepared.execute(conn, statement, params).all()
            transaction.rollback()
        rows = prepared.execute(conn, statement, params).all()
        conn.rollback()
    assert len(prepares(statements)) == 1
    assert len(rows) == 5


def test_a_replaced_connection_prepares_again(client, scene):
    """A connection the database ended (a restart, an administrator) is replaced by the
    pool before it is used (its pre-ping), and the new one prepares its own statements:
    the reader never sees an error."""
    sign_in(client, "river")
    url, river = f"/forums/t/{scene['thread'].id}", scene["river"].id
    assert client.get(url).status_code == 200
    db.session.remove()
    admin = sa.create_engine(db.engine.url, poolclass=sa.pool.NullPool)
    with admin.connect() as conn:
        conn.exec_driver_sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                             "WHERE datname = current_database() AND pid <> pg_backend_pid()")
    admin.dispose()
    statuses = []
    with sent() as statements:
        for _ in range(2):
            statuses.append(client.get(url).status_code)
            db.session.remove()
    assert statuses == [200, 200]
    assert len(prepares(statements)) == 2
    assert db.session.get(User, river) is not None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Post)) == 5


def test_a_literal_percent_sign_is_kept(app):
    """psycopg2 escapes a literal "%" as "%%": the PREPARE text carries it as one."""
    statement = sa.select(sa.literal_column("'100%'").label("text"),
                          (sa.bindparam("n", type_=sa.Integer) + 1).label("n"))
    with sent() as statements, db.engine.connect() as conn:
        assert prepared.execute(conn, statement, {"n": 41}).one() == ("100%", 42)
        assert prepared.execute(conn, statement, {"n": 1}).one() == ("100%", 2)
    assert len(prepares(statements)) == 1 and "'100%'" in prepares(statements)[0]


def test_a_connection_that_lost_its_statements_is_replaced(scene):
    """If something deallocates a connection's statements behind the pool's back, the
    request that meets it fails, and the connection is replaced rather than failing
    every thread page after it."""
    statement = queries._thread_statement(False, "postgresql")
    params = {"user_id": scene["river"].id, "thread_id": scene["thread"].id, "page": 1}
    with db.engine.connect() as conn:
        prepared.execute(conn, statement, params).all()
        conn.exec_driver_sql("DEALLOCATE ALL")
        with pytest.raises(sa.exc.DBAPIError):
            prepared.execute(conn, statement, params).all()
        assert conn.invalidated
    with sent() as statements, db.engine.connect() as conn:
        assert len(prepared.execute(conn, statement, params).all()) == 5
    assert len(prepares(statements)) == 1
