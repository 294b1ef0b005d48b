"""Forgotten passwords, by a reset code from the team: issued once, used once, for one
account, for 24 hours; every session ends when it is used."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from sharon.auth import resets
from sharon.extensions import db
from sharon.models import ModerationAction, PasswordReset, User
from tests.concurrency import at_once
from tests.helpers import PASSWORD, csrf_token, sign_in, submission_tokens, submit, text

NEW = "lantern meadow pebble"
CODE = re.compile(r'id="reset-code">([^<]+)<')


def _issue(client, person: User) -> str:  # type: ignore[no-untyped-def]
    """As the signed-in clinician or admin: press "Issue a reset code" on the person's page."""
    page = f"/admin/people/{person.id}"
    response = submit(client, f"{page}/reset-code", {}, page=page)
    assert response.status_code == 200, text(response)
    match = CODE.search(response.get_data(as_text=True))
    assert match, text(response)
    return match.group(1)


def _reset(client, username: str, code: str, password: str = NEW):  # type: ignore[no-untyped-def]
    return submit(client, "/reset-password", {"username": username, "code": code,
                                              "password": password, "confirm": password})


@pytest.fixture
def staff(app, make_user):  # type: ignore[no-untyped-def]
    """A clinician, signed in on their own client."""
    make_user(username="dr_lee", role="clinician")
    client = app.test_client()
    sign_in(client, "dr_lee")
    return client


def _press(client, url: str):  # type: ignore[no-untyped-def]
    """Post to a button the page does not show (as someone crafting the request would)."""
    csrf = csrf_token(client.get("/account/").get_data(as_text=True))
    return client.post(url, data={"csrf_token": csrf, "submission": "s" * 22})


def _log() -> list[tuple[str, str | None, int]]:
    rows = db.session.scalars(sa.select(ModerationAction).order_by(ModerationAction.id))
    return [(r.action, r.actor.username if r.actor else None, r.subject_id) for r in rows]


def test_the_sign_in_page_leads_to_the_reset_path(client):
    signin = client.get("/sign-in").get_data(as_text=True)
    assert 'href="/forgotten-password"' in signin
    page = client.get("/forgotten-password")
    assert page.status_code == 200
    assert "Ask your therapist or the SHaRON team for a password reset code" in text(page)
    assert 'href="/reset-password"' in page.get_data(as_text=True)
    # No mail server set up: no email form, and nothing promised about email.
    assert "email" not in text(page).lower()


def test_a_clinician_issues_a_code_and_the_member_resets_with_it(client, staff, make_user):
    river = make_user(username="river")
    code = _issue(staff, river)
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}", code)
    # Shown once: the person's page never shows it again, and only its hash is kept.
    assert code not in staff.get(f"/admin/people/{river.id}").get_data(as_text=True)
    stored = db.session.scalar(sa.select(PasswordReset))
    assert stored.code_hash == resets.hash_code(code) and code not in stored.code_hash

    response = _reset(client, "River", code.lower().replace("-", " "))  # as typed by a person
    assert response.status_code == 302 and response.headers["Location"] == "/sign-in"
    assert "Your password has been changed" in text(client.get("/sign-in"))
    assert sign_in(client, "river").status_code == 400  # the old password no longer works
    assert sign_in(client, "river", NEW).status_code == 302
    assert _log() == [("password_reset_issue", "dr_lee", river.id),
                      ("password_reset_use", "river", river.id)]
    history = text(staff.get("/moderation/audit"))
    assert "password reset code issued" in history and "password reset with a code" in history


def test_a_code_works_once(client, staff, make_user):
    river = make_user(username="river")
    code = _issue(staff, river)
    assert _reset(client, "river", code).status_code == 302
    again = _reset(client, "river", code, "orchard kettle violin")
    assert again.status_code == 400
    assert "This reset code has already been used" in text(again)
    assert sign_in(client, "river", NEW).status_code == 302  # the first one stands


def test_a_code_does_not_work_after_24_hours(client, staff, make_user, frozen_clock):
    river = make_user(username="river")
    code = _issue(staff, river)
    frozen_clock.advance(hours=24, seconds=1)
    response = _reset(client, "river", code)
    assert response.status_code == 400
    assert "This reset code has expired" in text(response)
    assert sign_in(client, "river").status_code == 302  # the password is unchanged


