"""The site header and the reply form are remembered pieces (sharon/infra/remembered.py): each
reader must still see their own, as things are now, and send their own tokens, which
no remembered piece holds."""

from __future__ import annotations

import re

import sqlalchemy as sa

from sharon.extensions import db
from sharon.models import Notification, Thread
from tests.forums.buttons import press
from tests.forums.conftest import post_reply, start_thread
from tests.helpers import csrf_token, sign_in, submit, text


def _header(response) -> str:
    html = response.get_data(as_text=True)
    return html[html.index("<header class=\"nhsuk-header site-header\""):html.index("</header>")]


def test_each_reader_gets_their_own_header(app, make_user, general):
    river = make_user(username="river")
    thread = start_thread(river, general)
    make_user(username="ash")
    make_user(username="mo", role="peer_supporter")
    readers = {}
    for name in ("river", "ash", "mo"):
        readers[name] = app.test_client()
        sign_in(readers[name], name)
    for _ in range(2):  # the second round meets headers already remembered
        headers = {n: _header(c.get(f"/forums/t/{thread.id}")) for n, c in readers.items()}
        for name, header in headers.items():
            assert f"Your account ({name})" in text_of(header)
            assert ('aria-current="page"><strong class='
                    '"nhsuk-header__navigation-item-current-fallback">Forums</strong>' in header)
            assert "csrf_token" not in header
        assert "Moderation" in text_of(headers["mo"])
        assert "Moderation" not in text_of(headers["ash"])
    # The count of unread notifications is as it is now, not as it was.
    post_reply(readers["ash"], thread.id, "Hello river")
    assert "Notifications 1 unread" in text(readers["river"].get("/guidelines"))
    db.session.execute(sa.update(Notification).values(read_at=sa.func.current_timestamp()))
    db.session.commit()
    assert "unread" not in text_of(_header(readers["river"].get("/guidelines")))


def test_signing_out_from_the_header_uses_the_readers_own_token(app, make_user):
    for name in ("river", "ash"):
        make_user(username=name)
        client = app.test_client()
        sign_in(client, name)
        page = client.get("/guidelines").get_data(as_text=True)
        url, data = press(page, lambda b: b.text == "Sign out")
        assert (url, data) == ("/sign-out", {"csrf_token": csrf_token(page)})
        assert client.post(url, data=data).status_code == 302
        assert "Sign in" in text_of(_header(client.get("/guidelines")))


def test_visitors_get_a_header_without_any_token(client):
    response = client.get("/guidelines")
    header = _header(response)
    assert "Sign in" in text_of(header) and "Join with an invitation" in text_of(header)
    assert "csrf" not in header
    assert "Set-Cookie" not in response.headers


def test_the_reply_box_follows_the_thread_and_keeps_what_was_typed(app, make_user,
                                                                   general):
    river = make_user(username="river")
    thread = start_thread(river, general)
    make_user(username="mo", role="clinician")
    member, moderator = app.test_client(), app.test_client()
    sign_in(member, "river")
    sign_in(moderator, "mo")
    assert "Post reply" in text(member.get(f"/forums/t/{thread.id}"))

    submit(moderator, f"/forums/t/{thread.id}/moderate", {"action": "lock", "reason": ""},
           page=f"/forums/t/{thread.id}")
    assert db.session.get(Thread, thread.id).locked
    assert "This thread is locked" in text(member.get(f"/forums/t/{thread.id}"))
    assert "Post reply" in text(moderator.get(f"/forums/t/{thread.id}"))

    # A refused reply comes back with its error and what the person typed.
    response = post_reply(moderator, thread.id, "", content_note="kept for you")
    assert response.status_code == 400
    assert "Write your reply" in text(response)
    assert 'value="kept for you"' in response.get_data(as_text=True)
    # And the next blank box is blank again.
    page = moderator.get(f"/forums/t/{thread.id}").get_data(as_text=True)
    assert "kept for you" not in page and "Write your reply" not in page


def test_the_remembered_reply_form_sends_each_readers_own_tokens(app, make_user, general):
    thread = start_thread(make_user(username="river"), general)
    sent = []
    for name in ("ash", "jonah"):
        make_user(username=name)
        client = app.test_client()
        sign_in(client, name)
        page = client.get(f"/forums/t/{thread.id}").get_data(as_text=True)
        url, data = press(page, lambda b: b.text == "Post reply",
                          fill={"body": f"Hello from {name}"})
        assert url == f"/forums/t/{thread.id}/reply"
        assert data["csrf_token"] == csrf_token(page)
        assert data["submission"] not in sent
        sent += [data["csrf_token"], data["submission"]]
        assert client.post(url, data=data).status_code == 302
        assert f"Hello from {name}" in text(client.get(f"/forums/t/{thread.id}"))
    for remembered in app.extensions["sharon.remembered"].values():
        for html in remembered.items.values():
            assert not any(secret in html for secret in sent)


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()
