"""Starting threads, replying, quoting, editing and removing, with every bad input."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
import sqlalchemy as sa

from sharon.content import ALLOWED_TAGS
from sharon.extensions import db
from sharon.models import Post, PostRevision, Thread
from tests.forums.conftest import add_reply, new_thread, post_reply, start_thread
from tests.helpers import sign_in, submit, text


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        self.found.append((tag, attrs))


def assert_safe_html(html: str) -> None:
    """Only allow-listed tags and attributes, and only web, mail or phone links."""
    parser = _Tags()
    parser.feed(html)
    for tag, attrs in parser.found:
        assert tag in ALLOWED_TAGS | {"div"}, tag
        for name, value in attrs:
            assert not name.startswith("on"), name
            assert name in ("href", "title", "rel", "start", "class"), name
            if name == "href":
                assert value and value.split(":")[0].lower() in ("http", "https", "mailto",
                                                                 "tel"), value


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_start_a_thread_and_reply(client, make_user, general):
    make_user(username="river")
    sign_in(client, "river")
    response = new_thread(client, general.id, "Small win today", "I went for a **walk**.",
                          kind="win")
    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    body = text(page)
    assert "Small win today" in body and "Sharing a small win" in body
    assert "<strong>walk</strong>" in page.get_data(as_text=True)
    assert "Your post is published" in body
    thread = db.session.scalar(sa.select(Thread))
    response = post_reply(client, thread.id, "And I *read* a book")
    assert response.status_code == 302 and "#post-" in response.headers["Location"]
    db.session.expire_all()
    thread = db.session.get(Thread, thread.id)
    assert thread.reply_count == 1 and thread.last_number == 2
    listing = text(client.get(f"/forums/c/{general.id}"))
    assert "Small win today" in listing and "1 reply" in listing


@pytest.mark.parametrize("title, body, message", [
    ("Hey", "fine body", "A title needs 5 to 150 characters"),
    ("x" * 151, "fine body", "A title needs 5 to 150 characters"),
    ("A good title", "", "Write your message"),
    ("A good title", "   ", "Write your message"),
    ("A good title", "y" * 10_001, "Posts can be up to 10,000 characters"),
])
def test_bad_threads_are_refused(client, make_user, general, title, body, message):
    make_user(username="river")
    sign_in(client, "river")
    response = new_thread(client, general.id, title, body)
    assert response.status_code == 400
    assert message in text(response)
    assert count(Thread) == 0 and count(Post) == 0


def test_bad_replies_are_refused(client, make_user, general):
    river = make_user(username="river")
    thread = start_thread(river, general)
    sign_in(client, "river")
    assert "Write your reply" in text(post_reply(client, thread.id, ""))
    assert "up to 10,000" in text(post_reply(client, thread.id, "z" * 10_001))
    assert count(Post) == 1


HOSTILE = [
    "<script>alert('x')</script>",
    "<img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "<svg onload=alert(1)><circle/></svg>",
    '<a href="https://x.org" onclick="steal()">x</a>',
    "<iframe src=https://evil.example></iframe>",
    "![x](https://evil.example/track.png)",
]


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_markdown_and_html_are_made_safe(client, make_user, general, hostile):
    make_user(username="river")
    sign_in(client, "river")
    new_thread(client, general.id, "Testing things", hostile)
    post = db.session.scalar(sa.select(Post))
    assert_safe_html(post.body_html)
    page = client.get(f"/forums/t/{post.thread_id}").get_data(as_text=True)
    start = page.index('<div class="post-body">')
    assert_safe_html(page[start:page.index("</div>", start)])
    assert post.body_source == hostile  # the source is kept as written


def test_links_are_nofollow_ugc(client, make_user, general):
    make_user(username="river")
    sign_in(client, "river")
    new_thread(client, general.id, "Useful link", "See https://www.nhs.uk/mental-health/")
    assert 'rel="nofollow ugc noopener noreferrer"' in db.session.scalar(
        sa.select(Post.body_html))


def test_replying_to_a_locked_thread_is_refused(client, make_user, general):
    river = make_user(username="river")
    thread = start_thread(river, general)
    thread.locked = True
    db.session.commit()
    sign_in(client, "river")
    page = text(client.get(f"/forums/t/{thread.id}"))
    assert "This thread is locked" in page
    response = post_reply(client, thread.id, "let me in")
    assert response.status_code == 400 and "locked" in text(response)
    assert count(Post) == 1


def test_moderators_may_reply_to_a_locked_thread(client, make_user, general):
    thread = start_thread(make_user(username="river"), general)
    thread.locked = True
    db.session.commit()
    make_user(username="sam_peer", role="peer_supporter")
    sign_in(client, "sam_peer")
    assert post_reply(client, thread.id, "A closing word from the team").status_code == 302


def test_replying_to_a_hidden_thread_is_refused(client, make_user, general):
    thread = start_thread(make_user(username="river"), general)
    thread.hidden = True
    db.session.commit()
    make_user(username="ash")
    sign_in(client, "ash")
    assert client.get(f"/forums/t/{thread.id}").status_code == 404
    assert post_reply(client, thread.id, "hello?").status_code == 404
    assert count(Post) == 1


def test_posting_outside_your_audience_is_404(client, make_user, carers_space, team_space,
                                              other_network_space):
    make_user(username="river")  # a member of the default network only
    sign_in(client, "river")
    for space in (carers_space, team_space, other_network_space):
        assert client.get(f"/forums/c/{space.id}").status_code == 404
        response = new_thread(client, space.id, "Sneaking in", "hello")
        assert response.status_code == 404
    assert count(Thread) == 0


def test_quote_reply_fills_the_form(client, make_user, general):
    river = make_user(username="river")
    thread = start_thread(river, general, body="Walking helps me\nevery day")
    make_user(username="ash")
    sign_in(client, "ash")
    first = db.session.scalar(sa.select(Post))
    page = client.get(f"/forums/t/{thread.id}?quote={first.id}").get_data(as_text=True)
    assert "@river wrote:\n&gt; Walking helps me\n&gt; every day" in page


def test_author_edits_and_moderators_see_earlier_versions(client, app, make_user, general):
    river = make_user(username="river")
    thread = start_thread(river, general, body="First version")
    post = db.session.scalar(sa.select(Post))
    sign_in(client, "river")
    response = submit(client, f"/forums/p/{post.id}/edit", {"body": "Second version"})
    assert response.status_code == 302
    page = text(client.get(f"/forums/t/{thread.id}"))
    assert "Second version" in page and "Edited" in page
    assert "earlier versions" not in page
    assert client.get(f"/forums/p/{post.id}/history").status_code == 403
    assert count(PostRevision) == 1
    mod = app.test_client()
    make_user(username="sam_peer", role="peer_supporter")
    sign_in(mod, "sam_peer")
    history = text(mod.get(f"/forums/p/{post.id}/history"))
    assert "First version" in history and "Second version" in history


def test_editing_or_removing_someone_elses_post_is_forbidden(client, make_user, general):
    start_thread(make_user(username="river"), general, body="Mine")
    post = db.session.scalar(sa.select(Post))
    make_user(username="ash")
    sign_in(client, "ash")
    assert client.get(f"/forums/p/{post.id}/edit").status_code == 403
    token_page = f"/forums/t/{post.thread_id}"
    assert submit(client, f"/forums/p/{post.id}/edit", {"body": "Hacked"},
                  page=token_page).status_code == 403
    assert submit(client, f"/forums/p/{post.id}/delete", {}, page=token_page).status_code == 403
    db.session.expire_all()
    post = db.session.get(Post, post.id)
    assert post.body_source == "Mine" and post.status == "visible"


def test_author_removes_a_post_softly(client, make_user, general):
    river = make_user(username="river")
    thread = start_thread(river, general)
    reply = add_reply(river, thread, "I regret this")
    sign_in(client, "river")
    response = submit(client, f"/forums/p/{reply.id}/delete", {})
    assert response.status_code == 302
    page = text(client.get(f"/forums/t/{thread.id}"))
    assert "This post was removed by the author" in page and "I regret this" not in page
    db.session.expire_all()
    assert db.session.get(Post, reply.id).body_source == "I regret this"  # kept for the team
    assert db.session.get(Thread, thread.id).reply_count == 0


def test_content_note_hides_the_body_until_opened(client, make_user, general):
    make_user(username="river")
    sign_in(client, "river")
    new_thread(client, general.id, "A hard week", "Some difficult details here",
               content_note="mentions loss")
    thread = db.session.scalar(sa.select(Thread))
    html = client.get(f"/forums/t/{thread.id}").get_data(as_text=True)
    assert ('<details class="nhsuk-details content-note"><summary class="nhsuk-details__summary">'
            '<span class="nhsuk-details__summary-text">Content note: mentions loss.' in html)
    assert html.index("<details") < html.index("Some difficult details here")


@pytest.mark.parametrize("app_config", [{"SHARON_PREMODERATE_FIRST_POSTS": 1}])
def test_new_member_premoderation(client, app, make_user, general):
    make_user(username="river")
    sign_in(client, "river")
    response = new_thread(client, general.id, "My first thread", "Hello all")
    page = text(client.get(response.headers["Location"]))
    assert "Your post will appear once a moderator has looked at it" in page
    thread = db.session.scalar(sa.select(Thread))
    assert thread.held
    other = app.test_client()
    make_user(username="ash")
    sign_in(other, "ash")
    assert "My first thread" not in text(other.get(f"/forums/c/{general.id}"))
    assert other.get(f"/forums/t/{thread.id}").status_code == 404
    mod = app.test_client()
    make_user(username="sam_peer", role="peer_supporter")
    sign_in(mod, "sam_peer")
    assert "new member's post" in text(mod.get("/moderation/"))
    post = db.session.scalar(sa.select(Post))
    submit(mod, f"/forums/p/{post.id}/moderate", {"action": "approve", "reason": "fine"},
           page=f"/forums/t/{thread.id}")
    assert "My first thread" in text(other.get(f"/forums/c/{general.id}"))
    # The second post is not held: the first N have been approved.
    response = post_reply(client, thread.id, "Thanks for approving")
    assert "Your post is published" in text(client.get(response.headers["Location"]))


def test_control_characters_are_dropped(client, make_user, general):
    make_user(username="river")
    sign_in(client, "river")
    response = new_thread(client, general.id, "Null\x00 title", "body with a \x00 NUL\x07")
    assert response.status_code == 302
    post = db.session.scalar(sa.select(Post))
    assert post.body_source == "body with a  NUL" and post.thread.title == "Null title"


def test_a_removed_post_cannot_be_read_by_quoting_or_reporting_it(client, make_user, general):
    river = make_user(username="river")
    thread = start_thread(river, general)
    regret = add_reply(river, thread, "12 Example Road, my ex Sam")
    sign_in(client, "river")
    submit(client, f"/forums/p/{regret.id}/delete", {})
    make_user(username="ash")
    other = client.application.test_client()
    sign_in(other, "ash")
    assert other.get(f"/forums/t/{thread.id}?quote={regret.id}").status_code == 404
    assert other.get(f"/forums/p/{regret.id}/report").status_code == 404
    assert "Example Road" not in other.get(f"/forums/t/{thread.id}").get_data(as_text=True)


def test_quoting_a_hidden_post_is_404_for_its_moderator_too(client, make_user, general):
    river = make_user(username="river")
    thread = start_thread(river, general)
    reply = add_reply(river, thread, "to be hidden")
    reply.status = "hidden"
    db.session.commit()
    make_user(username="sam_peer", role="peer_supporter")
    sign_in(client, "sam_peer")
    assert client.get(f"/forums/t/{thread.id}?quote={reply.id}").status_code == 404
    assert client.get(f"/forums/t/{thread.id}?quote=abc").status_code == 404
