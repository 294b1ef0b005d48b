"""Short codes people read aloud, copy by hand and type: reset and invitation codes.

Codes use Crockford's base32 alphabet (no I, L, O or U, so nothing reads as a digit or as
a rude word), 5 bits a character, in groups of four. A code may end in a check character
so that a slip of the pen is caught before anything is looked up.

The check is Damm's algorithm over the quasigroup x * y = 2(x + y) in GF(32), which is
totally anti-symmetric with a zero diagonal: changing any one character, or swapping two
neighbours (the check character too), always makes the check fail.
"""

from __future__ import annotations

import re
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
GROUP = 4
_VALUE = {char: value for value, char in enumerate(ALPHABET)}
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})
_GF32_MODULUS = 0b100101  # x^5 + x^2 + 1, irreducible over GF(2)


def normalise(code: str) -> str:
    """People copy codes with spaces, dashes and lower case, and read O as 0 and I or L
    as 1: accept all of them."""
    return re.sub(f"[^{ALPHABET}]", "", code.upper().translate(_READ_AS))


def grouped(code: str) -> str:
    """Groups of four joined by dashes, easier to read aloud and to copy."""
    return "-".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))


def random_characters(length: int) -> str:
    """`length` random characters from the alphabet: 5 bits of entropy each."""
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def _times_two(value: int) -> int:
    value <<= 1
    return value ^ _GF32_MODULUS if value & 0b100000 else value


def _interim(code: str) -> int:
    interim = 0
    for char in code:
        interim = _times_two(interim ^ _VALUE[char])
    return interim


def check_character(body: str) -> str:
    """The character that, put after `body`, lets a single wrong character be noticed."""
    return ALPHABET[_interim(body)]


def check_passes(code: str) -> bool:
    """Whether a normalised code (check character last) has every character right."""
    return len(code) > 1 and _interim(code) == 0
