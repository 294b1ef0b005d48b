"""Sessions slide: the cookie is re-signed once its signature is an hour old, not on
every response, so an active person is never cut off and an idle one is in 12 hours."""

from __future__ import annotations

from tests.helpers import sign_in


def _sets_cookie(response) -> bool:
    return any(h.startswith("sharon_session=") for h in response.headers.getlist("Set-Cookie"))


def test_the_session_cookie_is_re_signed_hourly_while_in_use(client, make_user, frozen_clock):
    make_user(username="river")
    sign_in(client, "river")
    client.get("/guidelines")  # the first page after signing in notes when it was signed
    assert not _sets_cookie(client.get("/guidelines"))
    frozen_clock.advance(minutes=59)
    assert not _sets_cookie(client.get("/forums/"))
    frozen_clock.advance(minutes=2)
    response = client.get("/forums/")
    assert response.status_code == 200 and _sets_cookie(response)
    assert not _sets_cookie(client.get("/forums/"))
    assert "Your account" in client.get("/forums/").get_data(as_text=True)


def test_visitors_get_no_session_cookie(client):
    assert not _sets_cookie(client.get("/guidelines"))
    assert not _sets_cookie(client.get("/"))
