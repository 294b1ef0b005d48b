"""Listings paged by keyset (issue 17): "Newer" and "Older" links that carry the last
row's sort key, so the last page of a category costs what the first does; page links
that were changed are refused with the first page; old numbered links still work."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from sharon.extensions import db
from sharon.models import Notification, Thread
from tests.forums.conftest import add_reply, start_thread
from tests.helpers import pager_link, sign_in, text


def _titles(response) -> list[str]:  # type: ignore[no-untyped-def]
    """The threads listed, in order (each title once, though a row may name it twice)."""
    return list(dict.fromkeys(re.findall(r"(Thread \d{2})\b", text(response))))


def _walk(client, url: str) -> list:  # type: ignore[no-untyped-def]
    """Every page from `url`, following "Older" until there is none."""
    pages = [client.get(url)]
    while (older := pager_link(pages[-1], "next")) is not None:
        assert len(pages) < 10
        pages.append(client.get(older))
    return pages


def test_category_pages_walk_older_and_back_newer_without_gaps(client, make_user, general,
                                                               frozen_clock):
    river = make_user(username="river")
    threads = []
    for i in range(60):
        # Runs of threads share one time, so the id alone must break ties.
        if i % 4 == 0:
            frozen_clock.advance(minutes=1)
        threads.append(start_thread(river, general, title=f"Thread {i:02d}"))
    for thread in threads[5:7]:
        thread.pinned = True
    db.session.commit()
    sign_in(client, "river")
    pages = _walk(client, f"/forums/c/{general.id}")
    assert [len(_titles(p)) for p in pages] == [25, 25, 10]
    seen = [title for page in pages for title in _titles(page)]
    newest_first = [f"Thread {i:02d}" for i in range(59, -1, -1) if i not in (5, 6)]
    assert seen == ["Thread 06", "Thread 05", *newest_first]
    assert pager_link(pages[0], "prev") is None and "Newer" in text(pages[1])
    assert all(p.status_code == 200 for p in pages)
    assert "(more threads)" in text(pages[2]) and "(more threads)" not in text(pages[0])
    # Back again by "Newer": the same pages, and the top has no "Newer" link.
    middle = client.get(pager_link(pages[2], "prev"))
    assert _titles(middle) == _titles(pages[1])
    top = client.get(pager_link(middle, "prev"))
    assert _titles(top) == _titles(pages[0]) and pager_link(top, "prev") is None


def test_a_new_thread_does_not_shift_the_older_pages(client, make_user, general, frozen_clock):
    river = make_user(username="river")
    for i in range(30):
        frozen_clock.advance(minutes=1)
        start_thread(river, general, title=f"Thread {i:02d}")
    sign_in(client, "river")
    older = pager_link(client.get(f"/forums/c/{general.id}"), "next")
    frozen_clock.advance(minutes=1)
    start_thread(river, general, title="Thread 99")
    # OFFSET would now show "Thread 05" twice; the key carries on from where it was.
    assert _titles(client.get(older)) == [f"Thread {i:02d}" for i in range(4, -1, -1)]


@pytest.mark.parametrize("token", [
    "made-up", "", "x" * 500,
    # A real token for another listing: signed, but not for this one.
    "notifications",
    # A real token with one character changed.
    "tampered",
])
def test_a_changed_page_link_shows_the_first_page_with_a_400(client, make_user, general,
                                                             frozen_clock, token):
    river = make_user(username="river")
    for i in range(30):
        frozen_clock.advance(minutes=1)
        start_thread(river, general, title=f"Thread {i:02d}")
    sign_in(client, "river")
    real = pager_link(client.get(f"/forums/c/{general.id}"), "next").split("after=")[1]
    if token == "tampered":
        token = real[:-3] + ("A" if real[-3] != "A" else "B") + real[-2:]
    elif token == "notifications":
        from sharon.infra import keyset

        with client.application.test_request_context():
            token = keyset.encode("notifications", (frozen_clock.now, 1))
    before = db.session.scalar(sa.select(sa.func.count()).select_from(Thread))
    for arg in ("after", "before"):
        response = client.get(f"/forums/c/{general.id}", query_string={arg: token})
        assert response.status_code == 400
        assert "That page link was not valid" in text(response)
        assert _titles(response)[:2] == ["Thread 29", "Thread 28"]  # the first page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Thread)) == before


def _statements(app, run):  # type: ignore[no-untyped-def]
    seen: list[tuple[str, object]] = []

    def note(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        seen.append((statement, parameters))

    sa.event.listen(db.engine, "before_cursor_execute", note)
    try:
        run()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", note)
    return seen


def _no_offset(statement: str, parameters: object) -> bool:
    """No OFFSET past the first row (SQLAlchemy writes "OFFSET ?" with 0 on SQLite)."""
    if "OFFSET" not in statement.upper():
        return True
    return statement.rstrip().endswith("OFFSET ?") and list(parameters)[-1] == 0  # type: ignore[call-overload]


def _plan(statement: str, parameters: object) -> str:
    """The database's plan for a statement, with sequential scans and sorts made as dear
    as they go, so a plan without a sort means the index serves the order."""
    with db.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("SET enable_seqscan = off")
            conn.exec_driver_sql("SET enable_sort = off")
            rows = conn.exec_driver_sql("EXPLAIN " + statement, parameters).all()
            return "\n".join(r[0] for r in rows)
        rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
        return "\n".join(str(r[-1]) for r in rows)


@pytest.mark.parametrize("where", ["first", "older"])
def test_category_pages_use_the_listing_index_without_offset(app, client, make_user, general,
                                                             frozen_clock, where):
    river = make_user(username="river")
    for i in range(30):
        frozen_clock.advance(minutes=1)
        start_thread(river, general, title=f"Thread {i:02d}")
    sign_in(client, "river")
    url = f"/forums/c/{general.id}"
    if where == "older":
        url = pager_link(client.get(url), "next")
    seen = _statements(app, lambda: client.get(url))
    listing = [(s, p) for s, p in seen if re.search(r"FROM threads\b", s) and "ORDER BY" in s]
    assert len(listing) == 1
    statement, parameters = listing[0]
    assert _no_offset(statement, parameters) and "count(" not in statement.lower()
    plan = _plan(statement, parameters)
    assert "ix_threads_listing" in plan
    assert "TEMP B-TREE" not in plan and not re.search(r"^\s*(->\s*)?(Incremental )?Sort\b",
                                                        plan, re.M)


def test_notifications_page_by_keyset(client, make_user, general, frozen_clock):
    river, ash = make_user(username="river"), make_user(username="ash")
    thread = start_thread(ash, general, title="Ash's thread")
    post = add_reply(river, thread, "a reply")
    for i in range(55):
        if i % 5 == 0:
            frozen_clock.advance(minutes=1)
        db.session.add(Notification(user_id=ash.id, kind="reply", actor_id=river.id,
                                    thread_id=thread.id, post_id=post.id))
    db.session.commit()
    sign_in(client, "ash")
    pages = _walk(client, "/forums/notifications")
    # 56: the 55 made here, and the one the reply itself made.
    assert [text(p).count("replied in") for p in pages] == [50, 6]
    ids = [int(n) for p in pages
           for n in re.findall(r"/forums/notifications/(\d+)\"", p.get_data(as_text=True))]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == 56
    back = client.get(pager_link(pages[1], "prev"))
    assert text(back).count("replied in") == 50 and pager_link(back, "prev") is None
    bad = client.get("/forums/notifications?before=nonsense")
    assert bad.status_code == 400 and "That page link was not valid" in text(bad)
    assert text(bad).count("replied in") == 50
    old = client.get("/forums/notifications?page=3")
    assert old.status_code == 302 and old.headers["Location"] == "/forums/notifications"


def test_notifications_page_uses_its_index(app, client, make_user, general):
    river, ash = make_user(username="river"), make_user(username="ash")
    thread = start_thread(ash, general, title="Ash's thread")
    post = add_reply(river, thread, "a reply")
    db.session.add(Notification(user_id=ash.id, kind="reply", actor_id=river.id,
                                thread_id=thread.id, post_id=post.id))
    db.session.commit()
    sign_in(client, "ash")
    seen = _statements(app, lambda: client.get("/forums/notifications"))
    listing = [(s, p) for s, p in seen if re.search(r"FROM notifications\b", s)
               and "ORDER BY" in s]
    assert len(listing) == 1 and _no_offset(*listing[0])
    assert "ix_notifications_user_created" in _plan(*listing[0])
