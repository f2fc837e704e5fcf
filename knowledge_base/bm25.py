"""BM25F weighting: a terms x documents matrix of precomputed per-term scores, and fast scoring."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

FIELDS: tuple[str, ...] = ("title", "questions", "answer")


@dataclass(frozen=True, slots=True)
class BM25Params:
    """BM25F weights: per-field boost and length normalisation, term saturation, query limits."""

    # k1, the answer's b and the character n-grams were chosen by bench/kb.py on the tuning half of
    # 2,816 real message/reply pairs (articles without any citizen text; docs/BENCHMARKS.md), and
    # scored on the other half. Answers are fully length-normalised. The title and question weights
    # were not tuned there (those articles have no title): staff-written titles and question
    # variants state the matter in few words, so they keep a high weight.
    k1: float = 2.0
    weights: tuple[float, float, float] = (15.0, 15.0, 1.0)  # title, questions, answer
    b: tuple[float, float, float] = (0.8, 0.8, 1.0)
    # Long queries (a citizen's whole message) repeat words; saturate their weight too.
    k3: float = 2.0
    bigrams: bool = True
    # Character n-grams of Chinese runs indexed beside the words (`bigrams` on; names jieba does not
    # know), and the weight of their query terms relative to the words' (1-3-grams lost on the tuning half).
    char_sizes: tuple[int, ...] = (2,)
    char_weight: float = 0.3
    # Per-keystroke latency: a query is cut to its first characters (a message's opening states
    # the matter), and only the first `max_query_word_chars` go through jieba, the slowest step;
    # the rest adds character bigrams.
    # A long query (more than `prune_after` terms) also skips terms found in more than
    # `max_df_ratio` of the articles: their long postings cost time and their low idf adds almost
    # nothing. Short queries keep every term, or "公积金" in a knowledge base full of 公积金
    # articles would find nothing.
    max_query_chars: int = 600
    max_query_word_chars: int = 300
    max_df_ratio: float = 0.2
    prune_after: int = 24
    # Fusion with matching by meaning (knowledge_base.semantic), used when the index has vectors:
    # reciprocal-rank fusion constant, weight of the ranking by meaning of the whole query and of its
    # first line alone (a message's subject), and how many of the articles closest in meaning take
    # part. An article longer than the encoder's cut gets a vector per passage, one starting every
    # `passage_stride` characters (0: its first passage only); its closeness is its closest passage's
    # plus `passage_mean_weight` x its passages' mean. All chosen by bench/kb.py on the tuning half.
    rrf_k: float = 2.0
    semantic_weight: float = 1.0
    first_line_weight: float = 0.5
    semantic_depth: int = 200
    passage_stride: int = 300
    passage_mean_weight: float = 0.2


def _count_matrix(token_lists: Sequence[Sequence[str]], vocab: dict[str, int]) -> sp.csr_matrix:
    """Docs x terms term-frequency matrix; new terms are appended to `vocab`."""
    indptr, indices, data = [0], [], []
    for tokens in token_lists:
        for term, count in Counter(tokens).items():
            indices.append(vocab.setdefault(term, len(vocab)))
            data.append(count)
        indptr.append(len(indices))
    return sp.csr_matrix((np.asarray(data, np.float64), indices, indptr),
                         shape=(len(token_lists), max(len(vocab), 1)))


def bm25f_matrix(tokens: Sequence[Sequence[Sequence[str]]], params: BM25Params) -> tuple[sp.csr_matrix, dict[str, int]]:
    """Terms x docs matrix of final per-term scores (idf times saturated field-weighted tf), and vocab.

    `tokens[d][f]` is the token list of field f (in FIELDS order) of document d.
    """
    vocab: dict[str, int] = {}
    counts = [_count_matrix([doc[f] for doc in tokens], vocab) for f in range(len(FIELDS))]
    n_docs, n_terms = len(tokens), max(len(vocab), 1)
    pseudo_tf = sp.csr_matrix((n_docs, n_terms))
    for f, matrix in enumerate(counts):
        matrix.resize((n_docs, n_terms))
        lengths = np.asarray(matrix.sum(axis=1)).ravel()
        avg = lengths.mean() if n_docs and lengths.mean() > 0 else 1.0
        # An empty field has no entries to scale; the floor only avoids dividing by zero.
        norm = params.weights[f] / np.maximum(1.0 - params.b[f] + params.b[f] * lengths / avg, 1e-6)
        pseudo_tf = pseudo_tf + sp.diags(norm) @ matrix
    pseudo_tf = sp.csr_matrix(pseudo_tf)
    df = np.bincount(pseudo_tf.indices, minlength=n_terms)
    idf = np.log1p((n_docs - df + 0.5) / (df + 0.5))
    tf = pseudo_tf.data
    pseudo_tf.data = tf * (params.k1 + 1.0) / (params.k1 + tf) * idf[pseudo_tf.indices]
    return sp.csr_matrix(pseudo_tf.T).astype(np.float32), vocab


class Postings:
    """The terms x docs matrix: one row of precomputed scores (a posting list) per term."""

    def __init__(self, matrix: sp.csr_matrix) -> None:
        self.n_docs = matrix.shape[1]
        self.matrix = matrix
        self.indptr = matrix.indptr.astype(np.int64)

    def df(self, ids: np.ndarray) -> np.ndarray:
        """Number of documents that contain each term id."""
        return self.indptr[ids + 1] - self.indptr[ids]

    def score(self, ids: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """Sum of weight x precomputed term score over the given terms, for every document."""
        if len(ids) == 0:
            return np.zeros(self.n_docs, dtype=np.float32)
        # Row selection and the sparse-transposed product both run in scipy's C++ loops;
        # measured 3x faster at p50 than gathering the postings with numpy.
        return self.matrix[ids].T @ weights.astype(np.float32)
