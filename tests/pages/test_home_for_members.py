"""The home page for a signed-in person: the Wall now, who is on duty, and what is new."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from sharon.extensions import db
from sharon.library import services as library
from sharon.models import ResourceKind
from sharon.wall import duty
from tests.factories import default_network
from tests.forums.conftest import add_reply, make_category, start_thread
from tests.helpers import sign_in, text

# Monday 30 November 2026, 10:00 in London (GMT): inside the default hours.
MONDAY_10AM = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
SUNDAY_NIGHT = datetime(2026, 11, 29, 22, 0, tzinfo=UTC)


@pytest.fixture
def space(app):  # type: ignore[no-untyped-def]
    return make_category(default_network(), "Staying well")


def test_the_wall_is_open_and_says_who_is_on_duty(client, make_user, frozen_clock):
    frozen_clock.now = MONDAY_10AM
    sam = make_user(username="sam_peer", role="peer_supporter")
    duty.do_duty(sam, True)
    db.session.commit()
    make_user(username="river")
    sign_in(client, "river")
    page = text(client.get("/"))
    assert "The Wall is open now until" in page
    assert "on duty: sam_peer" in page


def test_the_wall_is_closed_and_says_when_it_opens(client, make_user, frozen_clock):
    frozen_clock.now = SUNDAY_NIGHT
    make_user(username="river")
    sign_in(client, "river")
    page = text(client.get("/"))
    assert "The Wall is closed; it opens on Monday 30 November at" in page


def test_new_replies_in_followed_threads_are_listed(client, make_user, space):
    river = make_user(username="river")
    ash = make_user(username="ash")
    followed = start_thread(river, space, title="Walking helps")  # authors follow
    start_thread(ash, space, title="Not followed by river")
    sign_in(client, "river")
    client.get(f"/forums/t/{followed.id}")  # read it all
    assert "Nothing new in the threads you follow" in text(client.get("/"))
    add_reply(ash, followed, "Me too")
    add_reply(ash, followed, "And again")
    page = text(client.get("/"))
    assert "Walking helps (2 new replies)" in page
    assert "Not followed by river" not in page
    client.get(f"/forums/t/{followed.id}")
    assert "Walking helps" not in text(client.get("/"))


def test_hidden_threads_are_not_listed(client, make_user, space):
    river = make_user(username="river")
    ash = make_user(username="ash")
    thread = start_thread(river, space, title="Quietly hidden")
    add_reply(ash, thread)
    thread.hidden = True
    db.session.commit()
    sign_in(client, "river")
    assert "Quietly hidden" not in text(client.get("/"))


def test_new_library_resources_are_listed(client, make_user, frozen_clock):
    clinician = make_user(username="dr_ellis", role="clinician")
    make_user(username="river")
    sign_in(client, "river")  # last seen now
    frozen_clock.advance(seconds=60)
    blog = library.create(clinician, ResourceKind.BLOG, library.ResourceInput(
        title="Sleeping well", summary="About sleep.", body="Go to bed.", audience="both",
        network_ids=[default_network().id], tags="sleep"))
    library.publish(clinician, blog)
    draft = library.create(clinician, ResourceKind.BLOG, library.ResourceInput(
        title="Not ready yet", summary="Draft.", body="Soon.", audience="both",
        network_ids=[default_network().id], tags="sleep"))
    db.session.commit()
    frozen_clock.advance(seconds=60)
    html = client.get("/").get_data(as_text=True)
    assert f'href="/library/{blog.id}">Sleeping well</a>' in html
    assert "Not ready yet" not in html and draft.id


def test_old_resources_are_not_new(client, make_user, frozen_clock):
    clinician = make_user(username="dr_ellis", role="clinician")
    blog = library.create(clinician, ResourceKind.BLOG, library.ResourceInput(
        title="Long ago", summary="Old.", body="Old.", audience="both",
        network_ids=[default_network().id], tags="sleep"))
    library.publish(clinician, blog)
    db.session.commit()
    frozen_clock.advance(days=30)
    make_user(username="river")
    sign_in(client, "river")
    assert "Long ago" not in text(client.get("/"))


def test_visitors_see_none_of_it(client):
    page = text(client.get("/"))
    assert "New since your last visit" not in page and "on duty" not in page
