"""The library in search results, and "talk about this" threads in the forums."""

from __future__ import annotations

import sqlalchemy as sa

from sharon.extensions import db
from sharon.models import Audience, Category, Thread
from tests.factories import NetworkFactory, default_network
from tests.helpers import sign_in, submit, text


def space(network=None, name="Staying well", audience="everyone") -> Category:
    category = Category(network=network or default_network(), name=name, audience=audience)
    db.session.add(category)
    db.session.commit()
    return category


def test_search_finds_resources_the_member_may_see(client, member, make_blog, make_video):
    make_blog(title="Sleep hygiene basics", body="A steady bedtime helps sleep.")
    make_blog(title="Sleep for carers", body="Rest when you can sleep.",
              audience=Audience.CARERS)
    make_blog(title="Sleep draft", body="Unfinished sleep notes", publish=False)
    make_blog(title="Sleep elsewhere", body="sleep",
              networks=[NetworkFactory(name="Perinatal", slug="perinatal")])
    make_video(title="Breathing for calm")
    sign_in(client, "sam")
    page = text(client.get("/forums/search?q=sleep"))
    assert "In the library" in page and "Sleep hygiene basics" in page
    for hidden in ("Sleep for carers", "Sleep draft", "Sleep elsewhere"):
        assert hidden not in page
    html = client.get("/forums/search?q=breathe").get_data(as_text=True)
    assert "Breathing for calm" in html and "<mark>" in html  # found in its transcript


def test_search_follows_resource_edits(client, clinician, member, make_blog):
    from sharon.library import services

    blog = make_blog(title="Morning light", body="Open the curtains early.")
    sign_in(client, "sam")
    assert "Morning light" in text(client.get("/forums/search?q=curtains"))
    services.unpublish(clinician, blog)
    db.session.commit()
    assert "Morning light" not in text(client.get("/forums/search?q=curtains"))


def test_talk_about_this_creates_one_thread_and_reuses_it(client, app, member, make_blog,
                                                          make_user):
    general = space()
    blog = make_blog(title="Worry time", body="Set aside fifteen minutes for worries.")
    sign_in(client, "sam")
    page = client.get(f"/library/{blog.id}")
    assert "Talk about this in the forums" in text(page)
    response = submit(client, f"/library/{blog.id}/discuss", {}, page=f"/library/{blog.id}")
    assert response.status_code == 303
    thread = db.session.scalar(sa.select(Thread))
    assert response.headers["Location"].endswith(f"/forums/t/{thread.id}")
    assert thread.category_id == general.id and thread.resource_id == blog.id
    assert thread.author.username == "dr_ellis"
    first = text(client.get(f"/forums/t/{thread.id}"))
    assert "Talking about: Worry time" in first and "from the library" in first
    other = app.test_client()
    make_user(username="robin")
    sign_in(other, "robin")
    again = submit(other, f"/library/{blog.id}/discuss", {}, page=f"/library/{blog.id}")
    assert again.headers["Location"].endswith(f"/forums/t/{thread.id}")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Thread)) == 1


def test_talk_about_this_without_a_forum_space_says_so(client, member, make_blog):
    blog = make_blog()
    sign_in(client, "sam")
    response = submit(client, f"/library/{blog.id}/discuss", {}, page=f"/library/{blog.id}",
                      follow_redirects=True)
    assert "There is no forum space to talk about this yet" in text(response)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Thread)) == 0


def test_talk_about_an_invisible_resource_is_404(client, member, make_blog):
    space()
    blog = make_blog(publish=False)
    sign_in(client, "sam")
    response = submit(client, f"/library/{blog.id}/discuss", {}, page="/library/")
    assert response.status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Thread)) == 0
