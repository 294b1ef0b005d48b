"""Reactions, following, mentions, notifications and muted words."""

from __future__ import annotations

import sqlalchemy as sa

from sharon.extensions import db
from sharon.models import Notification, Post, Reaction, ThreadFollow
from tests.forums.conftest import add_reply, post_reply, start_thread
from tests.helpers import sign_in, submit, text


def react(client, post, kind):
    return submit(client, f"/forums/p/{post.id}/react", {"kind": kind},
                  page=f"/forums/t/{post.thread_id}")


def test_reactions_toggle_and_count(client, app, make_user, general):
    river = make_user(username="river")
    start_thread(river, general)
    post = db.session.scalar(sa.select(Post))
    make_user(username="ash")
    sign_in(client, "ash")
    assert react(client, post, "support").status_code == 302
    html = client.get(f"/forums/t/{post.thread_id}").get_data(as_text=True)
    assert 'aria-pressed="true" class="reaction">Sending support <span class="count">1</span>' \
        in html
    other = app.test_client()
    make_user(username="jonah")
    sign_in(other, "jonah")
    react(other, post, "support")
    react(other, post, "thanks")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Reaction)) == 3
    # Reacting twice takes the reaction back: one of each per person, never two.
    react(client, post, "support")
    kinds = db.session.execute(sa.select(Reaction.user_id, Reaction.kind)).all()
    assert sorted(k for _, k in kinds) == ["support", "thanks"]


def test_unknown_reaction_is_refused(client, make_user, general):
    start_thread(make_user(username="river"), general)
    post = db.session.scalar(sa.select(Post))
    make_user(username="ash")
    sign_in(client, "ash")
    assert react(client, post, "angry").status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Reaction)) == 0


def test_replies_notify_followers_and_mentions_notify_people(client, app, make_user, general):
    river = make_user(username="river")
    thread = start_thread(river, general, title="Morning walks")
    make_user(username="ash")
    make_user(username="jonah")
    sign_in(client, "ash")
    post_reply(client, thread.id, "Lovely, @jonah you would like this")
    assert db.session.get(ThreadFollow, (_id("ash"), thread.id))  # posting follows
    notes = db.session.scalars(sa.select(Notification)).all()
    assert {(n.user_id, n.kind) for n in notes} == {(river.id, "reply"),
                                                    (_id("jonah"), "mention")}
    reader = app.test_client()
    sign_in(reader, "river")
    home = text(reader.get("/"))
    assert "Notifications 1 unread" in home
    page = text(reader.get("/forums/notifications"))
    assert "ash replied in “Morning walks”" in page
    note = db.session.scalar(sa.select(Notification).where(Notification.user_id == river.id))
    response = reader.get(f"/forums/notifications/{note.id}")
    assert f"/forums/p/{note.post_id}" in response.headers["Location"]
    assert "unread" not in text(reader.get("/"))


def _id(username: str) -> int:
    from sharon.models import User

    return db.session.scalar(sa.select(User.id).where(User.username == username))


def test_mark_all_notifications_read(client, make_user, general):
    river = make_user(username="river")
    thread = start_thread(river, general)
    ash = make_user(username="ash")
    for i in range(3):
        add_reply(ash, thread, f"reply {i}")
    sign_in(client, "river")
    assert "3 unread" in text(client.get("/"))
    submit(client, "/forums/notifications/read", {}, page="/forums/notifications")
    assert "unread" not in text(client.get("/"))


def test_someone_elses_notification_is_404(client, make_user, general):
    river = make_user(username="river")
    thread = start_thread(river, general)
    add_reply(make_user(username="ash"), thread)
    note = db.session.scalar(sa.select(Notification))
    make_user(username="jonah")
    sign_in(client, "jonah")
    assert client.get(f"/forums/notifications/{note.id}").status_code == 404
    assert db.session.get(Notification, note.id).read_at is None


def test_mentions_never_reach_people_who_cannot_see_the_space(client, make_user,
                                                              carers_space):
    carer = make_user(username="carer_jo", role="carer")
    make_user(username="river")  # a member: cannot see the carers' space
    start_thread(carer, carers_space, title="Between carers", body="@river what do you think?")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == 0


def test_follow_and_unfollow(client, make_user, general):
    thread = start_thread(make_user(username="river"), general)
    jo = make_user(username="jonah")
    sign_in(client, "jonah")
    submit(client, f"/forums/t/{thread.id}/follow", {}, page=f"/forums/t/{thread.id}")
    add_reply(make_user(username="ash"), thread)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification).where(
        Notification.user_id == jo.id)) == 1
    submit(client, f"/forums/t/{thread.id}/follow", {"follow": "off"},
           page=f"/forums/t/{thread.id}")
    assert db.session.get(ThreadFollow, (jo.id, thread.id)) is None


def test_muted_words_collapse_posts_for_that_person_only(client, app, make_user, general):
    river = make_user(username="river")
    thread = start_thread(river, general, body="Today was about my divorce")
    make_user(username="ash")
    sign_in(client, "ash")
    response = submit(client, "/forums/muted-words", {"term": "Divorce"}, follow_redirects=True)
    assert "will be collapsed for you" in text(response)
    html = client.get(f"/forums/t/{thread.id}").get_data(as_text=True)
    assert "contains “divorce”, which you muted" in html
    other = app.test_client()
    make_user(username="jonah")
    sign_in(other, "jonah")
    assert "which you muted" not in other.get(f"/forums/t/{thread.id}").get_data(as_text=True)
    submit(client, "/forums/muted-words/remove", {"term": "divorce"}, page="/forums/muted-words")
    assert "which you muted" not in client.get(f"/forums/t/{thread.id}").get_data(as_text=True)


def test_a_thread_moved_out_of_sight_stops_notifying(client, app, make_user, general,
                                                     team_space):
    river = make_user(username="river")
    thread = start_thread(river, general, title="Something worrying")
    add_reply(make_user(username="ash"), thread, "a reply while it was public")
    peer = make_user(username="sam_peer", role="peer_supporter")
    thread.category = team_space
    db.session.commit()
    add_reply(peer, thread, "team discussion")
    sign_in(client, "river")
    page = text(client.get("/forums/notifications"))
    assert "Something worrying" not in page and "unread" not in text(client.get("/"))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification).where(
        Notification.user_id == river.id)) == 1  # only the one from before the move
    note = db.session.scalar(sa.select(Notification).where(Notification.user_id == river.id))
    assert client.get(f"/forums/notifications/{note.id}").status_code == 404


def test_search_snippets_are_escaped_once(client, make_user, general):
    start_thread(make_user(username="river"), general, title="Symbols",
                 body="tea < coffee & biscuits")
    make_user(username="ash")
    sign_in(client, "ash")
    html = client.get("/forums/search?q=biscuits").get_data(as_text=True)
    assert "tea &lt; coffee &amp; <mark>biscuits</mark>" in html


def test_notifying_followers_costs_the_same_queries_however_many_there_are(make_user,
                                                                            general):
    from sharon.forums import services
    from sharon.models import ThreadFollow
    from tests.forums.test_reading import count_statements

    river = make_user(username="river")
    small = start_thread(river, general, title="Few followers")
    big = start_thread(river, general, title="Many followers")
    for i in range(15):
        db.session.add(ThreadFollow(user_id=make_user(username=f"fan_{i}").id, thread_id=big.id))
    db.session.add(ThreadFollow(user_id=_id("fan_0"), thread_id=small.id))
    db.session.commit()
    writer = make_user(username="writer")
    services.reply(writer, small, "warming up: the writer's networks are read once")
    db.session.commit()
    reads = []
    for thread in (small, big):
        thread = db.session.get(type(thread), thread.id)
        with count_statements() as statements:
            services.reply(writer, thread, "a reply for @river")
        reads.append([s for s in statements if s.lstrip().upper().startswith("SELECT")])
        db.session.commit()
    assert len(reads[0]) == len(reads[1])
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification).where(
        Notification.thread_id == big.id)) == 16  # 15 followers and river (mentioned)
