"""Admins create team accounts and networks; staff adjust a person's networks."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from sharon.extensions import db
from sharon.models import Network, User
from tests.factories import NetworkFactory
from tests.helpers import sign_in, submit, text


def test_admin_creates_a_team_account_that_can_sign_in(client, app, make_user):
    make_user(username="boss", role="admin")
    sign_in(client, "boss")
    response = submit(client, "/admin/people/new", {
        "username": "sam_peer", "role": "peer_supporter", "real_name": "Sam Smith",
        "email": "sam@example.org", "password": "meadow quartz violin"}, follow_redirects=True)
    assert "Account sam_peer created" in text(response)
    assert "Sam Smith" in text(response)
    user = db.session.scalar(sa.select(User).where(User.username == "sam_peer"))
    assert user.role == "peer_supporter" and user.invited_by.username == "boss"
    assert {n.name for n in user.networks} == {n.name for n in db.session.scalars(
        sa.select(Network))}
    other = app.test_client()
    assert sign_in(other, "sam_peer", "meadow quartz violin").status_code == 302


def test_team_account_form_refuses_bad_input(client, make_user):
    make_user(username="boss", role="admin")
    make_user(username="taken")
    sign_in(client, "boss")
    for data, message in [
        ({"username": "TAKEN", "password": "meadow quartz violin"}, "already taken"),
        ({"username": "new_one", "password": "password1"}, "at least 10"),
        ({"username": "x@y.org", "password": "meadow quartz violin"}, "email address"),
    ]:
        response = submit(client, "/admin/people/new", {"role": "clinician", **data})
        assert response.status_code == 400 and message in text(response)
    response = submit(client, "/admin/people/new", {
        "username": "new_one", "role": "member", "password": "meadow quartz violin"})
    assert response.status_code == 400  # members join by invitation, not here
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 2


def test_clinician_changes_a_members_networks(client, make_user):
    make_user(username="dr_lee", role="clinician")
    member = make_user(username="river")
    perinatal = NetworkFactory(name="Perinatal", slug="perinatal")
    sign_in(client, "dr_lee")
    page = text(client.get(f"/admin/people/{member.id}"))
    assert "Perinatal" in page and "Save networks" in page
    assert "Change role" not in page  # admins only
    response = submit(client, f"/admin/people/{member.id}/networks",
                      {"networks": ["1", str(perinatal.id)]}, page=f"/admin/people/{member.id}",
                      follow_redirects=True)
    assert "networks have been updated" in text(response)
    db.session.expire_all()
    assert {n.slug for n in db.session.get(User, member.id).networks} == {
        "talking-therapies", "perinatal"}
    response = submit(client, f"/admin/people/{member.id}/networks", {},
                      page=f"/admin/people/{member.id}", follow_redirects=True)
    assert "at least one network" in text(response)
    db.session.expire_all()
    assert len(db.session.get(User, member.id).networks) == 2


def test_admin_suspends_a_member_who_is_then_signed_out(client, app, make_user):
    make_user(username="boss", role="admin")
    member = make_user(username="river")
    theirs = app.test_client()
    sign_in(theirs, "river")
    assert theirs.get("/account/").status_code == 200
    sign_in(client, "boss")
    page = f"/moderation/people/{member.id}"
    assert f'href="{page}"' in client.get(f"/admin/people/{member.id}").get_data(as_text=True)
    response = submit(client, page, {"kind": "suspend", "reason": "Repeated abuse",
                                     "minutes": "60", "until": ""},
                      page=page, follow_redirects=True)
    assert "Suspended: river has been told why." in text(response)
    assert theirs.get("/account/").status_code == 302
    said = text(sign_in(app.test_client(), "river"))
    assert "This account is suspended until the SHaRON team lifts it." in said
    assert "Reason: Repeated abuse" in said


def test_admin_cannot_suspend_themselves(client, make_user):
    boss = make_user(username="boss", role="admin")
    sign_in(client, "boss")
    page = f"/moderation/people/{boss.id}"
    shown = text(client.get(page))
    assert "You cannot sanction boss: nobody can sanction an admin" in shown
    assert "Give this sanction" not in shown
    response = submit(client, page, {"kind": "suspend", "reason": "x", "minutes": "60",
                                     "submission": "A" * 22})
    assert response.status_code == 400
    assert "Nobody can sanction an admin." in text(response)
    assert db.session.get(User, boss.id).status == "active"


def test_admin_changes_a_role(client, make_user):
    make_user(username="boss", role="admin")
    member = make_user(username="river")
    sign_in(client, "boss")
    submit(client, f"/admin/people/{member.id}/role", {"role": "volunteer"},
           page=f"/admin/people/{member.id}")
    db.session.expire_all()
    assert db.session.get(User, member.id).role == "volunteer"


def test_admin_adds_a_network(client, make_user):
    make_user(username="boss", role="admin")
    sign_in(client, "boss")
    response = submit(client, "/admin/networks", {"name": "Perinatal", "description": "Mums"},
                      follow_redirects=True)
    assert "Network Perinatal created" in text(response)
    response = submit(client, "/admin/networks", {"name": "perinatal"})
    assert response.status_code == 400 and "already a network" in text(response)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Network)) == 2


def test_people_list_shows_private_details_to_staff_only(client, app, make_user):
    make_user(username="dr_lee", role="clinician")
    make_user(username="river", email="river@example.org")
    sign_in(client, "dr_lee")
    assert "river" in text(client.get("/admin/people?q=riv"))
    member = db.session.scalar(sa.select(User).where(User.username == "river"))
    assert "river@example.org" in text(client.get(f"/admin/people/{member.id}"))
    peer = app.test_client()
    make_user(username="sam_peer", role="peer_supporter")
    sign_in(peer, "sam_peer")
    assert peer.get(f"/admin/people/{member.id}").status_code == 403


@pytest.mark.parametrize("role", ["member", "carer", "peer_supporter", "volunteer", "clinician"])
def test_non_admins_cannot_use_admin_only_pages(client, make_user, role):
    make_user(username="someone", role=role)
    target = make_user(username="target")
    sign_in(client, "someone")
    assert client.get("/admin/people/new").status_code == 403
    assert client.get("/admin/networks").status_code == 403
    assert db.session.get(User, target.id).status == "active"


def test_unknown_person_is_404(client, make_user):
    make_user(username="boss", role="admin")
    sign_in(client, "boss")
    assert client.get("/admin/people/9999").status_code == 404
