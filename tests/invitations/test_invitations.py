"""Clinicians issue invitations, see their status, and withdraw open ones."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from sharon.extensions import db
from sharon.infra import clock
from sharon.invitations.services import hash_code
from sharon.models import Invitation
from tests.helpers import csrf_token, sign_in, submit, text

CODE_RE = re.compile(r'id="invitation-code">([0-9A-Z-]+)<')


def issue(client, **data):
    form = {"role": "member", "networks": "1", "days": "14", "note": "seen in clinic"} | data
    return submit(client, "/invitations/new", form)


def test_clinician_issues_a_code_that_is_shown_once_and_stored_as_a_hash(client, make_user):
    make_user(username="dr_lee", role="clinician")
    sign_in(client, "dr_lee")
    response = issue(client)
    assert response.status_code == 200
    code = CODE_RE.search(response.get_data(as_text=True)).group(1)
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}-[0-9A-HJKMNP-TV-Z]",
                        code)
    assert "This is the only time the code is shown" in text(response)
    invitation = db.session.scalar(sa.select(Invitation))
    assert invitation.code_hash == hash_code(code)
    assert code not in invitation.code_hash
    assert invitation.note == "seen in clinic" and invitation.role == "member"
    assert invitation.expires_at - clock.now() > timedelta(days=13, hours=23)
    listing = text(client.get("/invitations/"))
    assert "seen in clinic" in listing and "Open until" in listing
    assert code not in client.get("/invitations/").get_data(as_text=True)


def test_a_new_invitation_must_open_a_network_and_last_a_sensible_time(client, make_user):
    make_user(username="dr_lee", role="clinician")
    sign_in(client, "dr_lee")
    assert "Choose at least one network" in text(issue(client, networks=""))
    assert "from 1 to 90" in text(issue(client, days="365"))
    assert "Choose who the invitation is for" in text(issue(client, role=""))
    assert issue(client, role="admin").status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Invitation)) == 0


def test_listing_shows_every_status(client, make_user, make_invitation):
    clinician = make_user(username="dr_lee", role="clinician")
    now = clock.now()
    member = make_user(username="river")
    make_invitation(created_by=clinician, note="still open")
    make_invitation(created_by=clinician, note="was used", used_at=now, used_by=member)
    make_invitation(created_by=clinician, note="ran out", expires_at=now - timedelta(days=1))
    make_invitation(created_by=clinician, note="taken back", revoked_at=now)
    make_invitation(note="someone else's")
    sign_in(client, "dr_lee")
    page = text(client.get("/invitations/"))
    assert "Open until" in page and "Used by river" in page
    assert "Expired on" in page and "Withdrawn on" in page
    assert "someone else's" not in page


def test_admin_sees_every_invitation(client, make_user, make_invitation):
    make_user(username="boss", role="admin")
    make_invitation(note="issued by a clinician")
    sign_in(client, "boss")
    assert "issued by a clinician" in text(client.get("/invitations/"))


def test_revoking_an_open_invitation_stops_the_code(client, app, make_user, make_invitation):
    clinician = make_user(username="dr_lee", role="clinician")
    invitation = make_invitation(created_by=clinician)
    sign_in(client, "dr_lee")
    response = submit(client, f"/invitations/{invitation.id}/revoke", {}, page="/invitations/",
                      follow_redirects=True)
    assert "The invitation has been withdrawn" in text(response)
    other = app.test_client()
    joined = submit(other, "/join", {"code": invitation.code, "username": "late_comer",
                                     "password": "kettle lantern orchard",
                                     "confirm": "kettle lantern orchard",
                                     "accept_guidelines": "y"})
    assert "has been withdrawn" in text(joined)


def test_clinician_cannot_revoke_another_clinicians_invitation(client, make_user,
                                                               make_invitation):
    make_user(username="dr_lee", role="clinician")
    invitation = make_invitation()
    sign_in(client, "dr_lee")
    response = submit(client, f"/invitations/{invitation.id}/revoke", {}, page="/invitations/")
    assert response.status_code == 403
    assert db.session.get(Invitation, invitation.id).revoked_at is None


def test_revoking_a_used_invitation_is_refused(client, make_user, make_invitation):
    clinician = make_user(username="dr_lee", role="clinician")
    invitation = make_invitation(created_by=clinician, used_at=clock.now())
    sign_in(client, "dr_lee")
    response = submit(client, f"/invitations/{invitation.id}/revoke", {}, page="/invitations/",
                      follow_redirects=True)
    assert "Only open invitations can be withdrawn" in text(response)
    assert db.session.get(Invitation, invitation.id).revoked_at is None


def test_revoking_a_missing_invitation_is_404(client, make_user):
    make_user(username="dr_lee", role="clinician")
    sign_in(client, "dr_lee")
    assert submit(client, "/invitations/999/revoke", {}, page="/invitations/").status_code == 404


@pytest.mark.parametrize("role", ["member", "carer", "peer_supporter", "volunteer"])
def test_others_cannot_see_or_issue_invitations(client, make_user, role):
    make_user(username="someone", role=role)
    sign_in(client, "someone")
    assert client.get("/invitations/").status_code == 403
    assert client.get("/invitations/new").status_code == 403
    token = csrf_token(client.get("/account/").get_data(as_text=True))
    response = client.post("/invitations/new", data={
        "csrf_token": token, "role": "member", "networks": "1", "days": "14"})
    assert response.status_code == 403
    assert "You do not have permission" in text(client.get("/invitations/new"))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Invitation)) == 0


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get("/invitations/new")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]
