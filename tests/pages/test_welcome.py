"""The welcome page: where joining lands, and where a member can find it again."""

from __future__ import annotations

import sqlalchemy as sa

from sharon.extensions import db
from sharon.models import Network
from tests.auth.test_join import join
from tests.forums.conftest import make_category
from tests.helpers import sign_in, text


def test_joining_lands_on_the_welcome_page(client, make_invitation):
    invitation = make_invitation()
    response = join(client, invitation.code)
    assert response.status_code == 302 and response.headers["Location"] == "/welcome"
    page = client.get("/welcome")
    assert page.status_code == 200
    words = text(page)
    assert "Welcome to SHaRON, blue_heron" in words  # the flash, once
    for said in ("How SHaRON works", "Be kind", "anonymous", "not an emergency service",
                 "116 123", "Muting words", "Content notes", "Say hello"):
        assert said in words


def test_the_welcome_page_links_to_help_guidelines_muting_and_a_first_space(
        client, make_user, app):
    network = db.session.scalars(sa.select(Network).order_by(Network.id)).first()
    make_category(network, "Team room", audience="team", position=0)
    hello = make_category(network, "Say hello", position=1)
    make_user(username="river")
    sign_in(client, "river")
    html = client.get("/welcome").get_data(as_text=True)
    for href in ("/help/urgent", "/guidelines", "/forums/muted-words", "/forums/"):
        assert f'href="{href}"' in html
    # The first space open to everyone, not the team's room before it.
    assert f'<a class="nhsuk-button" href="/forums/c/{hello.id}">Say hello' in html


def test_with_no_open_space_say_hello_goes_to_the_forums(client, make_user):
    make_user(username="river")
    sign_in(client, "river")
    html = client.get("/welcome").get_data(as_text=True)
    assert '<a class="nhsuk-button" href="/forums/">Say hello' in html


def test_the_home_page_leads_back_to_the_welcome_page(client, make_user):
    make_user(username="river")
    sign_in(client, "river")
    assert 'href="/welcome"' in client.get("/").get_data(as_text=True)


def test_visitors_are_asked_to_sign_in(client):
    response = client.get("/welcome")
    assert response.status_code in (302, 401, 403)
    assert 'href="/welcome"' not in client.get("/").get_data(as_text=True)
