"""Repeat visits: thread and category pages carry a strong ETag made of versions that
cover all they show to that reader, and a matching If-None-Match is a 304 before
anything is drawn (sharon/infra/etags.py); the thread page's few statements."""

from __future__ import annotations

import inspect
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from flask import template_rendered

from sharon.extensions import db
from sharon.forums import services
from sharon.models import MutedWord, Notification, Post, Reaction, Thread, ThreadFollow, User
from tests.forums.conftest import add_reply, start_thread
from tests.forums.test_reading import count_statements
from tests.helpers import sign_in, sign_out


def settled(client, url: str) -> str:
    """The page's ETag once it has settled: the first visit may carry a flashed message
    (never tagged) or move the read marker."""
    for _ in range(3):
        response = client.get(url)
        assert response.status_code == 200
        etag = response.headers.get("ETag")
        if etag and client.get(url, headers={"If-None-Match": etag}).status_code == 304:
            return etag
    raise AssertionError(f"{url} never settled on an ETag")


@contextmanager
def rendered():
    """Every template rendered meanwhile, by name."""
    names: list[str] = []

    def record(sender, template, context, **extra):  # type: ignore[no-untyped-def]
        names.append(template.name)

    template_rendered.connect(record)
    try:
        yield names
    finally:
        template_rendered.disconnect(record)


@pytest.fixture
def scene(client, make_user, general):
    """river's thread with a reply from ash; reader signed in and has read it."""
    river = make_user(username="river")
    ash = make_user(username="ash")
    thread = start_thread(river, general, title="Evening routines", body="Tea and a book")
    add_reply(ash, thread, "A walk helps me")
    reader = make_user(username="reader")
    sign_in(client, "reader")
    return {"river": river.id, "ash": ash.id, "reader": reader.id, "thread": thread.id,
            "url": f"/forums/t/{thread.id}", "category_url": f"/forums/c/{general.id}"}


def _thread(scene) -> Thread:
    return db.session.get(Thread, scene["thread"])


def _post(scene, number: int) -> Post:
    return db.session.scalar(sa.select(Post).where(Post.thread_id == scene["thread"],
                                                   Post.number == number))


def test_a_repeat_visit_is_a_304_drawn_from_nothing(client, scene):
    etag = settled(client, scene["url"])
    assert etag.startswith('"') and not etag.startswith("W/")  # strong
    db.session.expunge_all()
    with rendered() as templates, count_statements() as statements:
        response = client.get(scene["url"], headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response.get_data() == b""
    assert templates == []
    # The reader; the thread with its versions and the header's unread count.
    assert len(statements) <= 2
    assert response.headers["ETag"] == etag
    assert response.headers["Cache-Control"] == "private, no-cache"
    full = client.get(scene["url"])
    assert full.headers["Cache-Control"] == "private, no-cache"
    assert "A walk helps me" in full.get_data(as_text=True)


@pytest.mark.parametrize("header", ['W/{tag}', '"nothing", {tag}', '"a", W/{tag}, "b"', "*"])
def test_if_none_match_lists_and_weak_forms(client, scene, header):
    etag = settled(client, scene["url"])
    assert client.get(scene["url"], headers={
        "If-None-Match": header.format(tag=etag)}).status_code == 304


def test_another_etag_is_drawn_in_full(client, scene):
    etag = settled(client, scene["url"])
    for other in ('"' + "0" * 36 + '"', etag[:-2] + '"', "W/" + etag[:-2] + '"'):
        response = client.get(scene["url"], headers={"If-None-Match": other})
        assert response.status_code == 200 and b"A walk helps me" in response.get_data()


def _change_new_post(scene):
    add_reply(db.session.get(User, scene["ash"]), _thread(scene), "Another reply")


def _change_edit(scene):
    post = _post(scene, 2)
    services.edit(db.session.get(User, scene["ash"]), post, "A walk helps me a lot")
    db.session.commit()


def _change_edit_by_hand(scene):
    # Not through a service: triggers keep the version whatever route the SQL takes.
    db.session.execute(sa.update(Post).where(Post.id == _post(scene, 2).id)
                       .values(body_html="<p>changed by hand</p>"))
    db.session.commit()


def _change_hide(scene):
    _post(scene, 2).status = "hidden"
    db.session.commit()


def _change_reaction(scene):
    db.session.add(Reaction(post_id=_post(scene, 2).id, user_id=scene["river"], kind="thanks"))
    db.session.commit()


def _change_reaction_removed(scene):
    db.session.add(Reaction(post_id=_post(scene, 2).id, user_id=scene["river"], kind="thanks"))
    db.session.commit()
    yield
    db.session.execute(sa.delete(Reaction))
    db.session.commit()


def _change_author_role(scene):
    db.session.get(User, scene["ash"]).role = "peer_supporter"
    db.session.commit()


def _change_author_name(scene):
    db.session.get(User, scene["ash"]).username = "ash_tree"
    db.session.commit()


def _change_reader_role(scene):
    db.session.get(User, scene["reader"]).role = "carer"
    db.session.commit()


def _change_mute(scene):
    db.session.add(MutedWord(user_id=scene["reader"], term="walk"))
    db.session.commit()


def _change_unread(scene):
    db.session.add(Notification(user_id=scene["reader"], kind="reply", thread_id=scene["thread"],
                                actor_id=scene["ash"]))
    db.session.commit()


def _change_follow(scene):
    db.session.add(ThreadFollow(user_id=scene["reader"], thread_id=scene["thread"]))
    db.session.commit()


def _change_lock(scene):
    _thread(scene).locked = True
    db.session.commit()


def _change_category_name(scene):
    _thread(scene).category.name = "Staying well, together"
    db.session.commit()


CHANGES = [_change_new_post, _change_edit, _change_edit_by_hand, _change_hide,
           _change_reaction, _change_reaction_removed, _change_author_role, _change_author_name,
           _change_reader_role, _change_mute, _change_unread, _change_follow, _change_lock,
           _change_category_name]


@pytest.mark.parametrize("change", CHANGES, ids=lambda f: f.__name__.removeprefix("_change_"))
def test_every_change_a_reader_sees_changes_the_thread_etag(client, scene, change):
    steps = change(scene) if inspect.isgeneratorfunction(change) else None
    if steps is not None:  # a change in two steps: the second must show too
        next(steps)
    before = settled(client, scene["url"])
    page_before = client.get(scene["url"]).get_data(as_text=True)
    if steps is not None:
        next(steps, None)
    else:
        change(scene)
    response = client.get(scene["url"], headers={"If-None-Match": before})
    assert response.status_code == 200
    assert response.headers["ETag"] != before
    assert response.get_data(as_text=True) != page_before


def test_a_change_elsewhere_keeps_the_etag(client, scene, make_user, general):
    before = settled(client, scene["url"])
    other = start_thread(make_user(username="sam"), general, title="Another thread")
    add_reply(db.session.get(User, scene["ash"]), other, "Not on the first thread")
    assert client.get(scene["url"], headers={"If-None-Match": before}).status_code == 304


def test_one_readers_etag_never_matches_anothers_page(client, app, scene, make_user):
    mine = settled(client, scene["url"])
    make_user(username="other_reader")
    other = app.test_client()
    sign_in(other, "other_reader")
    theirs = settled(other, scene["url"])
    assert theirs != mine
    response = other.get(scene["url"], headers={"If-None-Match": mine})
    assert response.status_code == 200 and response.headers["ETag"] == theirs
    # The same person, signed out and in again: a new session, new tokens, a new ETag.
    sign_out(client)
    sign_in(client, "reader")
    again = client.get(scene["url"], headers={"If-None-Match": mine})
    assert again.status_code == 200 and again.headers.get("ETag") != mine


def test_errors_and_quotes_carry_no_etag(client, scene, make_user, carers_space):
    missing = client.get("/forums/t/99999")
    assert missing.status_code == 404 and "ETag" not in missing.headers
    hidden = start_thread(make_user(username="carer_jo", role="carer"), carers_space)
    assert "ETag" not in client.get(f"/forums/t/{hidden.id}").headers
    assert client.get(f"/forums/t/{hidden.id}", headers={"If-None-Match": "*"}).status_code == 404
    quoting = client.get(f"{scene['url']}?quote={_post(scene, 2).id}")
    assert quoting.status_code == 200 and "ETag" not in quoting.headers
    assert "no-store" in quoting.headers["Cache-Control"]


def test_a_flashed_message_is_never_answered_304(client, scene):
    etag = settled(client, scene["url"])
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "Your post is published.")]
    response = client.get(scene["url"], headers={"If-None-Match": etag})
    assert response.status_code == 200 and "Your post is published." in response.get_data(
        as_text=True)
    assert "ETag" not in response.headers


