"""Watched words, edited by clinicians: terms in families, and a way to try a sentence.

Each change forgets the kept watched words (sharon/infra/kept_rules.py), so it counts at once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so

from sharon import safety, watchwords
from sharon.content import clean_text
from sharon.extensions import db
from sharon.infra import clock, kept_rules
from sharon.models import Audit, User, WatchedWord, WatchFamily, WordAction
from sharon.moderation import services as moderation
from sharon.permissions import Action, can
from sharon.refusals import Refused

# Everyday sentences a new term must leave alone: one that matches several of them would
# flag or hold ordinary talk all day (the editor refuses it and shows which it matched).
EVERYDAY = (
    "this traffic is killing me", "I could murder a cup of tea", "my phone is dying",
    "dead tired after work today", "the jokes killed me", "I'd kill for a holiday",
    "the deadline is tomorrow", "I nearly died laughing", "she's killing it at work",
    "I need to cut the grass", "shoot me a message later", "I'm dying to see the new series",
    "going to the shops, back soon", "had a lovely walk with the dog this morning",
    "therapy really helped me with my anxiety", "thank you all for being so kind",
    "I'm feeling a bit low today but I'll be ok", "does anyone have tips for sleeping?",
    "my son starts school next week", "I took my tablets this morning",
    "we went to the beach at the weekend", "the film last night was brilliant",
    "I'm cooking dinner for the family", "work has been so busy this week",
    "I hope everyone has a good day", "my mum is coming to stay", "it's raining again",
    "I finished my course of CBT last month", "looking forward to the group on Thursday",
    "my partner and I had a chat about it and it helped", "I'm off to bed now, night all",
    "the kids are driving me up the wall", "I've got a job interview tomorrow",
    "that meeting went on forever", "I'm so tired of this weather",
    "I'm going to cut down on coffee", "the bus was late again", "I can't wait for Friday",
    "my cat knocked a glass off the table", "I burnt the toast again",
)
TOO_BROAD = 3  # everyday sentences a term may not match


def check_editor(actor: User) -> None:
    """Refuse anyone who may not change the watched words, whichever door they came through."""
    if not can(actor, Action.EDIT_WATCHED_WORDS):
        raise Refused("forbidden", "Only clinicians can change the watched words.")


def families() -> Sequence[WatchFamily]:
    """Every family with its terms and examples, in the order staff see them."""
    return db.session.scalars(
        sa.select(WatchFamily).options(so.selectinload(WatchFamily.words),
                                       so.selectinload(WatchFamily.examples))
        .order_by(WatchFamily.position, WatchFamily.id)).all()


def all_words() -> Sequence[WatchedWord]:
    """Every watched word, alphabetically."""
    return db.session.scalars(sa.select(WatchedWord).order_by(WatchedWord.term_key)).all()


def loose_words() -> Sequence[WatchedWord]:
    """Terms outside any family (added before families, or with an action of their own)."""
    return db.session.scalars(sa.select(WatchedWord).where(WatchedWord.family_id.is_(None))
                              .order_by(WatchedWord.term_key)).all()


def everyday_matches(term: str) -> list[str]:
    """Which everyday sentences a new term would match (it is refused if any do)."""
    pattern = watchwords.compile_term(term)
    return [s for s in EVERYDAY if pattern.search(watchwords.normalise(s))]


def add(by: User, term: str, action: str, is_risk: bool,
        family: WatchFamily | None = None) -> WatchedWord:
    """Add a term, to a family (which sets what happens) or on its own."""
    check_editor(by)
    term = " ".join(clean_text(term or "").split())
    try:
        watchwords.parse(term)
    except watchwords.TermError as error:
        raise Refused("invalid", str(error)) from None
    ordinary = everyday_matches(term)
    if len(ordinary) >= TOO_BROAD:
        raise Refused("invalid", "That term would match ordinary talk, for example “"
                      + "”, “".join(ordinary[:3]) + "”. Make it more specific.")
    if family is not None:
        action, is_risk = family.action, family.is_risk
    if action not in set(WordAction):
        raise Refused("invalid", "Choose what should happen.")
    key = watchwords.plain_key(term)
    if db.session.scalar(sa.select(WatchedWord.id).where(WatchedWord.term_key == key)):
        raise Refused("duplicate", "That term is already on the list.")
    word = WatchedWord(term=term, term_key=key, action=action, is_risk=is_risk,
                       family=family, created_by_id=by.id, created_at=clock.now())
    db.session.add(word)
    db.session.flush()
    kept_rules.forget(safety.WATCHED_WORDS)
    moderation.record(by, Audit.WATCHED_WORD_ADD, "watched_word", word.id, term=word.term,
                      word_action=action, is_risk=is_risk,
                      family=family.key if family else None)
    return word


def remove(by: User, word: WatchedWord) -> None:
    """Remove a watched word; it stops counting at once."""
    check_editor(by)
    moderation.record(by, Audit.WATCHED_WORD_REMOVE, "watched_word", word.id, term=word.term)
    db.session.delete(word)
    db.session.flush()
    kept_rules.forget(safety.WATCHED_WORDS)


@dataclass(frozen=True)
class Trial:
    """What the watched words would do with a sentence, for the editor's try box."""
    text: str
    normalised: str
    verdict: safety.Verdict
    hits: list[watchwords.Hit]


def try_sentence(actor: User, text: str) -> Trial:
    """Which terms a sentence matches and what would happen, without saving anything."""
    check_editor(actor)
    text = clean_text(text or "")[:2000]
    hits = watchwords.matcher(safety.rules()).find(text)
    return Trial(text, watchwords.normalise(text), safety.verdict_for(hits), hits)
