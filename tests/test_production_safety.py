"""Safe production: no demo accounts, HTTPS only, sessions with a fixed lifetime, rate
limits on forum writing and reports, and socket origins that add, never replace."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import session

from sharon.extensions import db
from sharon.infra import sessions
from sharon.models import User
from tests.forums.conftest import add_reply, make_category, post_reply, start_thread
from tests.helpers import sign_in, submit, text

PRODUCTION = {"SHARON_ENV": "production"}
HTTPS_PAGE = "SHaRON must be served over HTTPS"


# --- seed-demo ---------------------------------------------------------------------------

@pytest.mark.parametrize("app_config", [PRODUCTION])
def test_seed_demo_refuses_to_run_in_production(runner):
    before = db.session.scalar(sa.select(sa.func.count()).select_from(User))
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code != 0
    assert "seed-demo will not run with SHARON_ENV=production" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == before


# --- HTTPS only in production ------------------------------------------------------------

@pytest.mark.parametrize("app_config", [PRODUCTION])
def test_plain_http_in_production_gets_the_https_page(client):
    response = client.get("/")
    assert response.status_code == 403
    page = text(response)
    assert HTTPS_PAGE in page and "SHARON_PROXY_COUNT" in page
    assert "Samaritans" in page  # crisis contacts, as on every error page
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("app_config", [PRODUCTION])
def test_a_form_sent_over_http_is_told_about_https_not_a_form_error(client, make_user):
    make_user(username="robin")
    response = client.post("/sign-in", data={"username": "robin", "password": "x"})
    assert response.status_code == 403
    assert HTTPS_PAGE in text(response)
    assert "form had expired" not in text(response)


@pytest.mark.parametrize("app_config", [PRODUCTION])
def test_a_forwarded_proto_from_an_untrusted_sender_does_not_count(client):
    response = client.get("/", headers={"X-Forwarded-Proto": "https"})
    assert response.status_code == 403 and HTTPS_PAGE in text(response)


@pytest.mark.parametrize("app_config", [{**PRODUCTION, "SHARON_PROXY_COUNT": 1}])
def test_https_through_a_trusted_proxy_works(client, make_user):
    # As a browser sends it through nginx (Flask-WTF checks the referrer over HTTPS).
    through_proxy = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9",
                     "Referer": "https://localhost/sign-in"}
    client.environ_base.update({"HTTP_" + k.upper().replace("-", "_"): v
                                for k, v in through_proxy.items()})
    assert client.get("/").status_code == 200
    make_user(username="robin")
    assert sign_in(client, "robin").status_code == 302
    assert "Your account" in text(client.get("/forums/"))
    # A proxy that says plain HTTP is believed too.
    assert client.get("/", headers={"X-Forwarded-Proto": "http"}).status_code == 403


@pytest.mark.parametrize("app_config", [PRODUCTION])
def test_https_directly_works_and_health_checks_answer_over_http(client):
    assert client.get("/", base_url="https://localhost").status_code == 200
    assert client.get("/healthz").status_code == 200
    with client.get("/static/css/sharon.css") as stylesheet:  # the HTTPS page's own
        assert stylesheet.status_code == 200


def test_development_serves_plain_http(client):
    assert client.get("/").status_code == 200


# --- A session's fixed lifetime ----------------------------------------------------------

def test_a_busy_session_ends_after_12_hours(client, make_user, frozen_clock):
    make_user(username="river")
    sign_in(client, "river")
    for _ in range(11):  # busy all day: a page every hour
        frozen_clock.advance(hours=1)
        assert "Your account" in text(client.get("/forums/"))
    frozen_clock.advance(minutes=59)
    assert client.get("/forums/").status_code == 200
    frozen_clock.advance(minutes=1)
    response = client.get("/forums/")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]
    page = text(client.get(response.headers["Location"]))
    assert "For your safety you are signed out after 12 hours. Please sign in again." in page
    # Said once, not on every later visit.
    assert "For your safety" not in text(client.get("/sign-in"))


def test_signing_in_again_starts_a_new_lifetime(client, make_user, frozen_clock):
    make_user(username="river")
    sign_in(client, "river")
    frozen_clock.advance(hours=12)
    assert client.get("/forums/").status_code == 302
    assert sign_in(client, "river").status_code == 302
    frozen_clock.advance(hours=11)
    assert "Your account" in text(client.get("/forums/"))


def test_a_public_page_after_the_lifetime_shows_the_person_signed_out(client, make_user,
                                                                      frozen_clock):
    make_user(username="river")
    sign_in(client, "river")
    frozen_clock.advance(hours=13)
    page = text(client.get("/help/urgent"))  # never turned away from urgent help
    assert "Samaritans" in page and "Your account" not in page


@pytest.mark.parametrize("app_config", [{"SHARON_SESSION_LIFETIME_HOURS": 2}])
def test_the_lifetime_is_a_setting(client, make_user, frozen_clock):
    make_user(username="river")
    sign_in(client, "river")
    frozen_clock.advance(hours=2)
    response = client.get("/account/")
    assert response.status_code == 302
    assert "signed out after 2 hours" in text(client.get(response.headers["Location"]))


def test_a_socket_carrying_an_old_session_is_refused(app, make_user, frozen_clock):
    """The Wall's sockets keep the session they connected with and ask user_for_session
    on every event: past the lifetime it names nobody."""
    user = make_user(username="river")
    user_id = f"{user.id}:{user.session_version}"
    with app.test_request_context("/socket.io/"):
        session[sessions.STARTED] = int(frozen_clock.now.timestamp())
        assert sessions.user_for_session(user_id) == user
        frozen_clock.advance(hours=12)
        assert sessions.user_for_session(user_id) is None


def test_a_session_from_before_lifetimes_starts_one_now(client, make_user, frozen_clock):
    make_user(username="river")
    sign_in(client, "river")
    with client.session_transaction() as stored:
        stored.pop(sessions.STARTED)
    frozen_clock.advance(hours=6)
    assert "Your account" in text(client.get("/forums/"))
    frozen_clock.advance(hours=11)
    assert "Your account" in text(client.get("/forums/"))
    frozen_clock.advance(hours=1)
    assert client.get("/forums/").status_code == 302


# --- Rate limits on forum writing and reports --------------------------------------------

@pytest.fixture
def general(app):  # type: ignore[no-untyped-def]
    from sharon.models import Network

    return make_category(db.session.scalars(sa.select(Network).order_by(Network.id)).first(),
                         "Staying well")


LIMITED = {"RATELIMIT_ENABLED": True, "SHARON_POST_RATE_LIMIT": "3 per minute",
           "SHARON_REPORT_RATE_LIMIT": "2 per minute"}


@pytest.mark.parametrize("app_config", [LIMITED])
def test_a_flood_of_forum_posts_gets_a_plain_429_page(app, client, make_user, general):
    thread = start_thread(make_user(username="river"), general)
    make_user(username="ash")
    sign_in(client, "ash")
    codes = [post_reply(client, thread.id, f"Reply number {i}").status_code for i in range(3)]
    assert codes == [302, 302, 302]
    # Threads, replies and edits share one count.
    response = submit(client, f"/forums/c/{general.id}/new",
                      {"title": "One more thread", "body": "Hello", "kind": "chat"})
    assert response.status_code == 429
    page = text(response)
    assert "Please slow down" in page and "this was not saved" in page
    assert "urgent help" in page
    # Reading goes on; and someone else may still write.
    assert client.get(f"/forums/t/{thread.id}").status_code == 200
    other = app.test_client()
    make_user(username="jonah")
    sign_in(other, "jonah")
    assert post_reply(other, thread.id, "I'm here too").status_code == 302


@pytest.mark.parametrize("app_config", [LIMITED])
def test_a_flood_of_reports_gets_a_plain_429_page(client, make_user, general):
    thread = start_thread(make_user(username="river"), general)
    posts = [add_reply(make_user(username=f"writer{i}"), thread, f"Post {i}") for i in range(3)]
    make_user(username="ash")
    sign_in(client, "ash")
    codes = [submit(client, f"/forums/p/{p.id}/report", {"reason": "spam"}).status_code
             for p in posts]
    assert codes == [302, 302, 429]
    page = text(submit(client, f"/forums/p/{posts[2].id}/report", {"reason": "spam"}))
    assert "this one was not sent" in page and "call 999" in page


@pytest.mark.parametrize("app_config", [LIMITED])
def test_reading_the_forms_is_never_limited(client, make_user, general):
    make_user(username="ash")
    sign_in(client, "ash")
    for _ in range(6):
        assert client.get(f"/forums/c/{general.id}/new").status_code == 200


# --- Socket origins ----------------------------------------------------------------------

def _handshake(client, origin: str, **headers: str) -> int:
    return client.get("/socket.io/?EIO=4&transport=polling",
                      headers={"Origin": origin, **headers}).status_code


def test_the_sites_own_origin_may_open_a_socket_and_others_may_not(client):
    assert _handshake(client, "http://localhost") == 200
    assert _handshake(client, "https://elsewhere.example") == 400


@pytest.mark.parametrize("app_config", [{"SHARON_ALLOWED_ORIGINS": ["https://partner.nhs.uk"]}])
def test_allowed_origins_add_to_the_sites_own(client):
    assert _handshake(client, "https://partner.nhs.uk") == 200
    assert _handshake(client, "http://localhost") == 200  # never removed
    assert _handshake(client, "https://elsewhere.example") == 400


@pytest.mark.parametrize("app_config", [{"SHARON_PROXY_COUNT": 1}])
def test_the_own_origin_behind_a_trusted_proxy_is_the_https_one(client):
    proxied = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "sharon.example.nhs.uk"}
    assert _handshake(client, "https://sharon.example.nhs.uk", **proxied) == 200
    assert _handshake(client, "https://elsewhere.example", **proxied) == 400


def test_a_forwarded_host_from_an_untrusted_sender_does_not_count(client):
    spoofed = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example"}
    assert _handshake(client, "https://evil.example", **spoofed) == 400


def test_production_origins_must_be_https(tmp_path):
    from sharon.config import ConfigError, load

    env = {"SHARON_ENV": "production", "SHARON_SECRET_KEY": "k" * 64,
           "SHARON_PRIVACY_CONTROLLER": "Anytown NHS Foundation Trust",
           "SHARON_PRIVACY_CONTACT": "dpo@anytown.nhs.uk",
           "SHARON_SITE_URL": "https://sharon.anytown.nhs.uk"}
    with pytest.raises(ConfigError, match="like https://host"):
        load({**env, "SHARON_ALLOWED_ORIGINS": "http://partner.nhs.uk"},
             instance_path=str(tmp_path))
    config = load({**env, "SHARON_ALLOWED_ORIGINS": " https://Partner.nhs.uk/ ,"},
                  instance_path=str(tmp_path))
    assert config["SHARON_ALLOWED_ORIGINS"] == ["https://partner.nhs.uk"]


@pytest.mark.parametrize("app_config", [LIMITED])
def test_a_flood_of_messages_to_the_team_is_limited_per_person(app, client, make_user):
    from sharon.models import Conversation

    make_user(username="ash")
    sign_in(client, "ash")
    codes = [submit(client, "/ask-the-team/new", {"subject": f"Question {i}",
                                                  "body": "Hello team"}).status_code
             for i in range(4)]
    assert codes == [303, 303, 303, 429]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Conversation)) == 3


@pytest.mark.parametrize("app_config", [LIMITED])
def test_downloads_of_ones_data_are_limited(client, make_user):
    make_user(username="ash")
    sign_in(client, "ash")
    codes = [submit(client, "/account/data/download", {"download": "1"},
                    page="/account/data/").status_code for _ in range(6)]
    assert codes[:5] == [200] * 5 and codes[5] == 429
