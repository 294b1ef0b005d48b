"""Watched-word matching: whole words and phrases, and no easy way round them."""

from __future__ import annotations

import pytest

from sharon.safety import match_terms

WORDS = [("kill myself", "hold", True), ("suicide", "flag", True), ("casino", "block", False),
         ("can't go on", "flag", True), ("hopeless", "flag", True), ("self-harm", "flag", True)]


@pytest.mark.parametrize("text, action", [
    ("I could kill myself", "hold"),
    ("KILL   MYSELF", "hold"),
    ("kill\u200b myself", "hold"),          # zero-width space
    ("kill my\u00adself", "hold"),          # soft hyphen
    ("kill-myself", "hold"),
    ("sui\u200bcide", "flag"),
    ("\uff53\uff55\uff49\uff43\uff49\uff44\uff45", "flag"),  # fullwidth letters
    ("ca\u200dsino night", "block"),        # zero-width joiner
    ("www.casino.com", "block"),
    ("I can\u2019t go on", "flag"),
    ("I can\uff07t go on", "flag"),
    ("I can`t go on", "flag"),
    ("I cant go on", "flag"),
    ("self harm", "flag"),
    ("feeling hope\u00adless", "flag"),
    ("casino and kill myself", "block"),     # the strongest action wins
])
def test_matches_despite_disguises(text, action):
    assert match_terms(text, WORDS).action == action


@pytest.mark.parametrize("text", ["hopelessly devoted", "casinos", "I can go on",
                                  "skill myself up", "selfharm-free zone? no: selfharm"])
def test_only_whole_words_and_phrases(text):
    assert match_terms(text, WORDS).action == "allow"


def test_risk_and_matched_terms_are_reported():
    verdict = match_terms("casino and kill myself", WORDS)
    assert verdict.risk and verdict.matched == ("casino", "kill myself")


def test_terms_are_never_regular_expressions():
    words = [(".*", "block", False), ("kill.* myself", "hold", False), ("(", "hold", False),
             ("[a-z]+", "block", False)]
    assert match_terms("anything at all", words).action == "allow"
    assert match_terms("kill them all myself", words).action == "allow"
    assert match_terms("kill myself", words).action == "hold"
