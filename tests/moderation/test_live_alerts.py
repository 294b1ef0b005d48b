"""Risk written anywhere reaches the moderating team live, on whatever page they have
open; the navigation counts open urgent items; members never get a team socket."""

from __future__ import annotations

from typing import Any

import pytest

from sharon.extensions import db, socketio
from sharon.realtime import pending, rooms
from tests.forums.conftest import make_category, new_thread
from tests.helpers import sign_in, text


class LivePage:
    """A signed-in page of the team's, listening on /live."""

    def __init__(self, app: Any, username: str) -> None:
        self.http = app.test_client()
        sign_in(self.http, username)
        self.sio = socketio.test_client(app, namespace=rooms.LIVE, flask_test_client=self.http)

    def events(self, name: str) -> list[Any]:
        return [e["args"][0] for e in self.sio.get_received(rooms.LIVE) if e["name"] == name]


@pytest.fixture
def space(app, make_user):  # type: ignore[no-untyped-def]
    import sqlalchemy as sa

    from sharon.models import Network

    network = db.session.scalars(sa.select(Network).order_by(Network.id)).first()
    return make_category(network, "Staying well")


def test_a_risky_forum_post_alerts_the_team_on_any_page(app, make_user, space):
    make_user(username="river")
    make_user(username="sam_peer", role="peer_supporter")
    make_user(username="dr_lee", role="clinician")
    sam, lee = LivePage(app, "sam_peer"), LivePage(app, "dr_lee")
    member = app.test_client()
    sign_in(member, "river")
    new_thread(member, space.id, "Tonight", "I can't keep myself safe tonight")
    for page in (sam, lee):
        (alert,) = page.events("alert")
        assert alert["area"] == "the forums" and alert["author"] == "river"
        assert "keep myself safe" in alert["excerpt"]
        assert alert["url"].startswith("/forums/p/")
    # The count beside "Moderation" on every page of the team's.
    page = lee.http.get("/library/")
    assert 'id="nav-urgent"' in page.get_data(as_text=True)
    assert "Moderation 1 urgent" in text(page)


def test_an_ordinary_post_alerts_nobody(app, make_user, space):
    make_user(username="river")
    make_user(username="sam_peer", role="peer_supporter")
    sam = LivePage(app, "sam_peer")
    member = app.test_client()
    sign_in(member, "river")
    new_thread(member, space.id, "Good news", "Had a lovely walk with the dog today")
    assert sam.events("alert") == []


def test_members_and_carers_hear_only_their_own_notices_never_the_teams_alerts(
        app, make_user, space):
    make_user(username="river")
    make_user(username="ash", role="carer")
    make_user(username="kim")
    pages = [LivePage(app, username) for username in ("river", "ash")]
    for page in pages:  # they may listen (for the team's replies to them)…
        assert page.sio.is_connected(rooms.LIVE)
    writer = app.test_client()
    sign_in(writer, "kim")
    new_thread(writer, space.id, "Tonight", "I can't keep myself safe tonight")
    for page in pages:  # …but never join the team's room
        received = page.sio.get_received(rooms.LIVE)
        assert [e["name"] for e in received] == []
        assert "keep myself safe" not in repr(received)
    anonymous = socketio.test_client(app, namespace=rooms.LIVE)
    assert not anonymous.is_connected(rooms.LIVE)


def test_an_alert_never_reaches_someone_who_may_not_see_the_post(app, make_user, space,
                                                                 monkeypatch):
    from sharon.forums import visibility

    make_user(username="river")
    make_user(username="sam_peer", role="peer_supporter")
    make_user(username="dr_lee", role="clinician")
    sam, lee = LivePage(app, "sam_peer"), LivePage(app, "dr_lee")
    # Today the whole team may read every space; should a space ever be closed to some of
    # them, the alert follows the same rule as the page.
    original = visibility.may_see_thread
    monkeypatch.setattr(visibility, "may_see_thread",
                        lambda user, thread: user.username != "sam_peer"
                        and original(user, thread))
    member = app.test_client()
    sign_in(member, "river")
    new_thread(member, space.id, "Tonight", "I want to kill myself")
    assert sam.events("alert") == []
    assert len(lee.events("alert")) == 1


def test_a_risky_wall_message_alerts_the_team_off_the_wall_too(app, make_user, wall_people,
                                                               open_clock):
    from tests.wall.conftest import WallClient

    lee = LivePage(app, "dr_lee")
    robin = WallClient(app, "robin")
    try:
        assert robin.emit("send", {"body": "I want to end my life"})["status"] == "held"
        (alert,) = lee.events("alert")
        assert alert["area"] == "the Wall" and alert["author"] == "robin"
    finally:
        robin.sio.disconnect("/wall")


def test_nothing_is_announced_when_the_change_rolls_back(app, make_user, space):
    from sharon.forums import services

    river = make_user(username="river")
    make_user(username="sam_peer", role="peer_supporter")
    sam = LivePage(app, "sam_peer")
    services.create_thread(river, space, "Tonight", "chat", "I want to kill myself")
    assert [p[0] for p in pending.pending()] == ["alert", "urgent"]
    db.session.rollback()
    assert pending.pending() == []
    assert sam.events("alert") == []


@pytest.fixture
def wall_people(make_user):  # type: ignore[no-untyped-def]
    return {"member": make_user(username="robin"),
            "clinician": make_user(username="dr_lee", role="clinician")}


@pytest.fixture
def open_clock(frozen_clock):  # type: ignore[no-untyped-def]
    from tests.wall.conftest import MONDAY_10AM

    frozen_clock.now = MONDAY_10AM
    return frozen_clock
