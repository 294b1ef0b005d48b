"""Unique keys raced by forms sent at the same moment answer like the ordinary check."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from sharon.extensions import db
from sharon.models import Invitation, Network, SignInThrottle, Tag, User, WatchedWord
from tests.concurrency import at_once
from tests.helpers import csrf_token, sign_in, submission_tokens, text

JOIN = {"username": "blue_heron", "password": "kettle lantern orchard",
        "confirm": "kettle lantern orchard", "accept_guidelines": "y"}


def _ready(client, page: str, data: dict[str, str]):  # type: ignore[no-untyped-def]
    """Open the form's page now; return the posting of it, to be done later."""
    html = client.get(page).get_data(as_text=True)
    form = {"csrf_token": csrf_token(html), **submission_tokens(html), **data}
    return lambda: client.post(page, data=form)


def _count(model, *where) -> int:  # type: ignore[no-untyped-def]
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def test_five_people_taking_one_username_at_once_make_one_account(app, make_invitation):
    invitations = [make_invitation() for _ in range(5)]
    posts = [_ready(app.test_client(), "/join", {"code": i.code, **JOIN}) for i in invitations]
    responses = at_once(posts)
    assert sorted(r.status_code for r in responses) == [302, 400, 400, 400, 400]
    for response in responses:
        if response.status_code == 400:
            # The very words the ordinary check gives, on the username field.
            assert "Error: That username is already taken. Please choose another." in \
                text(response)
    assert _count(User, User.username_key == "blue_heron") == 1
    # The four who were refused keep their invitations for another try.
    assert _count(Invitation, Invitation.used_at.is_(None)) == 4


def test_two_clinicians_adding_one_watched_word_at_once_add_it_once(app, make_user):
    posts = []
    for name in ("dr_lee", "dr_ray"):
        make_user(username=name, role="clinician")
        client = app.test_client()
        sign_in(client, name)
        posts.append(_ready(client, "/moderation/words",
                            {"term": "hopeless", "action": "flag", "is_risk": "y"}))
    responses = at_once(posts)
    assert sorted(r.status_code for r in responses) == [302, 400]
    refused = next(r for r in responses if r.status_code == 400)
    assert "is already on the list." in text(refused)
    assert _count(WatchedWord, WatchedWord.term == "hopeless") == 1


def test_two_admins_making_one_network_at_once_make_it_once(app, make_user):
    posts = []
    for name in ("admin_a", "admin_b"):
        make_user(username=name, role="admin")
        client = app.test_client()
        sign_in(client, name)
        posts.append(_ready(client, "/admin/networks", {"name": "Perinatal"}))
    responses = at_once(posts)
    assert sorted(r.status_code for r in responses) == [302, 400]
    refused = next(r for r in responses if r.status_code == 400)
    assert "There is already a network with that name." in text(refused)
    assert _count(Network, Network.name == "Perinatal") == 1


def test_a_new_tag_given_to_two_resources_at_once_is_made_once(app, make_user):
    posts = []
    for name in ("dr_lee", "dr_ray"):
        make_user(username=name, role="clinician")
        client = app.test_client()
        sign_in(client, name)
        posts.append(_ready(client, "/library/manage/new/blog", {
            "title": f"Sleep, by {name}", "summary": "Short", "body": "Text",
            "tags": "Night time", "audience": "both", "networks": "1"}))
    responses = at_once(posts)
    assert [r.status_code for r in responses] == [303, 303]
    assert _count(Tag, Tag.slug == "night-time") == 1


@pytest.mark.parametrize("app_config", [{"SHARON_LOCKOUT_ATTEMPTS": 100}])
def test_wrong_passwords_at_once_are_each_counted(app):
    # Counted from a copy each request read, some would be lost: extra guesses for free.
    for _ in range(2):  # a new name, then the same name again
        posts = [_ready(app.test_client(), "/sign-in",
                        {"username": "nobody_yet", "password": "x"}) for _ in range(8)]
        for response in at_once(posts):
            assert response.status_code == 400
            assert "That username and password do not match" in text(response)
    db.session.expire_all()
    rows = db.session.scalars(sa.select(SignInThrottle)).all()
    assert [row.failures for row in rows] == [16]
