"""The full-pipeline scale benchmark at a tiny size (2,000 paragraphs, fake embedder): seconds, no model
files, so the code behind the README's scale figures cannot rot unnoticed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bench import ingest_scale, pipeline_scale
from retrieval.corpus import load_corpus
from retrieval.index import load_current
from retrieval.testing import HashingEmbedder

SEEDS = pipeline_scale.SEEDS


@pytest.fixture(scope="module")
def pool() -> list[str]:
    """Sentences to recombine (the seeds' own here: IDK-MRC need not be present where tests run)."""
    return [p.sentence_text(i) for a in load_corpus(SEEDS) for p in a.paragraphs for i in range(len(p.sentences))]


def test_haystack_holds_the_seed_articles_unchanged_among_synthetic_ones(pool: list[str]) -> None:
    seeds = load_corpus(SEEDS)
    articles = pipeline_scale.haystack(seeds, 2_000, pool)
    assert sum(len(a.paragraphs) for a in articles) == 2_000
    kept = {a.article_id: a for a in articles if not a.article_id.startswith("syn-")}
    assert kept == {a.article_id: a for a in seeds}
    synthetic = [p for a in articles if a.article_id.startswith("syn-") for p in a.paragraphs]
    assert all(1 <= len(p.sentences) <= 4 for p in synthetic)
    assert all(p.sentence_text(i) in pool for p in synthetic[:200] for i in range(len(p.sentences)))


def test_build_serve_update_and_table_at_2000_paragraphs(
    pool: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pipeline_scale, "IDK_VALID", tmp_path / "absent.json")  # as in a clone without the data
    embedder = HashingEmbedder()
    built = pipeline_scale.build(2_000, tmp_path, "random", embedder, pool)
    assert built["n"] == 2_000 and built["faiss_type"] == "flat" and built["disk_mb"] > 0

    index = load_current(tmp_path)
    assert index is not None
    seed_rows = [i for i, p in enumerate(index.paragraphs) if not p.article_id.startswith("syn-")]
    assert len(seed_rows) == sum(len(a.paragraphs) for a in load_corpus(SEEDS))
    own = embedder.embed_passages([index.paragraphs[i].text for i in seed_rows])  # the seeds keep their vectors
    assert np.allclose(index.paragraph_vectors[seed_rows], own, atol=1e-6)

    questions = tmp_path / "questions.jsonl"
    questions.write_text("".join(pipeline_scale.QUESTIONS.read_text(encoding="utf-8").splitlines(True)[:8]))
    served = pipeline_scale.serve(tmp_path, 1, embedder, questions)
    timings = served["timings_ms"]
    assert set(timings) == set(pipeline_scale.STAGES)
    assert served["asked"] == served["quality"]["questions"] == 8
    assert timings["total without embed"]["p50"] <= timings["total"]["p50"]

    updated = pipeline_scale.update(tmp_path, embedder)
    assert updated["add_embedded"] > 0 and updated["add_s"] > 0 and updated["remove_s"] > 0
    assert updated["add_action"] == updated["remove_action"] == "updated"  # a delta, not a rebuild
    assert updated["answered_after_add"] and not updated["answered_after_remove"]
    after = load_current(tmp_path)
    assert after is not None and "bench-new-article" not in after.articles

    row = {"n": 2_000, "seeds_quality": served["quality"], "build": built, "serve": served, "update": updated}
    table = pipeline_scale.markdown([row, {"n": 4_000, "seeds_quality": served["quality"], "build": {"error": "x"}}])
    assert "SYNTHETIC vectors" in table and "| 2,000 | flat |" in table and "Not finished: 4,000 build: x" in table


def test_bot_commands_on_a_haystack_corpus_folder(
    pool: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ingest_scale, "IDK_VALID", tmp_path / "absent.json")  # the made-up articles
    result = ingest_scale.run(2_000, tmp_path / "work", 1, pool)
    assert result["paragraphs"] == 2_000
    (only,) = result["runs"]
    assert only["answered_after_add"] and not only["answered_after_remove"]
    # the index was current for the folder: the commands changed only the new articles
    index = load_current(tmp_path / "work" / "index")
    assert index is not None and index.manifest.articles == result["articles"] + 1  # the first new one stays
    assert len(index.segments) == 2  # the base, and one delta: the second article's is gone with it
    table = "\n".join(pipeline_scale.ingest_lines([{"n": 2_000, "ingest": result}]))
    assert "first `ingest`, no catalogue yet" in table and "| 2,000 |" in table
