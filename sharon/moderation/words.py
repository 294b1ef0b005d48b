"""Watched words, edited by clinicians."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from sharon import clock
from sharon.content import clean_text
from sharon.extensions import db
from sharon.models import User, WatchedWord, WordAction
from sharon.moderation import services as moderation
from sharon.refusals import Refused
from sharon.safety import normalise


def all_words() -> Sequence[WatchedWord]:
    return db.session.scalars(sa.select(WatchedWord).order_by(WatchedWord.term_key)).all()


def add(by: User, term: str, action: str, is_risk: bool) -> WatchedWord:
    term = clean_text(term)
    key = normalise(term)
    if not 2 <= len(key) <= 100:
        raise Refused("invalid", "Use 2 to 100 characters.")
    if action not in set(WordAction):
        raise Refused("invalid", "Choose what should happen.")
    if db.session.scalar(sa.select(WatchedWord).where(WatchedWord.term_key == key)):
        raise Refused("duplicate", "That word or phrase is already on the list.")
    word = WatchedWord(term=" ".join(term.split()), term_key=key, action=action,
                       is_risk=is_risk, created_by_id=by.id, created_at=clock.now())
    db.session.add(word)
    db.session.flush()
    moderation.record(by, "watched_word_add", "watched_word", word.id, term=word.term,
                      word_action=action, is_risk=is_risk)
    return word


def remove(by: User, word: WatchedWord) -> None:
    moderation.record(by, "watched_word_remove", "watched_word", word.id, term=word.term)
    db.session.delete(word)
    db.session.flush()
