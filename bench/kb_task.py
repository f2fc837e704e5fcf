"""The knowledge-base retrieval task of bench/kb.py, built so that no citizen text is in an article.

Article = the official reply with its formulaic opening (greeting, "留言已收悉", "现将有关情况回复如下：",
which is where replies restate the subject) cut off, every quotation of the message's subject (a quoted
span that is, or mostly is, the subject) removed, and the subject itself removed wherever it still
occurs. Query = the citizen's message as an operator would paste it: subject + "\\n" + detail.
Gold = the message's own reply. The 2,816 pairs are split once, by a fixed seed, into a tuning half
and a test half.
"""

from __future__ import annotations

import csv
import random
import re
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path

_ROOT = Path(__file__).resolve().parent.parent
# ../shared/datasets beside the checkout (/work/main), or two levels up from a worktree (/work/wt/NAME).
DATA = next((p for p in (_ROOT.parent / "shared" / "datasets", _ROOT.parent.parent / "shared" / "datasets")
             if p.is_dir()), _ROOT.parent / "shared" / "datasets")
REPLIES = DATA / "tipdm2020_c_replies" / "replies_attachment4.csv"
SPLIT_SEED = 20261130

# Quoted spans in Chinese or ASCII quotes (one line, at most 300 characters).
_QUOTE = re.compile(r"[“\"「『‘]([^“”\"「」『』‘’\n]{1,300})[”\"」』’]")
# Where the formulaic opening ends: "...回复如下：", "...作如下答复：", "...已收悉。".
_OPENING_END = re.compile(
    r"(?:(?:回复|答复|回答|说明|函复|反馈|回应)如下|(?:作|做)出?如下(?:回复|答复|说明)|收悉)\s*[：:。，,！!；;]?")
_GREETING = re.compile(r"^.{0,40}?您好\s*[！!，,。：:]?")
_OPENING_WINDOW = 250
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Pair:
    """One message and its reply: the query an operator pastes and the article it should find."""

    id: str
    subject: str
    query: str
    article: str


def read_csv(path: Path) -> list[dict[str, str]]:
    """All rows of a UTF-8 CSV file with a header."""
    csv.field_size_limit(sys.maxsize)
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _norm(text: str) -> str:
    return _SPACE.sub("", unicodedata.normalize("NFKC", text))


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)}


def quotes_subject(span: str, subject: str) -> bool:
    """Whether a quoted span is a quotation of the subject: inside it, containing it, or half its bigrams."""
    a, b = _norm(span), _norm(subject)
    if len(a) < 2:
        return False
    if a in b or (len(b) >= 4 and b in a):
        return True
    grams = _bigrams(a)
    return len(a) >= 4 and len(grams & _bigrams(b)) >= 0.5 * len(grams)


def article_text(reply: str, subject: str) -> str:
    """The reply without its formulaic opening, its quotations of the subject and the subject itself."""
    ends = [m.end() for m in _OPENING_END.finditer(reply[:_OPENING_WINDOW])]
    text = reply[ends[-1]:] if ends else _GREETING.sub("", reply, count=1)
    text = _QUOTE.sub(lambda m: "" if quotes_subject(m.group(1), subject) else m.group(0), text)
    if len(subject.strip()) >= 2:
        text = text.replace(subject.strip(), "")
    return text.strip()


def shares_run(article: str, subject: str, n: int = 8) -> bool:
    """Whether the article still holds any n-character run of the subject (a leak diagnostic)."""
    a, s = _norm(article), _norm(subject)
    return any(s[i : i + n] in a for i in range(len(s) - n + 1))


def load_pairs(path: Path = REPLIES) -> list[Pair]:
    """Every message/reply pair of the replies file, in file order."""
    return [Pair(id=r["msg_id"], subject=r["subject"], query=f"{r['subject']}\n{r['detail']}",
                 article=article_text(r["reply"], r["subject"])) for r in read_csv(path)]


def split(pairs: list[Pair], seed: int = SPLIT_SEED) -> tuple[list[Pair], list[Pair]]:
    """The fixed tuning half and test half (the first gets the odd one out)."""
    order = list(range(len(pairs)))
    random.Random(seed).shuffle(order)
    cut = (len(pairs) + 1) // 2
    return [pairs[i] for i in sorted(order[:cut])], [pairs[i] for i in sorted(order[cut:])]


def ranks_from_scores(scores: list, golds: list[int]) -> list[int | None]:  # type: ignore[type-arg]
    """1-based rank of each gold column in its score row; ties count against the gold; None = score 0."""
    out: list[int | None] = []
    for row, g in zip(scores, golds, strict=True):
        out.append(int((row >= row[g]).sum()) if row[g] > 0 else None)
    return out


def summarise(ranks: list[int | None]) -> dict[str, float]:
    """Recall at 1 and 5 and mean reciprocal rank from 1-based ranks (None = not found)."""
    n = len(ranks)
    return {
        "recall_at_1": round(sum(r == 1 for r in ranks) / n, 4),
        "recall_at_5": round(sum(r is not None and r <= 5 for r in ranks) / n, 4),
        "mrr": round(sum(1.0 / r for r in ranks if r) / n, 4),
    }
