"""The PostgreSQL scale benchmark at a tiny size (2,000 paragraphs, fake embedder, the session's real
PostgreSQL): the code behind the README's PostgreSQL scale figures cannot rot unnoticed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import psycopg
import pytest

from bench import pg_scale, pipeline_scale
from bot.testing.postgres import fresh_database
from retrieval.corpus import load_corpus
from retrieval.store.vectors import register_vector
from retrieval.testing import HashingEmbedder

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def pool() -> list[str]:
    """Sentences to recombine (the seeds' own: IDK-MRC need not be present where tests run)."""
    seeds = load_corpus(pipeline_scale.SEEDS)
    return [p.sentence_text(i) for a in seeds for p in a.paragraphs for i in range(len(p.sentences))]


def test_load_serve_recall_update_and_table_at_2000_paragraphs(
    postgres_uri: str, pool: list[str], tmp_path: Path
) -> None:
    url = fresh_database(postgres_uri)
    embedder = HashingEmbedder()
    loaded = pg_scale.load(url, 2_000, tmp_path, embedder, pool)
    assert loaded["n"] == 2_000 and loaded["sentences"] >= 2_000 and loaded["index_s"] > 0

    seeds = load_corpus(pipeline_scale.SEEDS)
    with psycopg.connect(url) as conn:
        register_vector(conn)
        counts = conn.execute(
            "SELECT (SELECT count(*) FROM paragraphs), (SELECT count(*) FROM sentences), (SELECT paragraphs FROM"
            " corpus_stats), (SELECT count(*) FROM pg_indexes WHERE indexname = 'paragraph_vectors_hnsw')"
        ).fetchone()
        assert counts == (2_000, loaded["sentences"], 2_000, 1)  # loaded, counted, the index made again
        wrong = conn.execute(  # the postings are the paragraphs' terms
            "SELECT count(*) FROM lexical_postings l FULL JOIN (SELECT u.lexeme AS term, p.article_id, p.position,"
            " cardinality(u.positions) AS tf FROM paragraphs p, unnest(p.terms) u) t"
            " USING (term, article_id, position) WHERE l.tf IS DISTINCT FROM t.tf"
        ).fetchone()
        assert wrong == (0,)
        words = conn.execute("SELECT count(*) FROM paragraphs WHERE words = ''::tsvector").fetchone()
        assert words == (0,)  # PostgreSQL's own analysis made during the load
        first = seeds[0].paragraphs[0]
        row = conn.execute(
            "SELECT embedding FROM paragraph_vectors WHERE article_id = %s AND position = 0", (first.article_id,)
        ).fetchone()
        assert row is not None
        assert np.allclose(row[0], embedder.embed_passages([first.text])[0], atol=1e-6)  # the seeds' real vectors

    questions = tmp_path / "questions.jsonl"
    questions.write_text("".join(pipeline_scale.QUESTIONS.read_text(encoding="utf-8").splitlines(True)[:8]))
    served = pg_scale.serve(url, 1, embedder, questions)
    assert set(served["timings_ms"]) == {*pg_scale.STAGES, "fetch"}
    assert served["asked"] == served["quality"]["questions"] == 8 and served["serve_peak_mb"] > 0

    diagnosed = pg_scale.diagnose(url, embedder, questions)
    answerable = diagnosed["questions"]
    assert 0 < answerable <= 8 and len(diagnosed["per_question"]) == answerable
    first = diagnosed["per_question"][0]
    assert first["dense_exact"] >= 1 and {"dense_ef400", "lexical_capNone", "top5_ef400_cap1000+bound"} <= set(first)
    assert all(0.0 <= share <= 1.0 for share in diagnosed["found_share"].values())
    assert set(diagnosed["lexical_ms_p50"]) == {"cap1000", "cap3000", "cap5000", "capNone", "cap1000+bound"}

    recalled = pg_scale.recall(url, tmp_path)
    assert recalled["questions"] > 100 and recalled["random_queries"] == pg_scale.RANDOM_QUERIES
    assert recalled["ef_search=400"]["questions_recall@10"] >= 0.9  # 2,000 rows: HNSW all but exact

    updated = pg_scale.update(url, embedder)
    assert updated["add_s"] > 0 and updated["remove_s"] > 0 and updated["add_embedded"] > 0
    assert updated["cleanup_removed"]  # the added article was there to be removed again
    with psycopg.connect(url) as conn:
        left = conn.execute("SELECT paragraphs FROM corpus_stats").fetchone()
    assert left is not None and left[0] < 2_000  # a synthetic article is gone

    result = {"n": 2_000, "store": "postgres", "seeds_quality": served["quality"], "load": loaded,
              "disk": pg_scale.disk(url), "serve": served, "recall": recalled, "update": updated}  # fmt: skip
    table = pg_scale.markdown([result, {"n": 4_000, "seeds_quality": served["quality"], "load": {"error": "x"}}])
    assert "| 2,000 | pgvector HNSW" in table and "Not finished: 4,000 load: x" in table
