"""Password hashing (argon2id) and the password rules."""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app

MIN_LENGTH = 10
MAX_LENGTH = 256

# RFC 9106's second recommended option (memory-constrained); "fast" exists so
# that the test suite does not spend minutes hashing.
_PROFILES = {
    "default": {"time_cost": 3, "memory_cost": 64 * 1024, "parallelism": 4},
    "fast": {"time_cost": 1, "memory_cost": 8, "parallelism": 1},
}


@cache
def _hasher(profile: str) -> PasswordHasher:
    return PasswordHasher(type=Type.ID, **_PROFILES[profile])


def hasher() -> PasswordHasher:
    """The argon2 hasher for this app's profile (tests use a fast one)."""
    return _hasher(current_app.config.get("SHARON_ARGON2_PROFILE", "default"))


def hash_password(password: str) -> str:
    """A password's argon2 hash, for storing."""
    return hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Whether a password matches its stored hash (never raises on a bad hash)."""
    try:
        return hasher().verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with other parameters than today's."""
    try:
        return hasher().check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


@cache
def _dummy_hash(profile: str) -> str:
    return _hasher(profile).hash("not-a-real-password-but-costs-the-same")


def spend_equal_time(password: str) -> None:
    """Verify against a throwaway hash, so unknown usernames take as long as known ones."""
    verify_password(_dummy_hash(current_app.config.get("SHARON_ARGON2_PROFILE", "default")),
                    password)


@cache
def common_passwords() -> frozenset[str]:
    """Passwords too common to allow, read once from the data file."""
    text = resources.files("sharon.data").joinpath("common-passwords.txt").read_text("utf-8")
    return frozenset(
        line.strip().lower() for line in text.splitlines() if line.strip() and line[0] != "#"
    )


def problems(password: str, username: str = "") -> list[str]:
    """Why this password is not good enough, in plain words; empty when it is fine."""
    found: list[str] = []
    if len(password) < MIN_LENGTH:
        found.append(f"Use at least {MIN_LENGTH} characters.")
    if len(password) > MAX_LENGTH:
        found.append(f"Use at most {MAX_LENGTH} characters.")
    lowered = password.lower()
    # "password2024!" is as guessable as "password": strip the usual decorations.
    core = re.sub(r"[\d\W_]+$", "", re.sub(r"^[\d\W_]+", "", lowered))
    if lowered in common_passwords() or core in common_passwords() or len(set(lowered)) < 4:
        found.append("This password is too common and easy to guess. Try three or four "
                     "unrelated words together.")
    elif username and username.lower() in lowered:
        found.append("Your password must not contain your username.")
    return found
