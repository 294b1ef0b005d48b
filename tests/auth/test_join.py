"""Redeeming an invitation: the only way a member or carer joins."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from sharon.extensions import db
from sharon.infra import clock
from sharon.models import Invitation, User
from tests.helpers import csrf_token, submit, text

GOOD = {"username": "blue_heron", "password": "kettle lantern orchard",
        "confirm": "kettle lantern orchard", "accept_guidelines": "y"}


def join(client, code, **changes):
    return submit(client, "/join", {"code": code, **GOOD, **changes})


def count_users() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(User))


def test_redeeming_an_invitation_creates_a_signed_in_member(client, make_invitation, make_user):
    invitation = make_invitation(role="carer")
    response = join(client, invitation.code.lower().replace("-", " "), email="me@example.org")
    assert response.status_code == 302
    assert "Welcome to SHaRON, blue_heron" in text(client.get("/"))
    user = db.session.scalar(sa.select(User).where(User.username == "blue_heron"))
    assert user.role == "carer"
    assert user.email == "me@example.org"
    assert user.invited_by_id == invitation.created_by_id
    assert [n.id for n in user.networks] == [n.id for n in invitation.networks]
    assert user.guidelines_accepted_at is not None
    assert user.password_hash.startswith("$argon2id$")
    db.session.expire_all()
    used = db.session.get(Invitation, invitation.id)
    assert used.used_by_id == user.id and used.status == "used"


def test_the_code_can_be_given_in_the_link(client, make_invitation):
    invitation = make_invitation()
    page = client.get(f"/join?code={invitation.code}")
    assert f'value="{invitation.code}"' in page.get_data(as_text=True)


@pytest.mark.parametrize("state, message", [
    ("used", "already been used"),
    ("expired", "has expired"),
    ("revoked", "has been withdrawn"),
])
def test_spent_codes_are_refused_and_create_nothing(client, make_invitation, make_user, state,
                                                    message):
    now = clock.now()
    changes = {
        "used": {"used_at": now - timedelta(days=1)},
        "expired": {"expires_at": now - timedelta(minutes=1)},
        "revoked": {"revoked_at": now - timedelta(hours=1)},
    }[state]
    invitation = make_invitation(**changes)
    before = count_users()
    response = join(client, invitation.code)
    assert response.status_code == 400
    assert message in text(response)
    assert count_users() == before


@pytest.mark.parametrize("code", ["", "hello", "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG-HHHH",
                                  "<script>alert(1)</script>", "x" * 500])
def test_garbled_codes_are_refused(client, make_invitation, code):
    make_invitation()
    before = count_users()
    response = join(client, code)
    assert response.status_code == 400
    assert "<script>alert(1)</script>" not in response.get_data(as_text=True)
    assert count_users() == before


def test_duplicate_username_in_another_case(client, make_invitation, make_user):
    make_user(username="Blue_Heron")
    invitation = make_invitation()
    response = join(client, invitation.code)
    assert response.status_code == 400
    assert "That username is already taken" in text(response)
    assert db.session.get(Invitation, invitation.id).used_at is None


@pytest.mark.parametrize("password, message", [
    ("short1!", "at least 10 characters"),
    ("password123", "too common"),
    ("qwertyuiop", "too common"),
    ("Password2024!", "too common"),
    ("aaaaaaaaaaaa", "too common"),
    ("blue_heron_rocks", "must not contain your username"),
])
def test_weak_or_common_passwords_are_refused(client, make_invitation, password, message):
    invitation = make_invitation()
    response = join(client, invitation.code, password=password, confirm=password)
    assert response.status_code == 400
    assert message in text(response)
    assert count_users() == 1  # the invitation's clinician only


@pytest.mark.parametrize("username, message", [
    ("me@example.org", "must not be an email address"),
    ("ab", "3 to 30 characters"),
    ("a" * 31, "3 to 30 characters"),
    ("has space", "3 to 30 characters"),
    ("admin", "reserved"),
])
def test_bad_usernames_are_refused(client, make_invitation, username, message):
    invitation = make_invitation()
    response = join(client, invitation.code, username=username)
    assert response.status_code == 400
    assert message in text(response)


def test_guidelines_must_be_accepted(client, make_invitation):
    invitation = make_invitation()
    data = {"code": invitation.code, **GOOD}
    del data["accept_guidelines"]
    response = submit(client, "/join", data)
    assert response.status_code == 400
    assert "accept the community guidelines" in text(response)
    assert db.session.get(Invitation, invitation.id).used_at is None


def test_mismatched_passwords(client, make_invitation):
    invitation = make_invitation()
    response = join(client, invitation.code, confirm="something else entirely")
    assert "The two passwords do not match" in text(response)


def test_join_without_csrf_token_writes_nothing(client, make_invitation):
    invitation = make_invitation()
    before = count_users()
    response = client.post("/join", data={"code": invitation.code, **GOOD})
    assert response.status_code == 400
    assert count_users() == before
    assert db.session.get(Invitation, invitation.id).used_at is None


def test_a_code_works_only_once(client, app, make_invitation):
    invitation = make_invitation()
    assert join(client, invitation.code).status_code == 302
    other = app.test_client()
    response = join(other, invitation.code, username="second_person")
    assert "already been used" in text(response)
    assert db.session.scalar(sa.select(User).where(User.username == "second_person")) is None


def test_error_summary_links_to_the_field(client, make_invitation):
    invitation = make_invitation()
    page = client.get("/join")
    response = client.post("/join", data={"csrf_token": csrf_token(page.get_data(as_text=True)),
                                          "code": invitation.code, "username": "x"})
    html = response.get_data(as_text=True)
    assert 'href="#username"' in html and 'aria-invalid="true"' in html
    assert "<title>Error: Join SHaRON" in html
