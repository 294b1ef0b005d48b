"""The moderation queue's timed work, run by the scheduler: idle claims are given back in
the database (and the audit log says so), and a risk flag waiting past its time while the
team is on duty is alerted once, however many workers look."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from sharon.extensions import db
from sharon.infra import scheduler
from sharon.models import ModerationAction, ModerationItem
from tests.concurrency import at_once
from tests.forums.conftest import make_category
from tests.helpers import sign_in, submit, text
from tests.moderation.test_claims_and_risk_levels import _risk
from tests.moderation.test_live_alerts import LivePage


@pytest.fixture
def space(app):  # type: ignore[no-untyped-def]
    from sharon.models import Network

    network = db.session.scalars(sa.select(Network).order_by(Network.id)).first()
    return make_category(network, "Staying well")


def _item(item_id: int) -> ModerationItem:
    db.session.expire_all()
    return db.session.get(ModerationItem, item_id)


def _audit() -> list[tuple[str, str | None, dict]]:  # type: ignore[type-arg]
    rows = db.session.scalars(sa.select(ModerationAction).order_by(ModerationAction.id))
    return [(r.action, r.actor.username if r.actor else None, r.detail) for r in rows]


def test_an_idle_claim_is_given_back_in_the_database_and_audited(
        app, client, people, space, open_clock):
    item = _risk(app, space, "I wish I was dead")
    sign_in(client, "sam_peer")
    submit(client, f"/moderation/items/{item.id}/claim", {}, page="/moderation/")
    open_clock.advance(minutes=29)
    assert "lapsed-claims" in scheduler.run_due(app)
    assert _item(item.id).claimed_by_id == people["peer"].id  # still theirs
    open_clock.advance(minutes=2)  # 31 minutes idle: nobody needs to open the queue
    assert "lapsed-claims" in scheduler.run_due(app)
    held = _item(item.id)
    assert (held.claimed_by_id, held.claimed_at) == (None, None)
    assert _audit()[-1] == ("queue_item_release", None,
                            {"item_id": item.id, "holder_id": people["peer"].id,
                             "lapsed": True})
    open_clock.advance(minutes=1)
    scheduler.run_due(app)
    assert [a for a, _, _ in _audit()] == ["queue_item_claim", "queue_item_release"]
    lee = app.test_client()
    sign_in(lee, "dr_lee")
    assert "Nobody is working on this yet." in text(lee.get("/moderation/"))
    history = text(lee.get("/moderation/audit"))
    assert "claim released" in history


def test_a_claim_renewed_by_its_holder_is_kept(app, client, people, space, open_clock):
    item = _risk(app, space, "I wish I was dead")
    sign_in(client, "sam_peer")
    submit(client, f"/moderation/items/{item.id}/claim", {}, page="/moderation/")
    open_clock.advance(minutes=25)
    submit(client, f"/moderation/items/{item.id}/level", {"level": "high"}, page="/moderation/")
    open_clock.advance(minutes=10)  # 35 minutes since the claim, 10 since they acted
    scheduler.run_due(app)
    assert _item(item.id).claimed_by_id == people["peer"].id
    assert "You are working on this" in text(client.get("/moderation/"))


def test_an_escalated_flag_a_clinician_took_is_not_made_to_look_untouched(
        app, client, people, space, open_clock, wall_client):
    item = _risk(app, space, "I wish I was dead")  # medium: within an hour
    sign_in(client, "sam_peer")
    submit(client, f"/moderation/items/{item.id}/claim", {}, page="/moderation/")
    submit(client, f"/moderation/items/{item.id}/escalate", {}, page="/moderation/")
    lee = app.test_client()
    sign_in(lee, "dr_lee")
    submit(lee, f"/moderation/items/{item.id}/claim", {}, page="/moderation/")
    peer = wall_client("sam_peer")
    assert peer.emit("duty", {"on": True})["on"] is True
    from sharon.wall.watcher import Watcher

    watcher = Watcher(app)
    open_clock.advance(minutes=61)
    watcher.tick()  # the peer is still on duty
    scheduler.run_due(app)
    assert _item(item.id).claimed_by_id == people["clinician"].id  # the record it was taken
    assert "Overdue" not in text(lee.get("/moderation/"))


def test_an_overdue_flag_is_alerted_once_with_two_workers_looking(
        app, second_worker, people, space, open_clock, wall_client):
    from sharon.wall.watcher import Watcher

    item = _risk(app, space, "I am worried my son will hurt himself")  # high: 15 minutes
    peer = wall_client("sam_peer")
    assert peer.emit("duty", {"on": True})["on"] is True
    lee = LivePage(app, "dr_lee")
    lee.events("alert")
    open_clock.advance(minutes=16)
    Watcher(app).tick()  # renews the peer's duty
    ran = at_once([lambda: scheduler.run_due(app), lambda: scheduler.run_due(second_worker)])
    assert sum("overdue-risk-alerts" in names for names in ran) == 1
    (alert,) = lee.events("alert")
    assert alert["id"] == item.id and alert["why"] == "overdue"
    assert _item(item.id).overdue_alerted_at == open_clock.now


def test_nobody_on_duty_no_overdue_alert(app, people, space, open_clock):
    item = _risk(app, space, "I am worried my son will hurt himself")
    lee = LivePage(app, "dr_lee")
    lee.events("alert")
    open_clock.advance(minutes=16)
    assert "overdue-risk-alerts" in scheduler.run_due(app)
    assert lee.events("alert") == []
    assert _item(item.id).overdue_alerted_at is None
