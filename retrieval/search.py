"""Hybrid retrieval: dense (FAISS) and lexical (BM25) rankings fused with reciprocal rank fusion.

Three rankings are fused over the union of both candidate lists: the paragraph's
own vector, its best sentence's vector (a long paragraph dilutes one answering
sentence) and BM25. Paragraphs found by only one of them still compete.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

import numpy as np

from retrieval.index import SearchIndex, search_vectors
from retrieval.recency import age_cutoff, asks_for_recent, fresh_rows, parse_date, prefer_recent
from retrieval.store.base import Passages
from retrieval.text import TermGroup
from retrieval.tuning import DEFAULT_TUNING, SearchTuning


@dataclass(frozen=True)
class Query:
    """A question prepared once for every stage: text, vector, lexical terms."""

    text: str
    vector: np.ndarray
    terms: list[str]  # lexical terms for BM25
    groups: tuple[TermGroup, ...] = ()  # the same terms per question word, for the answer model


@dataclass
class Candidate:
    """A retrieved paragraph with the evidence for it."""

    paragraph: int  # row in the index
    fused: float
    dense: float  # cosine of the paragraph vector
    best_sentence: float  # best sentence cosine in the paragraph
    sentence_scores: np.ndarray  # cosine of each sentence
    bm25: float
    rank: int = 0


@dataclass
class SearchResult:
    """The fused candidates, best first, and how long each stage took."""

    candidates: list[Candidate]
    timings_ms: dict[str, float] = field(default_factory=dict)
    passages: Passages | None = None  # what the candidates' rows are rows of (None: nothing found)


@dataclass(frozen=True)
class SearchDepth:
    """How many hits each ranking brings, which rankings run, and rows to leave out."""

    dense: int
    lexical: int
    use_dense: bool = True
    use_lexical: bool = True
    exclude: frozenset[int] = frozenset()


@dataclass
class Hits:
    """One question's dense and lexical hits (row → score) and the passages those rows are rows of."""

    passages: Passages
    dense: dict[int, float]
    lexical: dict[int, float]
    timings_ms: dict[str, float] = field(default_factory=dict)  # "dense", "lexical" (and a store's own stages)


class CandidateSource(Protocol):
    """Where the hits come from: the index in memory (`IndexSource`) or a database store."""

    def gather(self, query: Query, depth: SearchDepth) -> Hits:
        """The dense and lexical hits for `query`."""
        ...


