"""HTML-safe snippets with matched query terms wrapped in <mark>."""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence

from knowledge_base.text import BIGRAM_MARK, surface_forms

_MAX_MATCHES = 300
_SCAN_CHARS = 2000


# Full-width ASCII and the ideographic space map one-to-one onto their narrow forms.
_WIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def _fold(text: str) -> str:
    """Width- and case-fold text without changing its length, so offsets stay those of the original."""
    folded = text.translate(_WIDTH).lower()
    if len(folded) == len(text):
        return folded
    # Rare characters whose lower case is longer (e.g. U+0130): fold one by one.
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text.translate(_WIDTH))


def surface_set(terms: Iterable[str]) -> tuple[str, ...]:
    """Every surface form of the canonical terms, longest first."""
    forms = {form for term in terms for form in surface_forms(term) if form}
    return tuple(sorted(forms, key=lambda f: (-len(f), f)))


def find_spans(text: str, forms: Sequence[str]) -> list[tuple[int, int]]:
    """Non-overlapping (start, end) offsets of the forms in the text, longer forms winning ties."""
    if not forms or not text:
        return []
    folded = _fold(text)
    # str.find per form beats a compiled alternation: compiling a regex of many CJK words
    # costs milliseconds, more than the whole search is allowed.
    found = []
    for form in forms:
        start = folded.find(form)
        while start != -1 and len(found) < _MAX_MATCHES:
            found.append((start, start + len(form)))
            start = folded.find(form, start + len(form))
    found.sort(key=lambda span: (span[0], span[0] - span[1]))
    spans, end = [], -1
    for start, stop in found:
        if start >= end:
            spans.append((start, stop))
            end = stop
    return spans


def _best_window(spans: list[tuple[int, int]], width: int) -> int:
    """Start offset of the window of `width` characters that covers the most matches."""
    best_start, best_count, j = 0, -1, 0
    for i, (start, _) in enumerate(spans):
        j = max(j, i)
        while j + 1 < len(spans) and spans[j + 1][1] <= start + width:
            j += 1
        if j - i + 1 > best_count:
            best_start, best_count = start, j - i + 1
    return best_start


def make_snippet(text: str, spans: list[tuple[int, int]], *, width: int = 90) -> str:
    """Cut a window of about `width` characters around the densest (sorted) matches and mark them."""
    if spans:
        spans = [s for s in spans if s[1] <= len(text)]
    if not spans:
        cut = text[:width]
        return html.escape(cut) + ("…" if len(text) > width else "")
    # A little context before the first match reads better than starting mid-phrase.
    start = max(0, min(_best_window(spans, width) - width // 6, len(text) - width))
    end = min(len(text), start + width)
    parts, pos = [], start
    for s, e in spans:
        if s < pos or e > end:
            continue
        parts.append(html.escape(text[pos:s]))
        parts.append(f"<mark>{html.escape(text[s:e])}</mark>")
        pos = e
    parts.append(html.escape(text[pos:end]))
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    return prefix + "".join(parts) + suffix


def _one_line(text: str) -> str:
    return " ".join((text or "").split())  # one line, as the operator's result list shows it


def highlight(text: str, terms: Iterable[str], *, width: int = 90) -> str:
    """Snippet of `text` with every surface form of the canonical `terms` marked."""
    flat = _one_line(text)
    return make_snippet(flat, find_spans(flat, surface_set(terms)), width=width)


class Highlighter:
    """One query's terms, grouped and expanded to their spellings once, used for every hit."""

    def __init__(self, terms: Sequence[str], *, limit: int = 40) -> None:
        # `terms` come most specific first; the cap keeps the text scans short for long queries.
        words = [t for t in terms if not t.startswith(BIGRAM_MARK)]
        # Whole words read best; bigrams fill in for names jieba does not know, and single
        # characters mark too much to be useful unless nothing else matched.
        tiers = (
            [t for t in words if len(t) > 1][:limit],
            [t for t in terms if t.startswith(BIGRAM_MARK) and len(t) > len(BIGRAM_MARK) + 1][:limit],
            [t for t in words if len(t) == 1][:limit],
        )
        self._tiers = [forms for forms in map(surface_set, tiers) if forms]

    def snippet(self, texts: Sequence[str], *, width: int = 90) -> str:
        """Snippet of the first text with a match, in tier order; else the start of the first text."""
        # A snippet shows ~90 characters: looking for matches beyond the first few thousand
        # characters of a long answer costs time and rarely finds a better window.
        flats = [_one_line(t[:_SCAN_CHARS]) for t in texts if t]
        for forms in self._tiers:
            for flat in flats:
                spans = find_spans(flat, forms)
                if spans:
                    return make_snippet(flat, spans, width=width)
        return make_snippet(flats[0], [], width=width) if flats else ""
