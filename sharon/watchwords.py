"""Watched terms as people write them: the term language, text normalisation and matching.

A term is written in a small language that a clinician can read (the words page explains
it; nothing typed there is ever run as a regular expression):

    kill myself            these words, in this order
    cut+ myself            "+": the word in all its forms (cut, cuts, cutting; take+ also
                           took and taken)
    want+ ... die+         "...": up to three other words between
    (pills|tablets)        one of these (each may be a phrase, and may use "+")
    took # pills           "#": a number of six or more, in digits or words ("20", "twenty")

Text and terms are compared after both are normalised the same way: compatibility forms
folded, accents and invisible characters (soft hyphens, zero-width spaces) removed,
letters from other alphabets that look like Latin ones read as Latin, digits and symbols
inside words read as the letters they stand for ("k1ll", "$elf"), letters spelled out with
spaces or dots between them joined ("k i l l", "s.u.i.c.i.d.e"), apostrophes dropped
("can't" is "cant"), and every run of one letter squeezed to one ("diiie", "killll").

Written by hand: no maintained library covers this whole pipeline for English risk terms
(confusable-homoglyph packages give Unicode's skeletons, which map far more than people
use to dodge a filter and keep digits as digits; stemmers over-reach on idioms), and the
pieces are small.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

log = logging.getLogger(__name__)
GAP_WORDS = 3  # "..." allows up to this many words between

# Letters from Cyrillic and Greek (and a few symbols) that pass for Latin ones.
_LOOKALIKES = str.maketrans({
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p",
    "с": "c", "т": "t", "у": "y", "х": "x", "і": "i", "ї": "i", "ј": "j", "ѕ": "s", "ԁ": "d",
    "ɡ": "g", "һ": "h", "ӏ": "l", "ԛ": "q", "ԝ": "w", "α": "a", "β": "b", "ε": "e", "η": "n",
    "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "ω": "w",
    "ı": "i", "ł": "l", "ø": "o", "ß": "ss", "æ": "ae", "œ": "oe", "đ": "d", "ħ": "h",
})
# Inside a word that also has letters: "k1ll", "d13", "$elf h@rm", "5uicide".
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b",
                       "@": "a", "$": "s", "!": "i", "|": "l", "€": "e", "£": "l"})
_LEET_CHARS = frozenset("0134578@$!|€£")
_APOSTROPHES = "'\u2019\u2018\u02bc\u02bb\u02bd\u02b9\u02c8\u02cb`\u00b4\u2032\u055a\ua78c"
_TOKEN = re.compile(r"[^\s]+")
_NOT_WORD = re.compile(r"[^a-z0-9]+")
_RUNS = re.compile(r"([a-z])\1+")


def _fold(text: str) -> str:
    if text.isascii():  # most messages: nothing to fold but case and apostrophes
        return text.lower().replace("'", "").replace("`", "")
    text = unicodedata.normalize("NFKC", text)
    text = "".join(ch for ch in unicodedata.normalize("NFD", text)
                   if unicodedata.category(ch) not in ("Mn", "Cf"))
    text = text.casefold().translate(_LOOKALIKES)
    for mark in _APOSTROPHES:
        text = text.replace(mark, "")
    return text


def _deleet(token: str) -> str:
    if any(c.isalpha() for c in token) and any(c in _LEET_CHARS for c in token):
        core = token.rstrip("!.?,;:")  # "help!" keeps its exclamation mark as punctuation
        return core.translate(_LEET) + token[len(core):]
    return token


def _join_spelled(words: list[str]) -> list[str]:
    """Join runs of three or more single letters: "k i l l" is "kill"."""
    out: list[str] = []
    run: list[str] = []
    for word in words:
        if len(word) == 1 and word.isalpha():
            run.append(word)
            continue
        out.extend([''.join(run)] if len(run) >= 3 else run)
        run = []
        out.append(word)
    out.extend([''.join(run)] if len(run) >= 3 else run)
    return out


def normalise(text: str) -> str:
    """Text as the watched terms see it (see the module): words of a–z and 0–9, one space
    between them."""
    tokens = [_deleet(t) for t in _TOKEN.findall(_fold(text))]
    words: list[str] = []
    for token in tokens:
        # Punctuation inside a token splits it: "self-harm", "k.i.l.l", "end.it".
        words.extend(w for w in _NOT_WORD.split(token) if w)
    return _RUNS.sub(r"\1", " ".join(_join_spelled(words)))


def plain_key(term: str) -> str:
    """A term's identity for duplicates: normalised, its syntax kept."""
    return " ".join(_fold(term).split())


