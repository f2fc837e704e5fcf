"""One built index per process, rebuilt only when the caller's version token changes."""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Iterable

from knowledge_base.bm25 import BM25Params
from knowledge_base.models import ArticleDoc
from knowledge_base.search import SearchIndex
from knowledge_base.semantic import Encoder, VectorStore


class IndexCache:
    """Thread-safe holder of the current SearchIndex and the version token it was built for.

    The token is whatever cheaply tells that articles changed, e.g. (max(updated_at), count(*)).
    Each web process keeps its own cache; no state has to be shared between hosts.
    """

    def __init__(self, *, params: BM25Params | None = None) -> None:
        self._params = params
        self._lock = threading.Lock()
        # (token, index) in one tuple: a single attribute read is atomic, so readers need no lock.
        self._current: tuple[Hashable, SearchIndex] | None = None
        self.builds = 0

    def get(self, token: Hashable, load: Callable[[], Iterable[ArticleDoc]], *, encoder: Encoder | None = None,
            store: VectorStore | None = None) -> SearchIndex:
        """Return the index for `token`, calling `load` and rebuilding only if the token changed.

        With an `encoder` the index also matches by meaning (vectors kept in `store`); put whatever
        selects the encoder into the token, so that a change of setup rebuilds."""
        current = self._current
        if current is not None and current[0] == token:
            return current[1]
        with self._lock:
            # Another thread may have built it while this one waited for the lock.
            current = self._current
            if current is not None and current[0] == token:
                return current[1]
            # The old index lends the tokens of unchanged articles, so a rebuild after one
            # edit re-tokenises one article instead of all of them.
            previous = current[1] if current is not None else None
            index = SearchIndex.build(load(), params=self._params, previous=previous, keep_tokens=True,
                                      encoder=encoder, store=store)
            self._current = (token, index)
            self.builds += 1
            return index

    @property
    def token(self) -> Hashable:
        """Version token of the index currently held (None before the first build)."""
        current = self._current
        return None if current is None else current[0]

    def clear(self) -> None:
        """Drop the held index, so the next `get` rebuilds whatever the token."""
        with self._lock:
            self._current = None
