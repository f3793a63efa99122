"""Hybrid search and fusion on three toy articles, with a fake embedder: fast, no model files."""

from __future__ import annotations

import numpy as np
import pytest

from retrieval.corpus import parse_article
from retrieval.index import SearchIndex, build_index
from retrieval.search import HybridSearcher, IndexSource, Query, SearchDepth, top_rows
from retrieval.testing import HashingEmbedder, query_for
from retrieval.tuning import SearchTuning

ARTICLES = {
    "kopi": "Petani kopi di Temanggung memanen biji kopi arabika pada bulan Juli setiap tahun.",
    "banjir": "Banjir merendam ratusan rumah warga di Kendal setelah hujan deras semalaman.",
    "kereta": "Kereta cepat melayani penumpang dari Jakarta ke Bandung dalam waktu 45 menit.",
}


@pytest.fixture(scope="module")
def toy_index() -> SearchIndex:
    articles = [parse_article(key, text) for key, text in ARTICLES.items()]
    return build_index(articles, HashingEmbedder(), show_progress=False)


def _query(text: str) -> Query:
    return query_for(text, HashingEmbedder())


def _articles(index: SearchIndex, searcher: HybridSearcher, text: str) -> list[str]:
    return [index.paragraphs[c.paragraph].article_id for c in searcher.search(_query(text)).candidates]


def test_the_article_sharing_the_question_words_ranks_first(toy_index: SearchIndex) -> None:
    searcher = HybridSearcher(toy_index)
    assert _articles(toy_index, searcher, "Kapan petani memanen kopi arabika?")[0] == "kopi"
    assert _articles(toy_index, searcher, "Berapa rumah terendam banjir di Kendal?")[0] == "banjir"


def test_ranks_are_fused_and_numbered_from_one(toy_index: SearchIndex) -> None:
    result = HybridSearcher(toy_index).search(_query("kereta cepat Jakarta Bandung"))
    fused = [c.fused for c in result.candidates]
    assert fused == sorted(fused, reverse=True)
    assert [c.rank for c in result.candidates] == list(range(1, len(fused) + 1))
    assert result.candidates[0].bm25 > 0 and all(c.bm25 == 0 for c in result.candidates[1:])


def test_each_ranking_alone_still_finds_the_article(toy_index: SearchIndex) -> None:
    dense_only = HybridSearcher(toy_index, use_lexical=False)
    lexical_only = HybridSearcher(toy_index, use_dense=False)
    question = "hujan deras merendam rumah warga"
    assert _articles(toy_index, dense_only, question)[0] == "banjir"
    assert _articles(toy_index, lexical_only, question) == ["banjir"]  # BM25 returns only articles it matches


def test_excluded_paragraphs_and_the_tuned_depth_are_respected(toy_index: SearchIndex) -> None:
    kopi = next(i for i, p in enumerate(toy_index.paragraphs) if p.article_id == "kopi")
    searcher = HybridSearcher(toy_index, tuning=SearchTuning(top_k=1))
    result = searcher.search(_query("petani kopi arabika"), exclude=frozenset({kopi}))
    assert len(result.candidates) == 1 and result.candidates[0].paragraph != kopi


@pytest.mark.parametrize("seed", range(20))
def test_top_rows_equals_the_stable_full_sort(seed: int) -> None:
    """Partition then sort the few kept: the same rows in the same order as sorting everything, ties by row."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 3_000))
    scores = (rng.integers(0, 6, n) * rng.random()).astype(np.float32)  # many ties, many zeros
    if seed % 4 == 0:
        scores = rng.random(n).astype(np.float32)
    for k in (0, 1, 7, 100, n - 1, n, n + 3):
        expected = np.argsort(-scores, kind="stable")[: max(k, 0)]
        assert np.array_equal(top_rows(scores, k), expected)


def test_lexical_hits_are_the_best_bm25_scores_of_the_toy_index(toy_index: SearchIndex) -> None:
    """The BM25 stage keeps the top scores a full sort keeps (positive ones only), best first."""
    query = _query("petani kopi banjir kereta Jakarta")
    bm25 = toy_index.lexical.scores(query.terms)
    for depth in (1, 2, 3, 10):
        hits = IndexSource(toy_index).gather(query, SearchDepth(dense=3, lexical=depth)).lexical
        expected = [int(i) for i in np.argsort(-bm25, kind="stable")[:depth] if bm25[i] > 0]
        assert list(hits) == expected
        assert list(hits.values()) == sorted(hits.values(), reverse=True)
