"""Rules for the names people choose, shared by forms and services."""

from __future__ import annotations

import re
from collections.abc import Iterable

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


# --- Names that could pass for the moderating team ----------------------------------------
#
# Members and carers must be able to tell at a glance who speaks for the service. A name
# like "NHS_Therapist" or "Th3rapist", or one that differs from a team member's only in
# look-alike characters ("Dr_Iee" for "dr_lee"), would let someone pass for the team.
#
# Usernames are ASCII (USERNAME_RE), so the skeleton below is a few lines and no library
# is used. Unicode's confusables data (UTS #39, behind packages such as
# confusable-homoglyphs) is about the rest of Unicode, which usernames cannot hold; of
# ASCII it knows 0/O, 1/l and rn/m, but not digits written for letters ("3" for "e",
# "4" for "a"), which is how ASCII names disguise words.

# Said by staff about themselves, or by the service. Checked in their skeleton form, so
# each also stands for every disguise of it.
ROLE_WORDS = (
    "admin", "clinician", "counsellor", "counselor", "doctor", "moderator", "nhs", "nurse",
    "official", "peersupporter", "psychiatrist", "psychologist", "staff", "team",
    "therapist", "volunteer",
)
# Ordinary words that happen to hold a role word; taken out before the check.
INNOCENT_WORDS = ("badminton", "nursery", "stafford", "staffie", "staffy", "steam")
_SEPARATORS = re.compile(r"[\s_\-.]+")
# One look for every character that can stand for it. I, l, 1 and i all become "i".
_LOOKS_LIKE = str.maketrans("01l345789", "oiieastbg")


def skeleton(name: str) -> str:
    """What a name looks like, whatever its case, separators and look-alike characters:
    "Dr_Iee", "dr-lee" and "DRL33" all give "driee"; "rn" reads as "m", "vv" as "w"."""
    text = _SEPARATORS.sub("", name.lower()).translate(_LOOKS_LIKE)
    return text.replace("rn", "m").replace("vv", "w")


_ROLE_SKELETONS = tuple((skeleton(word), word) for word in ROLE_WORDS)
_INNOCENT_SKELETONS = tuple(skeleton(word) for word in INNOCENT_WORDS)


def role_word_in(username: str) -> str | None:
    """The role word a name holds, however disguised ("n_h_s", "Th3rapist"), or None."""
    text = skeleton(username)
    for innocent in _INNOCENT_SKELETONS:
        text = text.replace(innocent, " ")
    for role, word in _ROLE_SKELETONS:
        if role in text:
            return word
    return None


def imitation_problem(username: str, team_usernames: Iterable[str]) -> str | None:
    """For members and carers choosing a name: why it could pass for the team, or None.
    (Staff accounts, made by an admin or the CLI, may use role words.)"""
    word = role_word_in(username)
    if word is not None:
        return (f"Usernames cannot include “{word}”, or other words that could make people "
                "think you speak for the SHaRON team. Please choose another.")
    mine = skeleton(username)
    if any(skeleton(name) == mine for name in team_usernames):
        return ("That username looks too much like the name of someone on the moderating "
                "team, so people could mix you up. Please choose another.")
    return None
