"""Watched meanings (sharon/meanings.py): the real model, loaded from site-packages, with
no network; and what happens when it is missing or broken (SHaRON goes on without it)."""

from __future__ import annotations

import importlib.util
import json
import logging
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from sharon import meanings
from sharon.meanings import Match, MeaningModel, Meanings

ROOT = Path(__file__).resolve().parent.parent
MISSING = [name for name in ("numpy", "onnxruntime", "tokenizers", meanings.MODEL_PACKAGE)
           if importlib.util.find_spec(name) is None]
REQUIRED = os.environ.get("SHARON_TEST_REQUIRE_MEANING") == "1"
needs_model = pytest.mark.skipif(
    bool(MISSING) and not REQUIRED,
    reason=f"the 'meaning' extra is not installed (no {', '.join(MISSING)}): "
           "pip install -e '.[meaning]' (SHARON_TEST_REQUIRE_MEANING=1 makes this a failure)")

SUICIDE = [("suicide", "I want to die"), ("suicide", "I'm going to kill myself")]
EXAMPLES = SUICIDE + [("self-harm", "I've been cutting myself again"),
                      ("overdose", "I've been saving up my pills")]


def _no_connections(*args: object, **kwargs: object) -> None:
    raise AssertionError(f"watched meanings tried to open a connection: {args}")


@pytest.fixture(autouse=True)
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """No hub, no sockets: the model must come from site-packages alone."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(socket.socket, "connect", _no_connections)
    monkeypatch.setattr(socket, "create_connection", _no_connections)


@pytest.fixture(scope="module")
def model() -> Iterator[MeaningModel]:
    """The real model, loaded once for this module with the network shut off."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HF_HUB_OFFLINE", "1")
        patch.setattr(socket.socket, "connect", _no_connections)
        loaded = MeaningModel()
        assert loaded.available(), f"the model did not load: {loaded.reason}"
    yield loaded


def _off_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records
            if r.name == "sharon.meanings" and "Watched meanings are off" in r.getMessage()]


# --- The real model -----------------------------------------------------------------------


@needs_model
def test_similar_meaning_scores_higher_than_similar_words(model: MeaningModel) -> None:
    index = Meanings(SUICIDE, model)
    near = index.nearest("I want to end my life")
    far = index.nearest("I want to end this meeting")
    assert near is not None and far is not None
    assert near[:2] == ("suicide", "I want to die")
    assert near[2] > far[2] + 0.2, (near, far)
    assert index.check("I want to end my life", 0.6) == Match("suicide", "I want to die",
                                                             pytest.approx(near[2]))
    assert index.check("I want to end this meeting", 0.6) is None


@needs_model
def test_nearest_names_the_family_of_the_nearest_example(model: MeaningModel) -> None:
    index = Meanings(EXAMPLES, model)
    assert index.nearest("I cut my arm last night")[0] == "self-harm"
    assert index.nearest("I have a stash of tablets hidden away")[0] == "overdose"
    assert index.nearest("I’m going to kill myself")[1:] == ("I'm going to kill myself",
                                                            pytest.approx(1.0, abs=1e-4))


# --- Weighing a match against ordinary talk ------------------------------------------------

ORDINARY = [("(ordinary)", "I need to cut the grass this weekend"),
            ("(ordinary)", "I used to cut myself but I've been free of it for years")]


@pytest.mark.parametrize("score, ordinary, threshold, margin, matches", [
    (0.70, 0.50, 0.55, 0.05, True),    # over the threshold and well clear of ordinary
    (0.54, 0.20, 0.55, 0.05, False),   # under the threshold, however clear
    (0.70, 0.68, 0.55, 0.05, False),   # over the threshold but not clear of ordinary
    (0.70, 0.70, 0.55, 0.00, False),   # a tie with ordinary talk is no match
    (0.70, 0.69, 0.55, 0.00, True),    # no margin: nearer than ordinary is enough
    (0.70, -1.0, 0.55, 0.05, True),    # no ordinary sentences at all
])
def test_margin_rule(score: float, ordinary: float, threshold: float, margin: float,
                     matches: bool) -> None:
    assert meanings.margin_rule(score, ordinary, threshold, margin) is matches


def test_sentences_splits_a_post_into_its_first_sentences() -> None:
    assert meanings.sentences("I want to die") == ["I want to die"]
    assert meanings.sentences("ok. fine") == ["ok. fine"]  # one-word pieces are dropped
    text = "had a rough day. cut again tonight, but nobody knows"
    assert meanings.sentences(text) == [text, "had a rough day.", "cut again tonight",
                                        "nobody knows"]
    many = " ".join(f"ok {i}." for i in range(10))
    assert len(many) <= meanings.SENTENCE_CHARS
    pieces = meanings.sentences(many)
    assert pieces[0] == many and len(pieces) == 1 + meanings.MAX_SENTENCES
    # A long text is weighed whole, so a message costs at most about two runs.
    long = "fine thanks. " * 30 + "I want to die."
    assert len(long) > meanings.SENTENCE_CHARS and meanings.sentences(long) == [long]


