"""Hybrid retrieval: dense (FAISS) and lexical (BM25) rankings fused with reciprocal rank fusion.

Three rankings are fused over the union of both candidate lists: the paragraph's
own vector, its best sentence's vector (a long paragraph dilutes one answering
sentence) and BM25. Paragraphs found by only one of them still compete.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from retrieval.index import SearchIndex, dense_search
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


def _ranks(values: dict[int, float]) -> dict[int, int]:
    order = sorted(values, key=lambda k: -values[k])
    return {key: rank for rank, key in enumerate(order, start=1)}


class HybridSearcher:
    """Ranks paragraphs for a query; pure function of the index it holds."""

    def __init__(
        self,
        index: SearchIndex,
        *,
        tuning: SearchTuning = DEFAULT_TUNING.search,
        use_dense: bool = True,
        use_lexical: bool = True,
    ) -> None:
        self.index = index
        self.tuning = tuning
        self.use_dense = use_dense
        self.use_lexical = use_lexical

    def search(self, query: Query, top_k: int | None = None, exclude: frozenset[int] = frozenset()) -> SearchResult:
        """The best `top_k` paragraphs (the tuning's when None); `exclude` hides paragraphs (training:
        "the article is not here")."""
        index = self.index
        top_k = self.tuning.top_k if top_k is None else top_k
        n = len(index.paragraphs)
        timings: dict[str, float] = {}
        if n == 0:
            return SearchResult([], timings)
        t0 = time.perf_counter()
        dense_hits: dict[int, float] = {}
        if self.use_dense:
            ids, scores = dense_search(index, query.vector, min(self.tuning.dense_candidates + len(exclude), n))
            dense_hits = {int(i): float(s) for i, s in zip(ids, scores, strict=True) if int(i) not in exclude}
        t1 = time.perf_counter()
        lexical_hits: dict[int, float] = {}
        if self.use_lexical and query.terms:
            bm25 = index.lexical.scores(query.terms)
            top = np.argsort(-bm25)[: self.tuning.lexical_candidates + len(exclude)]
            lexical_hits = {int(i): float(bm25[i]) for i in top if bm25[i] > 0 and int(i) not in exclude}
        t2 = time.perf_counter()
        if not dense_hits and not lexical_hits:
            return SearchResult([], timings)
        candidates = self._fuse(query, dense_hits, lexical_hits)
        t3 = time.perf_counter()
        timings.update(dense=(t1 - t0) * 1e3, lexical=(t2 - t1) * 1e3, fusion=(t3 - t2) * 1e3)
        return SearchResult(candidates[:top_k], timings)

    def _fuse(self, query: Query, dense_hits: dict[int, float], lexical_hits: dict[int, float]) -> list[Candidate]:
        index = self.index
        pool = np.array(sorted(set(dense_hits) | set(lexical_hits)), dtype=np.int64)
        # All candidates' sentences scored in one product instead of one per paragraph.
        starts, stops = index.sentence_offsets[pool], index.sentence_offsets[pool + 1]
        lengths = stops - starts
        ends = np.cumsum(lengths)
        rows = np.repeat(starts - (ends - lengths), lengths) + np.arange(int(ends[-1]) if len(ends) else 0)
        all_scores = index.sentence_vectors[rows] @ query.vector
        pool_rows = pool.tolist()
        missing = [r for r in pool_rows if r not in dense_hits]
        if missing:
            exact = index.paragraph_vectors[missing] @ query.vector
            dense_hits = {**dense_hits, **{r: float(s) for r, s in zip(missing, exact, strict=True)}}
        cands: dict[int, Candidate] = {}
        for row, end, length in zip(pool_rows, ends.tolist(), lengths.tolist(), strict=True):
            sentence_scores = all_scores[end - length : end]
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
