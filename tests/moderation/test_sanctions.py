"""One sanctions ladder for the whole site: warn, mute, suspend, close. Who may give which
rung to whom, what each stops in the forums and on the Wall, and how each ends by itself."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from sharon.extensions import db
from sharon.models import ModerationAction, Post, Sanction, User
from sharon.refusals import Refused
from sharon.sanctions import services as sanctions
from sharon.wall import connections
from tests.forums.conftest import make_category, post_reply, start_thread
from tests.helpers import sign_in, submit, text


@pytest.fixture
def thread(app, people):  # type: ignore[no-untyped-def]
    from sharon.models import Network

    network = db.session.scalars(sa.select(Network).order_by(Network.id)).first()
    return start_thread(people["clinician"], make_category(network, "Staying well"))


def _give(client, person: User, **form: str):  # type: ignore[no-untyped-def]
    page = f"/moderation/people/{person.id}"
    return submit(client, page, {"minutes": "1440", "until": "", **form}, page=page,
                  follow_redirects=True)


def _count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Sanction)) or 0


def test_a_muted_member_cannot_post_in_the_forums_or_on_the_wall_until_it_ends(
        app, client, people, thread, open_clock, wall_client):
    sign_in(client, "sam_peer")
    shown = text(_give(client, people["member"], kind="mute", reason="Please take a break",
                       minutes="60"))
    assert "Muted: robin has been told why." in shown
    assert "Muted until" in shown and "Please take a break" in shown

    robin = app.test_client()
    sign_in(robin, "robin")
    refused = text(post_reply(robin, thread.id, "I am still here"))
    assert "paused your posting for another 60 minutes" in refused
    assert "Reason: Please take a break" in refused
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Post)) == 1
    account = text(robin.get("/account/"))
    assert "Your posting is paused" in account and "Please take a break" in account

    wall = wall_client("robin")
    assert [n["kind"] for n in wall.events("notice")] == ["muted"]
    ack = wall.emit("send", {"body": "hello"})
    assert ack["ok"] is False and ack["error"] == "muted"

    open_clock.advance(minutes=61)  # nobody acts: the mute ends by itself
    assert "Thank you" not in text(post_reply(robin, thread.id, "Back again, calmer"))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Post)) == 2
    assert wall.emit("send", {"body": "hello again"})["ok"]


def test_a_warning_must_be_read_before_posting_again(app, client, people, thread):
    sign_in(client, "dr_lee")
    _give(client, people["member"], kind="warn",
          reason="Please don't share other people's details <script>alert(1)</script>")
    robin = app.test_client()
    sign_in(robin, "robin")
    assert "Please read it and confirm" in text(post_reply(robin, thread.id, "hello"))
    page = robin.get("/account/").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    warning = db.session.scalars(sa.select(Sanction)).one()
    # Someone else cannot read it for them.
    ash = app.test_client()
    sign_in(ash, "ash")
    assert submit(ash, f"/account/notices/{warning.id}/read", {},
                  page="/account/").status_code == 404
    assert submit(robin, f"/account/notices/{warning.id}/read", {}, page="/account/",
                  follow_redirects=True).status_code == 200
    db.session.expire_all()
    assert db.session.get(Sanction, warning.id).acknowledged_at is not None
    post_reply(robin, thread.id, "Understood, sorry")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Post)) == 2


def test_a_suspension_ends_the_live_wall_connection_and_lapses_by_itself(
        app, client, people, open_clock, wall_client):
    wall = wall_client("robin")
    assert wall.connected
    sign_in(client, "dr_lee")
    until = (open_clock.now + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    _give(client, people["member"], kind="suspend", reason="Threats to others", until=until)
    assert connections.sweep() >= 1
    assert not wall.connected
    said = text(sign_in(app.test_client(), "robin"))
    assert "This account is suspended until" in said and "Reason: Threats to others" in said
    open_clock.advance(days=2, minutes=1)
    robin = app.test_client()
    sign_in(robin, "robin")
    assert robin.get("/account/").status_code == 200
    assert db.session.get(User, people["member"].id).status == "active"


def test_closing_an_account(app, client, people):
    sign_in(client, "dr_lee")
    _give(client, people["member"], kind="remove", reason="Repeated abuse of other members")
    said = text(sign_in(app.test_client(), "robin"))
    assert "This account has been closed by the SHaRON team." in said
    again = text(_give(client, people["member"], kind="warn", reason="x"))
    assert "already closed" in again
    assert _count() == 1


@pytest.mark.parametrize("actor, target, kind, words", [
    ("sam_peer", "dr_lee", "mute", "Only admins can sanction members of the moderating team."),
    ("kim_vol", "dr_lee", "warn", "Only admins can sanction members of the moderating team."),
    ("dr_lee", "sam_peer", "warn", "Only admins can sanction members of the moderating team."),
    ("sam_peer", "robin", "suspend", "Only clinicians and admins can suspend an account."),
    ("dr_lee", "boss", "mute", "Nobody can sanction an admin."),
    ("boss", "boss", "warn", "Nobody can sanction an admin."),
    ("robin", "ash", "warn", "Only the moderating team can warn someone."),
])
def test_who_may_sanction_whom(app, people, make_user, actor, target, kind, words):
    make_user(username="boss", role="admin")
    make_user(username="kim_vol", role="volunteer")
    find = {u.username: u for u in db.session.scalars(sa.select(User))}
    with pytest.raises(Refused) as refused:
        sanctions.give(find[actor], find[target], kind, "because", minutes=10)
    assert refused.value.message == words
    db.session.rollback()
    assert _count() == 0


def test_only_admins_sanction_the_team(app, client, people, make_user):
    make_user(username="boss", role="admin")
    sign_in(client, "boss")
    assert "Muted: sam_peer" in text(_give(client, people["peer"], kind="mute",
                                           reason="Cool off", minutes="60"))
    line = db.session.scalars(sa.select(ModerationAction)).one()
    assert (line.action, line.reason, line.detail["kind"]) == ("sanction_give", "Cool off",
                                                               "mute")


@pytest.mark.parametrize("form, error", [
    ({"kind": "mute", "reason": ""}, "Give a reason"),
    ({"kind": "mute", "reason": "x" * 501}, "Keep the reason under 500 characters."),
    ({"kind": "", "reason": "Be kind"}, "Choose what to do."),
    ({"kind": "mute", "reason": "Be kind", "minutes": "99999"}, "Not a valid choice"),
    ({"kind": "suspend", "reason": "Be kind", "until": "2020-01-01T10:00"},
     "must end in the future"),
])
def test_bad_sanction_forms_change_nothing(client, people, form, error):
    sign_in(client, "dr_lee")
    page = f"/moderation/people/{people['member'].id}"
    response = submit(client, page, {"minutes": "60", "until": "", **form}, page=page)
    assert response.status_code == 400 and error in text(response)
    assert _count() == 0


@pytest.mark.parametrize("role", ["member", "carer"])
def test_members_and_carers_cannot_open_a_history_or_give_anything(client, people, make_user,
                                                                    role):
    make_user(username="someone", role=role)
    sign_in(client, "someone")
    page = f"/moderation/people/{people['member'].id}"
    assert client.get(page).status_code == 403
    from tests.helpers import csrf_token

    token = csrf_token(client.get("/account/").get_data(as_text=True))
    assert client.post(page, data={"csrf_token": token, "kind": "warn", "reason": "x",
                                   "minutes": "60", "submission": "A" * 22}).status_code == 403
    assert _count() == 0


def test_the_same_sanction_sent_twice_is_given_once(client, people):
    sign_in(client, "dr_lee")
    page = f"/moderation/people/{people['member'].id}"
    html = client.get(page).get_data(as_text=True)
    from tests.helpers import csrf_token, submission_tokens

    data = {"csrf_token": csrf_token(html), **submission_tokens(html), "kind": "warn",
            "reason": "Be kind", "minutes": "60", "until": ""}
    first, second = client.post(page, data=data), client.post(page, data=data)
    assert first.status_code == 302 and second.status_code == 303  # shown the first
    assert second.headers["Location"].endswith(page)
    assert _count() == 1


def test_lifting_a_mute_lets_them_post_and_is_audited(app, client, people, thread):
    sign_in(client, "sam_peer")
    _give(client, people["member"], kind="mute", reason="Break", minutes="1440")
    mute = db.session.scalars(sa.select(Sanction)).one()
    page = f"/moderation/people/{people['member'].id}"
    shown = text(submit(client, f"{page}/sanctions/{mute.id}/lift", {}, page=page,
                        follow_redirects=True))
    assert "Lifted." in shown and "Nothing is in force" in shown
    robin = app.test_client()
    sign_in(robin, "robin")
    post_reply(robin, thread.id, "Thanks")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Post)) == 2
    actions = db.session.scalars(sa.select(ModerationAction.action)
                                 .order_by(ModerationAction.id)).all()
    assert actions == ["sanction_give", "sanction_lift"]
    again = text(submit(client, f"{page}/sanctions/{mute.id}/lift", {}, page=page,
                        follow_redirects=True))
    assert "That has already ended." in again


def test_overlapping_suspensions_end_with_the_last_of_them(app, people, open_clock):
    lee, robin = people["clinician"], people["member"]
    now = open_clock.now
    open_ended = sanctions.give(lee, robin, "suspend", "Until we talk")
    sanctions.give(lee, robin, "suspend", "A day off", until=now + timedelta(days=1))
    db.session.commit()
    open_clock.advance(days=2)  # the short one is over; the open-ended one is not
    assert not db.session.get(User, robin.id).is_active
    sanctions.lift(lee, open_ended)
    db.session.commit()
    assert db.session.get(User, robin.id).is_active


def test_lifting_a_closure_leaves_a_dated_suspension_to_end_on_its_day(app, people,
                                                                      open_clock):
    lee, robin = people["clinician"], people["member"]
    sanctions.give(lee, robin, "suspend", "A day off",
                   until=open_clock.now + timedelta(days=1))
    closure = sanctions.give(lee, robin, "remove", "Closed in error")
    sanctions.lift(lee, closure)
    db.session.commit()
    assert db.session.get(User, robin.id).suspended_until == (
        open_clock.now + timedelta(days=1))
    open_clock.advance(days=1, minutes=1)
    assert db.session.get(User, robin.id).is_active


def test_a_sanction_given_before_someone_became_an_admin_can_still_be_lifted(
        app, people, make_user):
    boss = make_user(username="boss", role="admin")
    mute = sanctions.give(people["clinician"], people["member"], "mute", "Break", minutes=60)
    people["member"].role = "admin"
    db.session.commit()
    sanctions.lift(boss, mute)
    db.session.commit()
    assert db.session.get(Sanction, mute.id).lifted_at is not None


def test_accounts_suspended_before_the_ladder_get_a_suspension_the_team_can_lift(tmp_path):
    from flask_migrate import upgrade

    from sharon import create_app
    from tests.databases import test_config

    url = f"sqlite:///{tmp_path / 'old.db'}"
    app = create_app(test_config(url))
    with app.app_context():
        upgrade(revision="9d4b2f7e1a60")
        db.session.execute(sa.text(
            "INSERT INTO users (username, username_key, role, status, password_hash, "
            "session_version, created_at) VALUES ('old', 'old', 'member', 'suspended', 'x', "
            "1, '2026-11-01 10:00:00')"))
        db.session.commit()
        upgrade()
        (kind, reason, ends) = db.session.execute(sa.text(
            "SELECT kind, reason, ends_at FROM sanctions")).one()
        assert (kind, ends) == ("suspend", None) and "before sanctions" in reason
        db.session.remove()
        db.engine.dispose()
