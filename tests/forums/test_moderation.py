"""Reports, the queue, forum moderation, watched words and the audit log."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from sharon.extensions import db
from sharon.models import ModerationAction, ModerationItem, Post, Report, Thread
from tests.forums.conftest import add_reply, new_thread, post_reply, start_thread
from tests.helpers import csrf_token, sign_in, submit, text


def report(client, post, reason="unkind", detail=""):
    return submit(client, f"/forums/p/{post.id}/report", {"reason": reason, "detail": detail})


def test_report_lands_in_the_queue_and_can_be_handled(client, app, make_user, general):
    thread = start_thread(make_user(username="river"), general)
    post = add_reply(make_user(username="ash"), thread, "That's a silly idea")
    make_user(username="jonah")
    sign_in(client, "jonah")
    response = report(client, post, "unkind", "felt dismissive")
    assert response.status_code == 302
    assert "Thank you for your report" in text(client.get(response.headers["Location"]))
    assert "You have already reported" in text(report(client, post))
    mod = app.test_client()
    make_user(username="sam_peer", role="peer_supporter")
    sign_in(mod, "sam_peer")
    queue = text(mod.get("/moderation/"))
    assert "Report" in queue and "felt dismissive" in queue and "Waiting under a minute" in queue
    item = db.session.scalar(sa.select(ModerationItem))
    refused = submit(mod, f"/moderation/items/{item.id}/handled", {}, page="/moderation/",
                     follow_redirects=True)
    assert "Choose what was done before closing the item." in text(refused)
    assert db.session.get(ModerationItem, item.id).handled_at is None
    submit(mod, f"/moderation/items/{item.id}/handled",
           {"outcome": "member_contacted", "note": "talked it through"}, page="/moderation/")
    assert "Nothing is waiting" in text(mod.get("/moderation/"))
    db.session.expire_all()
    assert db.session.get(ModerationItem, item.id).outcome == "member_contacted"
    entry = db.session.scalar(sa.select(ModerationAction))
    assert (entry.action, entry.reason, entry.detail["outcome"]) == (
        "queue_item_handle", "talked it through", "member_contacted")


def test_queue_is_ordered_by_urgency_then_waiting_time(client, make_user, general,
                                                       frozen_clock):
    thread = start_thread(make_user(username="river"), general)
    first = add_reply(make_user(username="ash"), thread, "first reply")
    second = add_reply(make_user(username="ben"), thread, "second reply")
    reporter = make_user(username="jonah")
    from sharon.forums.moderation import report as do_report

    do_report(reporter, first, "spam", "")
    frozen_clock.advance(minutes=30)
    do_report(reporter, second, "risk", "")
    db.session.commit()
    make_user(username="sam_peer", role="peer_supporter")
    sign_in(client, "sam_peer")
    page = text(client.get("/moderation/"))
    assert page.index("Urgent") < page.index("Normal")
    assert "Waiting 30 minutes" in page


def test_three_reports_hide_a_post_until_a_moderator_looks(client, app, make_user, general):
    thread = start_thread(make_user(username="river"), general)
    post = add_reply(make_user(username="troll"), thread, "Something nasty")
    for name in ("ash", "ben", "cat"):
        reporter = app.test_client()
        make_user(username=name)
        sign_in(reporter, name)
        report(reporter, post, "unkind")
    db.session.expire_all()
    assert db.session.get(Post, post.id).status == "hidden"
    sign_in(client, "river")
    assert "Something nasty" not in text(client.get(f"/forums/t/{thread.id}"))
    mod = app.test_client()
    make_user(username="sam_peer", role="peer_supporter")
    sign_in(mod, "sam_peer")
    page = text(mod.get(f"/forums/t/{thread.id}"))
    assert "Something nasty" in page and "hidden after 3 reports" in page
    submit(mod, f"/forums/p/{post.id}/moderate", {"action": "unhide", "reason": "reviewed"},
           page=f"/forums/t/{thread.id}")
    assert "Something nasty" in text(client.get(f"/forums/t/{thread.id}"))
    actions = db.session.scalars(sa.select(ModerationAction.action)).all()
    assert actions == ["post_auto_hide", "post_unhide"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ModerationItem).where(
        ModerationItem.handled_at.is_(None))) == 0


def test_cannot_report_own_post_or_without_reason(client, make_user, general):
    river = make_user(username="river")
    start_thread(river, general)
    post = db.session.scalar(sa.select(Post))
    sign_in(client, "river")
    assert "cannot report your own post" in text(report(client, post))
    make_user(username="ash")
    other = client.application.test_client()
    sign_in(other, "ash")
    assert "Choose a reason" in text(report(other, post, reason=""))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Report)) == 0


def test_moderators_hide_lock_pin_and_move_with_reasons_logged(client, app, make_user, general,
                                                               network):
    from tests.forums.conftest import make_category

    elsewhere = make_category(network, "Elsewhere")
    river = make_user(username="river")
    thread = start_thread(river, general, title="Moving thread")
    reply = add_reply(river, thread, "a reply")
    make_user(username="dr_lee", role="clinician")
    sign_in(client, "dr_lee")
    page = f"/forums/t/{thread.id}"
    for action in ("lock", "pin"):
        submit(client, page + "/moderate", {"action": action, "reason": f"why {action}"},
               page=page)
    submit(client, page + "/moderate", {"action": "move", "category_id": str(elsewhere.id),
                                        "reason": "better fit"}, page=page)
    submit(client, f"/forums/p/{reply.id}/moderate", {"action": "hide", "reason": "off topic"},
           page=page)
    db.session.expire_all()
    thread = db.session.get(Thread, thread.id)
    assert thread.locked and thread.pinned and thread.category_id == elsewhere.id
    assert db.session.get(Post, reply.id).status == "hidden"
    log = db.session.execute(sa.select(ModerationAction.action, ModerationAction.reason,
                                       ModerationAction.actor_id)).all()
    assert [(a, r) for a, r, _ in log] == [
        ("thread_lock", "why lock"), ("thread_pin", "why pin"), ("thread_move", "better fit"),
        ("post_hide", "off topic")]
    assert all(actor for _, _, actor in log)
    submit(client, page + "/moderate", {"action": "hide", "reason": "done"}, page=page)
    member = app.test_client()
    sign_in(member, "river")
    assert member.get(page).status_code == 404


@pytest.mark.parametrize("path, data", [
    ("/forums/p/{post}/moderate", {"action": "hide", "reason": "x"}),
    ("/forums/t/{thread}/moderate", {"action": "lock", "reason": "x"}),
    ("/forums/t/{thread}/moderate", {"action": "pin", "reason": "x"}),
])
def test_members_cannot_moderate(client, make_user, general, path, data):
    thread = start_thread(make_user(username="river"), general)
    post = db.session.scalar(sa.select(Post))
    make_user(username="ash")
    sign_in(client, "ash")
    token = csrf_token(client.get(f"/forums/t/{thread.id}").get_data(as_text=True))
    url = path.format(post=post.id, thread=thread.id)
    assert client.post(url, data={"csrf_token": token, **data}).status_code == 403
    assert client.get("/moderation/").status_code == 403
    db.session.expire_all()
    thread = db.session.get(Thread, thread.id)
    assert not thread.locked and not thread.pinned
    assert db.session.get(Post, post.id).status == "visible"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ModerationAction)) == 0


def test_watched_word_flag_publishes_and_flags_with_crisis_contacts(client, app, make_user,
                                                                    general):
    make_user(username="river")
    sign_in(client, "river")
    response = new_thread(client, general.id, "A tough week", "I feel hopeless lately")
    page = text(client.get(response.headers["Location"]))
    assert "Help is here if you need it" in page and "Samaritans" in page
    assert "Your post is published" in page
    item = db.session.scalar(sa.select(ModerationItem))
    assert item.kind == "risk" and item.level == "urgent" and "hopeless" in item.reason
    other = app.test_client()
    make_user(username="ash")
    sign_in(other, "ash")
    assert "I feel hopeless lately" in text(other.get(f"/forums/t/{item.subject_id}"))


def test_watched_word_hold_waits_for_approval(client, app, make_user, general):
    river = make_user(username="river")
    thread = start_thread(river, general)
    sign_in(client, "river")
    response = post_reply(client, thread.id, "Honestly I want to die")
    page = text(client.get(response.headers["Location"]))
    assert "Help is here if you need it" in page
    assert "Your post will appear once a moderator has looked at it" in page
    other = app.test_client()
    make_user(username="ash")
    sign_in(other, "ash")
    assert "I want to die" not in text(other.get(f"/forums/t/{thread.id}"))
    held = db.session.scalar(sa.select(Post).where(Post.number == 2))
    assert held.status == "held"
    mod = app.test_client()
    make_user(username="sam_peer", role="peer_supporter")
    sign_in(mod, "sam_peer")
    assert "Waiting for approval" in text(mod.get("/moderation/"))
    submit(mod, f"/forums/p/{held.id}/moderate", {"action": "approve", "back": "queue"},
           page="/moderation/")
    assert "I want to die" in text(other.get(f"/forums/t/{thread.id}"))


def test_watched_word_block_refuses_kindly(client, make_user, general):
    make_user(username="river")
    sign_in(client, "river")
    response = new_thread(client, general.id, "Great offer", "Try this casino, buy now")
    assert response.status_code == 400
    assert "could not be published because it contains words that are not allowed" in \
        text(response)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Thread)) == 0


def test_watched_words_match_whole_words_only(client, make_user, general):
    make_user(username="river")
    sign_in(client, "river")
    new_thread(client, general.id, "Casinos history", "The casinovia café was quiet")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ModerationItem)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Thread)) == 1


def test_clinicians_edit_watched_words(client, app, make_user, general):
    make_user(username="dr_lee", role="clinician")
    sign_in(client, "dr_lee")
    response = submit(client, "/moderation/words", {"term": "Pro-ana", "action": "hold",
                                                   "is_risk": "y"}, follow_redirects=True)
    assert "added to the watched words" in text(response)
    assert "already on the list" in text(submit(client, "/moderation/words", {
        "term": "pro-ana", "action": "flag"}))
    member = app.test_client()
    make_user(username="river")
    sign_in(member, "river")
    assert member.get("/moderation/words").status_code == 403
    response = new_thread(member, general.id, "Food thoughts", "I found a pro-ana site")
    assert "Your post will appear once a moderator" in text(
        member.get(response.headers["Location"]))
    peer = app.test_client()
    make_user(username="sam_peer", role="peer_supporter")
    sign_in(peer, "sam_peer")
    assert peer.get("/moderation/words").status_code == 403


def test_refused_risk_words_in_a_post_still_reach_the_queue(client, make_user, general):
    from sharon.models import WatchedWord

    db.session.add(WatchedWord(term="method details", term_key="method details",
                               action="block", is_risk=True))
    db.session.commit()
    make_user(username="river")
    sign_in(client, "river")
    response = new_thread(client, general.id, "Something hard", "the method details are")
    assert response.status_code == 400
    assert "Help is here if you need it" in text(response)
    item = db.session.scalar(sa.select(ModerationItem))
    assert item.kind == "risk" and item.subject_type == "refused_post"
    assert "method details" in item.excerpt
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Thread)) == 0