@needs_model
def test_a_match_must_beat_the_nearest_ordinary_sentence(model: MeaningModel) -> None:
    index = Meanings(EXAMPLES + ORDINARY, model)
    cut = index.check("I cut myself again last night", 0.5, ordinary="(ordinary)")
    assert cut is not None and cut.family == "self-harm"
    # Without ordinary sentences the nearest example is the grass; with them, no match.
    assert index.check("going to cut the grass later", 0.3, ordinary="(ordinary)") is None
    apart = index.nearest_apart("I cut myself again last night", "(ordinary)")
    (family, _example, score), everyday = apart[0]
    assert family == "self-harm" and everyday < score
    # A margin larger than the gap turns the same match away.
    assert index.check("I cut myself again last night", 0.5, ordinary="(ordinary)",
                       margin=score - everyday + 0.01) is None
    assert index.check("I cut myself again last night", 0.5, ordinary="(ordinary)",
                       margin=score - everyday - 0.01) is not None
    # Nearest to an ordinary sentence: never a match, whatever the threshold and margin.
    assert index.check("I used to cut myself but I've been free of it for years", -1.0,
                       ordinary="(ordinary)", margin=-2.0) is None
    # Without `ordinary`, every example counts as one (the old rule).
    assert index.check("I need to cut the grass this weekend", 0.5).family == "(ordinary)"


@needs_model
def test_by_sentence_finds_one_risky_sentence_in_a_longer_post(model: MeaningModel) -> None:
    index = Meanings(EXAMPLES + ORDINARY, model)
    post = ("Work was busy and the bus was late again, then I made tea for everyone and "
            "watched telly with the kids for a while. I want to die.")
    assert len(post) <= meanings.SENTENCE_CHARS
    whole = index.check(post, 0.6, ordinary="(ordinary)")
    split = index.check(post, 0.6, ordinary="(ordinary)", by_sentence=True)
    assert whole is None
    assert split is not None and split.example == "I want to die"
    assert split.score > 0.9
    assert index.check("Lovely walk today. The dog loved it.", 0.6, ordinary="(ordinary)",
                       by_sentence=True) is None
    assert index.nearest_apart("", "(ordinary)", by_sentence=True) == []


@needs_model
def test_embed_gives_unit_vectors_the_same_alone_or_in_a_batch(model: MeaningModel) -> None:
    import numpy as np

    texts = ["Had a good day.", "I finally went for a walk after a week indoors, and it "
             "helped more than I expected.", "ok"] * 7  # 21: more than one batch
    vectors = model.embed(texts)
    assert vectors.shape == (21, meanings.DIMENSIONS) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    alone = np.stack([model.embed(t)[0] for t in texts[:3]])
    assert np.allclose(vectors[:3], alone, atol=1e-4)  # padding changes nothing
    assert model.embed([]).shape == (0, meanings.DIMENSIONS)


@needs_model
def test_very_long_text_is_truncated_and_works(model: MeaningModel) -> None:
    import numpy as np

    index = Meanings(EXAMPLES, model)
    huge = "Some days are better than others. " * 6_000  # 204,000 characters
    found = index.nearest(huge)
    assert found is not None and -1.0 <= found[2] <= 1.0
    # Only the first max_tokens word pieces count: what follows changes nothing.
    assert np.allclose(model.embed(huge), model.embed(huge[:2_000] + " I want to die."),
                       atol=1e-5)
    assert index.check("x" * 1_000_000, 0.6) is None


@needs_model
def test_blank_text_is_no_match(model: MeaningModel) -> None:
    index = Meanings(EXAMPLES, model)
    assert index.warm()
    for text in ("", "   ", "\n\t \u00a0"):
        assert index.nearest(text) is None
        assert index.check(text, -1.0) is None


