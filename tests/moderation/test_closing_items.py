"""Working a queue item to a recorded outcome: only clinicians close risk flags, nothing
is closed while still held, hiding content closes its reports but never a risk flag, and
two moderators closing one item at once close it once."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from sharon.extensions import db
from sharon.models import ItemKind, ModerationAction, ModerationItem, Post
from sharon.models.moderation import Level
from sharon.moderation import services as moderation
from sharon.refusals import Refused
from tests.forums.conftest import make_category
from tests.helpers import sign_in, submit, text


@pytest.fixture
def space(app):  # type: ignore[no-untyped-def]
    from sharon.models import Network

    network = db.session.scalars(sa.select(Network).order_by(Network.id)).first()
    return make_category(network, "Staying well")


def _item(kind: ItemKind, subject_type: str = "post", subject_id: int = 1) -> ModerationItem:
    item = moderation.enqueue(kind, subject_type, subject_id, level=Level.HIGH,
                              reason="worrying words")
    db.session.commit()
    return item


@pytest.mark.parametrize("role", ["peer_supporter", "volunteer"])
def test_only_clinicians_close_a_risk_flag(client, make_user, role):
    make_user(username="helper", role=role)
    item = _item(ItemKind.RISK, "refused_post")
    sign_in(client, "helper")
    queue = text(client.get("/moderation/"))
    assert "Only clinicians close risk flags" in queue and "Close this item" not in queue
    response = submit(client, f"/moderation/items/{item.id}/handled",
                      {"outcome": "no_action"}, page="/moderation/", follow_redirects=True)
    assert "Only clinicians close risk flags" in text(response)
    db.session.expire_all()
    assert db.session.get(ModerationItem, item.id).handled_at is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ModerationAction)) == 0


def test_a_clinician_closes_a_risk_flag_with_an_outcome_and_a_note(client, make_user):
    make_user(username="dr_lee", role="clinician")
    item = _item(ItemKind.RISK, "refused_post")
    sign_in(client, "dr_lee")
    submit(client, f"/moderation/items/{item.id}/handled",
           {"outcome": "referred_to_services", "note": "phoned their care coordinator"},
           page="/moderation/")
    db.session.expire_all()
    closed = db.session.get(ModerationItem, item.id)
    assert closed.outcome == "referred_to_services" and closed.handled_by.username == "dr_lee"
    entry = db.session.scalar(sa.select(ModerationAction))
    assert entry.reason == "phoned their care coordinator"
    assert entry.detail["kind"] == "risk"


def test_an_unknown_outcome_is_refused(client, make_user):
    make_user(username="sam_peer", role="peer_supporter")
    item = _item(ItemKind.REPORT)
    sign_in(client, "sam_peer")
    response = submit(client, f"/moderation/items/{item.id}/handled",
                      {"outcome": "deleted_them"}, page="/moderation/", follow_redirects=True)
    assert "Choose what was done" in text(response)
    db.session.expire_all()
    assert db.session.get(ModerationItem, item.id).handled_at is None


def test_a_held_post_is_closed_only_by_approving_or_rejecting_it(client, make_user, space):
    from sharon.forums import services as forums

    app_user = make_user(username="river")
    peer = make_user(username="sam_peer", role="peer_supporter")
    space_post = forums.create_thread(app_user, space, "Hello", "chat", "first words")
    post = space_post.post
    post.status = "held"
    item = _item(ItemKind.HELD, "post", post.id)
    sign_in(client, "sam_peer")
    queue = text(client.get("/moderation/"))
    assert "Approve or reject it" in queue
    with pytest.raises(Refused, match="still waiting for approval"):
        moderation.handle(db.session.get(ModerationItem, item.id), peer, "no_action")
    db.session.rollback()
    submit(client, f"/forums/p/{post.id}/moderate", {"action": "approve", "back": "queue"},
           page="/moderation/")
    db.session.expire_all()
    assert db.session.get(Post, post.id).status == "visible"
    assert db.session.get(ModerationItem, item.id).handled_at is not None


def test_hiding_a_post_closes_its_reports_but_never_its_risk_flag(client, make_user, space):
    from sharon.forums import services as forums

    author = make_user(username="river")
    make_user(username="sam_peer", role="peer_supporter")
    post = forums.create_thread(author, space, "Hello", "chat", "some words").post
    report = _item(ItemKind.REPORT, "post", post.id)
    risk = _item(ItemKind.RISK, "post", post.id)
    sign_in(client, "sam_peer")
    submit(client, f"/forums/p/{post.id}/moderate", {"action": "hide", "reason": "unkind"},
           page=f"/forums/t/{post.thread_id}")
    db.session.expire_all()
    assert db.session.get(ModerationItem, report.id).handled_at is not None
    assert db.session.get(ModerationItem, risk.id).handled_at is None


def test_two_moderators_closing_one_item_at_once_close_it_once(app, make_user):
    first, second = make_user(username="sam_peer", role="peer_supporter"), make_user(
        username="kim_vol", role="volunteer")
    item_id = _item(ItemKind.REPORT).id
    ids = {"sam_peer": first.id, "kim_vol": second.id}
    barrier, results = threading.Barrier(2), {}

    def close(username: str) -> None:
        with app.app_context():
            from sharon.models import User

            person = db.session.get(User, ids[username])
            item = db.session.get(ModerationItem, item_id)
            barrier.wait()
            try:
                moderation.handle(item, person, "no_action")
                db.session.commit()
                results[username] = "closed"
            except Refused as refused:
                db.session.rollback()
                results[username] = refused.code
            except sa.exc.OperationalError:  # SQLite: the other writer holds the lock
                db.session.rollback()
                results[username] = "busy"
            finally:
                db.session.remove()

    threads = [threading.Thread(target=close, args=(name,)) for name in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results.values()).count("closed") == 1
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ModerationAction)) == 1


def test_a_note_too_long_is_refused_not_cut(client, make_user):
    make_user(username="sam_peer", role="peer_supporter")
    item = _item(ItemKind.REPORT)
    sign_in(client, "sam_peer")
    response = submit(client, f"/moderation/items/{item.id}/handled",
                      {"outcome": "no_action", "note": "x" * 1001}, page="/moderation/",
                      follow_redirects=True)
    assert "A note can be up to 1000 characters." in text(response)
    db.session.expire_all()
    assert db.session.get(ModerationItem, item.id).handled_at is None
