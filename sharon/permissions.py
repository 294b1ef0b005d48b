"""Who may do what: one table, one function.

Views and socket handlers ask `can(user, Action.X)`; hiding a button is never
the check. New areas add their actions here, so the whole policy stays
readable in one screen.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user

from sharon.models.roles import Role

F = TypeVar("F", bound=Callable[..., Any])


class Action(StrEnum):
    # Everyone who has joined.
    READ_COMMUNITY = "read_community"
    POST = "post"
    USE_WALL = "use_wall"
    SAVE_RESOURCES = "save_resources"
    REPORT = "report"
    MANAGE_OWN_ACCOUNT = "manage_own_account"
    # Spaces with a restricted audience.
    SEE_CARER_SPACES = "see_carer_spaces"
    SEE_TEAM_SPACES = "see_team_spaces"
    # The moderating team.
    MODERATE = "moderate"
    GO_ON_DUTY = "go_on_duty"
    VIEW_MODERATION_QUEUE = "view_moderation_queue"
    # Clinicians (and admins).
    ISSUE_INVITATIONS = "issue_invitations"
    MANAGE_MEMBER_NETWORKS = "manage_member_networks"
    VIEW_PRIVATE_DETAILS = "view_private_details"
    HANDLE_RISK = "handle_risk"
    EDIT_WATCHED_WORDS = "edit_watched_words"
    PUBLISH_RESOURCES = "publish_resources"
    MANAGE_WALL_SESSIONS = "manage_wall_sessions"
    # Admins only.
    MANAGE_OFFICE_HOURS = "manage_office_hours"
    MANAGE_STAFF = "manage_staff"
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
    }
)
_MODERATOR = _EVERYONE | {
    Action.SEE_CARER_SPACES,
    Action.SEE_TEAM_SPACES,
    Action.MODERATE,
    Action.GO_ON_DUTY,
    Action.VIEW_MODERATION_QUEUE,
}
_CLINICIAN = _MODERATOR | {
    Action.ISSUE_INVITATIONS,
    Action.MANAGE_MEMBER_NETWORKS,
    Action.VIEW_PRIVATE_DETAILS,
    Action.HANDLE_RISK,
    Action.EDIT_WATCHED_WORDS,
    Action.PUBLISH_RESOURCES,
    Action.MANAGE_WALL_SESSIONS,
}

PERMISSIONS: dict[Role, frozenset[Action]] = {
    Role.MEMBER: _EVERYONE,
    Role.CARER: _EVERYONE | {Action.SEE_CARER_SPACES},
    Role.PEER_SUPPORTER: _MODERATOR,
    Role.VOLUNTEER: _MODERATOR,
    Role.CLINICIAN: _CLINICIAN,
    Role.ADMIN: frozenset(Action),
}


def can(user: Any, action: Action) -> bool:
    """May this user do this action? Anonymous and suspended users may do nothing."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if not user.is_active:
        return False
    return action in PERMISSIONS.get(Role(user.role), frozenset())


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
