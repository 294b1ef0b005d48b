"""Working an item: a claim everyone sees, that lapses after 30 minutes idle and that one
of two moderators wins; risk levels from the detector that any moderator can change, with
the expected response beside them; escalation to the clinicians; and risk flags that
stand out, on the queue and live, once they wait past their level's time while the team
is on duty."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from sharon.extensions import db
from sharon.models import ItemKind, ModerationAction, ModerationItem, User
from sharon.moderation import alerts
from sharon.moderation import services as moderation
from sharon.refusals import Refused
from tests.concurrency import at_once
from tests.forums.conftest import make_category, new_thread
from tests.helpers import sign_in, submit, text
from tests.moderation.test_live_alerts import LivePage


@pytest.fixture
def space(app):  # type: ignore[no-untyped-def]
    from sharon.models import Network

    network = db.session.scalars(sa.select(Network).order_by(Network.id)).first()
    return make_category(network, "Staying well")


def _risk(app, space, words: str) -> ModerationItem:  # type: ignore[no-untyped-def]
    member = app.test_client()
    sign_in(member, "robin")
    new_thread(member, space.id, "Tonight", words)
    db.session.expire_all()
    return db.session.scalars(sa.select(ModerationItem).where(
        ModerationItem.kind == ItemKind.RISK)).one()


def _queue(client) -> str:  # type: ignore[no-untyped-def]
    return text(client.get("/moderation/"))


def test_the_detector_sets_the_level_and_the_queue_says_what_it_means(
        app, client, people, space, open_clock):
    high = _risk(app, space, "I am worried my son will hurt himself")
    assert high.risk_level == "high"
    sign_in(client, "sam_peer")
    shown = _queue(client)
    assert "Risk level high. High: a clinician sees it within 15 minutes" in shown
    # Any item leads to a private conversation with its author ("member contacted").
    html = client.get("/moderation/").get_data(as_text=True)
    assert f'href="/ask-the-team/start?item_id={high.id}">Write to robin' in html


def test_a_claim_is_seen_by_everyone_blocks_others_and_lapses(
        app, client, people, space, open_clock):
    item = _risk(app, space, "I wish I was dead")
    assert item.risk_level == "medium"
    sign_in(client, "dr_lee")
    shown = text(submit(client, f"/moderation/items/{item.id}/claim", {},
                        page="/moderation/", follow_redirects=True))
    assert "It is yours" in shown and "You are working on this" in shown
    other = app.test_client()
    sign_in(other, "sam_peer")
    seen = _queue(other)
    assert "dr_lee is working on this (since" in seen
    refused = text(submit(other, f"/moderation/items/{item.id}/claim", {},
                          page="/moderation/", follow_redirects=True))
    assert "dr_lee is working on this item (since" in refused
    refused = text(submit(other, f"/moderation/items/{item.id}/level", {"level": "high"},
                          page="/moderation/", follow_redirects=True))
    assert "dr_lee is working on this item" in refused
    db.session.expire_all()
    assert db.session.get(ModerationItem, item.id).risk_level == "medium"

    open_clock.advance(minutes=31)  # dr_lee did nothing more: the claim lapses
    assert "Nobody is working on this yet." in _queue(other)
    submit(other, f"/moderation/items/{item.id}/claim", {}, page="/moderation/")
    db.session.expire_all()
    assert db.session.get(ModerationItem, item.id).claimed_by.username == "sam_peer"
    # Giving it back.
    shown = text(submit(other, f"/moderation/items/{item.id}/release", {},
                        page="/moderation/", follow_redirects=True))
    assert "Given back to the queue." in shown and "Nobody is working on this yet." in shown
    lines = db.session.scalars(sa.select(ModerationAction.action)
                               .order_by(ModerationAction.id)).all()
    assert lines == ["queue_item_claim", "queue_item_claim", "queue_item_release"]


def test_a_claimed_item_is_closed_only_by_its_holder(app, client, people, open_clock):
    item = moderation.enqueue(ItemKind.REPORT, "post", 1, reason="unkind",
                              author=people["member"])
    db.session.commit()
    sign_in(client, "sam_peer")
    submit(client, f"/moderation/items/{item.id}/claim", {}, page="/moderation/")
    lee = app.test_client()
    sign_in(lee, "dr_lee")
    shown = text(submit(lee, f"/moderation/items/{item.id}/handled",
                        {"outcome": "no_action"}, page="/moderation/", follow_redirects=True))
    assert "sam_peer is working on this item" in shown
    db.session.expire_all()
    assert db.session.get(ModerationItem, item.id).handled_at is None


def test_two_moderators_claiming_at_once_one_wins_the_other_is_told_who(
        app, people, space, open_clock, make_user):
    item_id = _risk(app, space, "I wish I was dead").id
    # (Two who are not clinicians: a clinician may always take over a risk flag.)
    ids = {"sam_peer": people["peer"].id,
           "kim_vol": make_user(username="kim_vol", role="volunteer").id}

    def take(username: str) -> str:
        with app.app_context():
            try:
                moderation.claim(db.session.get(ModerationItem, item_id),
                                 db.session.get(User, ids[username]))
                db.session.commit()
                return "won"
            except Refused as refused:
                db.session.rollback()
                return refused.message
            except sa.exc.OperationalError:  # SQLite: the other writer holds the lock
                db.session.rollback()
                return "busy"
            finally:
                db.session.remove()

    results = dict(zip(ids, at_once([lambda name=name: take(name) for name in ids]),
                       strict=True))
    assert list(results.values()).count("won") == 1
    winner = next(name for name, said in results.items() if said == "won")
    loser = next(said for said in results.values() if said != "won")
    assert loser == "busy" or loser.startswith(f"{winner} is working on this item")
    db.session.expire_all()
    assert db.session.get(ModerationItem, item_id).claimed_by.username == winner


def test_any_moderator_changes_the_level_and_high_alerts_the_team(
        app, client, people, space, open_clock):
    item = _risk(app, space, "I wish I was dead")
    lee = LivePage(app, "dr_lee")
    lee.events("alert")
    sign_in(client, "sam_peer")
    shown = text(submit(client, f"/moderation/items/{item.id}/level", {"level": "high"},
                        page="/moderation/", follow_redirects=True))
    assert "Risk level changed." in shown and "Risk level high." in shown
    db.session.expire_all()
    changed = db.session.get(ModerationItem, item.id)
    assert (changed.risk_level, changed.level) == ("high", "urgent")
    assert [a["id"] for a in lee.events("alert")] == [item.id]
    line = db.session.scalars(sa.select(ModerationAction).where(
        ModerationAction.action == "queue_item_level_set")).one()
    assert line.detail == {"item_id": item.id, "level": "high", "was": "medium"}
    for bad in ("urgent", "", "<b>"):
        refused = text(submit(client, f"/moderation/items/{item.id}/level", {"level": bad},
                              page="/moderation/", follow_redirects=True))
        assert "Choose low, medium or high." in refused


def test_a_peer_supporter_escalates_and_only_clinicians_are_alerted(
        app, client, people, space, open_clock):
    item = _risk(app, space, "I wish I was dead")
    lee, kim = LivePage(app, "dr_lee"), LivePage(app, "sam_peer")
    lee.events("alert"), kim.events("alert")
    sign_in(client, "sam_peer")
    assert "Escalate to a clinician" in _queue(client)
    shown = text(submit(client, f"/moderation/items/{item.id}/escalate",
                        {"note": "They have said this before"}, page="/moderation/",
                        follow_redirects=True))
    assert "Escalated: the clinicians have been alerted." in shown
    assert "Escalated to the clinicians at" in shown
    (alert,) = lee.events("alert")
    assert alert["title"].startswith("Escalated to the clinicians by sam_peer")
    assert "They have said this before" in alert["title"]
    assert kim.events("alert") == []
    # Still open, and still only a clinician closes it.
    refused = text(submit(client, f"/moderation/items/{item.id}/handled",
                          {"outcome": "escalated_to_clinician"}, page="/moderation/",
                          follow_redirects=True))
    assert "Only clinicians close risk flags" in refused
    again = text(submit(client, f"/moderation/items/{item.id}/escalate", {},
                        page="/moderation/", follow_redirects=True))
    assert "already with the clinicians" in again


def test_a_risk_flag_waiting_past_its_time_while_the_team_is_on_duty_stands_out(
        app, client, people, space, open_clock, wall_client):
    item = _risk(app, space, "I wish I was dead")  # medium: within 1 hour
    sign_in(client, "dr_lee")
    open_clock.advance(minutes=61)
    assert "Overdue" not in _queue(client)  # nobody on duty: nobody could have seen it
    assert alerts.announce_overdue(open_clock.now, team_on_duty=False) == 0
    peer = wall_client("sam_peer")
    assert peer.emit("duty", {"on": True})["on"] is True
    lee = LivePage(app, "dr_lee")
    shown = _queue(client)
    assert "Risk flag: forum post Overdue" in shown
    assert "It has waited longer than that." in shown
    assert alerts.announce_overdue(open_clock.now, team_on_duty=True) == 1
    db.session.commit()
    (alert,) = lee.events("alert")
    assert alert["title"] == ("Overdue: a medium risk flag in the forums has waited "
                              "1 hour 1 minute")
    assert alerts.announce_overdue(open_clock.now, team_on_duty=True) == 0  # once
    # Taking it up ends the overdue mark.
    submit(client, f"/moderation/items/{item.id}/claim", {}, page="/moderation/")
    assert "Overdue" not in _queue(client)


def test_the_scheduler_raises_the_overdue_alert_while_the_team_is_on_duty(
        app, people, space, open_clock, wall_client):
    from sharon.infra import scheduler
    from sharon.wall.watcher import Watcher

    _risk(app, space, "I am worried my son will hurt himself")  # high: within 15 minutes
    peer = wall_client("sam_peer")
    assert peer.emit("duty", {"on": True})["on"] is True
    lee = LivePage(app, "dr_lee")
    lee.events("alert")
    watcher = Watcher(app)
    watcher.tick()
    assert "overdue-risk-alerts" in scheduler.run_due(app)
    assert lee.events("alert") == []  # not yet past its time
    open_clock.advance(minutes=16)
    watcher.tick()  # renews the peer's duty (their Wall is open)
    assert "overdue-risk-alerts" in scheduler.run_due(app)  # then the scheduler looks
    (alert,) = lee.events("alert")
    assert alert["title"] == "Overdue: a high risk flag in the forums has waited 16 minutes"
    open_clock.advance(seconds=15)
    watcher.tick()
    assert "overdue-risk-alerts" in scheduler.run_due(app)
    assert lee.events("alert") == []  # once


@pytest.mark.parametrize("role", ["member", "carer"])
def test_members_and_carers_cannot_use_any_of_the_consoles_actions(
        app, client, people, space, make_user, role):
    item = _risk(app, space, "I wish I was dead")
    make_user(username="someone", role=role)
    sign_in(client, "someone")
    from tests.helpers import csrf_token

    token = csrf_token(client.get("/account/").get_data(as_text=True))
    for path in ("/moderation/", "/moderation/dashboard", "/moderation/audit",
                 f"/moderation/people/{people['member'].id}"):
        assert client.get(path).status_code == 403, path
    for action, data in (("claim", {}), ("release", {}), ("level", {"level": "low"}),
                         ("escalate", {"note": "x"}), ("handled", {"outcome": "no_action"})):
        response = client.post(f"/moderation/items/{item.id}/{action}",
                               data={"csrf_token": token, **data})
        assert response.status_code == 403, action
    db.session.expire_all()
    unchanged = db.session.get(ModerationItem, item.id)
    assert (unchanged.claimed_by_id, unchanged.risk_level, unchanged.escalated_at,
            unchanged.handled_at) == (None, "medium", None, None)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ModerationAction)) == 0


def test_after_escalation_a_clinician_takes_and_closes_the_flag_at_once(
        app, client, people, space, open_clock):
    item = _risk(app, space, "I wish I was dead")
    sign_in(client, "sam_peer")
    submit(client, f"/moderation/items/{item.id}/claim", {}, page="/moderation/")
    submit(client, f"/moderation/items/{item.id}/escalate", {}, page="/moderation/")
    lee = app.test_client()
    sign_in(lee, "dr_lee")
    assert "Nobody is working on this yet." in _queue(lee)
    shown = text(submit(lee, f"/moderation/items/{item.id}/handled",
                        {"outcome": "member_contacted"}, page="/moderation/",
                        follow_redirects=True))
    assert "Closed, with what was done recorded." in shown
    db.session.expire_all()
    assert db.session.get(ModerationItem, item.id).handled_by.username == "dr_lee"


def test_a_clinician_may_take_over_a_risk_flag_someone_else_holds(
        app, client, people, space, open_clock):
    item = _risk(app, space, "I wish I was dead")
    sign_in(client, "sam_peer")
    submit(client, f"/moderation/items/{item.id}/claim", {}, page="/moderation/")
    lee = app.test_client()
    sign_in(lee, "dr_lee")
    assert "Take this over" in _queue(lee)
    submit(lee, f"/moderation/items/{item.id}/claim", {}, page="/moderation/")
    db.session.expire_all()
    assert db.session.get(ModerationItem, item.id).claimed_by.username == "dr_lee"


def test_the_queue_page_costs_the_same_however_many_items_it_shows(app, client, people,
                                                                   make_user):
    """The people each card names are read together, not once per item."""
    from tests.forums.test_reading import count_statements

    def items(count: int, start: int) -> None:
        for n in range(start, start + count):
            author, reporter = make_user(username=f"author{n}"), make_user(username=f"rep{n}")
            moderation.enqueue(ItemKind.REPORT, "post", 1000 + n, reason="unkind",
                               author=author, reporter=reporter)
        db.session.commit()

    items(2, 0)
    sign_in(client, "dr_lee")
    client.get("/moderation/")
    with count_statements() as few:
        assert client.get("/moderation/").status_code == 200
    items(10, 2)
    client.get("/moderation/")
    with count_statements() as many:
        page = client.get("/moderation/")
    assert "author11" in text(page) and "rep11" in text(page)
    assert len(many) == len(few), (len(few), len(many))
