"""Search over knowledge articles: an immutable BM25F index built once, queried per keystroke."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np

from knowledge_base.bm25 import BM25Params, Postings, bm25f_matrix
from knowledge_base.models import ArticleDoc, Hit
from knowledge_base.semantic import Encoder, VectorStore, fuse, passage_text, passages
from knowledge_base.snippet import Highlighter
from knowledge_base.text import BIGRAM_MARK, char_bigrams, latin_terms, terms_from_words, tokenize

_NEVER, _ALWAYS = -(2**62), 2**62


def article_passages(doc: ArticleDoc, *, size: int, stride: int) -> list[str]:
    """The texts embedded for an article: passages of its title, question variants and answer."""
    return passages(passage_text(doc.title, doc.questions, doc.answer), size=size, stride=stride)


def _field_texts(doc: ArticleDoc) -> tuple[str, str, str]:
    return doc.title, "\n".join(doc.questions), doc.answer


def _date_ordinals(dates: Iterable[dt.date | None], default: int) -> np.ndarray:
    return np.array([d.toordinal() if d else default for d in dates], dtype=np.int64)


class SearchIndex:
    """Read-only inverted index over articles; safe to share between threads once built."""

    def __init__(self, docs: Sequence[ArticleDoc], postings: Postings, vocab: dict[str, int],
                 params: BM25Params, *, encoder: Encoder | None = None, vectors: np.ndarray | None = None,
                 offsets: np.ndarray | None = None) -> None:
        self.docs: tuple[ArticleDoc, ...] = tuple(docs)
        self.params = params
        # Matching by meaning is on when both are given: L2-normalised rows, one per passage of an
        # article; `offsets` = each article's first row (None: one row per article).
        self.encoder = encoder if vectors is not None else None
        self._vectors = vectors
        self._offsets = offsets if offsets is not None else np.arange(len(self.docs))
        self._postings = postings
        self._vocab = vocab
        self._terms = tuple(vocab)  # ids were handed out in insertion order
        self._is_gram = np.fromiter((t.startswith(BIGRAM_MARK) for t in self._terms), dtype=bool,
                                    count=len(self._terms))
        # Small integer codes: comparing an int array is ~50x faster than an array of strings.
        self._codes: dict[str, dict[str, int]] = {"department": {}, "status": {}}
        self._department = self._encode("department", (d.department for d in self.docs))
        self._status = self._encode("status", (d.status for d in self.docs))
        tagged: dict[str, list[int]] = {}
        for i, doc in enumerate(self.docs):
            for tag in set(doc.tags):
                tagged.setdefault(tag, []).append(i)
        self._tags = {t: np.asarray(ix, dtype=np.int64) for t, ix in tagged.items()}
        self._starts = _date_ordinals((d.effective_from for d in self.docs), _NEVER)
        self._ends = _date_ordinals((d.expires_on for d in self.docs), _ALWAYS)
        self._tokens: dict[tuple[str, str, str], tuple[tuple[str, ...], ...]] = {}

    def _encode(self, name: str, values: Iterable[str]) -> np.ndarray:
        codes = self._codes[name]
        return np.array([codes.setdefault(v or "", len(codes)) for v in values], dtype=np.int32)

    def _equals(self, name: str, column: np.ndarray, value: str) -> np.ndarray:
        code = self._codes[name].get(value)
        return column == code if code is not None else np.zeros(len(column), dtype=bool)

    @classmethod
    def build(cls, docs: Iterable[ArticleDoc], *, params: BM25Params | None = None,
              previous: SearchIndex | None = None, keep_tokens: bool = False,
              encoder: Encoder | None = None, store: VectorStore | None = None) -> SearchIndex:
        """Tokenise every field of every document and precompute the BM25F term weights.

        With `keep_tokens` the index remembers each article's tokens, and a later build given it
        as `previous` re-tokenises only articles whose text changed: jieba is most of the cost.
        With an `encoder` each passage of each article also gets a vector (matching by meaning), taken
        from `store` when its text was embedded before.
        """
        docs = list(docs)
        params = params or BM25Params()
        same_tokens = previous is not None and (previous.params.bigrams, previous.params.char_sizes) == (
            params.bigrams, params.char_sizes)  # what the tokens depend on; weights and fusion do not matter
        known = previous._tokens if same_tokens else {}
        texts = [_field_texts(doc) for doc in docs]
        # Tuples of strings: the garbage collector stops tracking them, so keeping thousands of
        # token sequences does not slow down every full collection in the web process.
        tokens = [known.get(t) or tuple(tuple(tokenize(x, with_bigrams=params.bigrams,
                                                       char_sizes=params.char_sizes)) for x in t)
                  for t in texts]
        matrix, vocab = bm25f_matrix(tokens, params)
        vectors = offsets = None
        if encoder is not None:
            groups = [article_passages(d, size=encoder.max_chars, stride=params.passage_stride) for d in docs]
            vectors = (store if store is not None else VectorStore()).vectors(encoder, [p for g in groups for p in g])
            offsets = np.cumsum([0, *(len(g) for g in groups[:-1])]) if groups else np.zeros(0, dtype=np.int64)
        index = cls(docs, Postings(matrix), vocab, params, encoder=encoder, vectors=vectors, offsets=offsets)
        if keep_tokens:
            index._tokens = dict(zip(texts, tokens, strict=True))
        return index

    def __len__(self) -> int:
        return len(self.docs)

    def search(self, query: str, *, k: int = 5, department: str | None = None, tag: str | None = None,
               status: str | None = "published", on: dt.date | None = None,
               words: Sequence[str] | None = None, by_meaning: bool = True) -> list[Hit]:
        """Top-k articles for the query, best first; a filter left as None matches everything.

        `on` (usually today) hides articles not yet effective or already expired on that date.
        `words`: the query already segmented elsewhere (see `query_terms`).
        `by_meaning`: False ranks by BM25F alone even when the index has vectors (no query embedding).
        """
        ids, weights = self.query_terms(query, words=words)
        if k <= 0 or (len(ids) == 0 and (self.encoder is None or not by_meaning)):
            return []
        lexical = self._postings.score(ids, weights)
        mask = self._mask(department=department, tag=tag, status=status, on=on)
        if mask is not None:
            lexical = np.where(mask, lexical, 0.0)
        ranking = self._rank(query, lexical, mask) if by_meaning else lexical
        # Rarest terms first: they are the ones worth marking when a long query is capped.
        ranked = ids[np.argsort(self._postings.df(ids), kind="stable")]
        marker = Highlighter([self._terms[t] for t in ranked])
        # A hit's score stays the BM25F score (0 for an article found by meaning alone): callers
        # such as the intake's hold rule compare it with thresholds on that scale.
        return [self._hit(i, float(lexical[i]), marker) for i in top_k(ranking, k)]

    def scores(self, query: str, *, words: Sequence[str] | None = None) -> np.ndarray:
        """Unfiltered ranking score of every document, in `docs` order (what `search` orders by)."""
        return self._rank(query, self.lexical_scores(query, words=words), None)

    def lexical_scores(self, query: str, *, words: Sequence[str] | None = None) -> np.ndarray:
        """Unfiltered BM25F score of every document, in `docs` order."""
        ids, weights = self.query_terms(query, words=words)
        return self._postings.score(ids, weights)

    def similarities(self, query: str) -> tuple[np.ndarray, np.ndarray] | None:
        """Closeness by meaning of every article to the whole query and to its first line alone (a
        message's first line, e.g. its subject, states the matter); None without vectors.

        An article's closeness is its closest passage's cosine plus `passage_mean_weight` x the mean
        of its passages' cosines. A one-line query (or first_line_weight 0) is embedded once and gets the
        same row twice."""
        if self.encoder is None or self._vectors is None:
            return None
        text = query[: self.params.max_query_chars]
        line = text.split("\n", 1)[0]
        # the first line is embedded only when it is ranked and differs from the whole (an encoder pass)
        ranked = self.params.first_line_weight and line.strip() != text.strip()
        texts = [text, line] if ranked else [text]
        vectors = self.encoder.encode(texts, query=True)
        rows = [self._closeness(self._vectors @ v) for v in vectors]
        return rows[0], rows[-1]

    def _closeness(self, cosines: np.ndarray) -> np.ndarray:
        if not self.docs:
            return np.zeros(0, dtype=np.float32)
        best = np.maximum.reduceat(cosines, self._offsets)
        weight = self.params.passage_mean_weight
        if weight == 0:
            return best
        counts = np.diff(np.append(self._offsets, len(cosines)))
        return best + weight * np.add.reduceat(cosines, self._offsets) / counts

    def _rank(self, query: str, lexical: np.ndarray, mask: np.ndarray | None) -> np.ndarray:
        """The BM25F scores, fused with the rankings by meaning when the index has vectors."""
        similarities = self.similarities(query)
        if similarities is None:
            return lexical
        whole, line = (np.where(mask, s, 0.0) if mask is not None else s for s in similarities)
        p = self.params
        return fuse(lexical, (whole, p.semantic_weight), (line, p.first_line_weight), k=p.rrf_k,
                    depth=p.semantic_depth)

    def query_terms(self, query: str, *, words: Sequence[str] | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Ids of the query's indexed terms and their saturated query-frequency weights.

        With `words` (the query segmented once by the caller, e.g. at intake) no jieba pass is made
        here: the words give the terms (`terms_from_words`) and the text only its character bigrams.
        """
        p = self.params
        text = query[: p.max_query_chars]
        if words is None:
            tokens = tokenize(text[: p.max_query_word_chars], query=True, with_bigrams=False)
        else:
            head = text[: p.max_query_word_chars]
            tokens = terms_from_words(words, max_chars=p.max_query_word_chars) + latin_terms(head)
        if p.bigrams:
            tokens += char_bigrams(text, p.char_sizes)
        counts = Counter(self._vocab[t] for t in tokens if t in self._vocab)
        ids = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        freq = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
        weights = (p.k3 + 1.0) * freq / (p.k3 + freq)
        if p.char_weight != 1.0:
            weights = np.where(self._is_gram[ids], weights * p.char_weight, weights)
        if len(ids) <= p.prune_after:
            return ids, weights
        keep = self._postings.df(ids) <= max(p.max_df_ratio * len(self.docs), 1.0)
        return ids[keep], weights[keep]

    def _mask(self, *, department: str | None, tag: str | None, status: str | None,
              on: dt.date | None) -> np.ndarray | None:
        conditions = []
        if department is not None:
            conditions.append(self._equals("department", self._department, department))
        if status is not None:
            conditions.append(self._equals("status", self._status, status))
        if tag is not None:
            has_tag = np.zeros(len(self.docs), dtype=bool)
            has_tag[self._tags.get(tag, np.empty(0, dtype=np.int64))] = True
            conditions.append(has_tag)
        if on is not None:
            day = on.toordinal()
            conditions.append((self._starts <= day) & (self._ends >= day))
        return np.logical_and.reduce(conditions) if conditions else None

    def _hit(self, i: int, score: float, marker: Highlighter) -> Hit:
        doc = self.docs[i]
        return Hit(article_id=doc.id, score=round(score, 4), title=doc.title,
                   snippet=marker.snippet((doc.answer, *doc.questions)),
                   department=doc.department, version=doc.version)


def top_k(scores: np.ndarray, k: int) -> list[int]:
    """Indices of the k best positive scores, best first (ties by index, for stable results)."""
    candidates = np.flatnonzero(scores > 0)
    if len(candidates) > k:
        candidates = candidates[np.argpartition(-scores[candidates], k - 1)[:k]]
    return sorted(candidates.tolist(), key=lambda i: (-scores[i], i))