def test_category_etag_follows_threads_and_the_readers_markers(client, scene, general):
    url = scene["category_url"]
    first = settled(client, url)
    add_reply(db.session.get(User, scene["ash"]), _thread(scene), "A new reply")
    response = client.get(url, headers={"If-None-Match": first})
    assert response.status_code == 200 and "New posts" in response.get_data(as_text=True)
    unread = settled(client, url)
    client.get(scene["url"])  # reading the thread moves the read marker
    response = client.get(url, headers={"If-None-Match": unread})
    assert response.status_code == 200 and "New posts" not in response.get_data(as_text=True)
    read = settled(client, url)
    _thread(scene).title = "Evening routines, renamed"
    db.session.commit()
    assert client.get(url, headers={"If-None-Match": read}).status_code == 200
    renamed = settled(client, url)
    db.session.get(User, scene["river"]).username = "river_bank"  # an author's name
    db.session.commit()
    assert client.get(url, headers={"If-None-Match": renamed}).status_code == 200
    assert "ETag" not in client.get(f"{url}?after=garbage").headers


def test_signed_in_thread_page_runs_three_statements(client, scene, make_user):
    """At most four (issue 17), and three: the reader; the thread with its visibility,
    its versions and the header's unread count; the posts with their reactions and the
    reader's state. The same on SQLite and PostgreSQL, and the same for a long page as
    for a short one."""
    big = start_thread(db.session.get(User, scene["river"]), _thread(scene).category,
                       title="A longer thread")
    for i in range(19):
        reply = add_reply(make_user(username=f"friend_{i}"), big, f"reply {i} with a word")
        db.session.add(Reaction(post_id=reply.id, user_id=scene["river"], kind="support"))
    db.session.add(MutedWord(user_id=scene["reader"], term="nothing_matches"))
    db.session.commit()
    counts = []
    for url in (scene["url"], f"/forums/t/{big.id}"):
        client.get(url)  # warm: the read marker moves, kept rules are read
        client.get(url)
        db.session.expunge_all()
        with count_statements() as statements:
            response = client.get(url)  # no If-None-Match: drawn in full
        assert response.status_code == 200 and b"<ol class=\"posts\">" in response.get_data()
        assert not any(s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
                       for s in statements)
        counts.append(len(statements))
    assert counts[0] == counts[1] == 3
