"""A member or carer builds a private staying-well plan, changes it at any time and
prints it; the services to contact come filled in; no one else can open it."""

from __future__ import annotations

from pathlib import Path

import pytest

from sharon.extensions import db
from sharon.models import PlanKind
from tests.helpers import csrf_token, submit, text
from tests.staying_well.conftest import client_for, plan_items, write_list


def test_a_member_builds_a_plan_section_by_section_and_reads_it_back(app, people):
    client = client_for(app, "river")
    page = client.get("/staying-well/")
    assert page.status_code == 200
    assert "Your plan is empty" in text(page)
    assert "Only you can see your plan and check-ins" in text(page)
    saved = write_list(client, "warning_sign", "Sleeping badly\n\n- Skipping meals\n  Not "
                                               "answering   messages  ")
    assert saved.status_code == 303 and saved.location.endswith("/staying-well/plan#warning_sign")
    write_list(client, "trigger", "Work deadlines")
    write_list(client, "helps", "A walk by the river\nCalling my sister")
    write_list(client, "reason", "My kids")
    submit(client, "/staying-well/plan/person", {
        "people-0-name": "Jo (sister)", "people-0-how": "07700 900123",
        "people-1-name": "Dr Patel", "people-1-how": "", "people-2-name": "",
        "people-2-how": ""})
    river = people["river"]
    assert [i.text for i in plan_items(river.id, "warning_sign")] == [
        "Sleeping badly", "Skipping meals", "Not answering messages"]
    assert [(i.text, i.detail) for i in plan_items(river.id, "person")] == [
        ("Jo (sister)", "07700 900123"), ("Dr Patel", "")]
    page = text(client.get("/staying-well/plan"))
    for words in ("My early warning signs", "Sleeping badly", "My triggers", "Work deadlines",
                  "What helps me", "A walk by the river", "People I can contact",
                  "Jo (sister) : 07700 900123", "My reasons to stay well", "My kids",
                  "Services to contact", "Samaritans", "NHS 111"):
        assert words in page, words
    # Editing again starts from what is there, and saving replaces it.
    form = client.get("/staying-well/plan/helps").get_data(as_text=True)
    assert "A walk by the river\nCalling my sister</textarea>" in form
    write_list(client, "helps", "Calling my sister")
    assert [i.text for i in plan_items(river.id, "helps")] == ["Calling my sister"]
    write_list(client, "trigger", "")
    assert plan_items(river.id, "trigger") == []
    assert "Nothing here yet" in text(client.get("/staying-well/plan"))


def test_a_carer_keeps_a_plan_too(app, people):
    client = client_for(app, "ash")
    write_list(client, "helps", "Time for myself")
    assert "Time for myself" in text(client.get("/staying-well/plan"))


def test_plan_text_is_shown_as_plain_text_never_as_html(app, people):
    client = client_for(app, "river")
    write_list(client, "helps", "<script>alert(1)</script> **bold**")
    html = client.get("/staying-well/plan").get_data(as_text=True)
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; **bold**" in html


@pytest.mark.parametrize(("kind", "lines", "message"), [
    ("warning_sign", "\n".join(f"sign {n}" for n in range(11)),
     "You can list up to 10 warning signs. You have listed 11."),
    ("helps", "fine\n" + "x" * 201, "Each thing that helps can be up to 200 characters. "
                                   "Number 2 has 201."),
    ("reason", "x" * 20_000, "This is far too long. Please shorten it."),
])
def test_too_many_or_too_long_lines_are_refused_clearly_and_nothing_changes(
        app, people, kind, lines, message):
    client = client_for(app, "river")
    write_list(client, kind, "Kept line")
    refused = write_list(client, kind, lines)
    assert refused.status_code == 400
    page = text(refused)
    assert "There is a problem" in page and page.count(message) == 2  # summary and inline
    assert [i.text for i in plan_items(people["river"].id, kind)] == ["Kept line"]


@pytest.mark.parametrize(("row", "message"), [
    ({"people-0-name": "", "people-0-how": "07700 900123"},
     "Give a name for person 1, or clear how to reach them."),
    ({"people-0-name": "x" * 81, "people-0-how": ""},
     "Each name can be up to 80 characters. Number 1 has 81."),
    ({"people-0-name": "Jo", "people-0-how": "y" * 121},
     "Each way to reach someone can be up to 120 characters. Number 1 has 121."),
])
def test_a_person_without_a_name_or_with_too_much_is_refused(app, people, row, message):
    client = client_for(app, "river")
    submit(client, "/staying-well/plan/person", {"people-0-name": "Sam", "people-0-how": "1"})
    refused = submit(client, "/staying-well/plan/person", row)
    assert refused.status_code == 400
    assert message in text(refused)
    assert [i.text for i in plan_items(people["river"].id, "person")] == ["Sam"]


def test_seven_people_are_too_many(app, people):
    client = client_for(app, "river")
    rows = {f"people-{n}-name": f"Friend {n}" for n in range(7)}
    refused = submit(client, "/staying-well/plan/person", rows)
    assert refused.status_code == 400
    assert "You can list up to 6 people. You have listed 7." in text(refused)
    assert plan_items(people["river"].id, "person") == []


def test_an_unknown_section_is_not_found(app, people):
    client = client_for(app, "river")
    assert client.get("/staying-well/plan/secrets").status_code == 404


