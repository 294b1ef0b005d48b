"""The Preview button: the text shown as it would be published, through the same Markdown
and sanitiser as posts, with nothing saved and the form's one-time token left for the
real post. And the formatting help it points to."""

from __future__ import annotations

import re

import sqlalchemy as sa

from sharon.extensions import db
from sharon.models import Post, Submission, Thread
from tests.forums.conftest import start_thread
from tests.forums.test_posting import assert_safe_html
from tests.helpers import csrf_token, sign_in, submission_tokens, text

HOSTILE = ('<script>alert(1)</script> <img src=x onerror="alert(2)"> '
           '[click](javascript:alert(3)) <a href="javascript:alert(4)">me</a> **still bold**')


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def preview_section(html: str) -> str:
    match = re.search(r'<section class="preview[^"]*"[^>]*>(.*?)</section>', html, re.S)
    assert match, "no preview shown"
    return match.group(1)


def tokens(html: str) -> dict[str, str]:
    return {"csrf_token": csrf_token(html), **submission_tokens(html)}


def test_previewing_a_reply_shows_it_and_saves_nothing(client, make_user, general):
    river = make_user(username="river")
    thread = start_thread(river, general)
    sign_in(client, "river")
    page = client.get(f"/forums/t/{thread.id}").get_data(as_text=True)
    posts, submissions = count(Post), count(Submission)
    response = client.post(f"/forums/t/{thread.id}/reply",
                           data={**tokens(page), "body": "I *walked* today\n- one\n- two",
                                 "preview": "1"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    shown = preview_section(html)
    assert "<em>walked</em>" in shown and "<li>one</li>" in shown
    assert "It is not posted yet" in text(response)
    # The words stay in the box, and the same one-time token is drawn again.
    assert "I *walked* today" in html
    assert submission_tokens(html) == submission_tokens(page)
    assert (count(Post), count(Submission)) == (posts, submissions)
    # The real post afterwards goes through, once.
    sent = {**tokens(html), "body": "I *walked* today"}
    assert client.post(f"/forums/t/{thread.id}/reply", data=sent).status_code == 302
    assert count(Post) == posts + 1
    again = client.post(f"/forums/t/{thread.id}/reply", data=sent)
    assert again.status_code == 303 and count(Post) == posts + 1


def test_previewing_a_new_thread_keeps_everything_and_saves_nothing(client, make_user,
                                                                     general):
    make_user(username="river")
    sign_in(client, "river")
    url = f"/forums/c/{general.id}/new"
    page = client.get(url).get_data(as_text=True)
    form = {"title": "A small win", "kind": "win", "body": "I went **out**",
            "content_note": "mentions loss"}
    response = client.post(url, data={**tokens(page), **form, "preview": "1"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<strong>out</strong>" in preview_section(html)
    assert 'value="A small win"' in html and 'value="mentions loss"' in html
    assert "I went **out**" in html
    assert count(Thread) == 0 and count(Post) == 0 and count(Submission) == 0
    assert client.post(url, data={**tokens(html), **form}).status_code == 302
    assert count(Thread) == 1


def test_a_preview_without_a_title_is_still_shown_without_complaint(client, make_user,
                                                                    general):
    make_user(username="river")
    sign_in(client, "river")
    url = f"/forums/c/{general.id}/new"
    page = client.get(url).get_data(as_text=True)
    response = client.post(url, data={**tokens(page), "body": "Just *trying*",
                                      "preview": "1"})
    assert response.status_code == 200
    assert "<em>trying</em>" in preview_section(response.get_data(as_text=True))
    assert "There is a problem" not in text(response)


def test_a_preview_of_hostile_markup_is_inert(client, make_user, general):
    river = make_user(username="river")
    thread = start_thread(river, general)
    sign_in(client, "river")
    page = client.get(f"/forums/t/{thread.id}").get_data(as_text=True)
    response = client.post(f"/forums/t/{thread.id}/reply",
                           data={**tokens(page), "body": HOSTILE, "preview": "1"})
    shown = preview_section(response.get_data(as_text=True))
    body = shown.split('class="post-body">', 1)[1]
    assert_safe_html(body)
    # Shown as harmless text, never as a tag, a handler or a link.
    assert "<script" not in shown and "<img" not in shown
    assert 'href="javascript' not in shown and "&lt;script&gt;alert(1)" in shown
    assert "<strong>still bold</strong>" in shown
    assert count(Post) == 1  # the thread's first post only


def test_a_preview_without_the_csrf_token_shows_nothing(client, make_user, general):
    river = make_user(username="river")
    thread = start_thread(river, general)
    sign_in(client, "river")
    response = client.post(f"/forums/t/{thread.id}/reply",
                           data={"body": "**hello**", "preview": "1"})
    assert response.status_code == 400
    assert 'class="preview' not in response.get_data(as_text=True)


def test_the_preview_button_is_a_real_button_in_each_form(client, make_user, general):
    river = make_user(username="river")
    thread = start_thread(river, general)
    sign_in(client, "river")
    for url in (f"/forums/t/{thread.id}", f"/forums/c/{general.id}/new"):
        html = client.get(url).get_data(as_text=True)
        form = re.search(r'<form method="post"[^>]*novalidate class="form form-wide">(.*?)</form>',
                         html, re.S).group(1)
        assert re.search(r'<button type="submit" name="preview" value="1"[^>]*>Preview', form)
        assert 'href="/help/formatting">Formatting help</a>' in form


def test_formatting_help_says_what_works_and_what_is_removed(client):
    response = client.get("/help/formatting")
    assert response.status_code == 200
    page = text(response)
    for words in ("Bold", "**bold**", "Italics", "list", "link", "quote", "What is removed",
                  "<script>", "javascript:", "Preview"):
        assert words in page
