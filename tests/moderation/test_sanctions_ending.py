"""When a mute or a suspension reaches its end, the scheduler tells the member, once: in
their notifications and on any page they have open, whichever worker runs it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask import Flask

from sharon.extensions import db
from sharon.infra import scheduler
from sharon.models import Notification, Sanction, User
from sharon.realtime import rooms
from sharon.sanctions import services as sanctions
from tests.concurrency import at_once
from tests.helpers import sign_in, submit, text

MUTED = "You can post again: the pause on your posting has ended."
BACK = "Welcome back: your account's suspension has ended."


class MemberPage:
    """One of the member's pages, listening on /live for notices."""

    def __init__(self, app: Flask, username: str) -> None:
        from sharon.extensions import socketio

        self.http = app.test_client()
        sign_in(self.http, username)
        self.sio = socketio.test_client(app, namespace=rooms.LIVE, flask_test_client=self.http)

    def notices(self) -> list[dict[str, Any]]:
        return [e["args"][0] for e in self.sio.get_received(rooms.LIVE) if e["name"] == "notice"]


def _give(client, person: User, **form: str):  # type: ignore[no-untyped-def]
    page = f"/moderation/people/{person.id}"
    return submit(client, page, {"minutes": "1440", "until": "", **form}, page=page,
                  follow_redirects=True)


def _notifications(member: User) -> list[str]:
    return list(db.session.scalars(sa.select(Notification.kind)
                                   .where(Notification.user_id == member.id)))


def test_a_member_whose_mute_ends_is_told_once_that_they_can_post_again(
        app, client, people, open_clock):
    sign_in(client, "sam_peer")
    _give(client, people["member"], kind="mute", reason="Please take a break", minutes="60")
    page = MemberPage(app, "robin")
    open_clock.advance(minutes=59)
    assert "sanctions-ending" in scheduler.run_due(app)
    assert MUTED not in text(page.http.get("/forums/notifications"))
    open_clock.advance(minutes=2)
    assert "sanctions-ending" in scheduler.run_due(app)
    open_clock.advance(minutes=1)
    assert "sanctions-ending" in scheduler.run_due(app)  # a second look tells nobody again
    (notice,) = page.notices()
    assert notice["text"] == MUTED and notice["url"] == "/forums/notifications"
    shown = text(page.http.get("/forums/notifications"))
    assert shown.count(MUTED) == 1
    assert "Notifications 1 unread" in text(page.http.get("/forums/"))  # the header's count
    # Opening it marks it read and goes back to the forums.
    note = db.session.scalars(sa.select(Notification)).one()
    opened = page.http.get(f"/forums/notifications/{note.id}")
    assert opened.status_code == 302 and opened.headers["Location"].endswith("/forums/")
    db.session.expire_all()
    assert db.session.get(Notification, note.id).read_at is not None
    # Nobody else hears of it.
    ash = app.test_client()
    sign_in(ash, "ash")
    assert MUTED not in text(ash.get("/forums/notifications"))
    assert ash.get(f"/forums/notifications/{note.id}").status_code == 404


def test_two_workers_at_once_tell_the_member_once(app, second_worker, people, open_clock):
    sanctions.give(people["peer"], people["member"], "mute", "Break", minutes=30)
    db.session.commit()
    open_clock.advance(minutes=31)
    ran = at_once([lambda: scheduler.run_due(app), lambda: scheduler.run_due(second_worker),
                   lambda: scheduler.run_due(second_worker)])
    assert sum("sanctions-ending" in names for names in ran) == 1
    assert _notifications(people["member"]) == ["mute_ended"]
    # Even a worker whose lease lapsed mid-run (so two run the job) tells once: the mark
    # on the sanction is taken by one conditional UPDATE.
    from sharon.sanctions import jobs

    with second_worker.app_context():
        assert jobs.tell_ended(open_clock.now) == 0
        db.session.commit()
    assert _notifications(people["member"]) == ["mute_ended"]


def test_overlapping_mutes_tell_only_when_the_last_ends(app, people, open_clock):
    sanctions.give(people["peer"], people["member"], "mute", "Break", minutes=30)
    sanctions.give(people["clinician"], people["member"], "mute", "Longer break", minutes=90)
    db.session.commit()
    open_clock.advance(minutes=31)
    scheduler.run_due(app)
    assert _notifications(people["member"]) == []  # still muted: "you can post" is not true
    open_clock.advance(minutes=60)
    scheduler.run_due(app)
    assert _notifications(people["member"]) == ["mute_ended"]
    db.session.expire_all()
    assert all(s.end_told_at is not None for s in db.session.scalars(sa.select(Sanction)))


def test_a_lifted_or_long_past_mute_is_not_announced(app, people, open_clock):
    lifted = sanctions.give(people["peer"], people["member"], "mute", "Break", minutes=30)
    sanctions.lift(people["peer"], lifted)
    sanctions.give(people["peer"], people["carer"], "mute", "Break", minutes=30)
    db.session.commit()
    open_clock.advance(days=1, minutes=31)  # the scheduler was stopped for over a day
    scheduler.run_due(app)
    assert _notifications(people["member"]) == [] and _notifications(people["carer"]) == []


def test_a_suspension_that_ends_makes_the_account_active_and_welcomes_them_back(
        app, client, people, open_clock):
    sign_in(client, "dr_lee")
    until = (open_clock.now + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    _give(client, people["member"], kind="suspend", reason="Threats to others", until=until)
    db.session.expire_all()
    assert db.session.get(User, people["member"].id).status == "suspended"
    open_clock.advance(days=2, minutes=1)
    scheduler.run_due(app)
    db.session.expire_all()
    # Active again before they sign in: the team's lists are right without a read.
    robin = db.session.get(User, people["member"].id)
    assert (robin.status, robin.suspended_until) == ("active", None)
    member = app.test_client()
    sign_in(member, "robin")
    assert text(member.get("/forums/notifications")).count(BACK) == 1
    scheduler.run_due(app, now=open_clock.now + timedelta(minutes=5))
    assert text(member.get("/forums/notifications")).count(BACK) == 1
