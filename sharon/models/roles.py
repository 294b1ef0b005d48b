"""Roles and the labels people see next to a name."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    MEMBER = "member"
    CARER = "carer"
    PEER_SUPPORTER = "peer_supporter"
    VOLUNTEER = "volunteer"
    CLINICIAN = "clinician"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        """What is shown beside the name; empty for members, who need no badge."""
        return ROLE_LABELS[self]

    @property
    def title(self) -> str:
        """The role's name on staff pages."""
        return ROLE_TITLES[self]


ROLE_LABELS = {
    Role.MEMBER: "",
    Role.CARER: "carer",
    Role.PEER_SUPPORTER: "peer supporter",
    Role.VOLUNTEER: "volunteer",
    Role.CLINICIAN: "clinician",
    Role.ADMIN: "SHaRON team",
}

ROLE_TITLES = {
    Role.MEMBER: "Member",
    Role.CARER: "Carer",
    Role.PEER_SUPPORTER: "Peer supporter",
    Role.VOLUNTEER: "Volunteer",
    Role.CLINICIAN: "Clinician",
    Role.ADMIN: "Admin",
}

INVITABLE_ROLES = (Role.MEMBER, Role.CARER)
STAFF_ROLES = (Role.PEER_SUPPORTER, Role.VOLUNTEER, Role.CLINICIAN, Role.ADMIN)


class Status(StrEnum):
    ACTIVE = "active"
    # Suspended or closed by the team: which, and until when, the sanctions say
    # (sharon/models/sanctions.py); `User.suspended_until` holds a suspension's end.
    SUSPENDED = "suspended"
