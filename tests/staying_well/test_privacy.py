"""Check-in answers and the plan are special-category health data: stored for their
owner only, in their data export, gone with their account, never in search, and never
in the team's dashboard except as one anonymous count."""

from __future__ import annotations

import sqlalchemy as sa

from sharon.extensions import db
from sharon.models import CheckIn, CheckInSettings, PlanItem, User
from tests.helpers import submit, text
from tests.mydata.conftest import delete_account, download, unzip
from tests.staying_well.conftest import (
    HARD,
    check_in,
    check_ins,
    client_for,
    days_later,
    plan_items,
    turn_on,
    write_list,
)


def _count(model) -> int:  # type: ignore[no-untyped-def]
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0


def _lived_in(app, tuesday):  # type: ignore[no-untyped-def]
    client = client_for(app, "river")
    write_list(client, "warning_sign", "Sleeping badly")
    write_list(client, "reason", "RIVER-REASON my kids")
    submit(client, "/staying-well/plan/person",
           {"people-0-name": "Jo", "people-0-how": "07700 900123"})
    turn_on(client, "1")
    sign = plan_items(db.session.scalar(
        sa.select(User.id).where(User.username == "river")), "warning_sign")[0]
    check_in(client, HARD, note="RIVER-NOTE hard week", signs=[str(sign.id)])
    days_later(tuesday, client, "river", 7)
    check_in(client, note="RIVER-NOTE better")
    sky = client_for(app, "sky")
    write_list(sky, "helps", "SKY-HELPS")
    turn_on(sky)
    check_in(sky, note="SKY-NOTE")
    return client


def test_the_plan_and_check_ins_are_in_the_person_s_data_export(app, people, tuesday):
    client = _lived_in(app, tuesday)
    files = unzip(download(client))
    plan = files["staying_well/plan.json"]
    assert [(p["section"], p["text"], p["how_to_contact"]) for p in plan] == [
        ("warning_sign", "Sleeping badly", ""), ("reason", "RIVER-REASON my kids", ""),
        ("person", "Jo", "07700 900123")]
    assert files["staying_well/check_in_settings.json"] == [
        {"check_ins_on": True, "day_0_is_monday": 1, "email_reminder": False,
         "reminded_week": None}]
    rows = files["staying_well/check_ins.json"]
    assert [(r["week_starting"], r["phq2_little_interest_or_pleasure"], r["mood_0_to_10"],
             r["note"], r["warning_signs_noticed"]) for r in rows] == [
        ("2026-11-30", 2, 3, "RIVER-NOTE hard week", ["Sleeping badly"]),
        ("2026-12-07", 0, 7, "RIVER-NOTE better", [])]
    everything = str(files)
    assert "SKY-NOTE" not in everything and "SKY-HELPS" not in everything


def test_deleting_the_account_takes_the_plan_and_check_ins_with_it(app, people, tuesday):
    client = _lived_in(app, tuesday)
    river_id = people["river"].id
    assert len(check_ins(river_id)) == 2
    done = delete_account(client, "river", "correct horse battery")
    assert done.status_code in (302, 303)
    db.session.expire_all()
    assert db.session.get(User, river_id) is None
    for model in (PlanItem, CheckIn, CheckInSettings):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(model)
                                 .where(model.user_id == river_id)) == 0, model
    # Someone else's stay.
    assert len(check_ins(people["sky"].id)) == 1
    assert [i.text for i in plan_items(people["sky"].id)] == ["SKY-HELPS"]


def test_check_ins_and_plans_are_never_in_search(app, people, tuesday):
    client = _lived_in(app, tuesday)
    for query in ("RIVER-NOTE", "hard week", "RIVER-REASON", "Sleeping badly"):
        for path in (f"/forums/search?q={query}", f"/library/?q={query}"):
            page = client.get(path)
            assert page.status_code == 200, path
            body = page.get_data(as_text=True)
            assert "RIVER-NOTE hard" not in body and "RIVER-REASON my" not in body, path


def test_the_dashboard_shows_only_how_many_people_use_check_ins(app, people, tuesday):
    _lived_in(app, tuesday)
    ash = client_for(app, "ash")
    turn_on(ash)
    submit(ash, "/staying-well/check-ins/turn-off", {}, page="/staying-well/check-ins/settings")
    page = client_for(app, "boss").get("/moderation/dashboard")
    assert page.status_code == 200
    words = text(page)
    assert "People using weekly check-ins fewer than 5" in words  # never an exact few
    html = page.get_data(as_text=True)
    for private in ("RIVER-NOTE", "SKY-NOTE", "RIVER-REASON", "Sleeping badly", "PHQ"):
        assert private not in html


def test_the_team_s_pages_about_a_member_show_nothing_of_their_plan(app, people, tuesday):
    _lived_in(app, tuesday)
    river_id = people["river"].id
    for staff in ("dr_lee", "boss"):
        client = client_for(app, staff)
        for path in (f"/admin/people/{river_id}", f"/moderation/people/{river_id}",
                     "/moderation/", "/moderation/dashboard"):
            page = client.get(path)
            body = page.get_data(as_text=True)
            assert "RIVER-NOTE" not in body and "RIVER-REASON" not in body, (staff, path)
            assert "07700 900123" not in body, (staff, path)


def test_rows_are_only_ever_the_owner_s(app, people, tuesday):
    _lived_in(app, tuesday)
    assert _count(CheckIn) == 3
    assert {c.user_id for c in check_ins()} == {people["river"].id, people["sky"].id}
