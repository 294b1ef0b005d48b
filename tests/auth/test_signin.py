"""Signing in and out, lock-out, suspension, rate limiting."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from sharon.extensions import db
from sharon.models import SignInThrottle, User
from tests.helpers import PASSWORD, csrf_token, sign_in, sign_out, submit, text


def test_sign_in_and_out(client, make_user):
    make_user(username="Robin")
    response = sign_in(client, "robin")  # usernames are case-insensitive at sign-in
    assert response.status_code == 302
    home = client.get("/")
    assert "Hello, Robin" in text(home)
    assert "Sign out" in text(home)
    sign_out(client)
    assert "Staying well, together" in text(client.get("/"))
    assert client.get("/account/").status_code == 302


def test_wrong_password_is_refused_without_saying_which_part(client, make_user):
    make_user(username="robin")
    wrong = sign_in(client, "robin", "not the password")
    unknown = sign_in(client, "nobody_here", "not the password")
    assert wrong.status_code == unknown.status_code == 400
    message = "That username and password do not match"
    assert message in text(wrong) and message in text(unknown)
    assert "Hello" not in text(client.get("/"))


def test_lockout_after_repeated_failures_then_success_after_it_ends(client, make_user,
                                                                     frozen_clock):
    make_user(username="robin")
    for _ in range(4):
        assert "do not match" in text(sign_in(client, "robin", "wrong password!"))
    locked = sign_in(client, "robin", "wrong password!")
    assert "signing in is paused for 15 minutes" in text(locked)
    # Even the right password is refused while the lock lasts.
    assert "signing in is paused" in text(sign_in(client, "robin", PASSWORD))
    frozen_clock.advance(minutes=16)
    assert sign_in(client, "robin", PASSWORD).status_code == 302
    assert "Hello, robin" in text(client.get("/"))
    assert db.session.get(SignInThrottle, "robin|127.0.0.1") is None


def test_lockout_message_is_the_same_for_unknown_usernames(client, make_user):
    make_user(username="robin")
    for _ in range(5):
        real = sign_in(client, "robin", "wrong password!")
        fake = sign_in(client, "ghost_user", "wrong password!")
    assert text(real).replace("robin", "X") == text(fake).replace("ghost_user", "X")
    assert "signing in is paused" in text(fake)


def test_suspended_user_is_refused_with_a_clear_message(client, make_user):
    make_user(username="robin", status="suspended")
    response = sign_in(client, "robin")
    assert response.status_code == 400
    assert "This account is suspended" in text(response)
    assert "Hello" not in text(client.get("/"))


def test_suspending_someone_ends_their_session(client, make_user):
    user = make_user(username="robin")
    sign_in(client, "robin")
    assert client.get("/account/").status_code == 200
    user.status = "suspended"
    db.session.commit()
    assert client.get("/account/").status_code == 302


def test_session_is_renewed_at_sign_in(client, make_user):
    make_user(username="robin")
    client.get("/sign-in")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    sign_in(client, "robin")
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session.get("_user_id", "").startswith(str(
            db.session.scalar(sa.select(User.id).where(User.username == "robin"))))


def test_session_cookie_flags(client, make_user):
    make_user(username="robin")
    response = sign_in(client, "robin")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_next_parameter_never_leaves_the_site(client, make_user):
    make_user(username="robin")
    page = client.get("/sign-in?next=https://evil.example/")
    response = client.post("/sign-in?next=https://evil.example/", data={
        "csrf_token": csrf_token(page.get_data(as_text=True)),
        "username": "robin", "password": PASSWORD})
    assert response.headers["Location"] == "/"


def test_next_parameter_returns_to_the_page_asked_for(client, make_user):
    make_user(username="robin")
    assert client.get("/account/").headers["Location"].startswith("/sign-in?next=")
    page = client.get("/sign-in?next=/account/")
    response = client.post("/sign-in?next=/account/", data={
        "csrf_token": csrf_token(page.get_data(as_text=True)),
        "username": "robin", "password": PASSWORD})
    assert response.headers["Location"] == "/account/"


def test_form_without_csrf_token_is_refused(client, make_user):
    make_user(username="robin")
    response = client.post("/sign-in", data={"username": "robin", "password": PASSWORD})
    assert response.status_code == 400
    assert "nothing was saved" in text(response)
    assert "Hello" not in text(client.get("/"))


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True,
                                          "SHARON_SIGNIN_RATE_LIMIT": "3 per minute"}])
def test_sign_in_is_rate_limited(client, make_user):
    make_user(username="robin")
    codes = [sign_in(client, f"someone{i}", "wrong password!").status_code for i in range(4)]
    assert codes == [400, 400, 400, 429]
    response = sign_in(client, "robin")
    assert response.status_code == 429
    assert "Please slow down" in text(response)


def test_password_hash_is_upgraded_when_parameters_change(client, make_user, app):
    from argon2 import PasswordHasher

    user = make_user(username="robin",
                     password_hash=PasswordHasher(time_cost=2, memory_cost=16, parallelism=1)
                     .hash(PASSWORD))
    old = user.password_hash
    sign_in(client, "robin")
    db.session.expire_all()
    new = db.session.get(User, user.id).password_hash
    assert new != old and new.startswith("$argon2id$") and "m=8,t=1,p=1" in new


def test_sign_out_needs_a_post_with_token(client, make_user):
    make_user(username="robin")
    sign_in(client, "robin")
    assert client.get("/sign-out").status_code == 405
    client.post("/sign-out")  # no token: nothing happens
    assert "Hello, robin" in text(client.get("/"))
    submit(client, "/sign-out", {}, page="/")
    assert "Hello" not in text(client.get("/"))


def test_a_lock_from_one_address_does_not_lock_the_owner_out_elsewhere(client, app, make_user):
    make_user(username="sam_peer", role="peer_supporter")
    for _ in range(5):
        sign_in(client, "sam_peer", "someone else guessing")
    assert "signing in is paused" in text(sign_in(client, "sam_peer"))
    at_home = app.test_client()
    at_home.environ_base["REMOTE_ADDR"] = "192.0.2.10"
    assert sign_in(at_home, "sam_peer").status_code == 302


def test_a_copied_session_cookie_stops_working_after_sign_out(client, app, make_user):
    make_user(username="robin")
    sign_in(client, "robin")
    copied = client.get_cookie("sharon_session").value
    sign_out(client)
    thief = app.test_client()
    thief.set_cookie("sharon_session", copied)
    assert thief.get("/account/").status_code == 302
