"""What people see: spaces by audience, listings, unread markers, fixed query counts."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from sharon.extensions import db
from sharon.models import Thread, ThreadRead
from tests.forums.conftest import add_reply, start_thread
from tests.helpers import pager_link, sign_in, text


def test_forums_need_signing_in(client, general):
    assert client.get("/forums/").status_code == 302
    assert client.get(f"/forums/c/{general.id}").status_code == 302


@pytest.mark.parametrize("role, sees_carers, sees_team", [
    ("member", False, False),
    ("carer", True, False),
    ("peer_supporter", True, True),
    ("clinician", True, True),
])
def test_spaces_by_audience(client, make_user, general, carers_space, team_space, role,
                            sees_carers, sees_team):
    make_user(username="someone", role=role)
    sign_in(client, "someone")
    page = text(client.get("/forums/"))
    assert "Staying well" in page
    assert ("Carers' corner" in page) == sees_carers
    assert ("Team room" in page) == sees_team
    assert client.get(f"/forums/c/{carers_space.id}").status_code == (200 if sees_carers
                                                                      else 404)
    assert client.get(f"/forums/c/{team_space.id}").status_code == (200 if sees_team else 404)


def test_other_networks_are_invisible_to_members_but_not_to_staff(client, app, make_user,
                                                                  other_network_space):
    make_user(username="river")
    sign_in(client, "river")
    assert "New parents" not in text(client.get("/forums/"))
    assert client.get(f"/forums/c/{other_network_space.id}").status_code == 404
    staff = app.test_client()
    make_user(username="dr_lee", role="clinician", networks=[])
    sign_in(staff, "dr_lee")
    assert "New parents" in text(staff.get("/forums/"))


def test_threads_inside_a_restricted_space_are_404(client, app, make_user, carers_space):
    carer = make_user(username="carer_jo", role="carer")
    thread = start_thread(carer, carers_space, title="Caring is tiring")
    make_user(username="river")
    sign_in(client, "river")
    assert client.get(f"/forums/t/{thread.id}").status_code == 404
    post_id = thread.id  # the first post's id matches in a fresh database
    assert client.get(f"/forums/p/{post_id}").status_code == 404


def test_listing_puts_pinned_first_then_latest_activity(client, make_user, general,
                                                        frozen_clock):
    river = make_user(username="river")
    old = start_thread(river, general, title="Oldest thread")
    frozen_clock.advance(minutes=5)
    start_thread(river, general, title="Middle thread")
    frozen_clock.advance(minutes=5)
    start_thread(river, general, title="Newest thread")
    frozen_clock.advance(minutes=5)
    pinned = start_thread(river, general, title="Pinned welcome")
    pinned.pinned = True
    db.session.commit()
    frozen_clock.advance(minutes=5)
    add_reply(river, old, "bumping this")
    sign_in(client, "river")
    page = text(client.get(f"/forums/c/{general.id}"))
    order = [page.index(t) for t in ("Pinned welcome", "Oldest thread", "Newest thread",
                                     "Middle thread")]
    assert order == sorted(order)


def test_category_pages_have_stable_page_links(client, make_user, general):
    river = make_user(username="river")
    for i in range(27):
        start_thread(river, general, title=f"Thread number {i:02d}")
    sign_in(client, "river")
    first = client.get(f"/forums/c/{general.id}")
    assert pager_link(first, "prev") is None
    second = client.get(pager_link(first, "next"))
    assert "Thread number 01" in text(second) and "Thread number 00" in text(second)
    assert "Thread number 26" not in text(second) and pager_link(second, "next") is None
    # Old numbered links go to the first page rather than break.
    for old in ("2", "999"):
        response = client.get(f"/forums/c/{general.id}?page={old}")
        assert response.status_code == 302
        assert response.headers["Location"] == f"/forums/c/{general.id}"
    assert client.get(f"/forums/c/{general.id}?page=abc").status_code == 200


def test_new_posts_are_marked_and_the_first_unread_is_one_click_away(client, app, make_user,
                                                                     general):
    river = make_user(username="river")
    ash = make_user(username="ash")
    thread = start_thread(river, general, title="Evening routines")
    for i in range(24):
        add_reply(river, thread, f"reply {i}")
    sign_in(client, "ash")
    assert "New posts" in text(client.get(f"/forums/c/{general.id}"))
    client.get(f"/forums/t/{thread.id}")  # reads page 1: posts 1-20
    marker = db.session.get(ThreadRead, (ash.id, thread.id))
    assert marker.last_read_number == 20
    response = client.get(f"/forums/t/{thread.id}/unread")
    location = response.headers["Location"]
    assert "page=2" in location and location.endswith("#post-21")
    client.get(f"/forums/t/{thread.id}?page=2")
    assert "New posts" not in text(client.get(f"/forums/c/{general.id}"))
    add_reply(river, thread, "one more")
    assert "New posts" in text(client.get(f"/forums/c/{general.id}"))


def test_reading_writes_nothing_when_nothing_new(client, make_user, general):
    river = make_user(username="river")
    thread = start_thread(river, general)
    make_user(username="ash")
    sign_in(client, "ash")
    client.get(f"/forums/t/{thread.id}")
    with count_statements() as statements:
        client.get(f"/forums/t/{thread.id}")
        client.get(f"/forums/c/{general.id}")
        client.get("/forums/")
    writes = [s for s in statements if s.split()[0].upper() in ("INSERT", "UPDATE", "DELETE")]
    assert writes == []


@contextmanager
def count_statements(prepares: bool = False):
    # Each request in production starts with an empty session; so does each measurement.
    db.session.expire_all()
    statements: list[str] = []

    def record(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        # A PREPARE is made once per database connection (sharon/infra/prepared.py), and
        # the tests' NullPool gives each request a new one: what a page costs in use is
        # its EXECUTE. tests/forums/test_prepared.py checks the PREPARE is made only once.
        if prepares or not statement.startswith("PREPARE "):
            statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)


def test_thread_page_query_count_does_not_grow_with_posts(client, make_user, general):
    river = make_user(username="river")
    others = [make_user(username=f"friend_{i}") for i in range(20)]
    small = start_thread(river, general, title="Small thread")
    big = start_thread(river, general, title="Big thread")
    for i in range(2):
        add_reply(others[i], small, f"reply {i}")
    for i in range(19):
        add_reply(others[i], big, f"reply {i} with a [link](https://example.org)")
    make_user(username="reader")
    sign_in(client, "reader")
    for thread in (small, big):  # warm up: first reads write a read marker
        client.get(f"/forums/t/{thread.id}")
    with count_statements() as few:
        client.get(f"/forums/t/{small.id}")
    with count_statements() as many:
        client.get(f"/forums/t/{big.id}")
    assert len(few) == len(many)
    assert len(many) <= 12
    # Each count right after a warm-up read: rules are kept for 5 seconds
    # (sharon/infra/kept_rules.py), and writing ten threads (each screened by the meaning
    # check in CI) may take longer than that, so a re-read could land in one count only.
    client.get(f"/forums/c/{general.id}")
    with count_statements() as listing_small:
        client.get(f"/forums/c/{general.id}")
    for i in range(10):
        start_thread(others[i], general, title=f"Another thread {i}")
    client.get(f"/forums/c/{general.id}")
    with count_statements() as listing_big:
        client.get(f"/forums/c/{general.id}")
    assert len(listing_small) == len(listing_big)


def test_unknown_thread_and_post_are_404(client, make_user):
    make_user(username="river")
    sign_in(client, "river")
    assert client.get("/forums/t/999").status_code == 404
    assert client.get("/forums/p/999").status_code == 404
    assert client.get("/forums/c/999").status_code == 404


def test_labels_show_carers_and_moderator_kinds(client, make_user, general):
    start_thread(make_user(username="carer_jo", role="carer"), general, title="From a carer")
    thread = db.session.scalar(sa.select(Thread))
    add_reply(make_user(username="sam_peer", role="peer_supporter"), thread, "Welcome!")
    add_reply(make_user(username="dr_lee", role="clinician"), thread, "Good to see you")
    make_user(username="river")
    sign_in(client, "river")
    page = text(client.get(f"/forums/t/{thread.id}"))
    assert "carer_jo carer" in page
    assert "sam_peer peer supporter" in page
    assert "dr_lee clinician" in page