def test_a_code_works_only_for_its_own_account_with_the_same_answer_as_a_wrong_code(
        client, staff, make_user):
    river = make_user(username="river")
    make_user(username="sky")
    code = _issue(staff, river)
    answers = [_reset(client, "sky", code), _reset(client, "river", "ABCD-EFGH-JKMN-PQRS"),
               _reset(client, "nobody_here", code)]
    assert [a.status_code for a in answers] == [400, 400, 400]
    assert len({text(a) for a in answers}) == 1
    assert "That username and reset code do not match" in text(answers[0])
    assert _reset(client, "river", code).status_code == 302  # still unspent
    assert sign_in(client, "sky").status_code == 302  # sky's password is unchanged


def test_a_new_code_stops_the_older_one(client, staff, make_user):
    river = make_user(username="river")
    first = _issue(staff, river)
    second = _issue(staff, river)
    assert "already been used, or a newer code has replaced it" in text(
        _reset(client, "river", first))
    assert _reset(client, "river", second).status_code == 302


def test_a_weak_password_is_refused_and_the_code_kept(client, staff, make_user):
    river = make_user(username="river")
    code = _issue(staff, river)
    weak = _reset(client, "river", code, "password1")
    assert weak.status_code == 400 and "too common" in text(weak)
    mismatch = submit(client, "/reset-password", {"username": "river", "code": code,
                                                  "password": NEW, "confirm": NEW + "x"})
    assert "The two passwords do not match" in text(mismatch)
    assert _reset(client, "river", code).status_code == 302


def test_a_suspended_account_cannot_reset(client, staff, make_user):
    river = make_user(username="river")
    code = _issue(staff, river)
    river.status = "suspended"
    db.session.commit()
    response = _reset(client, "river", code)
    assert response.status_code == 400 and "This account is suspended" in text(response)
    # And no new code is issued for it.
    page = f"/admin/people/{river.id}"
    assert "Issue a reset code" not in text(staff.get(page))
    assert "its password cannot be reset until that ends" in text(staff.get(page))
    refused = staff.get(_press(staff, f"{page}/reset-code").headers["Location"])
    assert "suspended or closed, so a reset code would not work" in text(refused)
    assert CODE.search(refused.get_data(as_text=True)) is None


def test_resetting_ends_every_other_session(app, client, staff, make_user):
    river = make_user(username="river")
    before = river.session_version
    phone = app.test_client()
    sign_in(phone, "river")
    assert phone.get("/account/").status_code == 200
    assert _reset(client, "river", _issue(staff, river)).status_code == 302
    assert phone.get("/account/").status_code == 302  # sent to sign in
    db.session.expire_all()
    assert db.session.get(User, river.id).session_version == before + 1


def test_resetting_lifts_a_sign_in_lock_out(client, staff, make_user):
    river = make_user(username="river")
    for _ in range(5):
        sign_in(client, "river", "wrong password!")
    assert "signing in is paused" in text(sign_in(client, "river", PASSWORD))
    assert _reset(client, "river", _issue(staff, river)).status_code == 302
    assert sign_in(client, "river", NEW).status_code == 302


def test_the_same_code_sent_twice_at_once_works_once(app, staff, make_user):
    river = make_user(username="river")
    before = river.session_version
    code = _issue(staff, river)
    posts = []
    for password in (NEW, "orchard kettle violin"):
        browser = app.test_client()
        html = browser.get("/reset-password").get_data(as_text=True)
        form = {"csrf_token": csrf_token(html), **submission_tokens(html), "username": "river",
                "code": code, "password": password, "confirm": password}
        posts.append(lambda b=browser, f=form: b.post("/reset-password", data=f))
    responses = at_once(posts)
    assert sorted(r.status_code for r in responses) == [302, 400]
    refused = next(r for r in responses if r.status_code == 400)
    assert "already been used" in text(refused)
    db.session.expire_all()
    assert db.session.get(User, river.id).session_version == before + 1
    assert [a for a, _, _ in _log()].count("password_reset_use") == 1


