"""Normalise raw citizen text and segment it into words with a private jieba-rs instance.

Training data may come pre-segmented with stop words, punctuation and Latin letters removed, while
the product sees raw text ("subject\\nbody") with punctuation, codes such as ``A3区``, phone numbers,
URLs and digits.  ``normalise`` and ``tokens`` map both forms onto the same canonical word sequence so
that a model trained on one transfers to the other.

Segmentation is jieba's (its dictionary, precise mode without HMM) run by jieba-rs (``rjieba``), which
gives the same words in a fraction of the CPU: it was the largest single cost of an intake request. jieba's
``load_userdict`` adds a user word's frequency to the dictionary's total without taking off the word's
old frequency, and jieba-rs replaces it; the total decides close splits (太差 / 太 差), so ``init`` adds
the difference back (``_JIEBA_TOTAL``) and the words are exactly jieba's (a test compares them on real
messages). The dictionary load costs a fraction of a second per process; ``init()`` does it eagerly
(call it in a worker parent before forking), otherwise the first call to ``tokens`` does it lazily.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import cache, lru_cache
from pathlib import Path

import jieba
import rjieba

DATA_DIR = Path(__file__).with_name("data")
USERDICT_PATH = DATA_DIR / "userdict.txt"
STOPWORDS_PATH = DATA_DIR / "stopwords.txt"
# Long messages carry their topic in the subject and first paragraphs; capping keeps p99 latency bounded.
MAX_CHARS = 1000
# Subjects are one short line (at most ~50 characters); a longer first line is body text, capped here.
SUBJECT_MAX_CHARS = 200

_URL = re.compile(r"(?:https?://|www\.)[A-Za-z0-9._~:/?#\[\]@!$&'()*+,;=%-]*", re.IGNORECASE)
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_PHONE = re.compile(r"(?<!\d)(?:\d{3,4}-\d{7,8}(?:-\d{1,4})?|\+?86-?1[3-9]\d{9}|1[3-9]\d{9})(?!\d)")
# Anonymised or abbreviated place codes ("A市", "A3区", "K8县"): keep only the administrative suffix,
# which is what the pre-segmented training text kept.
_PLACE_CODE = re.compile(r"[A-Za-z]+\d*(?=[省市区县州镇乡村])")
_LATIN_DIGITS = re.compile(r"[A-Za-z0-9]+")
_EXCEL_CR = re.compile(r"_?x000D_?", re.IGNORECASE)
_NON_WORD = re.compile(r"[^\u4e00-\u9fff\u3400-\u4dbf]+")

# Ends the subject's words in a token list; not a Han word, so it never collides with a real token.
SUBJECT_END = "|"

_lock = threading.Lock()
_jieba: rjieba.Jieba | None = None
# Not Han text, so normalised input (Han runs and spaces) can never contain it as a word.
_JIEBA_TOTAL = "\x00jieba-total"


def _read_words(path: Path) -> frozenset[str]:
    """Read one word per line, skipping blank lines and # comments."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(w.strip() for w in lines if w.strip() and not w.startswith("#"))


@cache
def stopwords() -> frozenset[str]:
    """Return the stop-word set."""
    return _read_words(STOPWORDS_PATH)


def init() -> rjieba.Jieba:
    """Load jieba's dictionary and the hotline user dictionary once; safe to call repeatedly."""
    global _jieba
    if _jieba is None:
        with _lock:
            if _jieba is None:
                tok = rjieba.Jieba()
                entries = _user_entries()
                for word, freq, tag in entries:
                    tok.add_word(word, freq, tag)
                tok.add_word(_JIEBA_TOTAL, _replaced_frequency({word for word, _, _ in entries}), None)
                stopwords()
                _jieba = tok
    return _jieba


