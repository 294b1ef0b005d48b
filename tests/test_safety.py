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


# --- Watched meanings: how a match is weighed (the model itself: tests/test_meanings.py) ---

def test_distanced_text_needs_a_closer_meaning():
    from sharon import safety

    assert safety.meaning_threshold("I cut my arm last night", 0.55) == 0.55
    for distanced in ("I used to cut my arm", "years ago I cut my arm",
                      "if you cut your arm, tell someone"):
        assert safety.meaning_threshold(distanced, 0.55) == pytest.approx(
            0.55 + safety.DISTANCED_RAISE)
    assert safety.DISTANCED_RAISE > 0


def test_the_meaning_check_weighs_ordinary_talk_by_sentence(app, monkeypatch):
    from sharon import meanings, safety

    app.config.update(SHARON_MEANING_CHECK=True, SHARON_MEANING_THRESHOLD=0.5)
    calls = []

    def fake_check_async(text, examples, threshold, **options):  # noqa: ANN001, ANN003
        calls.append((text, threshold, options, examples))
        return meanings.Match("passive", "I wish I was dead", 0.71)

    monkeypatch.setattr(meanings, "check_async", fake_check_async)
    assert safety.meaning_match("some days are so long") == ("passive", "I wish I was dead",
                                                              0.71)
    assert safety.meaning_match("I used to feel that way") is not None
    (_, plain, options, examples), (_, distanced, _, _) = calls
    assert plain == 0.5 and distanced == pytest.approx(0.5 + safety.DISTANCED_RAISE)
    assert options == {"ordinary": safety._ORDINARY, "margin": safety.ORDINARY_MARGIN,
                       "by_sentence": True}
    ordinary = [sentence for family, sentence in examples if family == safety._ORDINARY]
    assert ordinary == list(safety.ORDINARY)
    # The migrated families bring their examples (more than the first starter lists had).
    assert sum(1 for family, _ in examples if family != safety._ORDINARY) > 300
    verdict = safety.check_all("some days are so long")
    assert verdict.action == "flag" and verdict.meaning[0] == "passive"