class IndexSource:
    """Hits from the in-memory index: FAISS for the dense ranking, BM25 for the lexical one, per
    segment (the base and each delta), dead articles' rows left out, merged by score."""

    def __init__(self, index: SearchIndex) -> None:
        self.index = index

    def gather(self, query: Query, depth: SearchDepth) -> Hits:
        """Dense and BM25 hits over every live paragraph, `depth.exclude` left out."""
        index, exclude = self.index, depth.exclude
        t0 = time.perf_counter()
        dense_hits: dict[int, float] = {}
        if depth.use_dense and index.live_paragraphs:
            dense_hits = self._dense(query, depth.dense + len(exclude), exclude)
        t1 = time.perf_counter()
        lexical_hits: dict[int, float] = {}
        if depth.use_lexical and query.terms and index.live_paragraphs:
            lexical_hits = self._lexical(query, depth.lexical + len(exclude), exclude)
        timings = {"dense": (t1 - t0) * 1e3, "lexical": (time.perf_counter() - t1) * 1e3}
        return Hits(index, dense_hits, lexical_hits, timings)

    def _dense(self, query: Query, k: int, exclude: frozenset[int]) -> dict[int, float]:
        index = self.index
        rows: list[np.ndarray] = []
        scores: list[np.ndarray] = []
        for segment, first, dead in zip(index.segments, index.starts[:-1].tolist(), index.dead_rows, strict=True):
            if segment.size == 0:
                continue
            ids, found = search_vectors(
                segment.dense,
                segment.paragraph_rows if segment.paragraph_rows is not None else segment.paragraph_vectors,
                query.vector,
                min(k + len(dead), segment.size),
                approximate=segment.faiss_type != "flat",
            )
            if len(dead):
                keep = ~np.isin(ids, dead)
                ids, found = ids[keep], found[keep]
            rows.append(ids.astype(np.int64) + first)
            scores.append(found)
        merged_rows, merged = np.concatenate(rows), np.concatenate(scores)
        if len(rows) > 1:  # best k of all segments (a single segment's hits are already at most k)
            order = np.lexsort((merged_rows, -merged))[:k]
            merged_rows, merged = merged_rows[order], merged[order]
        return {int(i): float(s) for i, s in zip(merged_rows, merged, strict=True) if int(i) not in exclude}

    def _lexical(self, query: Query, k: int, exclude: frozenset[int]) -> dict[int, float]:
        index = self.index
        rows: list[np.ndarray] = []
        scores: list[np.ndarray] = []
        terms = index.terms
        for segment, first, dead in zip(index.segments, index.starts[:-1].tolist(), index.dead_rows, strict=True):
            bm25 = terms.segment_scores(segment, query.terms)
            matched = np.flatnonzero(bm25 > 0)  # usually a small share of the paragraphs; rows ascending
            if len(dead):
                matched = matched[~np.isin(matched, dead, assume_unique=True)]
            top = matched[top_rows(bm25[matched], k)]
            rows.append(top.astype(np.int64) + first)
            scores.append(bm25[top])
        merged_rows, merged = np.concatenate(rows), np.concatenate(scores)
        if len(rows) > 1:
            by_row = np.argsort(merged_rows)  # top_rows breaks ties by position: put the hits in row order
            order = by_row[top_rows(merged[by_row], k)]
            merged_rows, merged = merged_rows[order], merged[order]
        return {int(i): float(s) for i, s in zip(merged_rows, merged, strict=True) if int(i) not in exclude}


def top_rows(scores: np.ndarray, k: int) -> np.ndarray:
    """Rows of the `k` highest scores, best first, ties by row: what `np.argsort(-scores,
    kind="stable")[:k]` gives, without sorting every row (at a million paragraphs the full sort
    was most of the BM25 stage). Linear in `len(scores)`; only the `k` kept are sorted."""
    n = len(scores)
    if k <= 0 or n == 0:
        return np.zeros(0, dtype=np.int64)
    if k >= n:
        return np.argsort(-scores, kind="stable")
    part = np.argpartition(-scores, k - 1)[:k]  # the k best, in no order; ties at the cut arbitrary
    kth = scores[part].min()
    above = part[scores[part] > kth]  # every row scoring above the k-th is among them
    tied = np.flatnonzero(scores == kth)[: k - len(above)]  # the cut's ties: lowest rows first
    rows = np.concatenate([above, tied])
    return rows[np.lexsort((rows, -scores[rows]))]


AGE_FILTER_WIDENING = 3  # MAX_ARTICLE_AGE_DAYS set: each ranking brings this many times its depth, then filters


def _best(rows: dict[int, float], k: int) -> dict[int, float]:
    """The `k` best-scoring hits (ties by row)."""
    return dict(sorted(rows.items(), key=lambda item: (-item[1], item[0]))[:k])


def _published(passages: Passages) -> Callable[[Candidate], datetime | None]:
    """A candidate's article's publication time, read from the passages it is a row of."""

    def published(candidate: Candidate) -> datetime | None:
        return parse_date(passages.articles[passages.paragraphs[candidate.paragraph].article_id].date)

    return published


def _ranks(values: dict[int, float]) -> dict[int, int]:
    order = sorted(values, key=lambda k: -values[k])
    return {key: rank for rank, key in enumerate(order, start=1)}