@needs_model
def test_module_check_keeps_one_index_per_example_list(model: MeaningModel,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(meanings, "_DEFAULT", model)
    monkeypatch.setattr(meanings, "_INDEXES", type(meanings._INDEXES)())
    assert meanings.available()
    match = meanings.check("I want to end my life", EXAMPLES, 0.6)
    assert match is not None and match.family == "suicide"
    assert meanings.check("What a lovely sunny morning", EXAMPLES, 0.6) is None
    assert meanings.check("", EXAMPLES, 0.0) is None
    assert len(meanings._INDEXES) == 1
    assert meanings.check("I want to end my life", [], 0.0) is None  # no examples


@needs_model
def test_a_changed_pinned_file_turns_the_check_off(monkeypatch: pytest.MonkeyPatch,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setattr(meanings, "VOCAB_SHA256", "0" * 64)
    caplog.set_level(logging.INFO, logger="sharon.meanings")
    broken = MeaningModel()
    assert not broken.available()
    assert "not the pinned file" in broken.reason
    assert len(_off_records(caplog)) == 1


# --- Missing or broken: off, said once, and no match ------------------------------------


def test_a_broken_model_file_is_off_logged_once(tmp_path: Path,
                                                caplog: pytest.LogCaptureFixture) -> None:
    bad = tmp_path / "model.onnx"
    bad.write_bytes(b"this is not an ONNX model")
    caplog.set_level(logging.INFO, logger="sharon.meanings")
    broken = MeaningModel(model_path=bad)
    index = Meanings(EXAMPLES, broken)
    for _ in range(3):
        assert not broken.available()
        assert not index.available() and not index.warm()
        assert index.nearest("I want to die") is None
        assert index.check("I want to die", 0.0) is None
        assert meanings.check("I want to die", index, 0.0) is None
    assert broken.reason
    assert len(_off_records(caplog)) == 1
    with pytest.raises(meanings.MeaningsUnavailable):
        broken.embed(["I want to die"])


def test_a_missing_model_file_is_off(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="sharon.meanings")
    gone = MeaningModel(model_path=tmp_path / "nowhere.onnx")
    assert not gone.available() and not gone.available()
    assert len(_off_records(caplog)) == 1


def test_without_the_extra_the_check_is_off(monkeypatch: pytest.MonkeyPatch,
                                            caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # import onnxruntime fails
    caplog.set_level(logging.INFO, logger="sharon.meanings")
    without = MeaningModel()
    assert not without.available()
    assert "'meaning' extra is not installed" in without.reason
    assert Meanings(EXAMPLES, without).check("I want to die", 0.0) is None
    assert len(_off_records(caplog)) == 1


def test_settings_out_of_range_are_refused() -> None:
    with pytest.raises(ValueError):
        MeaningModel(max_tokens=1_000)
    with pytest.raises(ValueError):
        MeaningModel(threads=0)


def test_off_hub_calls_directly_when_nothing_is_patched() -> None:
    assert meanings.green_mode() is None
    assert meanings.run_off_hub(threading.get_ident) == threading.get_ident()


# --- Under eventlet -------------------------------------------------------------------------

EVENTLET_SCRIPT = r"""
import eventlet
eventlet.monkey_patch()
import json, threading, time
from sharon import meanings

model = meanings.MeaningModel()
index = meanings.Meanings([("suicide", "I want to die")], model)
texts = ["Some days are better than others. " * 60] * 5
hub_thread = threading.get_ident()
ticks = []
running = True

def ticker():
    while running:
        ticks.append(time.perf_counter())
        eventlet.sleep(0.001)

def during(call):
    # How often the ticker ran while `call` ran for each text.
    counts = []
    for text in texts:
        before = len(ticks)
        call(text)
        counts.append(len(ticks) - before)
    return counts

async_match = index.check_async("I want to end my life", 0.6)  # loads off the hub
tick = eventlet.spawn(ticker)
eventlet.sleep(0.01)
direct = during(lambda text: index.check(text, 0.6))
off_hub = during(lambda text: index.check_async(text, 0.6))
worker = meanings.run_off_hub(threading.get_ident)
nested = meanings.run_off_hub(meanings.run_off_hub, threading.get_ident)  # no deadlock
running = False
tick.wait()
print(json.dumps({"mode": meanings.green_mode(), "available": model.available(),
                  "match": async_match and async_match.family, "direct": direct,
                  "off_hub": off_hub, "other_thread": worker != hub_thread,
                  "nested_other_thread": nested != hub_thread}))
"""


@needs_model
def test_under_eventlet_check_async_leaves_the_hub_running() -> None:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONWARNINGS": "ignore"}
    done = subprocess.run([sys.executable, "-c", EVENTLET_SCRIPT], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["mode"] == "eventlet" and result["available"]
    assert result["match"] == "suicide"
    assert result["other_thread"] and result["nested_other_thread"]
    # Called on the hub, a check never yields: nothing else runs until it returns.
    assert result["direct"] == [0] * 5
    # Through tpool the hub goes on: the ticker runs while checks compute.
    assert sum(result["off_hub"]) >= 5, result
