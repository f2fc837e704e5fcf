"""Single-document scoring without scikit-learn's per-call overhead.

scikit-learn validates inputs and builds sparse matrices on every ``transform``/``decision_function``
call, which costs several milliseconds per document across the five estimators of the stack.  This
module reads the fitted vocabularies, idf weights and coefficients once and scores a token list with a
few dictionary look-ups and small dense products.  Tests check it against the scikit-learn path.

Every base model is linear in the TF-IDF blocks and the stacker is linear in the base models' scores,
so the stacker's logits are one linear map per block: ``z = Aw[:, iw] @ vw + Ac[:, ic] @ vc +
As[:, is] @ vs + b``.  The products ``stacker @ base`` are folded once at load, and a document costs
one column gather per block instead of one per base model and block.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import repeat

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
        # One C-level pass of dict.get over the features, then counting in numpy.
        ids = np.fromiter(map(self.index.get, features, repeat(-1)), dtype=np.intp, count=len(features))
        ids = ids[ids >= 0]
        if not len(ids):
            return np.zeros(0, dtype=np.intp), np.zeros(0)
        idx, counts = np.unique(ids, return_counts=True)
        tf = counts.astype(float)
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
        n_word = len(self.word.index)
        nb_coef, nb_b = _two_rows(base.nbsvm.coef_, base.nbsvm.intercept_)
        sw_coef, sw_b = _two_rows(base.svc_word.coef_, base.svc_word.intercept_)
        sc_coef, sc_b = _two_rows(base.svc_char.coef_, base.svc_char.intercept_)
        subj = getattr(base, "svc_subj", None)  # models trained before the subject block have none
        self.subj = Vocab(base.featurizer.subj) if subj is not None else None
        st = pipe.stacker
        coef, b = np.asarray(st.coef_), np.atleast_1d(st.intercept_)
        if coef.shape[0] == 1:  # binary logistic regression: sigmoid(z) == softmax([0, z])
            coef, b = np.vstack([np.zeros_like(coef), coef]), np.r_[0.0, b]
        k = nb_coef.shape[0]  # score columns per base model, in the order of BaseModels.scores
        st_nb, st_sw, st_sc = coef[:, :k], coef[:, k : 2 * k], coef[:, 2 * k : 3 * k]
        self.a_word = np.asfortranarray(st_nb @ nb_coef[:, :n_word] + st_sw @ sw_coef)
        self.a_char = np.asfortranarray(st_nb @ nb_coef[:, n_word:] + st_sc @ sc_coef)
        self.bias = b + st_nb @ nb_b + st_sw @ sw_b + st_sc @ sc_b
        if subj is not None:
            ss_coef, ss_b = _two_rows(subj.coef_, subj.intercept_)
            st_ss = coef[:, 3 * k : 4 * k]
            self.a_subj = np.asfortranarray(st_ss @ ss_coef)
            self.bias = self.bias + st_ss @ ss_b

    def logits(self, tokens: list[str]) -> np.ndarray:
        """Return the stacked logistic regression's logits (one per class)."""
        iw, vw = self.word.vector(self._word_ngrams(tokens))
        ic, vc = self.char.vector(char_ngrams(self._char_text(tokens)))
        z = self.a_word[:, iw] @ vw + self.a_char[:, ic] @ vc + self.bias
        if self.subj is not None:
            iss, vss = self.subj.vector(self._subject(tokens))
            z = z + self.a_subj[:, iss] @ vss
        return z

    def proba(self, tokens: list[str]) -> np.ndarray:
        """Return class probabilities (softmax of the stacked logistic regression)."""
        z = self.logits(tokens)
        z = np.exp(z - z.max())
        return z / z.sum()
