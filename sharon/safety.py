"""Crisis contacts and watched words, shared by the forums, the Wall and the library."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from sharon import rules_cache


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

# Every character people (or their phones) type for an apostrophe.
_APOSTROPHES = str.maketrans(dict.fromkeys(
    "\u2019\u2018\u02bc\u02bb\u02bd\u02b9\u02c8\u02cb\u0060\u00b4\u2032\u055a\ua78c",
    "'"))
# A hyphen, underscore, dot or middle dot between letters: "kill-myself", "self.harm".
_JOINERS = re.compile(r"(?<=\w)[-_.\u00b7\u2010\u2011](?=\w)")
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
    """Text as the watched words see it: compatibility forms folded (fullwidth letters),
    invisible format characters (zero-width spaces, soft hyphens) removed, apostrophes
    made one, joiners between letters made spaces, case folded, spaces squeezed."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    text = _JOINERS.sub(" ", text.translate(_APOSTROPHES))
    return " ".join(text.casefold().split())


def _term_pattern(term: str) -> str:
    # "can't" also matches "cant": the apostrophe is optional.
    words = [re.escape(word).replace("'", "'?") for word in normalise(term).split()]
    return r"\s+".join(words)


@lru_cache(maxsize=32)
def _compile(terms: tuple[str, ...]) -> re.Pattern[str] | None:
    if not terms:
        return None
    alternatives = "|".join(_term_pattern(t) for t in sorted(terms, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def _key(normalised: str) -> str:
    return normalised.replace("'", "")


@lru_cache(maxsize=32)
def _prepare(words: tuple[tuple[str, str, bool], ...]) -> tuple[
        dict[str, tuple[str, bool]], re.Pattern[str] | None, dict[str, str]]:
    """The rules by normalised term, their pattern, and the terms by matching key: worked
    out once per list of words, not for every message."""
    rules = {normalise(term): (action, risk) for term, action, risk in words}
    return rules, _compile(tuple(sorted(rules))), {_key(term): term for term in rules}


def match_terms(text: str, words: Iterable[tuple[str, str, bool]]) -> Verdict:
    """Check text against (term, action, is_risk) rules; the strongest action wins."""
    rules, pattern, by_key = _prepare(tuple(words))
    if pattern is None:
        return ALLOW
    found = {by_key[k] for m in pattern.finditer(normalise(text))
             if (k := _key(" ".join(m.group(0).casefold().split()))) in by_key}
    if not found:
        return ALLOW
    hits = [(term, *rules[term]) for term in sorted(found)]
    action = max((a for _, a, _ in hits), key=lambda a: _SEVERITY[a])
    return Verdict(action=action, risk=any(r for _, _, r in hits),
                   matched=tuple(t for t, _, _ in hits))


# Kept by each worker for a few seconds (every Wall message and post is checked);
# a word added or removed on this worker counts at once, on others within seconds.
WATCHED_WORDS = rules_cache.reads("watched_words", "watched_words")


def _watched_words() -> tuple[tuple[str, str, bool], ...]:
    import sqlalchemy as sa

    from sharon.extensions import db
    from sharon.models import WatchedWord

    rows = db.session.execute(
        sa.select(WatchedWord.term, WatchedWord.action, WatchedWord.is_risk)).all()
    return tuple((r.term, r.action, r.is_risk) for r in rows)


def check(text: str) -> Verdict:
    """Check user text against the watched words in the database (forums and the Wall)."""
    return match_terms(text, rules_cache.cached(WATCHED_WORDS, None, _watched_words))
