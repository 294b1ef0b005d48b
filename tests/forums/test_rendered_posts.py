"""Posts are remembered pieces (sharon/forums/fragments.py): every reader must still see
the thread as it is now, from where they stand, and their buttons must send that
reader's own token, which no remembered piece holds."""

from __future__ import annotations

import re

import sqlalchemy as sa

from sharon.extensions import db
from sharon.models import Post, Reaction
from tests.forums.buttons import press, read
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
        # Every form on a page carries that reader's own token; no post holds any.
        for name, html in pages.items():
            tokens = set(re.findall(r'name="csrf_token"[^>]*value="([^"]+)"', html))
            assert len(tokens) == 1, name
            assert "csrf_token" not in _post_html(html, reply)
        assert len({csrf_token(p) for p in pages.values()}) == 3
        _no_remembered_piece_holds(app, {csrf_token(p) for p in pages.values()})


def _no_remembered_piece_holds(app, secrets: set[str]) -> None:
    for remembered in app.extensions["sharon.remembered"].values():
        for html in remembered.items.values():
            assert not any(secret in html for secret in secrets)


def test_a_reaction_pressed_on_the_page_sends_the_readers_token(app, make_user, general):
    """The buttons of a remembered post submit the page's own form, without JavaScript."""
    thread = start_thread(make_user(username="river"), general)
    post = db.session.scalar(sa.select(Post))
    for name in ("ash", "jonah"):
        reader = _reader(app, make_user, name)
        page = reader.get(f"/forums/t/{thread.id}").get_data(as_text=True)
        url, data = press(page, lambda b: b["value"] == "support"
                          and b["formaction"].startswith(f"/forums/p/{post.id}/"))
        assert url == f"/forums/p/{post.id}/react"
        assert data == {"csrf_token": csrf_token(page), "kind": "support"}
        assert reader.post(url, data=data).status_code == 302
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


def test_the_team_moderates_a_post_with_its_reason_and_their_token(app, make_user,
                                                                   general):
    """Each post's moderation form gets the moderator's token beside the remembered post,
    and sends its own reason, not another post's."""
    river = make_user(username="river")
    thread = start_thread(river, general, body="First")
    first = db.session.scalar(sa.select(Post))
    reply = add_reply(river, thread, "Second")
    moderator = _reader(app, make_user, "mo", role="clinician")
    page = moderator.get(f"/forums/t/{thread.id}").get_data(as_text=True)
    url, data = press(page, lambda b: b["value"] == "hide" and b.owner == f"moderate-{reply.id}",
                      fill={"reason": "unkind"})
    assert url == f"/forums/p/{reply.id}/moderate"
    assert data == {"csrf_token": csrf_token(page), "reason": "unkind", "action": "hide"}
    assert moderator.post(url, data=data).status_code == 302
    assert db.session.get(Post, reply.id).status == "hidden"
    assert db.session.get(Post, first.id).status == "visible"
    page = moderator.get(f"/forums/t/{thread.id}").get_data(as_text=True)
    assert "Hidden: unkind" in _post_html(page, reply)
    _no_remembered_piece_holds(app, {csrf_token(page)})


def test_every_button_on_the_thread_page_submits_a_form_with_a_token(app, make_user,
                                                                     general):
    river = make_user(username="river")
    thread = start_thread(river, general)
    add_reply(make_user(username="ash"), thread, "A reply")
    author = app.test_client()
    sign_in(author, "river")
    moderator = _reader(app, make_user, "mo", role="clinician")
    for name, client in (("river", author), ("mo", moderator)):
        page = client.get(f"/forums/t/{thread.id}").get_data(as_text=True)
        parsed = read(page)
        # The header's "More" menu (the NHS.UK frontend's, type="button") submits nothing.
        buttons = [c for c in parsed.controls if c.tag == "button" and c["type"] != "button"]
        assert buttons
        for button in buttons:
            assert button.owner in parsed.forms, (name, button.attrs)
            assert button.text.strip(), ("a button without a label", button.attrs)
            tokens = [c for c in parsed.controls
                      if c.owner == button.owner and c["name"] == "csrf_token"]
            assert [t["value"] for t in tokens] == [csrf_token(page)], (name, button.attrs)


def test_a_post_cannot_borrow_the_page_form(client, app, make_user, general):
    """What someone types stays text: no post can add a button or field to a form."""
    river = make_user(username="river")
    thread = start_thread(river, general, body='<button form="post-actions" '
                          'formaction="/sign-out">Press</button> <!--csrf-->')
    html = _reader(app, make_user, "ash").get(f"/forums/t/{thread.id}").get_data(as_text=True)
    post = db.session.scalar(sa.select(Post))
    body = _post_html(html, post).split('class="post-body">', 1)[1].split("</div>", 1)[0]
    assert "<button" not in body and "&lt;!--csrf--&gt;" in body


def test_long_posts_are_shown_but_not_kept(app, make_user, general):
    """A worker keeps only pieces of a bounded size, so nobody can fill its memory."""
    from sharon.infra import remembered

    long_body = "See www.example.org for more. " * 300  # about 9,000 characters
    thread = start_thread(make_user(username="river"), general, body=long_body)
    short = add_reply(make_user(username="jo"), thread, "A short reply")
    reader = _reader(app, make_user, "ash")
    html = reader.get(f"/forums/t/{thread.id}").get_data(as_text=True)
    assert html.count("www.example.org") >= 300 and "A short reply" in html
    kept = app.extensions["sharon.remembered"][("forums/_post.html", "post_item")].items
    assert [key.id for key in kept] == [short.id]
    assert all(len(piece) <= remembered.LONGEST_PIECE for piece in kept.values())