# --- Word forms ---------------------------------------------------------------------------

_IRREGULAR = {
    "be": ["am", "is", "are", "was", "were", "been", "being"],
    "buy": ["bought"], "do": ["did", "done", "does"], "drink": ["drank", "drunk"],
    "eat": ["ate", "eaten"], "feel": ["felt"], "find": ["found"], "get": ["got", "gotten"],
    "give": ["gave", "given"], "go": ["went", "gone", "goes"], "hang": ["hung"],
    "have": ["had", "has"], "hit": ["hit"], "hurt": ["hurt"], "keep": ["kept"],
    "leave": ["left"], "lose": ["lost"], "make": ["made"], "say": ["said", "says"],
    "see": ["saw", "seen"], "sell": ["sold"], "sleep": ["slept"], "slit": ["slit"],
    "stab": ["stabbed"], "swim": ["swam"], "take": ["took", "taken"], "tell": ["told"],
    "think": ["thought"], "throw": ["threw", "thrown"], "wake": ["woke", "woken"],
    "write": ["wrote", "written"], "burn": ["burnt"], "cut": ["cut"], "put": ["put"],
    "beat": ["beaten"], "bleed": ["bled"], "fall": ["fell", "fallen"], "run": ["ran"],
    "shoot": ["shot"], "fight": ["fought"], "seek": ["sought"], "hide": ["hid", "hidden"],
    "break": ["broke", "broken"], "choose": ["chose", "chosen"], "starve": ["starving"],
}
_VOWELS = "aeiou"


def forms(word: str) -> set[str]:
    """A word in all its forms: plural or third person, past, -ing, and irregular ones."""
    word = word.lower()
    found = {word, word + "s", word + "es", word + "ed", word + "ing", word + "er"}
    if word.endswith("e"):
        found |= {word + "d", word[:-1] + "ing", word + "r"}
    if word.endswith("ie"):
        found.add(word[:-2] + "ying")
    if len(word) > 2 and word.endswith("y") and word[-2] not in _VOWELS:
        found |= {word[:-1] + "ies", word[:-1] + "ied"}
    found.update(_IRREGULAR.get(word, []))
    found |= {f[:-1] for f in found if f.endswith("ing")}  # "cuttin", "burnin"
    return found


# --- The term language --------------------------------------------------------------------

class TermError(ValueError):
    """A term that cannot be used, with a reason written for the person editing it."""


@dataclass(frozen=True)
class Slot:
    """One place in a term: the word forms (or phrases) that may stand there."""
    options: tuple[tuple[str, ...], ...]  # each option: a phrase of normalised words
    optional: bool = False                # "(…)?": the place may be empty


Phrases = set[tuple[str, ...]]
_TOKENS = re.compile(r"\.\.\.|\)\?|[()|#]|[^\s()|]+")


def _word_forms(raw: str) -> Phrases:
    """A written word ("cut+", "a&e", "pro-ana") as the phrases it stands for."""
    inflect = raw.endswith("+")
    base = raw.rstrip("+")
    words = normalise(base).split()
    if not words:
        raise TermError(f"“{raw}” is not a word SHaRON can match. Use letters or numbers.")
    if not inflect:
        return {tuple(words)}
    last = [w for w in _NOT_WORD.split(_fold(base)) if w][-1]
    return {tuple(words[:-1]) + tuple(normalise(f).split()) for f in forms(last)}


