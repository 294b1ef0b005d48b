"""Edits of one post at the same moment: each is saved on the version it began from, or
told the post changed; the history keeps every version once."""

from __future__ import annotations

import sqlalchemy as sa

from sharon.extensions import db
from sharon.models import Post, PostRevision
from tests.concurrency import at_once
from tests.forums.conftest import add_reply, start_thread
from tests.helpers import csrf_token, sign_in, submission_tokens, text

CHANGED = "This post changed while you were editing"


def _editors(app, count: int):  # type: ignore[no-untyped-def]
    clients = []
    for _ in range(count):
        client = app.test_client()
        sign_in(client, "river")
        clients.append(client)
    return clients


def _edit_form(client, post_id: int, body: str) -> dict[str, str]:
    html = client.get(f"/forums/p/{post_id}/edit").get_data(as_text=True)
    return {"csrf_token": csrf_token(html), **submission_tokens(html), "body": body}


def _history(post_id: int) -> tuple[Post, list[PostRevision]]:
    db.session.expire_all()
    revisions = db.session.scalars(sa.select(PostRevision).where(
        PostRevision.post_id == post_id).order_by(PostRevision.version)).all()
    return db.session.get(Post, post_id), list(revisions)


def test_ten_edits_of_one_version_at_once_save_one(app, make_user, general):
    river = make_user(username="river")
    post = add_reply(river, start_thread(river, general), "The first words")
    clients = _editors(app, 10)
    forms = [_edit_form(c, post.id, f"Edit number {n}") for n, c in enumerate(clients)]
    assert {form["version"] for form in forms} == {"1"}
    responses = at_once([lambda c=c, f=f: c.post(f"/forums/p/{post.id}/edit", data=f)
                         for c, f in zip(clients, forms, strict=True)])
    assert sorted(r.status_code for r in responses) == [302] + [409] * 9
    saved, revisions = _history(post.id)
    winner = next(n for n, r in enumerate(responses) if r.status_code == 302)
    assert saved.body_source == f"Edit number {winner}" and saved.version == 2
    assert [(r.version, r.body_source) for r in revisions] == [(1, "The first words")]
    for n, response in enumerate(responses):
        if response.status_code == 409:
            page = text(response)
            # Told, shown the text as it is now, and their own words kept in the box.
            assert CHANGED in page and f"Edit number {winner}" in page
            assert f"Edit number {n}</textarea>" in response.get_data(as_text=True)
            assert 'name="version" type="hidden" value="2"' in response.get_data(as_text=True)


def test_ten_editors_at_once_each_saved_in_turn_and_no_version_skipped(app, make_user,
                                                                        general):
    river = make_user(username="river")
    post_id = add_reply(river, start_thread(river, general), "Version one").id
    clients = _editors(app, 10)

    def keep_trying(client, n: int) -> int:  # type: ignore[no-untyped-def]
        """Open the edit page and send, again each time the post changed meanwhile."""
        for attempt in range(1, 100):
            response = client.post(f"/forums/p/{post_id}/edit",
                                   data=_edit_form(client, post_id, f"By editor {n}"))
            if response.status_code == 302:
                return attempt
            assert response.status_code == 409 and CHANGED in text(response)
        raise AssertionError("never saved")

    at_once([lambda c=c, n=n: keep_trying(c, n) for n, c in enumerate(clients)])
    saved, revisions = _history(post_id)
    assert saved.version == 11
    assert [r.version for r in revisions] == list(range(1, 11))
    # Each text once: the first, then every edit but the last, which is the post now.
    bodies = [r.body_source for r in revisions] + [saved.body_source]
    assert bodies[0] == "Version one"
    assert sorted(bodies[1:]) == sorted(f"By editor {n}" for n in range(10))