def _user_entries() -> list[tuple[str, int, str | None]]:
    """(word, frequency, tag) of the user dictionary, in jieba's "word freq [tag]" format."""
    entries = []
    for line in USERDICT_PATH.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if parts and not parts[0].startswith("#"):
            entries.append((parts[0], int(parts[1]), parts[2] if len(parts) > 2 else None))
    return entries


def _replaced_frequency(words: set[str]) -> int:
    """The base dictionary's frequencies of the user words it already has: what jieba-rs takes off the total
    when they are added and jieba does not."""
    found = 0
    with open(Path(jieba.__file__).with_name("dict.txt"), encoding="utf-8") as fh:
        for line in fh:
            word, _, rest = line.partition(" ")
            if word in words:
                found += int(rest.split(" ", 1)[0])
    return found


def normalise(text: str) -> str:
    """Return text in half-width form with URLs, phones, codes, Latin letters, digits and punctuation removed.

    Punctuation and whitespace become single spaces (segment boundaries); everything else that is
    not a Han character is dropped without a gap, as in the pre-segmented training text.
    """
    text = unicodedata.normalize("NFKC", text or "")
    text = _EXCEL_CR.sub(" ", text)
    text = _URL.sub(" ", text)
    text = _EMAIL.sub(" ", text)
    text = _PHONE.sub(" ", text)
    text = _PLACE_CODE.sub("", text)
    text = _LATIN_DIGITS.sub("", text)
    return _NON_WORD.sub(" ", text).strip()


def _words(text: str, max_chars: int) -> list[str]:
    tok = init()
    stop = stopwords()
    clean = normalise(text[: max_chars * 2] if text else "")[:max_chars]
    # normalise leaves Han runs and single spaces, so every word that is not a space is a Han word
    return [w for w in tok.cut(clean, False) if w != " " and w not in stop]


def split_subject(text: str) -> tuple[str, str]:
    """Split a message into (subject, body) at its first line break; without one there is no subject."""
    subject, sep, body = (text or "").partition("\n")
    return (subject.strip(), body) if sep else ("", subject)


def with_subject(text: str, subject: str) -> str:
    """Return a pre-segmented training text as "subject\\nbody" when ``subject`` is its prefix.

    Training rows join subject and body without a break; when the canonical form of ``subject`` starts
    the canonical form of ``text``, the row is rebuilt in the raw-message shape so that ``tokens`` splits
    it exactly as it splits raw input.  Otherwise ``text`` comes back unchanged (no separable subject).
    """
    if "\n" in (text or ""):
        return text
    head, full = canonical(subject), canonical(text)
    if not head or len(head) >= len(full) or not full.startswith(head):
        return text
    return f"{head}\n{full[len(head):]}"


def tokens(text: str, *, max_chars: int | None = None) -> list[str]:
    """Segment raw or pre-segmented text into content words (stop words and non-Han tokens removed).

    A "subject\\nbody" message gives the subject's words, ``SUBJECT_END``, then the body's words; the
    features (``pipeline.word_ngrams``) weight the subject and ``content`` drops the marker. The last
    texts' words are remembered, so the consumers of one request's text (intake: classifier, knowledge
    search, duplicate signature, hotspot placement) segment it once however they are reached.
    """
    return list(_remembered(text or "", max_chars or MAX_CHARS))


@lru_cache(maxsize=64)  # thread-safe; a tuple, so no caller can change another's words
def _remembered(text: str, max_chars: int) -> tuple[str, ...]:
    return tuple(_segment(text, max_chars))


def _segment(text: str, max_chars: int) -> list[str]:
    subject, body = split_subject(text)
    head = _words(subject, min(max_chars, SUBJECT_MAX_CHARS)) if subject else []
    rest = _words(body, max_chars)
    return [*head, SUBJECT_END, *rest] if head else rest


def content(words: list[str]) -> list[str]:
    """Return the words without the subject marker."""
    return [w for w in words if w != SUBJECT_END]


def canonical(text: str) -> str:
    """Return the content words joined without spaces, the form pre-segmented training text has."""
    return "".join(content(tokens(text)))
