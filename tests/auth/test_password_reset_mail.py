"""Forgotten passwords, by a link sent by mail where the trust has set mail up: the same
answer, after the same time, whether or not the address has an account."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from sharon.auth import views
from sharon.config import ConfigError, load
from sharon.extensions import db
from sharon.models import ModerationAction, PasswordReset
from tests.auth.fake_smtp import FakeSMTP, fake_smtp
from tests.helpers import csrf_token, sign_in, submission_tokens, submit, text

NEW = "lantern meadow pebble"
LINK = re.compile(r"http://localhost(/reset-password/[A-Za-z0-9_-]+)")


@pytest.fixture
def smtp() -> Iterator[FakeSMTP]:
    with fake_smtp() as server:
        yield server


@pytest.fixture
def limits() -> dict[str, object]:
    """Rate limits are off in tests unless a test turns them on here."""
    return {}


@pytest.fixture
def app_config(smtp: FakeSMTP, limits: dict[str, object]) -> dict[str, object]:
    return {"SHARON_SMTP_HOST": "127.0.0.1", "SHARON_SMTP_PORT": smtp.port,
            "SHARON_MAIL_FROM": "SHaRON <sharon@example.org>", "SHARON_SMTP_STARTTLS": False,
            **limits}


def _ask(client, email: str):  # type: ignore[no-untyped-def]
    return submit(client, "/forgotten-password", {"email": email})


def _link(smtp: FakeSMTP, count: int = 1) -> str:
    received = smtp.wait_for(count)
    assert len(received) == count
    match = LINK.search(received[-1].get_content())
    assert match, received[-1].get_content()
    return match.group(1)


def _choose(client, link: str, password: str = NEW):  # type: ignore[no-untyped-def]
    return submit(client, link, {"password": password, "confirm": password})


def test_the_link_in_the_mail_resets_the_password(client, make_user, smtp):
    river = make_user(username="river", email="River@Example.org")
    page = client.get("/forgotten-password")
    assert "With a link sent by email" in text(page)
    response = _ask(client, "  river@example.ORG ")
    assert response.status_code == 302
    assert response.headers["Location"] == "/forgotten-password/sent"
    [mail] = smtp.wait_for(1)
    assert mail["To"] == "River@Example.org"
    assert mail["From"] == "SHaRON <sharon@example.org>"
    assert "Hello river" in mail.get_content()
    link = _link(smtp)
    assert client.get(link).status_code == 200
    done = _choose(client, link)
    assert done.status_code == 302 and done.headers["Location"] == "/sign-in"
    assert sign_in(client, "river", NEW).status_code == 302
    actions = [(r.action, r.actor.username if r.actor else None) for r in db.session.scalars(
        sa.select(ModerationAction).where(ModerationAction.subject_id == river.id)
        .order_by(ModerationAction.id))]
    assert actions == [("password_reset_send", None), ("password_reset_use", "river")]


def test_an_unknown_address_gets_the_same_answer_in_the_same_time(app, make_user, smtp):
    make_user(username="river", email="river@example.org")

    def timed(email: str):  # type: ignore[no-untyped-def]
        client = app.test_client()
        html = client.get("/forgotten-password")
        assert html.status_code == 200
        started = time.monotonic()
        response = _ask(client, email)
        return response, time.monotonic() - started, text(client.get(response.headers[
            "Location"]))

    known, known_time, known_page = timed("river@example.org")
    unknown, unknown_time, unknown_page = timed("nobody@example.org")
    assert known.status_code == unknown.status_code == 302
    assert known.headers["Location"] == unknown.headers["Location"]
    assert known_page == unknown_page
    assert "If that address belongs to a SHaRON account, we have sent a link" in known_page
    # Both wait for the fixed answer time; the sending happens after, in the background.
    assert known_time >= views.MAIL_ANSWER_SECONDS and unknown_time >= \
        views.MAIL_ANSWER_SECONDS
    assert abs(known_time - unknown_time) < 0.25
    assert len(smtp.wait_for(1)) == 1
    time.sleep(0.2)
    assert len(smtp.received) == 1  # none to the unknown address


def test_a_slow_mail_server_does_not_hold_up_the_page(client, make_user, monkeypatch):
    from sharon import mail

    make_user(username="river", email="river@example.org")
    monkeypatch.setattr(mail, "send", lambda *_: time.sleep(3))
    started = time.monotonic()
    assert _ask(client, "river@example.org").status_code == 302
    assert time.monotonic() - started < 2


def test_a_link_works_once(app, client, make_user, smtp):
    make_user(username="river", email="river@example.org")
    _ask(client, "river@example.org")
    link = _link(smtp)
    assert _choose(client, link).status_code == 302
    again = app.test_client().get(link)
    assert again.status_code == 400
    assert "This link has expired or has already been used" in text(again)


def test_a_link_does_not_work_after_an_hour(client, make_user, smtp, frozen_clock):
    make_user(username="river", email="river@example.org")
    _ask(client, "river@example.org")
    link = _link(smtp)
    page = client.get(link).get_data(as_text=True)  # drawn while the link still worked
    frozen_clock.advance(hours=1, seconds=1)
    late = client.post(link, data={"csrf_token": csrf_token(page), **submission_tokens(page),
                                   "password": NEW, "confirm": NEW})
    assert late.status_code == 400 and "has expired or has already been used" in text(late)
    assert sign_in(client, "river").status_code == 302


def test_a_new_link_stops_the_older_one_but_not_the_teams_code(app, client, make_user, smtp):
    river = make_user(username="river", email="river@example.org")
    make_user(username="dr_lee", role="clinician")
    staff = app.test_client()
    sign_in(staff, "dr_lee")
    page = f"/admin/people/{river.id}"
    issued = submit(staff, f"{page}/reset-code", {}, page=page)
    code = re.search(r'id="reset-code">([^<]+)<', issued.get_data(as_text=True)).group(1)
    _ask(client, "river@example.org")
    first = _link(smtp)
    _ask(client, "river@example.org")
    second = _link(smtp, 2)
    assert client.get(first).status_code == 400
    assert client.get(second).status_code == 200
    # Someone who knows river's address cannot cancel the code their therapist gave them.
    response = submit(client, "/reset-password", {"username": "river", "code": code,
                                                  "password": NEW, "confirm": NEW})
    assert response.status_code == 302
    # And once the password is reset, the outstanding link is spent too.
    assert client.get(second).status_code == 400


def test_a_suspended_account_is_sent_nothing(client, make_user, smtp):
    make_user(username="river", email="river@example.org", status="suspended")
    assert _ask(client, "river@example.org").status_code == 302
    time.sleep(0.3)
    assert smtp.received == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PasswordReset)) == 0


def test_a_made_up_link_is_refused_kindly(client):
    for token in ("x", "A" * 43, "a/../../etc"):
        response = client.get(f"/reset-password/{token}")
        assert response.status_code in (400, 404)
    response = client.get("/reset-password/" + "A" * 43)
    assert "Ask for a new link" in text(response)


@pytest.mark.parametrize("limits", [{"RATELIMIT_ENABLED": True}])
def test_asking_for_links_is_rate_limited_per_address(app, client, make_user, smtp,
                                                      monkeypatch):
    monkeypatch.setattr(views, "MAIL_ANSWER_SECONDS", 0)
    make_user(username="river", email="river@example.org")
    codes = [_ask(client, "nobody@example.org").status_code for _ in range(4)]
    assert codes == [302, 302, 302, 429]
    assert "Please slow down" in text(_ask(client, "NOBODY@example.org"))
    # Another address from elsewhere is not held back by it.
    other = app.test_client()
    html = other.get("/forgotten-password").get_data(as_text=True)
    assert "Send me a link" in html
    assert _ask(other, "river@example.org").status_code == 302


def test_no_mail_settings_no_mail_form(app, client, make_user):
    app.config["SHARON_SMTP_HOST"] = None
    make_user(username="river", email="river@example.org")
    page = client.get("/forgotten-password")
    assert "Send me a link" not in text(page)
    response = submit(client, "/forgotten-password", {"email": "river@example.org"},
                      page="/sign-in")
    assert response.status_code == 200  # the same page again, and nothing made
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PasswordReset)) == 0


def test_mail_settings_are_checked(tmp_path):
    with pytest.raises(ConfigError, match="SHARON_MAIL_FROM must be an email address"):
        load({"SHARON_SECRET_KEY": "k", "SHARON_MAIL_FROM": "sharon"},
             instance_path=str(tmp_path))
    with pytest.raises(ConfigError, match="SHARON_SMTP_STARTTLS must be one of on, off"):
        load({"SHARON_SECRET_KEY": "k", "SHARON_SMTP_STARTTLS": "yes"},
             instance_path=str(tmp_path))
    config = load({"SHARON_SECRET_KEY": "k"}, instance_path=str(tmp_path))
    assert config["SHARON_SMTP_HOST"] is None and config["SHARON_SMTP_STARTTLS"] is True


def test_a_forged_host_header_cannot_point_the_link_at_another_site(app, make_user, smtp):
    # As load() sets them from SHARON_SITE_URL (tests/test_config.py checks that part):
    # links are built from the site's own name, and other hosts are refused.
    app.config.update(SERVER_NAME="sharon.example.nhs.uk",
                      TRUSTED_HOSTS=["sharon.example.nhs.uk", "localhost", "127.0.0.1"])
    make_user(username="river", email="river@example.org")
    attacker = app.test_client()
    forged = attacker.post("/forgotten-password", data={"email": "river@example.org"},
                           headers={"Host": "evil.example"})
    assert forged.status_code == 400
    visitor = app.test_client()
    page = visitor.get("/forgotten-password", headers={"Host": "localhost"})
    html = page.get_data(as_text=True)
    visitor.post("/forgotten-password", headers={"Host": "localhost"},
                 data={"csrf_token": csrf_token(html), **submission_tokens(html),
                       "email": "river@example.org"})
    (mail,) = smtp.wait_for(1)
    assert "https://sharon.example.nhs.uk/reset-password/" in mail.get_content() or \
        "http://sharon.example.nhs.uk/reset-password/" in mail.get_content()
    assert "localhost" not in mail.get_content() and "evil" not in mail.get_content()