def test_a_line_is_removed_from_the_plan_but_another_person_s_line_is_not_found(app, people):
    river, sky = client_for(app, "river"), client_for(app, "sky")
    write_list(river, "helps", "Swimming\nReading")
    write_list(sky, "helps", "SKY-PRIVATE gardening")
    mine = plan_items(people["river"].id, "helps")[0]
    theirs = plan_items(people["sky"].id, "helps")[0]
    removed = submit(river, f"/staying-well/plan/items/{mine.id}/remove", {},
                     page="/staying-well/plan")
    assert removed.status_code == 303
    page = text(river.get("/staying-well/plan"))
    assert "Removed one line from your plan." in page and "Swimming" not in page
    assert [i.text for i in plan_items(people["river"].id, "helps")] == ["Reading"]
    stolen = submit(river, f"/staying-well/plan/items/{theirs.id}/remove", {},
                    page="/staying-well/plan")
    assert stolen.status_code == 404
    assert "SKY-PRIVATE" not in stolen.get_data(as_text=True)
    assert [i.text for i in plan_items(people["sky"].id, "helps")] == ["SKY-PRIVATE gardening"]
    assert submit(river, "/staying-well/plan/items/999999/remove", {},
                  page="/staying-well/plan").status_code == 404


def test_each_person_sees_only_their_own_plan(app, people):
    write_list(client_for(app, "sky"), "helps", "SKY-PRIVATE gardening")
    river = client_for(app, "river")
    for path in ("/staying-well/", "/staying-well/plan", "/staying-well/way-back",
                 "/staying-well/tell-the-team"):
        assert "SKY-PRIVATE" not in river.get(path).get_data(as_text=True), path


@pytest.mark.parametrize("staff", ["sam_peer", "vic_volunteer", "dr_lee", "boss"])
def test_no_one_on_the_team_can_open_a_members_plan_or_check_ins(app, people, staff):
    """Everyone may keep their own plan, the team included (a peer supporter is a former
    patient; a member who joins the team keeps theirs), and nobody sees another's."""
    member = client_for(app, "river")
    write_list(member, "helps", "RIVER-PRIVATE swimming")
    item = plan_items(people["river"].id)[0]
    client = client_for(app, staff)
    for path in ("/staying-well/", "/staying-well/plan", "/staying-well/plan/helps",
                 "/staying-well/way-back", "/staying-well/check-in", "/staying-well/check-ins",
                 "/staying-well/check-ins/settings"):
        page = client.get(path)
        assert page.status_code == 200, (staff, path)  # their own, empty
        assert "RIVER-PRIVATE" not in page.get_data(as_text=True)
    assert client.get(f"/staying-well/check-ins/{item.id}/delete").status_code == 404
    # Letting the team know is for members and carers, who write to the team.
    assert client.get("/staying-well/tell-the-team").status_code == 403
    html = client.get("/").get_data(as_text=True)
    assert client.post(f"/staying-well/plan/items/{item.id}/remove",
                       data={"csrf_token": csrf_token(html)}).status_code == 404
    assert [i.text for i in plan_items(people["river"].id)] == ["RIVER-PRIVATE swimming"]


def test_a_member_who_joins_the_team_keeps_their_own_plan(app, people):
    write_list(client_for(app, "river"), "helps", "RIVER-OWN walking")
    river = people["river"]
    river.role = "peer_supporter"
    db.session.commit()
    client = client_for(app, "river")
    assert "RIVER-OWN walking" in text(client.get("/staying-well/plan"))
    assert "RIVER-OWN" not in text(client_for(app, "sam_peer").get("/staying-well/plan"))


def test_signed_out_visitors_are_sent_to_sign_in(client):
    page = client.get("/staying-well/plan")
    assert page.status_code == 302 and "/sign-in" in page.location


def test_the_self_referral_link_shows_only_when_the_service_set_one(app, people):
    client = client_for(app, "river")
    assert "Refer yourself" not in text(client.get("/staying-well/plan"))
    app.config["SHARON_SELF_REFERRAL_URL"] = "https://talking.example.nhs.uk/refer"
    app.config["SHARON_SERVICE_NAME"] = "Anytown Talking Therapies"
    html = client.get("/staying-well/plan").get_data(as_text=True)
    assert 'href="https://talking.example.nhs.uk/refer"' in html
    assert "Refer yourself to Anytown Talking Therapies" in html


def test_the_plan_prints_alone(app, people):
    client = client_for(app, "river")
    html = client.get("/staying-well/plan").get_data(as_text=True)
    assert "css/staying_well.css" in html
    assert 'class="plan-sheet"' in html
    css = (Path(app.static_folder) / "css" / "staying_well.css").read_text()
    assert "@media print" in css
    assert "body > *:not(main):not(:has(main))" in css and ".no-print" in css


def test_the_plan_page_links_from_the_account_and_home_pages(app, people):
    client = client_for(app, "river")
    assert "/staying-well/" in client.get("/account/").get_data(as_text=True)
    assert "/staying-well/" in client.get("/").get_data(as_text=True)


def test_plan_kinds_match_the_sections():
    from sharon.staying_well.services import SECTIONS

    assert [s.kind for s in SECTIONS] == list(PlanKind)

