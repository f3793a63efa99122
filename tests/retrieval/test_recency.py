"""Dates, "what is recent" questions and MAX_ARTICLE_AGE_DAYS, on toy articles with a fake embedder."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from retrieval.corpus import parse_article
from retrieval.index import SearchIndex, build_index
from retrieval.recency import asks_for_recent, iso_date, parse_date, prefer_recent
from retrieval.search import Candidate, HybridSearcher
from retrieval.testing import HashingEmbedder, query_for

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC).timestamp()
SAME = "Harga beras medium di Pasar Induk Cipinang tercatat Rp13.500 per kilogram menurut pedagang."


@pytest.fixture(scope="module")
def dated_index() -> SearchIndex:
    articles = [
        parse_article("harga-lama", SAME + "\nPedagang menyebut pasokan dari Karawang lancar.", {"date": "2026-10-01"}),
        parse_article(
            "harga-baru",
            SAME + "\nPedagang menyebut pasokan dari Cianjur terlambat.",
            {"date": "2026-11-23T08:00:00+07:00", "date_source": "feed"},
        ),
        parse_article("kopi", "Petani kopi di Temanggung memanen biji kopi arabika pada bulan Juli setiap tahun."),
    ]
    return build_index(articles, HashingEmbedder(), show_progress=False)


def first_article(index: SearchIndex, searcher: HybridSearcher, question: str) -> str:
    result = searcher.search(query_for(question, HashingEmbedder()))
    return index.paragraphs[result.candidates[0].paragraph].article_id


def test_a_recent_question_gets_the_newer_of_two_equally_good_articles(dated_index: SearchIndex) -> None:
    searcher = HybridSearcher(dated_index)
    assert first_article(dated_index, searcher, "Berapa harga beras di Cipinang?") == "harga-lama"  # a plain tie
    assert first_article(dated_index, searcher, "Berapa harga beras terbaru di Cipinang?") == "harga-baru"
    assert first_article(dated_index, searcher, "latest rice price in Cipinang") == "harga-baru"


def candidate(row: int, cosine: float, bm25: float = 2.0) -> Candidate:
    return Candidate(row, 0.0, cosine, cosine, np.zeros(1), bm25)


def test_recency_only_breaks_ties_it_never_lifts_a_clearly_weaker_paragraph() -> None:
    dates = {0: parse_date("2026-01-01"), 1: parse_date("2026-11-20"), 2: None, 3: parse_date("2026-11-23")}

    def published(c: Candidate) -> datetime | None:
        return dates[c.paragraph]

    candidates = [candidate(0, 0.880), candidate(1, 0.875), candidate(2, 0.80), candidate(3, 0.795)]
    ordered = prefer_recent(candidates, published, 0.01, 0.05)
    assert [c.paragraph for c in ordered] == [1, 0, 3, 2]  # equally good pairs: newer first; undated last
    assert [c.rank for c in ordered] == [1, 2, 3, 4]
    assert [c.paragraph for c in prefer_recent([candidate(0, 0.88), candidate(3, 0.80)], published, 0.01, 0.05)] == [
        0,
        3,
    ]  # a clearly better old paragraph stays first
    fewer_words = [candidate(0, 0.88, bm25=3.0), candidate(3, 0.88, bm25=2.0)]
    assert [c.paragraph for c in prefer_recent(fewer_words, published, 0.01, 0.05)] == [0, 3]


def test_max_article_age_hides_old_articles_but_not_undated_ones(dated_index: SearchIndex) -> None:
    searcher = HybridSearcher(dated_index, max_age_days=30, clock=lambda: NOW)
    found = {
        dated_index.paragraphs[c.paragraph].article_id
        for question in ("Berapa harga beras di Cipinang?", "Kapan petani memanen kopi?")
        for c in searcher.search(query_for(question, HashingEmbedder())).candidates
    }
    assert "harga-lama" not in found and {"harga-baru", "kopi"} <= found
    unlimited = HybridSearcher(dated_index).search(query_for("Berapa harga beras di Cipinang?", HashingEmbedder()))
    assert "harga-lama" in {dated_index.paragraphs[c.paragraph].article_id for c in unlimited.candidates}


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        ("Tue, 24 Nov 2026 08:30:00 +0700", "2026-11-24T08:30:00+07:00"),
        ("2026-11-24T01:30:00Z", "2026-11-24T01:30:00+00:00"),
        ("2026-11-24", "2026-11-24T00:00:00+00:00"),
        ("kemarin sore", None),
        ("", None),
    ],
)
def test_dates_from_feeds_pages_and_front_matter_are_read(raw: str, iso: str | None) -> None:
    assert iso_date(raw) == iso


def test_questions_asking_for_what_is_recent() -> None:
    recent = ["Apa berita terbaru soal NATO?", "Siapa yang ditunjuk hari ini?", "Apa yang terjadi minggu ini?",
              "Apa kata menlu kemarin?", "What is the latest on Ukraine?", "What happened today?"]  # fmt: skip
    assert all(asks_for_recent(q) for q in recent)
    assert not any(asks_for_recent(q) for q in ("Siapa pengganti Stoltenberg?", "Berapa anggota awal NATO?"))