class _Parser:
    """The term language, read by recursive descent (see the module)."""

    def __init__(self, term: str) -> None:
        self.tokens = _TOKENS.findall(term)
        self.at = 0

    def peek(self) -> str | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self) -> str:
        token = self.tokens[self.at]
        self.at += 1
        return token

    def group(self) -> tuple[Phrases, bool]:
        """After "(": choices split by "|", up to ")" or ")?"."""
        choices: Phrases = set()
        sequence: Phrases = {()}
        while True:
            token = self.peek()
            if token is None:
                raise TermError("A bracket is not closed: write choices as (pills|tablets).")
            self.take()
            if token in ("|", ")", ")?"):
                if sequence == {()}:
                    raise TermError("A choice in brackets is empty.")
                choices |= sequence
                sequence = {()}
                if token != "|":
                    return choices, token == ")?"
            elif token == "(":
                inner, optional = self.group()
                if optional:
                    inner = inner | {()}
                sequence = {a + b for a in sequence for b in inner}
            elif token in ("...", "#"):
                raise TermError(f"“{token}” cannot go inside brackets.")
            else:
                sequence = {a + b for a in sequence for b in _word_forms(token)}
            if len(sequence) > 5000:
                raise TermError("That term has too many combinations; split it in two.")

    def slots(self) -> list[Slot | None]:
        slots: list[Slot | None] = []
        while (token := self.peek()) is not None:
            self.take()
            if token == "...":
                if not slots or slots[-1] is None:
                    raise TermError("“...” goes between two words.")
                slots.append(None)
            elif token == "#":
                slots.append(NUMBER)
            elif token == "(":
                options, optional = self.group()
                if optional and not slots:
                    raise TermError("A term cannot start with something optional.")
                slots.append(Slot(tuple(sorted(options)), optional))
            elif token in (")", ")?", "|"):
                raise TermError("Write choices inside brackets, as (pills|tablets).")
            else:
                slots.append(Slot(tuple(sorted(_word_forms(token)))))
        return slots


def parse(term: str) -> list[Slot | None]:
    """A term as slots; None stands for a gap ("...")."""
    source = " ".join(term.replace("…", " ... ").split())
    if not source:
        raise TermError("Write a word or phrase.")
    if len(source) > 500:
        raise TermError("Keep a term under 500 characters.")
    slots = _Parser(source).slots()
    if not slots or slots[-1] is None:
        raise TermError("“...” goes between two words.")
    words = [w for s in slots if s is not None and s is not NUMBER and not s.optional
             for o in s.options for w in o]
    if not words or max(len("".join(o)) for s in slots
                        if s is not None and s is not NUMBER and not s.optional
                        for o in s.options) < 3:
        raise TermError("A term needs at least one word of three letters or more, or it "
                        "would match almost everything.")
    return slots


# Six or more: "took two paracetamol for a headache" is everyday; "took twenty" is not.
_NUMBER_WORDS = ("six seven eight nine ten eleven twelve fifteen twenty thirty forty fifty "
                 "sixty hundred dozen").split()
NUMBER = Slot(tuple((w,) for w in sorted(normalise(w) for w in _NUMBER_WORDS)))


def _slot_pattern(slot: Slot) -> str:
    if slot is NUMBER:
        words = "|".join(sorted((o[0] for o in slot.options), key=len, reverse=True))
        return rf"(?:[6-9]|[1-9][0-9]+|{words})"
    options = sorted((r"\s".join(map(re.escape, o)) for o in slot.options if o),
                     key=len, reverse=True)
    return "(?:" + "|".join(options) + ")"


def compile_term(term: str) -> re.Pattern[str]:
    """The regular expression for a term, over normalised text."""
    pieces: list[str] = []
    for slot in parse(term):
        if slot is None:
            pieces.append(rf"(?:\s[a-z0-9]+){{0,{GAP_WORDS}}}")
        elif slot.optional:
            pieces.append(r"(?:\s" + _slot_pattern(slot) + ")?")
        else:
            if pieces:
                pieces.append(r"\s")
            pieces.append(_slot_pattern(slot))
    return re.compile(r"(?<![a-z0-9])" + "".join(pieces) + r"(?![a-z0-9])")


