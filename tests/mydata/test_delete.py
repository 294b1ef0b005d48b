"""A member or carer deletes their account: personal data goes at once, their posts stay
as "a former member" or are removed as they choose, the team's records stay without
their name, and the username cannot be taken again for 90 days."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from sharon.extensions import db
from sharon.models import (
    Audit,
    Conversation,
    ModerationAction,
    ModerationItem,
    MutedWord,
    Post,
    PostRevision,
    Reaction,
    Report,
    RetiredUsername,
    Sanction,
    SavedResource,
    Thread,
    User,
    WallMessage,
)
from sharon.moderation import services as moderation
from sharon.mydata import services
from sharon.refusals import Refused
from tests.helpers import PASSWORD, csrf_token, sign_in, submit, text
from tests.mydata.conftest import client_for, delete_account

JOIN = {"password": "kettle lantern orchard", "confirm": "kettle lantern orchard",
        "accept_guidelines": "y"}


def _count(model, *where) -> int:  # type: ignore[no-untyped-def]
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def _river_is_gone() -> bool:
    return _count(User, User.username_key == "river") == 0


def test_keeping_posts_deletes_the_person_and_shows_their_posts_as_a_former_member(
        app, people, lived_in):
    river_id, thread_id = people["river"].id, lived_in["thread"].id
    client = client_for(app, "river")
    page = client.get("/account/data/delete")
    assert "What should happen to your posts?" in text(page)
    done = delete_account(client, "river", PASSWORD, "keep", follow_redirects=True)
    assert "Your account has been deleted, and you are signed out." in text(done)
    assert _river_is_gone()
    # Everything only about them went with the row.
    for model, column in ((MutedWord, MutedWord.user_id), (Reaction, Reaction.user_id),
                          (SavedResource, SavedResource.user_id),
                          (Sanction, Sanction.user_id), (Conversation, Conversation.member_id)):
        assert _count(model, column == river_id) == 0, model
    # What they wrote for others stays, without their name.
    assert _count(Post, Post.author_id.is_(None)) == 2
    assert _count(WallMessage, WallMessage.author_id.is_(None)) == 1
    assert _count(Report, Report.reporter_id.is_(None)) == 1
    sky = client_for(app, "sky")
    thread = text(sky.get(f"/forums/t/{thread_id}"))
    assert "a former member started the thread" in thread
    assert "RIVER-THREAD-BODY walking helps me" in thread
    space = text(sky.get(f"/forums/c/{lived_in['thread'].category_id}"))
    assert "started by a former member" in space
    assert "former member" in text(sky.get("/wall/"))


def test_removing_posts_takes_their_words_and_keeps_thread_counts_right(
        app, people, lived_in):
    theirs = lived_in["their_thread"]
    assert db.session.get(Thread, theirs.id).reply_count == 1
    assert "Nothing found" not in text(client_for(app, "sky").get("/forums/search?q=lavender"))
    client = client_for(app, "river")
    delete_account(client, "river", PASSWORD, "remove")
    assert _river_is_gone()
    db.session.expire_all()
    # sky's thread: river's reply is "removed" in its place, and no longer counted.
    assert db.session.get(Thread, theirs.id).reply_count == 0
    removed = db.session.get(Post, lived_in["river_reply"].id)
    assert (removed.status, removed.body_source, removed.body_text) == ("deleted", "", "")
    assert _count(PostRevision, PostRevision.post_id == removed.id) == 0
    # river's thread: title and opening post gone; sky's reply stays, in its place.
    mine = db.session.get(Thread, lived_in["thread"].id)
    assert mine.title == "Removed by its author" and not mine.hidden
    assert db.session.get(Post, lived_in["reply"].id).body_source == "SKY-REPLY thank you river"
    assert _count(WallMessage) == 0
    sky = client_for(app, "sky")
    page = text(sky.get(f"/forums/t/{theirs.id}"))
    assert "This post was removed by the author." in page
    assert "lavender" not in page
    assert "RIVER" not in text(sky.get(f"/forums/t/{mine.id}"))
    assert "Nothing found" in text(sky.get("/forums/search?q=lavender"))


def test_a_thread_with_nothing_left_in_it_is_hidden(app, people, space):
    from tests.forums.conftest import start_thread

    alone = start_thread(people["river"], space, title="Only me here", body="Just me")
    delete_account(client_for(app, "river"), "river", PASSWORD, "remove")
    db.session.expire_all()
    assert db.session.get(Thread, alone.id).hidden
    assert "Only me here" not in text(client_for(app, "sky").get(f"/forums/c/{space.id}"))


def test_the_team_s_records_about_them_stay(app, people, lived_in):
    river = people["river"]
    # A line about river, and one river is the actor of: the append-only log lets only
    # the actor be forgotten.
    moderation.record(people["dr_lee"], Audit.ACCOUNT_NETWORKS_SET, "user", river.id)
    moderation.record(river, Audit.POST_AUTO_HIDE, "post", lived_in["reply"].id)
    db.session.commit()
    lines = _count(ModerationAction)
    items = _count(ModerationItem)
    delete_account(client_for(app, "river"), "river", PASSWORD, "remove")
    assert _river_is_gone()
    assert _count(ModerationAction) == lines + 1  # and one line saying the account went
    assert _count(ModerationAction, ModerationAction.action == Audit.ACCOUNT_DELETE,
                  ModerationAction.subject_id == river.id,
                  ModerationAction.actor_id.is_(None)) == 1
    assert _count(ModerationAction, ModerationAction.subject_type == "user",
                  ModerationAction.subject_id == river.id) >= 2  # the warning and the above
    assert _count(ModerationAction, ModerationAction.action == Audit.POST_AUTO_HIDE,
                  ModerationAction.actor_id.is_(None)) == 1
    assert _count(ModerationItem) == items


def test_a_wrong_username_or_password_changes_nothing(app, people, lived_in):
    client = client_for(app, "river")
    wrong = delete_account(client, "river", "not my password at all")
    assert wrong.status_code == 400
    assert "That is not your password." in text(wrong)
    other = delete_account(client, "sky", PASSWORD)
    assert other.status_code == 400
    assert "Type your username exactly as it is shown above." in text(other)
    unchosen = submit(client, "/account/data/delete",
                      {"username": "river", "password": PASSWORD})
    assert "Choose what should happen to your posts." in text(unchosen)
    assert not _river_is_gone()
    assert client.get("/account/").status_code == 200  # still signed in


def test_deleting_twice_changes_nothing_the_second_time(app, people, lived_in):
    client = client_for(app, "river")
    form = client.get("/account/data/delete").get_data(as_text=True)
    sent = {"csrf_token": csrf_token(form), "posts": "keep", "username": "river",
            "password": PASSWORD}
    assert client.post("/account/data/delete", data=sent).status_code == 303
    retired = _count(RetiredUsername)
    # The same form again (the back button, a double click): the session has ended.
    again = client.post("/account/data/delete", data=sent)
    assert again.status_code == 302
    assert again.headers["Location"].startswith("/sign-in")
    assert _count(RetiredUsername) == retired == 1
    assert client.get("/account/").headers["Location"].startswith("/sign-in")
    # And signing in again is refused as for anyone unknown.
    assert "That username and password do not match" in text(
        sign_in(client, "river"))


def test_a_direct_second_call_on_a_deleted_account_is_refused(app, people):
    river = people["river"]
    services.delete_account(river, "river", PASSWORD, keep_posts=True)
    db.session.commit()
    with pytest.raises(Refused) as refused:
        services.delete_account(river, "river", PASSWORD, keep_posts=True)
    assert refused.value.code == "gone"
    db.session.rollback()


def test_the_team_cannot_delete_themselves_here(app, people):
    for name in ("sam_peer", "dr_lee", "boss"):
        with pytest.raises(Refused) as refused:
            services.delete_account(people[name], name, PASSWORD, keep_posts=True)
        assert "ask an admin" in refused.value.message
        db.session.rollback()
    assert _count(User) == len(people)


def test_a_deleted_username_cannot_be_taken_for_90_days(app, people, make_invitation,
                                                        frozen_clock):
    delete_account(client_for(app, "river"), "river", PASSWORD)
    joining = app.test_client()
    refused = submit(joining, "/join", {"code": make_invitation().code, "username": "River",
                                        **JOIN})
    assert "belonged to an account that was deleted recently" in text(refused)
    for look_alike in ("R1ver", "river_", "r-i-v-e-r"):
        again = submit(app.test_client(), "/join", {"code": make_invitation().code,
                                                    "username": look_alike, **JOIN})
        assert "belonged to an account that was deleted recently" in text(again), look_alike
    assert _count(User, User.username_key == "river") == 0
    frozen_clock.advance(days=90, minutes=1)
    joined = submit(app.test_client(), "/join", {"code": make_invitation().code,
                                                 "username": "river", **JOIN})
    assert joined.status_code in (302, 303)
    assert _count(User, User.username_key == "river") == 1


def test_the_clinicians_note_and_their_own_report_words_go_with_them(app, people, lived_in):
    from sharon.models import Invitation

    # (lived_in has river report a post, with the words RIVER-REPORT-DETAIL.)
    assert _count(Report, Report.detail == "RIVER-REPORT-DETAIL") == 1
    delete_account(client_for(app, "river"), "river", PASSWORD)  # keeping posts
    assert _river_is_gone()
    notes = db.session.scalars(sa.select(Invitation.note)).all()
    assert notes and not any("NOTE-FOR-TEAM" in note for note in notes)
    assert _count(Report) == 1 and _count(Report, Report.detail == "") == 1
