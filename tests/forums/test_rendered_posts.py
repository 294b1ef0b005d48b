"""Posts are rendered once and remembered (sharon/forums/fragments.py): every reader
must still see the thread as it is now, from where they stand, with their own token."""

from __future__ import annotations

import re

import sqlalchemy as sa

from sharon.extensions import db
from sharon.models import Post, Reaction
from tests.forums.conftest import add_reply, start_thread
from tests.helpers import csrf_token, sign_in, submit, text


def _post_html(page: str, post: Post) -> str:
    match = re.search(rf'<li class="post[^"]*" id="post-{post.id}">.*?</li>'
                      r'\s*(?=<li class="post|\s*</ol>)', page, re.S)
    assert match, f"post {post.id} is not on the page"
    return match.group(0)


def _reader(app, make_user, username: str, **kwargs):
    make_user(username=username, **kwargs)
    client = app.test_client()
    sign_in(client, username)
    return client


def test_each_reader_sees_the_same_post_from_where_they_stand(app, make_user, general):
    river = make_user(username="river")
    thread = start_thread(river, general, body="A first post about walking")
    reply = add_reply(river, thread, "A reply from river")
    author = app.test_client()
    sign_in(author, "river")
    ash = _reader(app, make_user, "ash")
    moderator = _reader(app, make_user, "mo", role="clinician")

    db.session.add(Reaction(post_id=reply.id, user_id=db.session.scalar(
        sa.select(Post.author_id).where(Post.id == reply.id)), kind="thanks"))
    db.session.commit()
    # Each reads the page in turn, so later readers meet posts already rendered.
    for _ in range(2):
        pages = {name: c.get(f"/forums/t/{thread.id}").get_data(as_text=True)
                 for name, c in (("river", author), ("ash", ash), ("mo", moderator))}
        own, others, team = (_post_html(pages[n], reply) for n in ("river", "ash", "mo"))
        assert "/edit" in own and "/report" not in own
        assert "/report" in others and "/edit" not in others
        assert "/moderate" in team and "/moderate" not in others
        assert 'aria-pressed="true" class="reaction">Thank you' in own
        assert 'aria-pressed="false" class="reaction">Thank you' in others
        # Every form on a page carries that reader's own token, never a placeholder.
        for name, html in pages.items():
            tokens = set(re.findall(r'name="csrf_token"[^>]*value="([^"]+)"', html))
            assert len(tokens) == 1, name
            assert "<!--csrf-->" not in html
        assert len({csrf_token(p) for p in pages.values()}) == 3


def test_a_reaction_made_from_the_rendered_form_is_accepted(app, make_user, general):
    thread = start_thread(make_user(username="river"), general)
    post = db.session.scalar(sa.select(Post))
    for name in ("ash", "jonah"):
        reader = _reader(app, make_user, name)
        response = submit(reader, f"/forums/p/{post.id}/react", {"kind": "support"},
                          page=f"/forums/t/{thread.id}")
        assert response.status_code == 302
    page = _reader(app, make_user, "kim").get(f"/forums/t/{thread.id}")
    assert 'class="reaction">Sending support <span class="count">2</span>' in \
        page.get_data(as_text=True)


def test_changes_show_at_once_never_an_earlier_rendering(client, app, make_user, general):
    river = make_user(username="river")
    thread = start_thread(river, general, body="Before the edit")
    post = db.session.scalar(sa.select(Post))
    ash = _reader(app, make_user, "ash")
    moderator = _reader(app, make_user, "mo", role="peer_supporter")
    assert "Before the edit" in text(ash.get(f"/forums/t/{thread.id}"))

    sign_in(client, "river")
    submit(client, f"/forums/p/{post.id}/edit", {"body": "After the edit"})
    page = text(ash.get(f"/forums/t/{thread.id}"))
    assert "After the edit" in page and "Before the edit" not in page and "Edited" in page

    submit(moderator, f"/forums/p/{post.id}/moderate", {"action": "hide", "reason": "unkind"},
           page=f"/forums/t/{thread.id}")
    assert "After the edit" not in text(ash.get(f"/forums/t/{thread.id}"))
    assert "Hidden: unkind" in text(moderator.get(f"/forums/t/{thread.id}"))

    submit(moderator, f"/forums/p/{post.id}/moderate", {"action": "unhide", "reason": "ok"},
           page=f"/forums/t/{thread.id}")
    assert "After the edit" in text(ash.get(f"/forums/t/{thread.id}"))


def test_a_post_cannot_borrow_the_readers_token(client, app, make_user, general):
    """The token's stand-in, typed into a post, stays text for every reader."""
    river = make_user(username="river")
    thread = start_thread(river, general, body="look: <!--csrf--> and &lt;!--csrf--&gt;")
    ash = _reader(app, make_user, "ash")
    html = ash.get(f"/forums/t/{thread.id}").get_data(as_text=True)
    token = csrf_token(html)
    post = db.session.scalar(sa.select(Post))
    body = _post_html(html, post).split('class="post-body">', 1)[1].split("</div>", 1)[0]
    assert token not in body
    assert "&lt;!--csrf--&gt;" in body


def test_long_posts_are_shown_but_not_kept(app, make_user, general):
    """A worker keeps only pieces of a bounded size, so nobody can fill its memory."""
    from sharon import rendered

    long_body = "See www.example.org for more. " * 300  # about 9,000 characters
    thread = start_thread(make_user(username="river"), general, body=long_body)
    short = add_reply(make_user(username="jo"), thread, "A short reply")
    reader = _reader(app, make_user, "ash")
    html = reader.get(f"/forums/t/{thread.id}").get_data(as_text=True)
    assert html.count("www.example.org") >= 300 and "A short reply" in html
    kept = app.extensions["sharon.rendered"][("forums/_post.html", "post_item")].items
    assert [key.id for key in kept] == [short.id]
    assert all(len(piece) <= rendered.LONGEST_PIECE for piece in kept.values())
