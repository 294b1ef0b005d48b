"""Who may do what: one table, one function.

Every rule about roles is asked here and nowhere else: `can(user, Action.X)` for one
person, `roles_with(Action.X)` for a query over many. Services that change state call
`check(actor, Action.X, message)` first, so the rule holds whichever door the change came
through (a page, a socket, the command line); the view's `require` decorator is the
second lock, not the only one. Hiding a button is never the check. New areas add their
actions here, so the whole policy stays readable in one screen.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from enum import StrEnum
from functools import cache, wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user

from sharon.models.roles import Role
from sharon.refusals import Refused

F = TypeVar("F", bound=Callable[..., Any])


class Action(StrEnum):
    # Everyone who has joined.
    READ_COMMUNITY = "read_community"
    POST = "post"
    USE_WALL = "use_wall"
    SAVE_RESOURCES = "save_resources"
    REPORT = "report"
    MANAGE_OWN_ACCOUNT = "manage_own_account"
    ASK_THE_TEAM = "ask_the_team"
    # Download everything of theirs, and delete the account (sharon/mydata). Not the
    # team: their accounts are bound up with the team's records, so an admin handles them.
    MANAGE_OWN_DATA = "manage_own_data"
    # A private staying-well plan and weekly check-ins (sharon/staying_well). Members and
    # carers only: the plan is health data, and no role reads anyone else's.
    KEEP_A_STAYING_WELL_PLAN = "keep_a_staying_well_plan"
    # Spaces with a restricted audience.
    SEE_MEMBER_SPACES = "see_member_spaces"
    SEE_CARER_SPACES = "see_carer_spaces"
    SEE_TEAM_SPACES = "see_team_spaces"
    # The moderating team.
    MODERATE = "moderate"
    GO_ON_DUTY = "go_on_duty"
    VIEW_MODERATION_QUEUE = "view_moderation_queue"
    SANCTION_MEMBERS = "sanction_members"  # warn and mute members and carers
    ANSWER_THE_TEAM_INBOX = "answer_the_team_inbox"
    # Clinicians (and admins).
    ISSUE_INVITATIONS = "issue_invitations"
    ISSUE_PASSWORD_RESETS = "issue_password_resets"  # for members and carers; the team: admins
    MANAGE_MEMBER_NETWORKS = "manage_member_networks"
    VIEW_PRIVATE_DETAILS = "view_private_details"
    HANDLE_RISK = "handle_risk"
    SUSPEND_MEMBERS = "suspend_members"  # suspend or close members' and carers' accounts
    READ_AUDIT_LOG = "read_audit_log"
    EDIT_WATCHED_WORDS = "edit_watched_words"
    PUBLISH_RESOURCES = "publish_resources"
    MANAGE_WALL_SESSIONS = "manage_wall_sessions"
    # Admins only.
    MANAGE_OFFICE_HOURS = "manage_office_hours"
    MANAGE_STAFF = "manage_staff"
    SANCTION_TEAM = "sanction_team"  # any rung, on the moderating team (never on an admin)
    MANAGE_NETWORKS = "manage_networks"
    MANAGE_CATEGORIES = "manage_categories"
    MANAGE_SETTINGS = "manage_settings"


_EVERYONE = frozenset(
    {
        Action.READ_COMMUNITY,
        Action.POST,
        Action.USE_WALL,
        Action.SAVE_RESOURCES,
        Action.REPORT,
        Action.MANAGE_OWN_ACCOUNT,
        # Everyone's own, whatever their role: nobody sees another's, and a member who
        # joins the team (peer supporters are former patients) keeps theirs.
        Action.KEEP_A_STAYING_WELL_PLAN,
    }
)
_MEMBER = _EVERYONE | {Action.ASK_THE_TEAM, Action.MANAGE_OWN_DATA}
_MODERATOR = _EVERYONE | {
    Action.SEE_MEMBER_SPACES,
    Action.SEE_CARER_SPACES,
    Action.SEE_TEAM_SPACES,
    Action.MODERATE,
    Action.GO_ON_DUTY,
    Action.VIEW_MODERATION_QUEUE,
    Action.SANCTION_MEMBERS,
    Action.ANSWER_THE_TEAM_INBOX,
}
_CLINICIAN = _MODERATOR | {
    Action.ISSUE_INVITATIONS,
    Action.ISSUE_PASSWORD_RESETS,
    Action.MANAGE_MEMBER_NETWORKS,
    Action.VIEW_PRIVATE_DETAILS,
    Action.HANDLE_RISK,
    Action.SUSPEND_MEMBERS,
    Action.READ_AUDIT_LOG,
    Action.EDIT_WATCHED_WORDS,
    Action.PUBLISH_RESOURCES,
    Action.MANAGE_WALL_SESSIONS,
}

PERMISSIONS: dict[Role, frozenset[Action]] = {
    Role.MEMBER: _MEMBER | {Action.SEE_MEMBER_SPACES},
    Role.CARER: _MEMBER | {Action.SEE_CARER_SPACES},
    Role.PEER_SUPPORTER: _MODERATOR,
    Role.VOLUNTEER: _MODERATOR,
    Role.CLINICIAN: _CLINICIAN,
    # Admins do everything but what only members and carers do.
    Role.ADMIN: frozenset(Action) - {Action.ASK_THE_TEAM, Action.MANAGE_OWN_DATA},
}


def can(user: Any, action: Action) -> bool:
    """May this user do this action? Anonymous and suspended users may do nothing."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if not user.is_active:
        return False
    return action in PERMISSIONS.get(Role(user.role), frozenset())


# Set while a command-line command runs: the person at the server's shell may do anything,
# and services are called with actor None. Anywhere else None is nobody and may do nothing.
_operator: ContextVar[bool] = ContextVar("sharon_operator", default=False)


@contextmanager
def operator() -> Iterator[None]:
    """Run service calls on behalf of the operator at the command line (actor None)."""
    token = _operator.set(True)
    try:
        yield
    finally:
        _operator.reset(token)


def check(actor: Any, action: Action, message: str) -> None:
    """A service's first line: refuse unless this actor may do this, however it was asked."""
    if actor is None and _operator.get():
        return
    if not can(actor, action):
        raise Refused("forbidden", message)


def role_may(role: str, action: Action) -> bool:
    """What a role allows, whatever the person's status (a badge, a query's shape)."""
    return action in PERMISSIONS.get(Role(role), frozenset())


@cache
def roles_with(action: Action) -> tuple[str, ...]:
    """The roles that may do this, for a query over many people (SQL `role IN (...)`)."""
    return tuple(sorted(role.value for role, actions in PERMISSIONS.items()
                        if action in actions))


def require(action: Action) -> Callable[[F], F]:
    """View decorator: sign-in first, then 403 unless `can(current_user, action)`."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            from sharon.extensions import login_manager

            user = current_user._get_current_object()  # the proxy costs on every touch
            if not user.is_authenticated:
                return login_manager.unauthorized()
            if not can(user, action):
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator
