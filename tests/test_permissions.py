"""The role × action matrix, checked in full, and its use by pages."""

from __future__ import annotations

import pytest

from sharon.models import Role
from sharon.permissions import PERMISSIONS, Action, can, check, operator, roles_with
from sharon.refusals import Refused

A = Action
# A staying-well plan is everyone's own, whatever their role; nobody reads another's.
EVERYONE = {A.READ_COMMUNITY, A.POST, A.USE_WALL, A.SAVE_RESOURCES, A.REPORT,
            A.MANAGE_OWN_ACCOUNT, A.KEEP_A_STAYING_WELL_PLAN}
MODERATOR = EVERYONE | {A.SEE_MEMBER_SPACES, A.SEE_CARER_SPACES, A.SEE_TEAM_SPACES, A.MODERATE,
                        A.GO_ON_DUTY, A.VIEW_MODERATION_QUEUE, A.SANCTION_MEMBERS,
                        A.ANSWER_THE_TEAM_INBOX}
CLINICIAN = MODERATOR | {A.ISSUE_INVITATIONS, A.ISSUE_PASSWORD_RESETS,
                         A.MANAGE_MEMBER_NETWORKS, A.VIEW_PRIVATE_DETAILS,
                         A.HANDLE_RISK, A.SUSPEND_MEMBERS, A.READ_AUDIT_LOG,
                         A.EDIT_WATCHED_WORDS, A.PUBLISH_RESOURCES, A.MANAGE_WALL_SESSIONS}
EXPECTED = {
    # Only members and carers write to the team's inbox; the team answers it.
    # Only they download and delete their data here: the team's accounts go through an admin.
    Role.MEMBER: EVERYONE | {A.SEE_MEMBER_SPACES, A.ASK_THE_TEAM, A.MANAGE_OWN_DATA},
    Role.CARER: EVERYONE | {A.SEE_CARER_SPACES, A.ASK_THE_TEAM, A.MANAGE_OWN_DATA},
    Role.PEER_SUPPORTER: MODERATOR,
    Role.VOLUNTEER: MODERATOR,
    Role.CLINICIAN: CLINICIAN,
    Role.ADMIN: set(Action) - {A.ASK_THE_TEAM, A.MANAGE_OWN_DATA},
}


class Person:
    is_authenticated = True

    def __init__(self, role: str, active: bool = True) -> None:
        self.role = role
        self.is_active = active


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("action", list(Action))
def test_matrix(role, action):
    assert can(Person(role), action) == (action in EXPECTED[role])


def test_every_role_is_in_the_table():
    assert set(PERMISSIONS) == set(Role)


def test_admin_only_actions():
    admin_only = set(Action) - CLINICIAN - {A.ASK_THE_TEAM, A.MANAGE_OWN_DATA}
    assert admin_only == {A.MANAGE_OFFICE_HOURS, A.MANAGE_STAFF, A.MANAGE_NETWORKS,
                          A.MANAGE_CATEGORIES, A.MANAGE_SETTINGS, A.SANCTION_TEAM}


def test_nobody_signed_out_or_suspended_may_do_anything():
    class Anonymous:
        is_authenticated = False
        is_active = False

    for action in Action:
        assert not can(None, action)
        assert not can(Anonymous(), action)
        assert not can(Person("admin", active=False), action)


PAGES = [
    ("/invitations/", A.ISSUE_INVITATIONS),
    ("/invitations/new", A.ISSUE_INVITATIONS),
    ("/admin/people", A.VIEW_PRIVATE_DETAILS),
    ("/admin/people/new", A.MANAGE_STAFF),
    ("/admin/networks", A.MANAGE_NETWORKS),
    ("/account/", A.MANAGE_OWN_ACCOUNT),
    ("/account/password", A.MANAGE_OWN_ACCOUNT),
    ("/account/data/", A.MANAGE_OWN_ACCOUNT),
    ("/account/data/delete", A.MANAGE_OWN_DATA),
    ("/staying-well/", A.KEEP_A_STAYING_WELL_PLAN),
    ("/staying-well/plan", A.KEEP_A_STAYING_WELL_PLAN),
    ("/staying-well/check-in", A.KEEP_A_STAYING_WELL_PLAN),
]


@pytest.mark.parametrize("role", list(Role))
def test_pages_follow_the_matrix(client, make_user, role):
    from tests.helpers import sign_in

    make_user(username="someone", role=role)
    sign_in(client, "someone")
    for path, action in PAGES:
        expected = 200 if action in EXPECTED[role] else 403
        assert client.get(path).status_code == expected, (role, path)


def test_forbidden_page_is_styled(client, make_user):
    from tests.helpers import sign_in, text

    make_user(username="someone")
    sign_in(client, "someone")
    page = client.get("/admin/people")
    assert page.status_code == 403
    assert "You do not have permission to see this page" in text(page)
    assert "Need urgent help?" in text(page)


def test_roles_with_answers_from_the_same_table():
    for action in Action:
        assert set(roles_with(action)) == {r.value for r in Role if action in EXPECTED[r]}


def test_a_service_refuses_an_actor_without_permission_whatever_the_door():
    for role in Role:
        if A.MANAGE_STAFF in EXPECTED[role]:
            check(Person(role), A.MANAGE_STAFF, "no")
            continue
        with pytest.raises(Refused) as refused:
            check(Person(role), A.MANAGE_STAFF, "Only admins can do that.")
        assert (refused.value.code, refused.value.message) == ("forbidden",
                                                               "Only admins can do that.")


def test_nobody_is_the_operator_outside_a_command():
    with pytest.raises(Refused):
        check(None, A.MANAGE_STAFF, "no")
    with operator():
        check(None, A.MANAGE_STAFF, "no")
        with pytest.raises(Refused):  # a real person is still asked in full
            check(Person("member"), A.MANAGE_STAFF, "no")
    with pytest.raises(Refused):
        check(None, A.MANAGE_STAFF, "no")