class HybridSearcher:
    """Ranks paragraphs for a query; pure function of the index (or store) it holds."""

    def __init__(
        self,
        index: SearchIndex | CandidateSource,
        *,
        tuning: SearchTuning = DEFAULT_TUNING.search,
        use_dense: bool = True,
        use_lexical: bool = True,
        max_age_days: int | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.source: CandidateSource = IndexSource(index) if isinstance(index, SearchIndex) else index
        self.tuning = tuning
        self.use_dense = use_dense
        self.use_lexical = use_lexical
        self.max_age_days = max_age_days  # MAX_ARTICLE_AGE_DAYS: older articles are left out of the hits
        self.clock = clock

    def search(self, query: Query, top_k: int | None = None, exclude: frozenset[int] = frozenset()) -> SearchResult:
        """The best `top_k` paragraphs (the tuning's when None); `exclude` hides paragraphs (training:
        "the article is not here")."""
        top_k = self.tuning.top_k if top_k is None else top_k
        # Hidden old articles take places among the hits: ask for more, so the fresh ones still fill the depth.
        widen = 1 if self.max_age_days is None else AGE_FILTER_WIDENING
        depth = SearchDepth(
            self.tuning.dense_candidates * widen,
            self.tuning.lexical_candidates * widen,
            self.use_dense,
            self.use_lexical,
            exclude,
        )
        hits = self.source.gather(query, depth)
        cutoff = age_cutoff(self.max_age_days, self.clock())
        if cutoff is not None:
            hits.dense = _best(fresh_rows(hits.dense, hits.passages, cutoff), self.tuning.dense_candidates)
            hits.lexical = _best(fresh_rows(hits.lexical, hits.passages, cutoff), self.tuning.lexical_candidates)
        if not hits.dense and not hits.lexical:
            return SearchResult([], {})
        t0 = time.perf_counter()
        candidates = self._fuse(hits.passages, query, hits.dense, hits.lexical)
        if asks_for_recent(query.text):
            margins = (self.tuning.recent_cosine_margin, self.tuning.recent_bm25_margin)
            candidates = prefer_recent(candidates, _published(hits.passages), *margins)
        timings = {**hits.timings_ms, "fusion": (time.perf_counter() - t0) * 1e3}
        return SearchResult(candidates[:top_k], timings, hits.passages)

    def _fuse(
        self, passages: Passages, query: Query, dense_hits: dict[int, float], lexical_hits: dict[int, float]
    ) -> list[Candidate]:
        pool_rows = sorted(set(dense_hits) | set(lexical_hits))
        # All candidates' sentences scored at once (one product for the index) instead of one per paragraph.
        all_scores = passages.sentence_cosines(pool_rows, query.vector)
        missing = [r for r in pool_rows if r not in dense_hits]
        if missing:
            exact = passages.paragraph_cosines(missing, query.vector)
            dense_hits = {**dense_hits, **{r: float(s) for r, s in zip(missing, exact, strict=True)}}
        cands: dict[int, Candidate] = {}
        for row, sentence_scores in zip(pool_rows, all_scores, strict=True):
            dense = dense_hits[row]
            cands[row] = Candidate(
                paragraph=row,
                fused=0.0,
                dense=dense,
                best_sentence=float(max(sentence_scores.tolist(), default=dense)),
                sentence_scores=sentence_scores,
                bm25=lexical_hits.get(row, 0.0),
            )
        rankings: list[dict[int, int]] = []
        if self.use_dense:
            rankings.append(_ranks({r: c.dense for r, c in cands.items()}))
            rankings.append(_ranks({r: c.best_sentence for r, c in cands.items()}))
        if self.use_lexical and lexical_hits:
            lex_rank = _ranks(lexical_hits)
            rankings.append(lex_rank)
            rankings.append(lex_rank)  # BM25 weighs as much as both dense views together
        for row, cand in cands.items():
            cand.fused = sum(1.0 / (self.tuning.rrf_k + r[row]) for r in rankings if row in r)
        ordered = sorted(cands.values(), key=lambda c: (-c.fused, -c.best_sentence))
        for rank, cand in enumerate(ordered, start=1):
            cand.rank = rank
        return ordered
