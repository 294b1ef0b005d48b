"""Changing a password, which signs out every other device."""

from __future__ import annotations

from tests.helpers import PASSWORD, sign_in, submit, text


def change(client, current=PASSWORD, new="violet pebble harbour", confirm=None):
    return submit(client, "/account/password", {
        "current": current, "password": new, "confirm": confirm or new})


def test_change_password_ends_other_sessions(client, app, make_user):
    make_user(username="robin")
    laptop, phone = client, app.test_client()
    sign_in(laptop, "robin")
    sign_in(phone, "robin")
    response = change(laptop)
    assert response.status_code == 302
    assert "Your password has been changed" in text(laptop.get("/account/"))
    assert phone.get("/account/").status_code == 302
    assert sign_in(app.test_client(), "robin", "violet pebble harbour").status_code == 302
    assert sign_in(app.test_client(), "robin", PASSWORD).status_code == 400


def test_change_password_refuses_bad_input(client, make_user):
    make_user(username="robin")
    sign_in(client, "robin")
    assert "current password is not right" in text(change(client, current="nope nope nope"))
    assert "too common" in text(change(client, new="password1234"))
    assert "do not match" in text(change(client, confirm="something different"))
    assert sign_in(client.application.test_client(), "robin", PASSWORD).status_code == 302


def test_account_page_shows_what_we_hold(client, make_user):
    make_user(username="robin", email="robin@example.org", role="carer")
    sign_in(client, "robin")
    page = text(client.get("/account/"))
    assert "robin@example.org" in page and "Carer" in page and "Talking Therapies" in page
