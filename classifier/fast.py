"""Single-document scoring without scikit-learn's per-call overhead.

scikit-learn validates inputs and builds sparse matrices on every ``transform``/``decision_function``
call, which costs several milliseconds per document across the five estimators of the stack.  This
module reads the fitted vocabularies, idf weights and coefficients once and scores a token list with a
few dictionary look-ups and small dense products.  Tests check it against the scikit-learn path.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np


def char_ngrams(text: str, low: int = 1, high: int = 3) -> list[str]:
    """Return the character n-grams that TfidfVectorizer(analyzer='char') produces for Han-only text."""
    return [text[i : i + n] for n in range(low, high + 1) for i in range(len(text) - n + 1)]


def _two_rows(coef: np.ndarray, intercept: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Expand a binary linear model's single row into one row per class."""
    coef = np.asarray(coef)
    intercept = np.atleast_1d(np.asarray(intercept, dtype=float))
    if coef.shape[0] == 1:
        return np.asfortranarray(np.vstack([-coef, coef])), np.r_[-intercept, intercept]
    return np.asfortranarray(coef), intercept


class Vocab:
    """A fitted TF-IDF vocabulary: index, idf and sublinear tf with l2 normalisation."""

    def __init__(self, vectorizer) -> None:
        self.index: dict[str, int] = vectorizer.vocabulary_
        self.idf: np.ndarray = vectorizer.idf_
        self.sublinear = bool(vectorizer.sublinear_tf)

    def vector(self, features: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Return (indices, values) of the l2-normalised TF-IDF vector."""
        index = self.index
        counts = Counter(index[f] for f in features if f in index)
        if not counts:
            return np.zeros(0, dtype=np.intp), np.zeros(0)
        idx = np.fromiter(counts.keys(), dtype=np.intp, count=len(counts))
        tf = np.fromiter(counts.values(), dtype=float, count=len(counts))
        if self.sublinear:
            tf = 1.0 + np.log(tf)
        val = tf * self.idf[idx]
        return idx, val / np.linalg.norm(val)


class FastScorer:
    """Calibrated probabilities for one tokenised document, equal to the scikit-learn path."""

    def __init__(self, pipe) -> None:
        from classifier.pipeline import char_text, subject_features, word_ngrams  # avoid an import cycle

        self._word_ngrams, self._char_text, self._subject = word_ngrams, char_text, subject_features
        base = pipe.base
        self.word = Vocab(base.featurizer.word)
        self.char = Vocab(base.featurizer.char)
        self.n_word = len(self.word.index)
        self.nb_coef, self.nb_b = _two_rows(base.nbsvm.coef_, base.nbsvm.intercept_)
        self.sw_coef, self.sw_b = _two_rows(base.svc_word.coef_, base.svc_word.intercept_)
        self.sc_coef, self.sc_b = _two_rows(base.svc_char.coef_, base.svc_char.intercept_)
        subj = getattr(base, "svc_subj", None)  # models trained before the subject block have none
        self.subj = Vocab(base.featurizer.subj) if subj is not None else None
        if subj is not None:
            self.ss_coef, self.ss_b = _two_rows(subj.coef_, subj.intercept_)
        st = pipe.stacker
        coef, b = np.asarray(st.coef_), np.atleast_1d(st.intercept_)
        if coef.shape[0] == 1:  # binary logistic regression: sigmoid(z) == softmax([0, z])
            coef, b = np.vstack([np.zeros_like(coef), coef]), np.r_[0.0, b]
        self.st_coef, self.st_b = coef, b

    def scores(self, tokens: list[str]) -> np.ndarray:
        """Return the base models' stacked decision scores."""
        iw, vw = self.word.vector(self._word_ngrams(tokens))
        ic, vc = self.char.vector(char_ngrams(self._char_text(tokens)))
        sw = self.sw_coef[:, iw] @ vw + self.sw_b
        sc = self.sc_coef[:, ic] @ vc + self.sc_b
        nb = self.nb_coef[:, iw] @ vw + self.nb_coef[:, ic + self.n_word] @ vc + self.nb_b
        if self.subj is None:
            return np.concatenate([nb, sw, sc])
        iss, vss = self.subj.vector(self._subject(tokens))
        return np.concatenate([nb, sw, sc, self.ss_coef[:, iss] @ vss + self.ss_b])

    def proba(self, tokens: list[str]) -> np.ndarray:
        """Return class probabilities (softmax of the stacked logistic regression)."""
        z = self.st_coef @ self.scores(tokens) + self.st_b
        z = np.exp(z - z.max())
        return z / z.sum()
