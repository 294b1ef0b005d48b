"""Rules for the names people choose, shared by forms and services."""

from __future__ import annotations

import re

USERNAME_RE = re.compile(r"^[A-Za-z0-9_-]{3,30}$")
# Names that would confuse people about who is speaking.
RESERVED_USERNAMES = frozenset(
    {"admin", "administrator", "moderator", "mod", "staff", "sharon", "system", "support",
     "help", "nhs", "clinician", "therapist", "anonymous", "deleted", "everyone", "here"}
)


def username_problem(username: str) -> str | None:
    """Why this username cannot be used, or None."""
    if "@" in username:
        return "Your username is shown to everyone, so it must not be an email address."
    if not USERNAME_RE.match(username):
        return ("Use 3 to 30 characters: letters, numbers, hyphens (-) and underscores (_) "
                "only, no spaces.")
    if username.lower() in RESERVED_USERNAMES:
        return "That username is reserved. Please choose another."
    return None
