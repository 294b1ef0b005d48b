"""Crisis contacts and watched words, shared by the forums, the Wall and the library."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class CrisisContact:
    name: str
    how: str
    href: str
    when: str


CRISIS_CONTACTS: tuple[CrisisContact, ...] = (
    CrisisContact("Emergency services", "Call 999", "tel:999",
                  "If you or someone else is in immediate danger, or you have seriously hurt "
                  "yourself."),
    CrisisContact("NHS 111", "Call 111 and choose the mental health option", "tel:111",
                  "For urgent mental health help, 24 hours a day."),
    CrisisContact("Samaritans", "Call 116 123 (free)", "tel:116123",
                  "To talk to someone any time, day or night, about anything."),
    CrisisContact("Shout", "Text SHOUT to 85258", "sms:85258?body=SHOUT",
                  "If you would rather text than talk, 24 hours a day."),
)


# --- Watched words -----------------------------------------------------------------------
# Matching is case-insensitive on whole words and phrases. Terms are escaped before they
# are compiled: nothing typed into the watched-words page is ever run as a regular
# expression.

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})
_SEVERITY = {"block": 3, "hold": 2, "flag": 1}


@dataclass(frozen=True)
class Verdict:
    action: str = "allow"          # allow | flag | hold | block
    risk: bool = False             # show crisis contacts to the author now
    matched: tuple[str, ...] = ()  # the terms found, for the moderators

    @property
    def allowed(self) -> bool:
        return self.action != "block"


ALLOW = Verdict()


def normalise(text: str) -> str:
    return " ".join(text.translate(_APOSTROPHES).casefold().split())


def _term_pattern(term: str) -> str:
    words = [re.escape(word) for word in normalise(term).split()]
    return r"\s+".join(words)


@lru_cache(maxsize=32)
def _compile(terms: tuple[str, ...]) -> re.Pattern[str] | None:
    if not terms:
        return None
    alternatives = "|".join(_term_pattern(t) for t in sorted(terms, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def match_terms(text: str, words: Iterable[tuple[str, str, bool]]) -> Verdict:
    """Check text against (term, action, is_risk) rules; the strongest action wins."""
    rules = {normalise(term): (action, risk) for term, action, risk in words}
    pattern = _compile(tuple(sorted(rules)))
    if pattern is None:
        return ALLOW
    found = {" ".join(m.group(0).casefold().split()) for m in pattern.finditer(normalise(text))}
    if not found:
        return ALLOW
    hits = [(term, *rules[term]) for term in sorted(found) if term in rules]
    action = max((a for _, a, _ in hits), key=lambda a: _SEVERITY[a])
    return Verdict(action=action, risk=any(r for _, _, r in hits),
                   matched=tuple(t for t, _, _ in hits))


def check(text: str) -> Verdict:
    """Check user text against the watched words in the database (forums and the Wall)."""
    import sqlalchemy as sa

    from sharon.extensions import db
    from sharon.models import WatchedWord

    rows = db.session.execute(
        sa.select(WatchedWord.term, WatchedWord.action, WatchedWord.is_risk)).all()
    return match_terms(text, [(r.term, r.action, r.is_risk) for r in rows])