def test_the_same_form_sent_twice_says_the_password_was_changed(client, staff, make_user):
    river = make_user(username="river")
    code = _issue(staff, river)
    html = client.get("/reset-password").get_data(as_text=True)
    form = {"csrf_token": csrf_token(html), **submission_tokens(html), "username": "river",
            "code": code, "password": NEW, "confirm": NEW}
    assert client.post("/reset-password", data=form).status_code == 302
    again = client.post("/reset-password", data=form, follow_redirects=True)
    assert "your password was changed then" in text(again)


@pytest.mark.parametrize("role", ["member", "carer", "peer_supporter", "volunteer"])
def test_only_clinicians_and_admins_issue_codes(app, make_user, role):
    river = make_user(username="river")
    make_user(username="someone", role=role)
    client = app.test_client()
    sign_in(client, "someone")
    assert _press(client, f"/admin/people/{river.id}/reset-code").status_code == 403
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PasswordReset)) == 0


@pytest.mark.parametrize("role", ["peer_supporter", "clinician", "admin"])
def test_only_admins_issue_codes_for_the_team(app, staff, make_user, role):
    colleague = make_user(username="colleague", role=role)
    page = f"/admin/people/{colleague.id}"
    assert "Issue a reset code" not in text(staff.get(page))
    assert _press(staff, f"{page}/reset-code").status_code == 403
    make_user(username="boss", role="admin")
    admin = app.test_client()
    sign_in(admin, "boss")
    assert _issue(admin, colleague)


def test_nobody_issues_a_code_for_themselves(app, make_user):
    boss = make_user(username="boss", role="admin")
    client = app.test_client()
    sign_in(client, "boss")
    page = f"/admin/people/{boss.id}"
    assert "Issue a reset code" not in text(client.get(page))
    assert _press(client, f"{page}/reset-code").status_code == 403


def test_the_service_checks_permission_itself(app, make_user):
    river, sky = make_user(username="river"), make_user(username="sky")
    from sharon.refusals import Refused

    with pytest.raises(Refused) as refused:
        resets.issue(sky, river)
    assert refused.value.code == "forbidden"


def test_signed_in_people_change_their_password_on_their_account_page(client, make_user):
    make_user(username="river")
    sign_in(client, "river")
    for path in ("/reset-password", "/forgotten-password"):
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"] == \
            "/account/password"


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True,
                                          "SHARON_SIGNIN_RATE_LIMIT": "3 per minute"}])
def test_the_reset_form_is_rate_limited(client, make_user):
    make_user(username="river")
    codes = [_reset(client, "river", "ABCD-EFGH-JKMN-PQRS").status_code for _ in range(4)]
    assert codes == [400, 400, 400, 429]
    assert "Please slow down" in text(_reset(client, "river", "ABCD-EFGH-JKMN-PQRS"))


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True,
                                          "SHARON_SIGNIN_RATE_LIMIT": "3 per minute"}])
def test_changing_a_password_is_rate_limited_per_account(app, client, make_user):
    make_user(username="river")
    sign_in(client, "river")
    wrong = {"current": "not my password", "password": NEW, "confirm": NEW}
    codes = [submit(client, "/account/password", wrong).status_code for _ in range(4)]
    assert codes == [400, 400, 400, 429]
    # The same account from another address is still held back.
    other = app.test_client()
    sign_in(other, "river")
    page = other.get("/account/password").get_data(as_text=True)
    response = other.post("/account/password", data={"csrf_token": csrf_token(page), **wrong},
                          environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert response.status_code == 429


def test_a_code_stops_working_when_its_holder_joins_the_team(app, client, make_user):
    """A clinician may give a member a code, not a peer supporter: if the member is
    promoted before using it, the code no longer works (it would hand a team account to
    someone who may not reset one)."""
    lee = make_user(username="dr_lee", role="clinician")
    river = make_user(username="river")
    _, code = resets.issue(lee, river)
    db.session.commit()
    db.session.get(User, river.id).role = "peer_supporter"
    db.session.commit()
    response = submit(client, "/reset-password", {"username": "river", "code": code,
                                                  "password": "lantern meadow pebble",
                                                  "confirm": "lantern meadow pebble"})
    assert "This code no longer works" in text(response)
    refused = sign_in(app.test_client(), "river", "lantern meadow pebble")
    assert "That username and password do not match" in text(refused)
    assert sign_in(app.test_client(), "river").status_code == 302  # the old one still works