def anchors(term: str) -> frozenset[str]:
    """Words at least one of which must be in a text for the term to match it: the
    slot with the longest shortest word (the rarest), as a fast first check."""
    best: frozenset[str] = frozenset()
    best_len = -1
    for slot in parse(term):
        if slot is None or slot is NUMBER or slot.optional:
            continue
        firsts = frozenset(option[0] for option in slot.options)
        shortest = min(len(w) for w in firsts)
        if shortest > best_len:
            best, best_len = firsts, shortest
    return best


# --- Matching -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Rule:
    term: str
    family: str
    action: str      # flag | hold | block
    risk: bool       # show the author crisis contacts now
    level: str       # low | medium | high
    message: str = ""  # a blocking family's kind message


@dataclass(frozen=True)
class Hit:
    rule: Rule
    text: str        # what matched, as normalised
    distanced: bool = False  # the text speaks of the past or in general (see DISTANCING)


# Talk about the past, about recovery, about fiction, or advice to others in general: a
# term that would hold such a text only flags it (a moderator still sees it). Never
# lowers a block, never lets a text through unseen.
DISTANCING = tuple(normalise(p) for p in (
    "used to", "years ago", "months ago", "weeks ago", "when i was", "back when",
    "in the past", "not anymore", "not any more", "no longer", "free from", "days free",
    "clean for", "if you", "if someone", "if anyone", "if your", "ask them", "proud of",
    "recovery", "recovered", "survivor", "film", "episode", "drama", "programme",
    "documentary", "series", "the book", "the article", "my counsellor asked", "asked if",
    "could honestly say no", "it does get better", "its ok to", "no shame", "isnt attention",
))
_DISTANCING = re.compile(r"(?<![a-z0-9])(?:" + "|".join(re.escape(p) for p in DISTANCING)
                         + r")(?![a-z0-9])")


# "not", "never", "no longer" up to three words before what matched: "i'm not suicidal".
NEGATORS = frozenset({"not", "never", "no", "nt", "isnt", "arent", "wasnt", "dont", "didnt",
                      "wont", "havent", "hasnt", "nor"})


def _negated(normalised: str, start: int) -> bool:
    before = normalised[:start].split()[-3:]
    return any(word in NEGATORS for word in before)


def distanced(normalised: str) -> bool:
    """Does the text speak of the past, of recovery, of fiction, or to others in general?"""
    return _DISTANCING.search(normalised) is not None


class Matcher:
    """Many rules, compiled once; `find` returns every rule a text matches."""

    def __init__(self, rules: Iterable[Rule]) -> None:
        self.rules: list[tuple[Rule, re.Pattern[str], frozenset[str]]] = []
        for rule in rules:
            try:
                self.rules.append((rule, compile_term(rule.term), anchors(rule.term)))
            except TermError as error:
                # Saved before the language changed: skipped, not fatal, but said.
                log.warning("watched term %r cannot be matched: %s", rule.term, error)
                continue
        self.by_anchor: dict[str, list[int]] = {}
        for index, (_, _, words) in enumerate(self.rules):
            for word in words:
                self.by_anchor.setdefault(word, []).append(index)

    def find(self, text: str) -> list[Hit]:
        """Every term that matches the text, on its normalised form."""
        normalised = normalise(text)
        candidates = sorted({i for word in set(normalised.split())
                             for i in self.by_anchor.get(word, ())})
        hits = []
        for index in candidates:
            rule, pattern, _ = self.rules[index]
            # A "not" softens only if every place the term matches has one before it.
            matches = list(pattern.finditer(normalised))
            if matches:
                plain = next((m for m in matches if not _negated(normalised, m.start())), None)
                hits.append(Hit(rule, (plain or matches[0]).group(0), plain is None))
        if hits and distanced(normalised):
            hits = [Hit(h.rule, h.text, True) for h in hits]
        return hits


@lru_cache(maxsize=16)
def matcher(rules: tuple[Rule, ...]) -> Matcher:
    """One compiled matcher per list of rules (the list changes only when staff edit it)."""
    return Matcher(rules)
