"""Raw "subject\\nbody" messages for pre-segmented training rows, from raw files published beside them.

Training data may come segmented and cleaned (the TipDM ``train.csv``: stop words, punctuation and most
Latin letters gone) while the product sees raw text.  When the raw records, bodies and subjects of the
same messages are published beside ``NAME.csv`` (``NAME_records_raw.csv`` with ``subject,detail,label``,
``NAME_details_raw.csv`` with ``detail,label``, ``NAME_subjects.csv`` with ``subject,label``), this module
matches them to training rows by character 3-gram similarity with equal labels, so that the
auto-dispatch threshold can be chosen on raw-format out-of-fold predictions (``pipeline.fit_pipeline``).
"""

from __future__ import annotations

import csv
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from sklearn.feature_extraction.text import TfidfVectorizer

from classifier.training import DataError

_CJK = re.compile(r"[\u4e00-\u9fff]")


def _read(path: Path, columns: set[str]) -> list[dict]:
    csv.field_size_limit(sys.maxsize)
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = columns - set(reader.fieldnames or [])
        if missing:
            raise DataError(f"{path}: missing column(s) {', '.join(sorted(missing))}")
        return list(reader)


def _cjk(text: str | None) -> str:
    return "".join(_CJK.findall(text or ""))


def _nearest(queries: list[str], corpus: list[str]) -> list[tuple[int, float]]:
    """Return the best corpus row and cosine of each query (character 3-gram TF-IDF)."""
    vec = TfidfVectorizer(analyzer="char", ngram_range=(3, 3), sublinear_tf=True).fit(corpus)
    sims = (vec.transform(queries) @ vec.transform(corpus).T).tocsr()
    out = []
    for i in range(sims.shape[0]):
        row = sims.getrow(i)
        out.append((int(row.indices[row.data.argmax()]), float(row.data.max())) if row.nnz else (-1, 0.0))
    return out


def raw_files(data: str | os.PathLike) -> dict[str, Path]:
    """The raw files published beside NAME.csv (any of records, details, subjects)."""
    data = Path(data)
    names = {"records": f"{data.stem}_records_raw.csv", "details": f"{data.stem}_details_raw.csv",
             "subjects": f"{data.stem}_subjects.csv"}
    return {kind: data.with_name(name) for kind, name in names.items() if data.with_name(name).is_file()}


def raw_messages(rows: Sequence[tuple[str, str]], files: dict[str, Path]) -> dict[int, str]:
    """Rebuild raw "subject\\nbody" texts for training rows: {row index: raw text}.

    A whole raw record wins (similarity >= 0.5); otherwise a raw body (>= 0.35) and a raw subject
    (>= 0.2) matched to the same row are joined.  Labels must agree.
    """
    if not rows or not files:
        return {}
    full = [_cjk(text) for text, _ in rows]
    labels = [label for _, label in rows]
    best: dict[str, dict[int, tuple[float, str]]] = {"detail": {}, "subject": {}}
    for kind, key, corpus, floor in (("details", "detail", full, 0.35),
                                     ("subjects", "subject", [t[:50] for t in full], 0.2)):
        if kind not in files:
            continue
        found = _read(files[kind], {key, "label"})
        for (j, sim), r in zip(_nearest([_cjk(r[key]) for r in found], corpus), found, strict=True):
            if j >= 0 and sim >= floor and r["label"] == labels[j] and sim > best[key].get(j, (0, ""))[0]:
                best[key][j] = (sim, r[key].strip())
    out = {j: best["subject"][j][1] + "\n" + best["detail"][j][1] for j in set(best["detail"]) & set(best["subject"])}
    if "records" in files:
        records = [r for r in _read(files["records"], {"subject", "detail", "label"}) if (r["detail"] or "").strip()]
        texts = [_cjk(r["subject"]) + _cjk(r["detail"]) for r in records]
        for (j, sim), r in zip(_nearest(texts, full), records, strict=True):
            if j >= 0 and sim >= 0.5 and r["label"] == labels[j]:
                out[j] = r["subject"].strip() + "\n" + r["detail"].strip()
    return dict(sorted(out.items()))
