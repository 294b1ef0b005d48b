"""Members and carers cannot join with a name that passes for the moderating team."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from sharon.extensions import db
from sharon.models import User
from sharon.validators import imitation_problem, role_word_in, skeleton
from tests.helpers import sign_in, submit, text

JOIN = {"password": "kettle lantern orchard", "confirm": "kettle lantern orchard",
        "accept_guidelines": "y"}


@pytest.mark.parametrize("name, word", [
    ("Clinician_Sam", "clinician"), ("NHS_Therapist", "nhs"), ("n_h_s", "nhs"),
    ("Th3rapist", "therapist"), ("the-rapist", "therapist"), ("Adm1n_jo", "admin"),
    ("M0DERAT0R", "moderator"), ("Rnoderator", "moderator"), ("nurse_kim", "nurse"),
    ("DrStaff", "staff"), ("sharon_team", "team"), ("c0unsell0r", "counsellor"),
    ("psych0logist_b", "psychologist"), ("0fficial", "official"), ("d0ct0r-who", "doctor"),
    ("peer-supporter", "peersupporter"), ("VoIunteer", "volunteer"), ("steam_team", "team"),
])
def test_role_words_are_found_however_they_are_disguised(name, word):
    assert role_word_in(name) == word


@pytest.mark.parametrize("name", ["blue_heron", "river", "robin_k", "badminton_fan",
                                  "steam_train", "quiet-reader", "nursery_mum", "ash"])
def test_ordinary_names_hold_no_role_word(name):
    assert role_word_in(name) is None


@pytest.mark.parametrize("name", ["Dr_Iee", "dr-lee", "DRLEE", "dr_l33", "Sam_Peer",
                                  "sampeer", "5am_peer", "VVendy", "wendy"])
def test_names_that_only_look_like_a_team_members_are_refused(name):
    assert skeleton(name) in {skeleton(n) for n in ("dr_lee", "sam_peer", "wendy")}
    assert imitation_problem(name, ["dr_lee", "sam_peer", "wendy"]) is not None


def test_rn_reads_as_m_and_names_that_differ_in_letters_pass():
    assert skeleton("Rnary") == skeleton("mary")
    assert imitation_problem("dr_leo", ["dr_lee"]) is None
    assert imitation_problem("sam_pearl", ["sam_peer"]) is None


@pytest.fixture
def team(make_user):  # type: ignore[no-untyped-def]
    make_user(username="dr_lee", role="clinician")
    make_user(username="Wendy_M", role="volunteer")


def _count(username: str) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(User).where(
        User.username_key == username.lower()))


@pytest.mark.parametrize("username, message", [
    ("NHS_Therapist", "Usernames cannot include “nhs”"),
    ("Th3rapist", "Usernames cannot include “therapist”"),
    ("n_h_s", "Usernames cannot include “nhs”"),
    ("Dr_Iee", "That username looks too much like the name of someone on the moderating team"),
    ("VVendy-rn", "That username looks too much like the name of someone on the moderating team"),
])
def test_joining_with_such_a_name_is_refused_on_the_username(client, team, make_invitation,
                                                              username, message):
    invitation = make_invitation(role="carer")
    response = submit(client, "/join", {"code": invitation.code, "username": username, **JOIN})
    assert response.status_code == 400
    assert f"Error: {message}" in text(response)
    assert _count(username) == 0
    assert "Welcome" not in text(client.get("/"))


def test_an_ordinary_name_still_joins(client, team, make_invitation):
    invitation = make_invitation()
    response = submit(client, "/join", {"code": invitation.code, "username": "dr_leo", **JOIN})
    assert response.status_code == 302 and _count("dr_leo") == 1


def test_admins_may_still_give_staff_role_words(client, make_user):
    make_user(username="boss", role="admin")
    sign_in(client, "boss")
    response = submit(client, "/admin/people/new", {
        "username": "Nurse_Kim", "role": "clinician", "password": "kettle lantern orchard"})
    assert response.status_code == 302 and _count("Nurse_Kim") == 1
