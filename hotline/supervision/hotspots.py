"""主动治理: clusters of similar recent requests (jieba TF-IDF cosine, within one district and window).

This module re-clusters a window (the reference, and any similarity other than the configured one);
hotspot_clusters.py places each ticket at intake and answers the configured similarity by a query."""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.cluster import AgglomerativeClustering
from sklearn.feature_extraction.text import TfidfVectorizer
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from classifier import tokenizer
from hotline.clock import iso
from hotline.supervision.periods import local_day
from hotline.tickets.enums import Status
from hotline.tickets.models import Ticket

_STOP_WORDS = ("我们 你们 他们 希望 有关 部门 处理 问题 反映 市民 来电 请求 要求 现在 目前 已经 一直 没有 还是 这个 "
               "那个 情况 相关 进行 解决 尽快 可以 不能 是否 能否 导致 严重 影响 非常 每天 经常 最近 附近 以来 "
               "时候 什么 怎么 到底 如何 哪里 一下 多少 还有 为什么 好几")
STOP = frozenset(_STOP_WORDS.split())
WORD = re.compile(r"^[\u4e00-\u9fffA-Za-z]{2,}$")
MAX_TICKETS = 6000
TEXT_WEIGHT, PLACE_WEIGHT = 0.75, 0.25
SHOWN_TICKETS = 50


def tokens(text: str) -> list[str]:
    """The text's content words as the classifier segments them (`classifier.tokenizer.tokens`, so intake
    segments a request once for every consumer), of two or more characters, without hotspot stop words."""
    return [w for w in tokenizer.content(tokenizer.tokens(text)) if WORD.match(w) and w not in STOP]


def _clusters(matrix: Any, places: Any, similarity: float) -> np.ndarray:
    """Average-linkage clusters on text similarity with a bonus for the same place."""
    if matrix.shape[0] == 1:
        return np.zeros(1, dtype=int)
    combined = TEXT_WEIGHT * (matrix @ matrix.T).toarray() + PLACE_WEIGHT * (places @ places.T).toarray()
    distance = np.clip(1.0 - combined, 0.0, 2.0)
    model = AgglomerativeClustering(n_clusters=None, metric="precomputed", linkage="average",
                                    distance_threshold=1.0 - similarity)
    return model.fit_predict(distance)


def _vectors(texts: list[str], **options: Any) -> tuple[Any, Any]:
    """Normalised term-frequency rows and their terms; all-zero rows when no text has a term."""
    vectorizer = TfidfVectorizer(use_idf=False, lowercase=False, **options)
    try:
        return vectorizer.fit_transform(texts), vectorizer.get_feature_names_out()
    except ValueError:  # an empty vocabulary: nothing in common to find
        return csr_matrix((len(texts), 1)), np.array([""])


def _groups(rows: list[Any], similarity: float, min_size: int) -> list[tuple[list[Any], Any, Any]]:
    """Clusters of at least min_size rows, each with its term rows and the terms, within each district."""
    if not rows:
        return []
    # Term frequencies without IDF: in a burst, the shared words (停水, 供水) are frequent by nature.
    matrix, terms = _vectors([r.content for r in rows], tokenizer=tokens, token_pattern=None)
    places, _ = _vectors([r.address or "" for r in rows], analyzer="char", ngram_range=(2, 2))
    by_district: dict[str | None, list[int]] = {}
    for index, row in enumerate(rows):
        by_district.setdefault(row.district, []).append(index)
    out = []
    for members in by_district.values():
        labels = _clusters(matrix[members], places[members], similarity)
        for label, size in Counter(labels).items():
            if size >= min_size:
                chosen = [members[i] for i in np.flatnonzero(labels == label)]
                out.append(([rows[i] for i in chosen], matrix[chosen], terms))
    return out


def find_hotspots(session: Session, *, now: datetime, days: int = 7, min_size: int = 3,
                  similarity: float = 0.4, district: str | None = None, limit: int = 20) -> dict[str, Any]:
    """Clusters of similar requests received in the last `days` days, largest and rising first."""
    since = now - timedelta(days=days)
    query = (select(Ticket.id, Ticket.number, Ticket.status, Ticket.content, Ticket.district, Ticket.address,
                    Ticket.received_at)
             .where(Ticket.received_at >= since, Ticket.received_at <= now, Ticket.invalid.is_(False),
                    Ticket.excluded.is_(False), Ticket.status != Status.MERGED.value)
             .order_by(Ticket.id.desc()).limit(MAX_TICKETS))
    if district:
        query = query.where(Ticket.district == district)
    rows = session.execute(query).all()
    merged = dict(session.execute(select(Ticket.merged_into_id, func.count())
                                  .where(Ticket.merged_into_id.is_not(None), Ticket.received_at >= since)
                                  .group_by(Ticket.merged_into_id)).all())
    found = [describe(members, _top_terms(matrix, terms), merged, since, now)
             for members, matrix, terms in _groups(rows, similarity, min_size)]
    found.sort(key=lambda c: (-c["size"], -c["trend"]["recent"], c["first_at"]))
    return {"from": iso(since), "to": iso(now), "days": days, "tickets_considered": len(rows),
            "clusters": found[:limit]}


def _top_terms(matrix: Any, terms: Any) -> list[str]:
    weights = np.asarray(matrix.sum(axis=0)).ravel()
    return [str(terms[i]) for i in weights.argsort()[::-1][:6] if weights[i] > 0]


def describe(rows: list[Any], top: list[str], merged: dict[int, int], since: datetime,
             now: datetime) -> dict[str, Any]:
    """One cluster as the API shows it: size, callers, district, leading words, trend and its tickets."""
    # this week against the week before when the window allows it, else the later half against the earlier
    week = timedelta(days=7)
    basis = "week" if now - since >= 2 * week else "half"
    middle = now - week if basis == "week" else since + (now - since) / 2
    start = middle - week if basis == "week" else since
    recent = sum(r.received_at >= middle for r in rows)
    earlier = sum(start <= r.received_at < middle for r in rows)
    direction = "rising" if recent > earlier * 1.25 else "falling" if recent * 1.25 < earlier else "steady"
    daily = Counter(local_day(r.received_at).isoformat() for r in rows)
    rows = sorted(rows, key=lambda r: r.received_at)
    districts = Counter(r.district for r in rows)
    return {"size": len(rows), "callers": len(rows) + sum(merged.get(r.id, 0) for r in rows),
            "district": districts.most_common(1)[0][0], "top_terms": top,
            "trend": {"basis": basis, "recent": recent, "earlier": earlier, "direction": direction,
                      "daily": dict(sorted(daily.items()))},
            "first_at": iso(rows[0].received_at), "last_at": iso(rows[-1].received_at),
            "sample": rows[-1].content[:80], "sample_id": rows[-1].id,
            "tickets": [{"id": r.id, "number": r.number, "status": r.status, "received_at": iso(r.received_at)}
                        for r in rows[-SHOWN_TICKETS:]]}
