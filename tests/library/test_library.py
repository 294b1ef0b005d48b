"""Library pages: who sees what, publishing rules, saving and "did this help?"."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from sharon.extensions import db
from sharon.library import services
from sharon.models import Audience, ModerationAction, Resource
from tests.factories import NetworkFactory
from tests.helpers import pager_link, sign_in, submit, text
from tests.library.conftest import switch_to


def test_signed_out_people_are_sent_to_sign_in(client, make_blog):
    blog = make_blog()
    for url in ("/library/", f"/library/{blog.id}", f"/library/{blog.id}/media/video"):
        response = client.get(url)
        assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_member_finds_reads_and_filters(client, member, make_blog, make_video):
    make_blog("Sleep well", tags="sleep")
    make_blog("Low days", tags="low mood")
    make_video("Breathing", tags="anxiety, sleep")
    sign_in(client, "sam")
    page = text(client.get("/library/"))
    assert "3 resources" in page and "Sleep well" in page and "Breathing" in page
    videos = text(client.get("/library/?kind=video"))
    assert "Breathing" in videos and "Sleep well" not in videos
    sleep = text(client.get("/library/?tag=sleep"))
    assert "Sleep well" in sleep and "Breathing" in sleep and "Low days" not in sleep
    assert "0 resources" in text(client.get("/library/?tag=nothing"))
    assert client.get("/library/?kind=<script>&page=abc").status_code == 200


def test_index_paginates(client, member, make_blog):
    for n in range(14):
        make_blog(f"Post {n:02d}")
    sign_in(client, "sam")
    first = client.get("/library/")
    assert "14 resources" in text(first) and "Post 13" in text(first)
    assert pager_link(first, "prev") is None and "Older" in text(first)
    second = client.get(pager_link(first, "next"))
    assert "Post 00" in text(second) and "Post 13" not in text(second)
    assert pager_link(second, "next") is None
    assert "Post 13" in text(client.get(pager_link(second, "prev")))
    # Old numbered links go to the first page (with the filter kept) rather than break.
    old = client.get("/library/?kind=blog&page=2")
    assert old.status_code == 302 and old.headers["Location"] == "/library/?kind=blog"
    bad = client.get("/library/?after=made-up")
    assert bad.status_code == 400 and "That page link was not valid" in text(bad)
    assert "Post 13" in text(bad)


def test_blog_page_shows_sanitized_markdown_and_reading_time(client, member, make_blog):
    hostile = ("# Big\n\n<script>alert('x')</script>\n\n<img src=x onerror=alert(1)>\n\n"
               "[click](javascript:alert(1)) [ok](https://nhs.uk)\n\n"
               "<iframe src=//evil></iframe> **bold** " + "word " * 450)
    blog = make_blog("Hostile", body=hostile)
    assert "<script" not in blog.body_html and "<img" not in blog.body_html
    sign_in(client, "sam")
    html = client.get(f"/library/{blog.id}").get_data(as_text=True)
    assert "<script>alert" not in html and "<iframe" not in html and "<img" not in html
    assert 'href="javascript' not in html
    assert '<a href="https://nhs.uk" rel="nofollow ugc noopener noreferrer">ok</a>' in html
    assert "<strong>bold</strong>" in html and "<h3>Big</h3>" in html
    assert blog.body_source.startswith("# Big")  # the source is kept as written
    assert "3 minute read" in text(client.get(f"/library/{blog.id}"))


def test_title_and_summary_are_escaped(client, member, make_blog):
    blog = make_blog("<b onmouseover=x>Title</b>")
    sign_in(client, "sam")
    html = client.get(f"/library/{blog.id}").get_data(as_text=True)
    assert "<b onmouseover" not in html and "&lt;b onmouseover=x&gt;Title" in html


def test_video_page_has_player_captions_and_transcript(client, member, make_video):
    video = make_video()
    sign_in(client, "sam")
    html = client.get(f"/library/{video.id}").get_data(as_text=True)
    assert "<video" in html and "controls" in html
    assert (f'<track kind="captions" srclang="en" label="English" default '
            f'src="/library/{video.id}/media/captions">') in html
    assert f'poster="/library/{video.id}/media/poster"' in html
    assert "Transcript" in html and "Breathe in. Breathe out." in html


@pytest.fixture
def hidden(make_blog, make_video, clinician, frozen_clock):  # type: ignore[no-untyped-def]
    """A draft, a scheduled, a carers-only and an other-network resource, and a draft video."""
    other = NetworkFactory(name="Perinatal", slug="perinatal")
    scheduled = make_blog("Scheduled", publish=False)
    services.publish(clinician, scheduled, when=frozen_clock.now + timedelta(days=1))
    db.session.commit()
    return {
        "draft": make_blog("Draft", publish=False),
        "scheduled": scheduled,
        "carers": make_blog("Carers only", audience=Audience.CARERS),
        "network": make_blog("Other network", networks=[other]),
        "video": make_video("Draft video", publish=False),
    }


def test_member_gets_404_for_hidden_resources_and_their_media(client, member, hidden):
    sign_in(client, "sam")
    for name, resource in hidden.items():
        assert client.get(f"/library/{resource.id}").status_code == 404, name
        for slot in ("video", "poster", "captions"):
            assert client.get(f"/library/{resource.id}/media/{slot}").status_code == 404
        assert client.post(f"/library/{resource.id}/save").status_code in (400, 404)
    page = text(client.get("/library/"))
    for title in ("Draft", "Scheduled", "Carers only", "Other network"):
        assert title not in page
    assert "0 resources" in page


def test_scheduled_resource_appears_when_its_time_comes(client, member, hidden, frozen_clock):
    sign_in(client, "sam")
    scheduled = hidden["scheduled"]
    assert client.get(f"/library/{scheduled.id}").status_code == 404
    frozen_clock.advance(days=1, seconds=1)
    sign_in(client, "sam")  # again: a session ends 12 hours after signing in
    assert client.get(f"/library/{scheduled.id}").status_code == 200
    assert "Scheduled" in text(client.get("/library/"))


def test_carers_see_carers_resources_and_not_members_only(client, make_user, make_blog):
    make_user(username="cara", role="carer")
    carers = make_blog("For carers", audience=Audience.CARERS)
    members_only = make_blog("For members", audience=Audience.MEMBERS)
    both = make_blog("For everyone")
    sign_in(client, "cara")
    assert client.get(f"/library/{carers.id}").status_code == 200
    assert client.get(f"/library/{both.id}").status_code == 200
    assert client.get(f"/library/{members_only.id}").status_code == 404


def test_visible_resources_for_each_kind_of_person(app, make_user, hidden, make_blog):
    public = make_blog("Public")
    ids = lambda user: set(db.session.scalars(  # noqa: E731
        services.visible_resources(user).with_only_columns(Resource.id)))
    member = make_user(username="m1")
    carer = make_user(username="c1", role="carer")
    peer = make_user(username="p1", role="peer_supporter")
    admin = make_user(username="a1", role="admin")
    suspended = make_user(username="s1", status="suspended")
    assert ids(member) == {public.id}
    assert ids(carer) == {public.id, hidden["carers"].id}
    assert ids(peer) == {public.id, hidden["carers"].id}
    assert ids(admin) == {r.id for r in db.session.scalars(sa.select(Resource))}
    assert ids(suspended) == set() and ids(None) == set()


def test_staff_preview_drafts_and_members_cannot(client, member, hidden):
    sign_in(client, "dr_ellis")
    response = client.get(f"/library/{hidden['draft'].id}")
    assert response.status_code == 200 and "members cannot see this yet" in text(response)
    assert client.get(f"/library/{hidden['video'].id}/media/captions").status_code == 200


def test_staff_write_preview_and_publish_a_blog(client, clinician, member):
    sign_in(client, "dr_ellis")
    response = submit(client, "/library/manage/new/blog", {
        "title": "Coping with setbacks", "summary": "A setback is not a relapse.",
        "body": "Be **kind** to yourself.", "tags": "Relapse prevention, sleep",
        "audience": "both", "networks": "1"})
    assert response.status_code == 303
    blog = db.session.scalar(sa.select(Resource).where(Resource.title == "Coping with setbacks"))
    assert blog.status == "draft" and [t.slug for t in blog.tags] == ["relapse-prevention",
                                                                       "sleep"]
    switch_to(client, "sam")
    assert client.get(f"/library/{blog.id}").status_code == 404
    switch_to(client, "dr_ellis")
    assert submit(client, f"/library/manage/{blog.id}/publish", {},
                  page=f"/library/manage/{blog.id}/edit").status_code == 303
    switch_to(client, "sam")
    assert "Be kind to yourself." in text(client.get(f"/library/{blog.id}"))


def test_every_change_records_who_and_when(client, clinician, make_user, make_blog,
                                           frozen_clock):
    blog = make_blog(publish=False)
    make_user(username="admin_ann", role="admin")
    sign_in(client, "admin_ann")
    frozen_clock.advance(minutes=5)
    edit = f"/library/manage/{blog.id}/edit"
    submit(client, edit, {"title": "Sleep better", "summary": blog.summary, "body": "New",
                          "tags": "sleep", "audience": "both", "networks": "1"})
    submit(client, f"/library/manage/{blog.id}/publish", {}, page=edit)
    submit(client, f"/library/manage/{blog.id}/unpublish", {}, page=edit)
    log = services.history(blog)
    assert [(e.action, e.actor.username) for e in log] == [
        ("resource_create", "dr_ellis"), ("resource_update", "admin_ann"),
        ("resource_publish", "admin_ann"), ("resource_unpublish", "admin_ann")]
    assert log[1].detail["changed"] == ["title", "body_source"]
    assert log[1].created_at == frozen_clock.now
    db.session.refresh(blog)
    assert blog.updated_by.username == "admin_ann" and blog.status == "draft"
    assert "published by admin_ann" in text(client.get(edit))


def test_video_without_captions_cannot_be_published_or_scheduled(client, make_video,
                                                                 frozen_clock):
    video = make_video(publish=False, captions=False)
    sign_in(client, "dr_ellis")
    edit = f"/library/manage/{video.id}/edit"
    response = submit(client, f"/library/manage/{video.id}/publish", {}, page=edit)
    assert response.status_code == 400 and "Upload captions" in text(response)
    later = (frozen_clock.now + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = submit(client, f"/library/manage/{video.id}/schedule", {"publish_at": later},
                      page=edit)
    assert response.status_code == 400 and "Upload captions" in text(response)
    db.session.refresh(video)
    assert video.status == "draft" and video.publish_at is None
    assert not db.session.scalar(sa.select(ModerationAction).where(
        ModerationAction.action.in_(["resource_publish", "resource_schedule"])))


def test_schedule_must_be_in_the_future(client, make_blog, frozen_clock):
    blog = make_blog(publish=False)
    sign_in(client, "dr_ellis")
    edit = f"/library/manage/{blog.id}/edit"
    past = (frozen_clock.now - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = submit(client, f"/library/manage/{blog.id}/schedule", {"publish_at": past},
                      page=edit)
    assert response.status_code == 400 and "in the future" in text(response)
    response = submit(client, f"/library/manage/{blog.id}/schedule", {"publish_at": "soon"},
                      page=edit)
    assert response.status_code == 400
    db.session.refresh(blog)
    assert blog.status == "draft"


def test_bad_edits_are_refused_and_change_nothing(client, make_blog):
    blog = make_blog()
    sign_in(client, "dr_ellis")
    edit = f"/library/manage/{blog.id}/edit"
    for data in ({"title": "", "summary": "s", "networks": "1", "audience": "both"},
                 {"title": "T", "summary": "s", "networks": "", "audience": "both"},
                 {"title": "T", "summary": "s", "networks": "1", "audience": "everyone"},
                 {"title": "T", "summary": "s", "networks": "1", "audience": "both",
                  "tags": ",".join(f"t{n}" for n in range(9))},
                 {"title": "T", "summary": "s", "networks": "1", "audience": "both",
                  "tags": "!!!"},
                 {"title": "T", "summary": "s", "networks": "1", "audience": "both",
                  "body": ""}):
        response = submit(client, edit, data)
        assert response.status_code == 400, data
        assert "There is a problem" in text(response)
    db.session.refresh(blog)
    assert blog.title == "Sleep well" and blog.body_source


def test_save_and_unsave(client, member, make_blog, make_video):
    blog, video = make_blog(), make_video()
    sign_in(client, "sam")
    assert "not saved anything" in text(client.get("/library/saved"))
    submit(client, f"/library/{video.id}/save", {}, page=f"/library/{video.id}")
    submit(client, f"/library/{blog.id}/save", {}, page=f"/library/{blog.id}")
    submit(client, f"/library/{blog.id}/save", {}, page=f"/library/{blog.id}")  # no duplicate
    saved = text(client.get("/library/saved"))
    assert saved.index("Sleep well") < saved.index("Breathing")  # newest first
    submit(client, f"/library/{blog.id}/save", {"action": "unsave"}, page=f"/library/{blog.id}")
    saved = text(client.get("/library/saved"))
    assert "Sleep well" not in saved and "Breathing" in saved


def test_saved_resource_disappears_when_unpublished(client, member, clinician, make_blog):
    blog = make_blog()
    sign_in(client, "sam")
    submit(client, f"/library/{blog.id}/save", {}, page=f"/library/{blog.id}")
    services.unpublish(clinician, blog)
    db.session.commit()
    assert "Sleep well" not in text(client.get("/library/saved"))


def test_did_this_help_counts_are_for_staff_only(client, make_user, make_blog):
    blog = make_blog()
    for name, answer in (("ann", "yes"), ("bob", "yes"), ("cat", "no")):
        make_user(username=name)
        switch_to(client, name)
        assert submit(client, f"/library/{blog.id}/helped", {"helped": answer},
                      page=f"/library/{blog.id}").status_code == 303
    page = text(client.get(f"/library/{blog.id}"))
    assert "You said no" in page and "said it helped" not in page
    submit(client, f"/library/{blog.id}/helped", {"helped": "yes"}, page=f"/library/{blog.id}")
    assert submit(client, f"/library/{blog.id}/helped", {"helped": "maybe"},
                  page=f"/library/{blog.id}").status_code == 400
    assert services.feedback_counts(blog) == (3, 0)
    switch_to(client, "dr_ellis")
    assert "3 said it helped, 0 said it did not" in text(client.get(f"/library/{blog.id}"))
    assert "3 / 0" in text(client.get("/library/manage/"))


def test_related_resources_share_a_tag_and_respect_visibility(client, member, make_blog):
    base = make_blog("Base", tags="sleep, anxiety")
    make_blog("Two shared", tags="sleep, anxiety")
    make_blog("One shared", tags="sleep")
    make_blog("Unrelated", tags="carers")
    make_blog("Draft shared", tags="sleep", publish=False)
    sign_in(client, "sam")
    page = text(client.get(f"/library/{base.id}"))
    related = page[page.index("Related"):]
    assert related.index("Two shared") < related.index("One shared")
    assert "Unrelated" not in related and "Draft shared" not in related
