"""The library in search results, and "talk about this" threads in the forums."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from sharon.extensions import db
from sharon.forums import services as forums
from sharon.infra import clock
from sharon.library import services
from sharon.models import Audience, Category, ResourceKind, Thread
from sharon.refusals import Refused
from sharon.sanctions import services as sanctions
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
    assert thread.author.username == "sam"  # posted as the person who pressed it
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
    page = text(client.get(f"/library/{blog.id}"))
    assert "There is no forum space to talk about this yet" in page
    assert "Talk about this in the forums" not in page
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


def threads() -> list[Thread]:
    return list(db.session.scalars(sa.select(Thread).order_by(Thread.id)))


def discuss(client, resource_id: int, follow: bool = False):  # type: ignore[no-untyped-def]
    return submit(client, f"/library/{resource_id}/discuss", {}, page="/library/",
                  follow_redirects=follow)


def test_a_carers_resource_is_discussed_only_in_a_carers_space(client, app, member, make_blog,
                                                               make_user):
    space(name="Everyone's space")
    carers = space(name="Carers' corner", audience="carers")
    blog = make_blog(title="Caring and coping", audience=Audience.CARERS)
    make_user(username="kit", role="carer")
    sign_in(client, "kit")
    response = discuss(client, blog.id)
    assert response.status_code == 303
    [thread] = threads()
    assert thread.category_id == carers.id and thread.author.username == "kit"
    # A member sees neither the resource, nor its discussion, nor the way in.
    other = app.test_client()
    sign_in(other, "sam")
    assert other.get(f"/library/{blog.id}").status_code == 404
    assert discuss(other, blog.id).status_code == 404
    assert other.get(f"/forums/t/{thread.id}").status_code == 404
    assert "Caring and coping" not in text(other.get("/forums/search?q=coping"))
    assert len(threads()) == 1


def test_a_carers_resource_with_only_an_open_space_has_no_discussion(client, make_blog,
                                                                     make_user):
    space(name="Everyone's space")
    blog = make_blog(title="Caring and coping", audience=Audience.CARERS)
    make_user(username="kit", role="carer")
    sign_in(client, "kit")
    page = text(client.get(f"/library/{blog.id}"))
    assert "Talk about this in the forums" not in page
    assert "There is no forum space to talk about this yet" in page
    response = discuss(client, blog.id, follow=True)
    assert "There is no forum space to talk about this yet" in text(response)
    assert threads() == []


def test_an_existing_thread_is_reused_only_from_a_space_with_the_right_audience(
        client, clinician, member, make_blog, make_user):
    open_space = space(name="Everyone's space")
    carers = space(name="Carers' corner", audience="carers")
    blog = make_blog(title="Caring and coping", audience=Audience.CARERS)
    # A discussion left in an open space (started before this rule, or moved there).
    old = forums.create_thread(clinician, open_space, "Talking about: Caring and coping",
                               "chat", "An old discussion.").post.thread
    old.resource_id = blog.id
    db.session.commit()
    make_user(username="kit", role="carer")
    sign_in(client, "kit")
    response = discuss(client, blog.id)
    new = threads()[-1]
    assert new.id != old.id and new.category_id == carers.id
    assert response.headers["Location"].endswith(f"/forums/t/{new.id}")


@pytest.mark.parametrize("state", ["draft", "scheduled"])
def test_drafts_and_scheduled_resources_have_no_discussion(client, clinician, member, make_blog,
                                                           state):
    space()
    blog = make_blog(title="Not ready yet", publish=False)
    if state == "scheduled":
        services.publish(clinician, blog, when=clock.now() + timedelta(days=2))
        db.session.commit()
    sign_in(client, "dr_ellis")
    page = text(client.get(f"/library/{blog.id}"))
    assert "members cannot see this yet" in page and "Talk about this in the forums" not in page
    assert "can start once this is published" in page
    response = discuss(client, blog.id, follow=True)
    assert "can start once this is published" in text(response)
    assert threads() == []
    with pytest.raises(Refused) as refused:
        forums.discussion_for(clinician, blog, "https://example.org/")
    assert refused.value.code == "not_live"
    # Members cannot see it at all, so the way in is a 404.
    member_client = client.application.test_client()
    sign_in(member_client, "sam")
    assert discuss(member_client, blog.id).status_code == 404
    assert threads() == []


def test_a_members_only_resource_explains_why_it_has_no_discussion(client, member, make_blog):
    space()
    space(name="Carers' corner", audience="carers")
    blog = make_blog(title="After therapy", audience=Audience.MEMBERS)
    sign_in(client, "sam")
    page = text(client.get(f"/library/{blog.id}"))
    assert "Talk about this in the forums" not in page
    assert "No forum space is for them alone" in page
    response = discuss(client, blog.id, follow=True)
    assert "No forum space is for them alone" in text(response)
    assert threads() == []


def test_a_muted_member_pressing_it_is_told_they_are_muted(client, member, make_blog,
                                                           make_user):
    space()
    blog = make_blog(title="Worry time")
    peer = make_user(username="pat", role="peer_supporter")
    sanctions.give(peer, member, "mute", "Cooling off", minutes=60)
    db.session.commit()
    sign_in(client, "sam")
    response = discuss(client, blog.id, follow=True)
    assert "paused your posting" in text(response) and "Cooling off" in text(response)
    assert threads() == []


def test_the_service_refuses_someone_who_cannot_see_the_resource(member, make_blog, make_user):
    space()
    space(name="Carers' corner", audience="carers")
    blog = make_blog(title="Caring and coping", audience=Audience.CARERS)
    with pytest.raises(Refused) as refused:
        forums.discussion_for(member, blog, "https://example.org/")
    assert refused.value.code == "not_found"
    assert threads() == []


def library_snippets(html: str) -> list[str]:
    library = html.split("In the library", 1)[1].split("In the forums", 1)[0]
    return re.findall(r'<p class="snippet">(.*?)</p>', library, flags=re.S)


@pytest.mark.parametrize("words", ["steady", "tips", "dim"])
def test_library_results_show_text_not_markdown_marks(client, clinician, member, words):
    blog = services.create(clinician, ResourceKind.BLOG, services.ResourceInput(
        title="Resting well", summary="**Rest** tips for *tired* days",
        body="# Resting well\n\nKeep a **steady** bedtime, with _calm_ evenings.\n\n"
             "## Before bed\n\n- dim the lights\n- read [a book](https://example.org/)",
        network_ids=[default_network().id]))
    services.publish(clinician, blog)
    db.session.commit()
    sign_in(client, "sam")
    html = client.get(f"/forums/search?q={words}").get_data(as_text=True)
    [snippet] = library_snippets(html)
    assert f"<mark>{words}</mark>" in snippet.lower()
    for mark in ("**", "#", "_calm_", "*tired*", "](", "- dim"):
        assert mark not in snippet, (mark, snippet)
